"""rds.enhanced_monitoring_reporting: the instance's stream (its DbiResourceId) in the
RDSOSMetrics log group ingested within the hour; no traffic gate.

moto runs no Enhanced Monitoring agent: the stream is seeded with PutLogEvents and moved
into the past with awsobs/demo/moto_delivery.py (`set_stream_ingestion`). moto gives every
instance the same DbiResourceId, so each test instance gets its own
(`set_dbi_resource_id`). Denied reads come from moto's IAM authorizer (restricted_session +
iam_enforced). Each stream names one instance, so no destination is shared.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from helpers import ACCOUNT, findings, restricted_session, run
from moto_ext import iam_enforced

import awsobs.checks.rds.monitoring_delivery  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.moto_delivery import set_dbi_resource_id, set_stream_ingestion
from awsobs.demo.rds import db_instance, monitoring_role

CHECK = "rds.enhanced_monitoring_reporting"
REGION = "us-east-1"
GROUP = "RDSOSMetrics"


def db(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}"


def rid(name: str) -> str:
    return f"db-{name.upper():0<26}"


def monitored(
    aws: boto3.Session,
    name: str,
    role: str | None,
    ago: dt.timedelta | None = None,
    *,
    stream: bool = True,
) -> None:
    """An instance with Enhanced Monitoring on (when `role`), and its stream written now
    or `ago` in the past."""
    db_instance(aws, name, "postgres", REGION, monitoring_role_arn=role)
    set_dbi_resource_id(ACCOUNT, REGION, name, rid(name))
    if not stream:
        return
    logs = aws.client("logs", region_name=REGION)
    if GROUP not in {g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]}:
        logs.create_log_group(logGroupName=GROUP)
    logs.create_log_stream(logGroupName=GROUP, logStreamName=rid(name))
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 30_000
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=rid(name),
        logEvents=[{"timestamp": stamp, "message": "{}"}],
    )
    if ago is not None:
        when = dt.datetime.now(dt.UTC) - ago
        set_stream_ingestion(ACCOUNT, REGION, GROUP, rid(name), when)


def counted(aws: boto3.Session) -> tuple[dict[str, Finding], list[tuple[str, dict]]]:
    calls: list[tuple[str, dict]] = []
    report = scan(
        aws, checks=[CHECK], regions=[REGION], on_request=lambda s, o, r, p: calls.append((o, p))
    )
    return {f.resource_id: f for f in findings(report, CHECK)}, calls


def test_fresh_stream_passes_and_monitoring_off_is_not_applicable(aws: boto3.Session) -> None:
    role = monitoring_role(aws, "em")
    monitored(aws, "pg", role)
    monitored(aws, "plain", None, stream=False)
    got, calls = counted(aws)
    ok = got[db("pg")]
    assert ok.status is Status.PASS, ok.message
    assert ok.message.startswith(
        f"DB instance 'pg' (postgres) delivers to log group RDSOSMetrics (stream {rid('pg')})"
    )
    assert ok.evidence["max_age_hours"] == 1
    off = got[db("plain")]
    assert off.status is Status.NOT_APPLICABLE
    assert "see rds.enhanced_monitoring" in off.message
    reads = [p for o, p in calls if o == "DescribeLogStreams"]
    assert len(reads) == 1
    assert reads[0]["logStreamNamePrefix"] == rid("pg")
    assert "orderBy" not in reads[0]


def test_stale_stream_fails_without_traffic_gate(aws: boto3.Session) -> None:
    monitored(aws, "pg", monitoring_role(aws, "em"), dt.timedelta(hours=5))
    got, calls = counted(aws)
    f = got[db("pg")]
    assert f.status is Status.FAIL, f.message
    assert "received nothing in the last 1 h" in f.message
    assert "last delivery 5 h ago" in f.message
    assert "its Enhanced Monitoring agent reports every 60 s" in f.message
    assert "usual causes: the monitoring role lost" in f.message
    assert "GetMetricData" not in [o for o, _ in calls]


def test_no_stream_and_no_group_fail(aws: boto3.Session) -> None:
    role = monitoring_role(aws, "em")
    monitored(aws, "pg", role, stream=False)
    f = counted(aws)[0][db("pg")]
    assert f.status is Status.FAIL
    assert "log group RDSOSMetrics (stream" in f.message and "which does not exist" in f.message
    monitored(aws, "other", role)  # the group exists now, pg's stream still does not
    f = counted(aws)[0][db("pg")]
    assert f.status is Status.FAIL
    assert "no data at all" in f.message


def test_a_role_the_config_check_fails_is_not_applicable(aws: boto3.Session) -> None:
    wrong = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    monitored(aws, "pg", monitoring_role(aws, "wrong", wrong))
    f = counted(aws)[0][db("pg")]
    assert f.status is Status.NOT_APPLICABLE
    assert "see rds.enhanced_monitoring" in f.message


def test_max_age_hours_option(aws: boto3.Session) -> None:
    monitored(aws, "pg", monitoring_role(aws, "em"), dt.timedelta(hours=5))
    report = run(aws, [CHECK], options={CHECK: {"max_age_hours": 6}})
    assert findings(report, CHECK)[0].status is Status.PASS


def test_one_read_per_instance(aws: boto3.Session) -> None:
    role = monitoring_role(aws, "em")
    for name in ("a", "b", "c"):
        monitored(aws, name, role)
    got, calls = counted(aws)
    assert {f.status for f in got.values()} == {Status.PASS}
    assert [o for o, _ in calls].count("DescribeLogStreams") == 3
    assert [o for o, _ in calls].count("GetRole") == 1


@pytest.mark.parametrize(
    "action", ["rds:DescribeDBInstances", "iam:GetRole", "logs:DescribeLogStreams"]
)
def test_each_denied_read_is_unknown_naming_it(aws: boto3.Session, action: str) -> None:
    monitored(aws, "pg", monitoring_role(aws, "em"))
    scanner = restricted_session(aws, ["rds:*", "logs:*", "iam:*", "sts:*"], [action])
    with iam_enforced():
        report = run(scanner, [CHECK])
    f = {f.resource_id: f for f in findings(report, CHECK)}[
        REGION if action == "rds:DescribeDBInstances" else db("pg")
    ]
    assert f.status is Status.UNKNOWN, f.message
    assert f.evidence["error"]["action"] == action
