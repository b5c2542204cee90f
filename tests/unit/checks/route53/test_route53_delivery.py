"""route53.query_logs_delivered: the query-logging group's newest stream, gated on
`AWS/Route53 DNSQueries`.

moto delivers no query logs: the group is seeded with PutLogEvents and moved into the
past with awsobs/demo/moto_delivery.py (`set_stream_ingestion`); DNS traffic is seeded
with PutMetricData (moto's GetMetricData sums it by time). Denied reads are one operation
denied by the replay gateway (tests/replay.py over an empty recording; every other read
goes to moto), as in test_route53_query_logging.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from helpers import ACCOUNT, findings, only, run
from replay import Recording, replaying

import awsobs.checks.route53.delivery  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.edge import hosted_zone, query_logging
from awsobs.demo.moto_delivery import set_stream_ingestion

CHECK = "route53.query_logs_delivered"


def arn(zone: str) -> str:
    return f"arn:aws:route53:::hostedzone/{zone}"


def logged_zone(aws: boto3.Session, name: str, last: dt.datetime | None = None) -> str:
    """A public zone logging to /aws/route53/<name>, with one stream of its queries."""
    zone = hosted_zone(aws, name)
    query_logging(aws, zone, name)
    group, stream = f"/aws/route53/{name}", f"{zone}/IAD89-C1"
    logs = aws.client("logs", region_name="us-east-1")
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": stamp, "message": f"1.0 {zone} {name} A NOERROR UDP IAD89-C1"}],
    )
    if last is not None:
        set_stream_ingestion(ACCOUNT, "us-east-1", group, stream, last)
    return zone


def queries(aws: boto3.Session, zone: str, count: float, ago: dt.timedelta) -> None:
    aws.client("cloudwatch", region_name="us-east-1").put_metric_data(
        Namespace="AWS/Route53",
        MetricData=[
            {
                "MetricName": "DNSQueries",
                "Dimensions": [{"Name": "HostedZoneId", "Value": zone}],
                "Timestamp": dt.datetime.now(dt.UTC) - ago,
                "Value": count,
            }
        ],
    )


def by_arn(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def counted(aws: boto3.Session) -> tuple[dict[str, Finding], list[str]]:
    calls: list[str] = []
    report = scan(
        aws, checks=[CHECK], regions=["us-east-1"], on_request=lambda s, o, r, p: calls.append(o)
    )
    return by_arn(report), calls


def test_fresh_group_passes_without_a_traffic_read(aws: boto3.Session) -> None:
    zone = logged_zone(aws, "shop.example.com")
    bare = hosted_zone(aws, "admin.example.com")
    got, calls = counted(aws)
    ok = got[arn(zone)]
    assert ok.status is Status.PASS, ok.message
    assert "delivers to log group /aws/route53/shop.example.com; last delivery" in ok.message
    assert ok.evidence["newest_stream"] == f"{zone}/IAD89-C1"
    off = got[arn(bare)]
    assert off.status is Status.NOT_APPLICABLE
    assert "see route53.query_logging" in off.message
    assert calls.count("DescribeLogStreams") == 1
    assert "GetMetricData" not in calls


def test_stale_group_with_queries_fails_and_without_is_not_applicable(aws: boto3.Session) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=9)
    busy = logged_zone(aws, "shop.example.com", last=old)
    idle = logged_zone(aws, "idle.example.com", last=old)
    queries(aws, busy, 1200, dt.timedelta(hours=2))
    got, calls = counted(aws)
    bad = got[arn(busy)]
    assert bad.status is Status.FAIL, bad.message
    assert "served 1,200 DNS queries since" in bad.message
    assert "last delivery 9 days ago" in bad.message
    assert "usual causes: the CloudWatch Logs resource policy" in bad.message
    quiet = got[arn(idle)]
    assert quiet.status is Status.NOT_APPLICABLE
    assert "served no DNS queries since" in quiet.message
    assert calls.count("GetMetricData") == 1  # both stale zones in one read
    assert calls.count("DescribeLogStreams") == 2


def test_a_shared_group_is_read_once(aws: boto3.Session) -> None:
    first = logged_zone(aws, "shop.example.com")
    second = hosted_zone(aws, "www.example.com")
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/route53/shop.example.com:*"
    aws.client("route53").create_query_logging_config(
        HostedZoneId=second, CloudWatchLogsLogGroupArn=group
    )
    got, calls = counted(aws)
    assert got[arn(first)].status is got[arn(second)].status is Status.PASS
    assert got[arn(second)].evidence["group_shared_with"] == [first]
    assert calls.count("DescribeLogStreams") == 1


def test_deleted_group_fails(aws: boto3.Session) -> None:
    zone = logged_zone(aws, "shop.example.com")
    aws.client("logs").delete_log_group(logGroupName="/aws/route53/shop.example.com")
    f = by_arn(run(aws, [CHECK]))[arn(zone)]
    assert f.status is Status.FAIL
    assert "which does not exist" in f.message


@pytest.mark.parametrize(
    ("operation", "action", "whole_account"),
    [
        ("ListHostedZones", "route53:ListHostedZones", True),
        ("ListQueryLoggingConfigs", "route53:ListQueryLoggingConfigs", False),
        ("DescribeLogStreams", "logs:DescribeLogStreams", False),
        ("GetMetricData", "cloudwatch:GetMetricData", False),
    ],
)
def test_each_denied_read_is_unknown_naming_it(
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    action: str,
    whole_account: bool,
) -> None:
    zone = logged_zone(aws, "shop.example.com", last=dt.datetime.now(dt.UTC) - dt.timedelta(days=2))
    queries(aws, zone, 5, dt.timedelta(hours=2))
    with replaying(monkeypatch, Recording(), deny=lambda key: key[2] == operation):
        f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN, f.message
    if not whole_account:
        assert f.resource_id == arn(zone)
    assert f.evidence["error"]["action"] == action
