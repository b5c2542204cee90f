"""cloudfront.access_logs: legacy logging, standard logging v2 (CloudWatch Logs vended
delivery) or real-time logs on every cache behavior; global, read once in us-east-1.

moto serves every read: ListDistributions, GetDistributionConfig (with `Logging` and each
behavior's `RealtimeLogConfigArn`), DescribeDeliverySources and DescribeDeliveries (moto
keeps delivery sources and deliveries, and checks that a source names a CloudFront ARN
with log type ACCESS_LOGS). Denied reads are one operation denied by the replay gateway
(tests/replay.py, over an empty recording, every other read going to moto): with moto's
IAM enforcement on, moto refuses every CloudFront request, even an allowed one. The
real-time log config is only an ARN on a cache behavior here, which is all the check
reads (its Kinesis stream and sampling rate are not).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from helpers import ACCOUNT, assert_sends_exactly_its_permissions, findings, only, run
from replay import Recording, replaying

import awsobs.checks.cloudfront.access_logs  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.edge import distribution, log_group, v2_delivery

CHECK = "cloudfront.access_logs"
REALTIME = f"arn:aws:cloudfront::{ACCOUNT}:realtime-log-config/rt"


def by_arn(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def scan_counting(session: boto3.Session, regions: list[str]) -> tuple[Any, list[Any]]:
    calls: list[tuple[str, str, str]] = []
    report = scan(
        session,
        checks=[CHECK],
        regions=regions,
        on_request=lambda service, op, region, params: calls.append((service, op, region)),
    )
    return report, calls


def v2(session: boto3.Session, name: str) -> str:
    """A distribution that logs through standard logging v2 only; its ARN."""
    _, arn = distribution(session, name)
    v2_delivery(session, arn, f"{name}-src", log_group(session, f"/aws/cloudfront/{name}"))
    return arn


def denied(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, operation: str) -> Any:
    """The check's findings with every `operation` request answered AccessDenied."""
    with replaying(monkeypatch, Recording(), deny=lambda key: key[2] == operation):
        return run(aws, [CHECK])


def test_legacy_logging_to_s3_passes(aws: boto3.Session) -> None:
    dist_id, arn = distribution(aws, "shop", legacy_bucket="shop-logs")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert f.resource_id == arn == f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist_id}"
    assert f.resource_type == "AWS::CloudFront::Distribution"
    assert f.region == "global"
    assert f.message == (
        f"distribution {dist_id} ('shop') logs its requests: standard logs (legacy) to "
        "shop-logs.s3.amazonaws.com/shop"
    )
    assert f.evidence["legacy_logging"] == {
        "enabled": True,
        "bucket": "shop-logs.s3.amazonaws.com",
        "prefix": "shop/",
    }


def test_standard_logging_v2_passes_with_legacy_logging_off(aws: boto3.Session) -> None:
    """The pitfall: peers read only `Logging.Enabled` and FAIL a distribution on v2."""
    arn = v2(aws, "media")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS, f.message
    assert f.evidence["legacy_logging"]["enabled"] is False
    assert f.evidence["delivery_sources"] == ["media-src"]
    assert "standard logs (v2) to arn:aws:logs:us-east-1:" in f.message
    assert f.evidence["deliveries"][0]["delivery_source"] == "media-src"
    assert f.resource_id == arn


def test_a_delivery_source_without_a_delivery_fails(aws: boto3.Session) -> None:
    _, arn = distribution(aws, "half")
    aws.client("logs").put_delivery_source(name="half-src", resourceArn=arn, logType="ACCESS_LOGS")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "delivery source 'half-src' has no delivery to a destination" in f.message


def test_another_distributions_delivery_does_not_count(aws: boto3.Session) -> None:
    logged = v2(aws, "logged")
    _, bare = distribution(aws, "bare")
    got = by_arn(run(aws, [CHECK]))
    assert got[logged].status is Status.PASS
    assert got[bare].status is Status.FAIL
    assert "standard logging (v2) has no delivery source for it" in got[bare].message


def test_real_time_logs_on_every_cache_behavior_pass(aws: boto3.Session) -> None:
    distribution(aws, "live", realtime=REALTIME, other_paths=("/api/*",), realtime_everywhere=True)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert f.message.endswith(f"logs its requests: real-time logs ({REALTIME})")


def test_real_time_logs_on_some_cache_behaviors_fail_naming_the_others(
    aws: boto3.Session,
) -> None:
    distribution(aws, "api", realtime=REALTIME, other_paths=("/admin/*", "/api/*"))
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "real-time logs cover only some cache behaviors (none on: /admin/*, /api/*)" in (
        f.message
    )
    assert f.evidence["realtime_log_configs"] == {
        "default (*)": REALTIME,
        "/admin/*": None,
        "/api/*": None,
    }


def test_no_logging_at_all_fails_with_the_v2_commands(aws: boto3.Session) -> None:
    dist_id, arn = distribution(aws, "admin")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.message == (
        f"distribution {dist_id} ('admin') logs no request: standard logging (legacy) is off; "
        "no real-time log config is attached; standard logging (v2) has no delivery source "
        "for it"
    )
    assert f.remediation.startswith(
        f"aws logs put-delivery-source --region us-east-1 --name cloudfront-{dist_id} "
        f"--resource-arn {arn} --log-type ACCESS_LOGS"
    )


def test_no_distribution_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.resource_id == ACCOUNT
    assert f.message == "no CloudFront distribution in the account"


def test_global_reads_happen_once_in_us_east_1_whatever_the_regions(aws: boto3.Session) -> None:
    """Listings once per scan, not per distribution or region; us-east-1 even when only
    eu-west-1 is scanned; one GetDistributionConfig per distribution."""
    v2(aws, "one")
    v2(aws, "two")
    distribution(aws, "three", legacy_bucket="logs")
    for regions in (["us-east-1", "eu-west-1"], ["eu-west-1"]):
        report, calls = scan_counting(aws, regions)
        assert {f.status for f in findings(report, CHECK)} == {Status.PASS}
        mine = [c for c in calls if c[0] in ("cloudfront", "logs")]
        assert {c[2] for c in mine} == {"us-east-1"}
        ops = [c[1] for c in mine]
        assert ops.count("DescribeDeliverySources") == 1
        assert ops.count("DescribeDeliveries") == 1
        assert ops.count("ListDistributions") == 1
        assert ops.count("GetDistributionConfig") == 3


def test_deliveries_are_not_read_when_no_distribution_has_a_source(aws: boto3.Session) -> None:
    distribution(aws, "shop", legacy_bucket="logs")
    _, calls = scan_counting(aws, ["us-east-1"])
    assert "DescribeDeliveries" not in [c[1] for c in calls]


def test_listing_denied_is_one_unknown_for_the_account(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    distribution(aws, "shop", legacy_bucket="logs")
    f = only(denied(aws, monkeypatch, "ListDistributions"), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == ACCOUNT
    assert f.message.startswith("could not list CloudFront distributions: access denied")
    assert f.evidence["error"]["action"] == "cloudfront:ListDistributions"


def test_config_denied_is_unknown_unless_v2_shows_logging(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GetDistributionConfig decides legacy and real-time logging: without it a
    distribution is UNKNOWN, unless its v2 delivery alone shows that it logs."""
    logged = v2(aws, "media")
    _, bare = distribution(aws, "bare", legacy_bucket="logs")
    got = by_arn(denied(aws, monkeypatch, "GetDistributionConfig"))
    assert got[logged].status is Status.PASS
    assert got[bare].status is Status.UNKNOWN
    assert "could not read its config (legacy and real-time logging)" in got[bare].message
    assert "(read: standard logging (v2) has no delivery source for it)" in got[bare].message
    assert got[bare].evidence["error"]["action"] == "cloudfront:GetDistributionConfig"


def test_delivery_sources_denied_is_unknown_unless_the_config_shows_logging(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, legacy = distribution(aws, "shop", legacy_bucket="logs")
    on_v2 = v2(aws, "media")
    got = by_arn(denied(aws, monkeypatch, "DescribeDeliverySources"))
    assert got[legacy].status is Status.PASS
    f = got[on_v2]
    assert f.status is Status.UNKNOWN  # never FAIL: its logging is in the unread listing
    assert "could not list CloudWatch Logs delivery sources (standard logging v2)" in f.message
    assert f.evidence["error"]["action"] == "logs:DescribeDeliverySources"


def test_deliveries_denied_is_unknown_for_a_distribution_with_a_source(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = v2(aws, "media")
    f = by_arn(denied(aws, monkeypatch, "DescribeDeliveries"))[arn]
    assert f.status is Status.UNKNOWN
    assert "could not list the CloudWatch Logs deliveries of delivery source 'media-src'" in (
        f.message
    )
    assert f.evidence["error"]["action"] == "logs:DescribeDeliveries"


def test_the_edge_seed_makes_every_declared_read_with_no_unknown(aws: boto3.Session) -> None:
    """tests/seeds/edge_seed.py: alone, the check sends exactly what it declares."""
    from edge_seed import seed_every_edge_read

    seed_every_edge_read(aws)
    assert_sends_exactly_its_permissions(aws, CHECK)
