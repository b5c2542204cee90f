"""rds.log_exports_delivered: the groups `/aws/rds/{instance,cluster}/<id>/<type>` of the
log types rds.log_exports requires, gated by AWS/RDS DatabaseConnections; `error` is never
judged on age.

moto delivers no RDS logs: the groups are seeded with PutLogEvents and moved into the
past with awsobs/demo/moto_delivery.py (`set_stream_ingestion`), connections with
PutMetricData. Denied reads come from moto's IAM authorizer (restricted_session +
iam_enforced). Each group names one resource, so no group is shared by two.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from helpers import ACCOUNT, findings, restricted_session, run
from moto_ext import iam_enforced

import awsobs.checks.rds.delivery  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.moto_delivery import set_stream_ingestion
from awsobs.demo.rds import AUDIT_ON, aurora_cluster, cluster_parameter_group, db_instance

CHECK = "rds.log_exports_delivered"
REGION = "us-east-1"
OLD = dt.timedelta(days=9)


def db(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}"


def cluster(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{name}"


def group(aws: boto3.Session, name: str, ago: dt.timedelta | None = None) -> None:
    """One event in a stream of `name`; ingested now, or `ago` in the past."""
    logs, stream = aws.client("logs", region_name=REGION), "stream-1"
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName=stream)
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    logs.put_log_events(
        logGroupName=name, logStreamName=stream, logEvents=[{"timestamp": stamp, "message": "x"}]
    )
    if ago is not None:
        set_stream_ingestion(ACCOUNT, REGION, name, stream, dt.datetime.now(dt.UTC) - ago)


def connections(aws: boto3.Session, key: str, name: str, value: float = 12.0) -> None:
    aws.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": "DatabaseConnections",
                "Dimensions": [{"Name": key, "Value": name}],
                "Timestamp": dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
                "Value": value,
            }
        ],
    )


def postgres(aws: boto3.Session, name: str, ago: dt.timedelta | None = None) -> None:
    db_instance(aws, name, "postgres", REGION, exports=["postgresql"])
    group(aws, f"/aws/rds/instance/{name}/postgresql", ago)


def by_id(report: object) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}  # type: ignore[arg-type]


def counted(aws: boto3.Session) -> tuple[dict[str, Finding], list[str]]:
    calls: list[str] = []
    report = scan(
        aws, checks=[CHECK], regions=[REGION], on_request=lambda s, o, r, p: calls.append(o)
    )
    return by_id(report), calls


def test_fresh_groups_pass_and_unconfigured_is_not_applicable(aws: boto3.Session) -> None:
    postgres(aws, "pg")
    cluster_parameter_group(aws, "audit-on", REGION, AUDIT_ON)
    aurora_cluster(aws, "aur", REGION, exports=["audit", "error"], parameter_group="audit-on")
    db_instance(aws, "aur-1", "aurora-mysql", REGION, cluster="aur")
    group(aws, "/aws/rds/cluster/aur/error")
    group(aws, "/aws/rds/cluster/aur/audit")
    db_instance(aws, "bare", "postgres", REGION)
    got = by_id(run(aws, [CHECK]))
    pg = got[db("pg")]
    assert pg.status is Status.PASS, pg.message
    assert pg.message.startswith(
        "DB instance 'pg' (RDS for PostgreSQL) delivers to log group "
        "/aws/rds/instance/pg/postgresql; last delivery"
    )
    assert pg.evidence["max_age_hours"] == 24
    aur = got[cluster("aur")]
    assert aur.status is Status.PASS, aur.message
    assert {t["log_type"] for t in aur.evidence["log_types"]} == {"error", "audit"}
    assert "(other log types: audit PASS)" in aur.message
    member = got[db("aur-1")]
    assert member.status is Status.NOT_APPLICABLE
    assert "see rds.log_exports" in member.message
    bare = got[db("bare")]
    assert bare.status is Status.NOT_APPLICABLE
    assert "see rds.log_exports" in bare.message


def test_stale_group_with_connections_fails_naming_the_last_delivery(aws: boto3.Session) -> None:
    postgres(aws, "pg", OLD)
    connections(aws, "DBInstanceIdentifier", "pg")
    got, calls = counted(aws)
    f = got[db("pg")]
    assert f.status is Status.FAIL, f.message
    assert "served 12 connections (DatabaseConnections peak) since" in f.message
    assert "received nothing in the last 24 h: last delivery 9 days ago" in f.message
    assert "usual causes: the log type was taken out of the exports" in f.message
    assert f.evidence["traffic"]["stat"] == "Maximum"
    assert calls.count("DescribeLogStreams") == 1
    assert calls.count("GetMetricData") == 1


def test_stale_group_without_connections_is_not_applicable(aws: boto3.Session) -> None:
    postgres(aws, "pg", OLD)
    f = by_id(run(aws, [CHECK]))[db("pg")]
    assert f.status is Status.NOT_APPLICABLE, f.message
    assert "served no connections (DatabaseConnections peak) since" in f.message
    assert "so no delivery was expected" in f.message


def test_missing_group_fails(aws: boto3.Session) -> None:
    db_instance(aws, "pg", "postgres", REGION, exports=["postgresql"])
    f = by_id(run(aws, [CHECK]))[db("pg")]
    assert f.status is Status.FAIL
    assert "log group /aws/rds/instance/pg/postgresql, which does not exist" in f.message


def test_a_quiet_error_log_is_reported_not_failed(aws: boto3.Session) -> None:
    db_instance(
        aws, "mssql", "sqlserver-se", REGION, exports=["error"], LicenseModel="license-included"
    )
    group(aws, "/aws/rds/instance/mssql/error", OLD)
    connections(aws, "DBInstanceIdentifier", "mssql")
    got, calls = counted(aws)
    f = got[db("mssql")]
    assert f.status is Status.NOT_APPLICABLE, f.message
    assert "last written 9 days ago" in f.message
    assert "its age is reported, not judged" in f.message
    assert "GetMetricData" not in calls  # no other type is stale: no traffic read


def test_quiet_error_beside_a_stale_audit_with_connections(aws: boto3.Session) -> None:
    cluster_parameter_group(aws, "audit-on", REGION, AUDIT_ON)
    aurora_cluster(aws, "aur", REGION, exports=["audit", "error"], parameter_group="audit-on")
    group(aws, "/aws/rds/cluster/aur/error", OLD)
    group(aws, "/aws/rds/cluster/aur/audit", OLD)
    connections(aws, "DBClusterIdentifier", "aur", 3)
    f = by_id(run(aws, [CHECK]))[cluster("aur")]
    assert f.status is Status.FAIL, f.message
    assert "log group /aws/rds/cluster/aur/audit received nothing" in f.message
    assert "(other log types: error quiet since" in f.message


def test_max_age_hours_option(aws: boto3.Session) -> None:
    postgres(aws, "pg", dt.timedelta(hours=30))
    connections(aws, "DBInstanceIdentifier", "pg")
    report = run(aws, [CHECK], options={CHECK: {"max_age_hours": 48}})
    assert by_id(report)[db("pg")].status is Status.PASS


def test_one_read_per_group_and_one_traffic_read(aws: boto3.Session) -> None:
    for name in ("a", "b", "c"):
        postgres(aws, name, OLD)
        connections(aws, "DBInstanceIdentifier", name)
    got, calls = counted(aws)
    assert {f.status for f in got.values()} == {Status.FAIL}
    assert calls.count("DescribeLogStreams") == 3
    assert calls.count("GetMetricData") == 1


def test_a_stopped_instance_is_not_applicable(aws: boto3.Session) -> None:
    postgres(aws, "pg", OLD)
    aws.client("rds", region_name=REGION).stop_db_instance(DBInstanceIdentifier="pg")
    f = by_id(run(aws, [CHECK]))[db("pg")]
    assert f.status is Status.NOT_APPLICABLE
    assert "not available: no log delivery is expected" in f.message


@pytest.mark.parametrize(
    "action",
    ["rds:DescribeDBInstances", "logs:DescribeLogStreams", "cloudwatch:GetMetricData"],
)
def test_each_denied_read_is_unknown_naming_it(aws: boto3.Session, action: str) -> None:
    postgres(aws, "pg", OLD)
    connections(aws, "DBInstanceIdentifier", "pg")
    scanner = restricted_session(aws, ["rds:*", "logs:*", "cloudwatch:*", "sts:*"], [action])
    with iam_enforced():
        report = run(scanner, [CHECK])
    f = by_id(report)[REGION if action == "rds:DescribeDBInstances" else db("pg")]
    assert f.status is Status.UNKNOWN, f.message
    assert f.evidence["error"]["action"] == action
