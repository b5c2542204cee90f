"""s3.server_access_logging: each bucket in its own region, log targets exempt."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from helpers import bucket, findings, only, run, stub_error, trail
from logging_seed import access_logs, seed_every_vpc_s3_read

import awsobs.checks.s3.access_logging
import awsobs.checks.vpc.flow_logs  # noqa: F401
from awsobs import Finding, Report, Status, scan
from awsobs.aws.iam import iam_action
from awsobs.aws.session import ENGINE_PERMISSIONS
from awsobs.registry import REGISTRY

CHECK = "s3.server_access_logging"


def arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def by_bucket(report: Report) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def test_logged_unlogged_self_logged_and_log_target(aws: boto3.Session) -> None:
    for name in ("web", "plain", "selfie", "access-logs"):
        bucket(aws, name)
    access_logs(aws, "web", "access-logs", "web/")
    access_logs(aws, "selfie", "selfie", "logs/")
    got = by_bucket(run(aws, [CHECK]))
    assert set(got) == {arn(n) for n in ("web", "plain", "selfie", "access-logs")}
    web = got[arn("web")]
    assert web.status is Status.PASS
    assert web.message == "access to bucket 'web' is logged to s3://access-logs/web/"
    assert web.evidence["target_bucket"] == "access-logs"
    assert web.evidence["target_prefix"] == "web/"
    plain = got[arn("plain")]
    assert plain.status is Status.FAIL
    assert "bucket 'plain' has no server access logging" in plain.message
    assert "--bucket plain" in plain.remediation
    selfie = got[arn("selfie")]  # logging into itself: judged, and it has logging
    assert selfie.status is Status.PASS
    assert "logged to itself (s3://selfie/logs/)" in selfie.message
    target = got[arn("access-logs")]
    assert target.status is Status.NOT_APPLICABLE
    assert "receives server access logs of bucket 'web'" in target.message


def test_cloudtrail_bucket_is_not_applicable(aws: boto3.Session) -> None:
    trail(aws, "main")  # creates main-logs, with no access logging
    f = only(run(aws, [CHECK]), CHECK)
    assert f.resource_id == arn("main-logs")
    assert f.status is Status.NOT_APPLICABLE
    assert "receives CloudTrail logs of trail 'main'" in f.message


def test_each_bucket_is_judged_in_its_own_region(aws: boto3.Session) -> None:
    bucket(aws, "us-site")
    bucket(aws, "eu-site", "eu-west-1")
    bucket(aws, "eu-logs", "eu-west-1")
    access_logs(aws, "eu-site", "eu-logs", region="eu-west-1")
    report = run(aws, [CHECK], ["us-east-1", "eu-west-1"])
    got = by_bucket(report)
    assert {k: (f.region, f.status) for k, f in got.items()} == {
        arn("us-site"): ("us-east-1", Status.FAIL),
        arn("eu-site"): ("eu-west-1", Status.PASS),
        arn("eu-logs"): ("eu-west-1", Status.NOT_APPLICABLE),
    }


def test_no_buckets_in_region_is_not_applicable(aws: boto3.Session) -> None:
    bucket(aws, "elsewhere", "eu-west-1")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.message == "no S3 buckets in us-east-1"


def test_unreadable_logging_is_unknown_per_bucket(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed (Stubber): GetBucketLogging denied in eu-west-1; listing is in us-east-1."""
    bucket(aws, "eu-a", "eu-west-1")
    bucket(aws, "eu-b", "eu-west-1")
    stub_error(monkeypatch, "s3", "get_bucket_logging", region="eu-west-1")
    got = by_bucket(run(aws, [CHECK], ["eu-west-1"]))
    assert set(got) == {arn("eu-a"), arn("eu-b")}
    for f in got.values():
        assert f.status is Status.UNKNOWN
        assert "access denied to s3:GetBucketLogging" in f.message


def test_listing_denied_is_one_unknown(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    bucket(aws, "site")
    stub_error(monkeypatch, "s3", "list_buckets")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == "us-east-1"
    assert "could not list buckets: access denied to s3:ListAllMyBuckets" in f.message


def test_unlisted_trails_make_an_unlogged_bucket_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the trails, a bucket with no logging may be an exempt CloudTrail bucket."""
    bucket(aws, "plain")
    bucket(aws, "web")
    bucket(aws, "log-sink")
    access_logs(aws, "web", "log-sink")
    stub_error(monkeypatch, "cloudtrail", "describe_trails")
    got = by_bucket(run(aws, [CHECK]))
    assert got[arn("web")].status is Status.PASS
    assert got[arn("log-sink")].status is Status.NOT_APPLICABLE
    plain = got[arn("plain")]
    assert plain.status is Status.UNKNOWN
    assert "access denied to cloudtrail:DescribeTrails" in plain.message


def test_a_flow_log_destination_bucket_is_a_log_target(aws: boto3.Session) -> None:
    bucket(aws, "flow-sink")
    bucket(aws, "plain")
    ec2 = aws.client("ec2", region_name="eu-west-1")  # flow logs of another region count too
    vpc = ec2.create_vpc(CidrBlock="10.8.0.0/16")["Vpc"]["VpcId"]
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-sink",  # moto refuses a /prefix/ here; AWS allows it
    )
    got = by_bucket(run(aws, [CHECK], regions=["us-east-1", "eu-west-1"]))
    sink = got[arn("flow-sink")]
    assert sink.status is Status.NOT_APPLICABLE and "VPC flow logs" in sink.message
    assert got[arn("plain")].status is Status.FAIL


def test_unlisted_flow_logs_make_an_unlogged_bucket_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed (eu-west-1 only: us-east-1's EC2 client also lists the regions)."""
    bucket(aws, "plain")
    stub_error(monkeypatch, "ec2", "describe_flow_logs", region="eu-west-1")
    plain = by_bucket(run(aws, [CHECK], regions=["us-east-1", "eu-west-1"]))[arn("plain")]
    assert plain.status is Status.UNKNOWN
    assert "could not list flow logs in eu-west-1" in plain.message


def _recorder(used: set[str]) -> Callable[[str, str, str, Any], None]:
    return lambda service, op, region, params: used.add(iam_action(service, op))


def test_seed_uses_every_declared_permission(aws: boto3.Session) -> None:
    """tests/seeds/logging_seed.py makes both checks send every read they declare, no UNKNOWN."""
    seed_every_vpc_s3_read(aws)
    for check_id in (CHECK, "vpc.flow_logs_enabled"):
        chk = next(c for c in REGISTRY.all() if c.id == check_id)
        used: set[str] = set()
        report = scan(
            aws,
            checks=[chk],
            regions=["us-east-1", "eu-west-1"],
            on_request=_recorder(used),
        )
        assert report.findings, check_id
        assert all(f.status is not Status.UNKNOWN for f in report.findings), check_id
        assert used - set(ENGINE_PERMISSIONS) == set(chk.meta.permissions), check_id
    statuses = {f.resource_id: f.status for f in findings(report, "vpc.flow_logs_enabled")}
    assert set(statuses.values()) == {Status.PASS}
