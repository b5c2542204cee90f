"""elb.access_logs_delivered: the newest access-log file of each load balancer that
`elb.access_logs` passes, gated by its traffic when stale.

moto delivers no access log: a delivery is a PutObject of a key named as ELB names it,
moved into the past with `set_key_last_modified`; traffic is PutMetricData in
AWS/ApplicationELB, AWS/NetworkELB and AWS/ELB (tests/seeds/delivery_s3_seed.py). Denied
reads come from moto's IAM authorizer (`restricted_session` + `iam_enforced`). The scan
runs on the real clock, so keys are written relative to now (a file "now" lands in
today's directory: one listing).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from delivery_s3_seed import put_elb_log, put_traffic, seed_elb_delivery
from elb_seed import seed_every_elb_read
from helpers import ACCOUNT, findings, restricted_session, run
from moto_ext import iam_enforced

import awsobs.checks.elb.delivery  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.elb import (
    classic_access_logs,
    classic_load_balancer,
    listener,
    log_bucket,
    v2_access_logs,
    v2_load_balancer,
)

CHECK = "elb.access_logs_delivered"
REGION = "us-east-1"
# moto's authorizer names CloudWatch actions by the signing name, `monitoring:`
ALL_READS = ["elasticloadbalancing:*", "s3:*", "monitoring:*", "ec2:*", "sts:*"]


def deny(action: str) -> list[str]:
    return [action, action.replace("cloudwatch:", "monitoring:")]


def by_name(report: Any) -> dict[str, Finding]:
    return {f.evidence.get("load_balancer_name", f.resource_id): f for f in findings(report, CHECK)}


def counting(session: boto3.Session) -> tuple[Any, dict[str, int]]:
    calls: dict[str, int] = {}

    def hook(service: str, op: str, region: str, params: Any) -> None:
        calls[op] = calls.get(op, 0) + 1

    return scan(session, checks=[CHECK], regions=[REGION], on_request=hook), calls


def alb(aws: boto3.Session, name: str, bucket: str = "lb-logs", prefix: str = "") -> str:
    if bucket not in _buckets(aws):
        log_bucket(aws, bucket, REGION)
    arn = v2_load_balancer(aws, name, "application", REGION)
    v2_access_logs(aws, arn, bucket, REGION, prefix=prefix)
    return arn


def _buckets(aws: boto3.Session) -> set[str]:
    return {b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]}


def _dims(arn: str) -> dict[str, str]:
    return {"LoadBalancer": arn.split(":loadbalancer/", 1)[1]}


def test_a_fresh_file_passes_with_one_listing_per_load_balancer(aws: boto3.Session) -> None:
    web = alb(aws, "web", prefix="web/")
    api = alb(aws, "api")  # same bucket, no prefix: its own files, its own listing
    put_elb_log(aws, "lb-logs", web, prefix="web")
    put_elb_log(aws, "lb-logs", api)
    report, calls = counting(aws)
    got = by_name(report)
    assert {n: f.status for n, f in got.items()} == {"web": Status.PASS, "api": Status.PASS}
    f = got["web"]
    assert f.resource_id == web
    assert f.resource_type == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    assert f.message.startswith(
        "Application Load Balancer 'web' delivers to s3://lb-logs/web; last delivery"
    )
    lb_id = web.split("loadbalancer/")[1].replace("/", ".")  # app.web.<hex id>
    token = f"{ACCOUNT}_elasticloadbalancing_{REGION}_{lb_id}_"
    assert f.evidence["prefix"].startswith(f"web/AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/")
    assert f.evidence["prefix"].endswith(token)
    assert f.evidence["max_age_hours"] == 24
    assert calls["ListObjectsV2"] == 2  # one per load balancer
    assert calls["GetBucketLocation"] == 1  # the shared bucket once
    assert "GetMetricData" not in calls  # fresh: traffic is not read


def test_stale_with_traffic_fails_naming_the_window_and_the_causes(aws: boto3.Session) -> None:
    web = alb(aws, "web")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    put_elb_log(aws, "lb-logs", web, when=old)  # three days ago: outside the listing
    put_traffic(aws, "AWS/ApplicationELB", "RequestCount", _dims(web), 250)
    report, calls = counting(aws)
    f = by_name(report)["web"]
    assert f.status is Status.FAIL
    assert "Application Load Balancer 'web' served 250 requests since" in f.message
    assert "s3://lb-logs received nothing in the last 24 h: nothing since" in f.message
    assert "usual causes: the bucket policy no longer lets Elastic Load Balancing" in f.message
    assert f.evidence["traffic"]["namespace"] == "AWS/ApplicationELB"
    assert f.evidence["traffic"]["value"] == 250
    assert calls["GetMetricData"] == 1
    assert (
        calls["ListObjectsV2"] <= 2
    )  # today's directory, and yesterday's when the window began then


def test_stale_without_traffic_is_not_applicable(aws: boto3.Session) -> None:
    alb(aws, "quiet")
    f = by_name(run(aws, [CHECK]))["quiet"]
    assert f.status is Status.NOT_APPLICABLE
    assert f.message.startswith("Application Load Balancer 'quiet' served no requests since")
    assert "no delivery was expected" in f.message


def test_classic_and_tls_network_load_balancers_use_their_own_metrics(
    aws: boto3.Session,
) -> None:
    log_bucket(aws, "lb-logs", REGION)
    classic_load_balancer(aws, "legacy", REGION)
    classic_access_logs(aws, "legacy", "lb-logs", REGION, prefix="classic")
    tls = v2_load_balancer(aws, "edge", "network", REGION)
    listener(aws, tls, "TLS", REGION)
    v2_access_logs(aws, tls, "lb-logs", REGION)
    put_traffic(aws, "AWS/ELB", "RequestCount", {"LoadBalancerName": "legacy"}, 7)
    put_traffic(aws, "AWS/NetworkELB", "NewFlowCount_TLS", _dims(tls), 3)
    report, calls = counting(aws)
    got = by_name(report)
    assert got["legacy"].status is Status.FAIL
    assert got["legacy"].resource_type == "AWS::ElasticLoadBalancing::LoadBalancer"
    assert "served 7 requests" in got["legacy"].message
    assert got["edge"].status is Status.FAIL
    assert "served 3 TLS connections" in got["edge"].message
    assert calls["GetMetricData"] == 2  # one per namespace
    put_elb_log(aws, "lb-logs", "legacy", prefix="classic")
    put_elb_log(aws, "lb-logs", tls)
    got = by_name(run(aws, [CHECK]))
    assert {f.status for f in got.values()} == {Status.PASS}


def test_load_balancers_the_config_check_does_not_pass_are_not_applicable(
    aws: boto3.Session,
) -> None:
    v2_load_balancer(aws, "nologs", "application", REGION)
    tcp = v2_load_balancer(aws, "tcp", "network", REGION)
    listener(aws, tcp, "TCP", REGION, port=80)
    v2_load_balancer(aws, "gwy", "gateway", REGION)
    gone = alb(aws, "gone", bucket="deleted-logs")
    aws.client("s3").delete_bucket(Bucket="deleted-logs")
    report, calls = counting(aws)
    got = by_name(report)
    assert {f.status for f in got.values()} == {Status.NOT_APPLICABLE}
    assert "see elb.access_logs" in got["nologs"].message
    assert "has no TLS listener" in got["tcp"].message
    assert got["gone"].resource_id == gone
    assert "missing bucket" in got["gone"].message
    assert "ListObjectsV2" not in calls and "GetMetricData" not in calls


def test_a_region_without_load_balancers_is_not_applicable(aws: boto3.Session) -> None:
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.message == f"no load balancer in {REGION}"


@pytest.mark.parametrize(
    "denied",
    [
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeListeners",
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "cloudwatch:GetMetricData",
    ],
)
def test_each_denied_read_is_unknown_naming_it(aws: boto3.Session, denied: str) -> None:
    """The seed: seed-web fresh, seed-classic stale with traffic, seed-tls stale and idle."""
    seed_every_elb_read(aws)
    seed_elb_delivery(aws)
    scanner = restricted_session(aws, ALL_READS, deny=deny(denied))
    with iam_enforced():
        got = by_name(run(scanner, [CHECK]))
    assert len(got) == 3
    unknown = {n: f for n, f in got.items() if f.status is Status.UNKNOWN}
    assert unknown and all(f.evidence["error"]["action"] == denied for f in unknown.values())
    if denied == "cloudwatch:GetMetricData":  # only the stale ones read traffic
        assert set(unknown) == {"seed-classic", "seed-tls"}
        assert "whether Classic Load Balancer 'seed-classic' served anything is unknown" in (
            unknown["seed-classic"].message
        )
        assert got["seed-web"].status is Status.PASS
    elif denied.endswith("DescribeListeners"):
        assert set(unknown) == {"seed-tls"}
    else:
        assert len(unknown) == 3


def test_the_seed_gives_a_pass_a_fail_and_a_not_applicable(aws: boto3.Session) -> None:
    seed_every_elb_read(aws)
    seed_elb_delivery(aws)
    got = by_name(run(aws, [CHECK]))
    assert {n: f.status for n, f in got.items()} == {
        "seed-web": Status.PASS,
        "seed-classic": Status.FAIL,
        "seed-tls": Status.NOT_APPLICABLE,
    }
