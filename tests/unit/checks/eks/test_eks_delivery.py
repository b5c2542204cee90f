"""eks.control_plane_logs_delivered: the newest stream of `/aws/eks/<cluster>/cluster`.

moto delivers no control plane logs: the group is seeded with PutLogEvents and moved
into the past with awsobs/demo/moto_delivery.py (`set_stream_ingestion`). Denied reads
are stubbed with botocore's Stubber (helpers.stub_error): with moto's IAM enforcement on,
moto rejects every EKS request, so `restricted_session` cannot deny one read alone.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from helpers import ACCOUNT, findings, only, run, stub_client, stub_error

import awsobs.checks.eks.delivery  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.containers import eks_cluster
from awsobs.demo.moto_delivery import set_stream_ingestion

CHECK = "eks.control_plane_logs_delivered"
REGION = "us-east-1"


def arn(name: str) -> str:
    return f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{name}"


def group(aws: boto3.Session, cluster: str, last: dt.datetime | None = None) -> None:
    name, stream = f"/aws/eks/{cluster}/cluster", "kube-apiserver-audit-1"
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName=stream)
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    logs.put_log_events(
        logGroupName=name, logStreamName=stream, logEvents=[{"timestamp": stamp, "message": "{}"}]
    )
    if last is not None:
        set_stream_ingestion(ACCOUNT, REGION, name, stream, last)


def by_id(aws: boto3.Session) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(run(aws, [CHECK]), CHECK)}


def test_fresh_group_passes_and_logging_off_is_not_applicable(aws: boto3.Session) -> None:
    eks_cluster(aws, "platform", ["api", "audit"], REGION)
    eks_cluster(aws, "quiet", [], REGION)
    group(aws, "platform")
    got = by_id(aws)
    ok = got[arn("platform")]
    assert ok.status is Status.PASS, ok.message
    assert ok.message.startswith(
        "EKS cluster 'platform' (api, audit logs) delivers to log group /aws/eks/platform/cluster"
    )
    assert ok.evidence["max_age_hours"] == 3
    off = got[arn("quiet")]
    assert off.status is Status.NOT_APPLICABLE
    assert "see eks.control_plane_logging" in off.message


def test_stale_group_fails_without_traffic_gate(aws: boto3.Session) -> None:
    eks_cluster(aws, "platform", ["audit"], REGION)
    group(aws, "platform", last=dt.datetime.now(dt.UTC) - dt.timedelta(hours=5))
    calls: list[str] = []
    report = scan(
        aws, checks=[CHECK], regions=[REGION], on_request=lambda s, o, r, p: calls.append(o)
    )
    f = only(report, CHECK)
    assert f.status is Status.FAIL
    assert "received nothing in the last 3 h" in f.message
    assert "last delivery 5 h ago" in f.message
    assert "an ACTIVE cluster's control plane is never idle" in f.message
    assert "usual causes: the log group was deleted" in f.message
    assert "GetMetricData" not in calls
    assert calls.count("DescribeLogStreams") == 1


def test_missing_group_fails(aws: boto3.Session) -> None:
    eks_cluster(aws, "platform", ["api"], REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "log group /aws/eks/platform/cluster, which does not exist" in f.message


def test_max_age_hours_option(aws: boto3.Session) -> None:
    eks_cluster(aws, "platform", ["api"], REGION)
    group(aws, "platform", last=dt.datetime.now(dt.UTC) - dt.timedelta(hours=5))
    report = run(aws, [CHECK], options={CHECK: {"max_age_hours": 6}})
    assert only(report, CHECK).status is Status.PASS


def test_one_read_per_cluster(aws: boto3.Session) -> None:
    for name in ("a", "b", "c"):
        eks_cluster(aws, name, ["api"], REGION)
        group(aws, name)
    calls: list[str] = []
    report = scan(
        aws, checks=[CHECK], regions=[REGION], on_request=lambda s, o, r, p: calls.append(o)
    )
    assert {f.status for f in findings(report, CHECK)} == {Status.PASS}
    assert calls.count("DescribeLogStreams") == 3
    assert calls.count("DescribeCluster") == 3


@pytest.mark.parametrize(
    ("service", "method", "action"),
    [
        ("eks", "list_clusters", "eks:ListClusters"),
        ("eks", "describe_cluster", "eks:DescribeCluster"),
        ("logs", "describe_log_streams", "logs:DescribeLogStreams"),
    ],
)
def test_each_denied_read_is_unknown_naming_it(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, service: str, method: str, action: str
) -> None:
    eks_cluster(aws, "platform", ["api"], "eu-west-1")
    if method == "describe_cluster":  # stubbed: the listing first, then the denial
        script = [
            ("list_clusters", {"clusters": ["platform"]}),
            ("describe_cluster", "AccessDenied"),
        ]
        stub_client(monkeypatch, "eks", script, region="eu-west-1")
    else:
        stub_error(monkeypatch, service, method, region="eu-west-1")
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN, f.message
    assert f.evidence["error"]["action"] == action
