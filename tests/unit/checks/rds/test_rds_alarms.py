"""rds.health_alarms: CPU, memory, connections and (instances with storage) free storage alarms
per DB instance and per Aurora cluster, that reach someone.

moto serves DescribeDBInstances, DescribeDBClusters (with `DBClusterMembers`) and
DescribeAlarms; the `alarm_ext` fixture adds what moto lacks for alarms (composite alarms,
pending subscriptions: awsobs/demo/moto_ext.py). Denied reads come from moto's IAM
authorizer (restricted_session + iam_enforced) or, for DescribeAlarms, botocore's Stubber
(helpers.stub_error).
"""

from __future__ import annotations

import boto3
import pytest
from alarm_seed import alarm, composite, topic
from helpers import ACCOUNT, findings, restricted_session, run, stub_error
from moto_ext import iam_enforced

import awsobs.checks.rds.alarms  # noqa: F401
from awsobs import Finding, Report, Status
from awsobs.demo.alarms_data import rds_alarms
from awsobs.demo.rds import aurora_cluster, db_instance

CHECK = "rds.health_alarms"
REGION = "us-east-1"
RDS = "AWS/RDS"
ONCALL = f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"


def db(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}"


def cluster(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{name}"


def by_id(report: Report) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


@pytest.fixture
def oncall(aws: boto3.Session, alarm_ext: None) -> str:
    return topic(aws)


def test_instance_with_the_four_alarms_passes_and_one_without_fails(
    aws: boto3.Session, oncall: str
) -> None:
    db_instance(aws, "shop", "postgres", REGION)
    db_instance(aws, "bare", "mysql", REGION)
    rds_alarms(aws, "DBInstanceIdentifier", "shop", oncall, storage=True)
    got = by_id(run(aws, [CHECK]))
    shop, bare = got[db("shop")], got[db("bare")]
    assert shop.status is Status.PASS
    assert "FreeStorageSpace by 'shop-FreeStorageSpace'" in shop.message
    assert bare.status is Status.FAIL
    assert bare.message.startswith("DB instance 'bare' (mysql): no alarm on FreeStorageSpace")
    for metric in ("CPUUtilization", "FreeableMemory", "DatabaseConnections"):
        assert f"no alarm on {metric}" in bare.message
    assert "shop-" not in bare.message  # another instance's alarms are not near misses
    assert "--dimensions Name=DBInstanceIdentifier,Value='bare'" in (bare.remediation or "")
    assert "DBLoad" in bare.evidence["not_judged"]


def test_missing_free_storage_alarm_fails_an_instance(aws: boto3.Session, oncall: str) -> None:
    db_instance(aws, "shop", "postgres", REGION)
    rds_alarms(aws, "DBInstanceIdentifier", "shop", oncall)  # no FreeStorageSpace
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "no alarm on FreeStorageSpace" in f.message
    assert "CPUUtilization" not in f.message.split(":", 1)[1]


def test_cluster_level_alarms_cover_every_aurora_member(aws: boto3.Session, oncall: str) -> None:
    """Aurora: an alarm on DBClusterIdentifier counts for its members; the members are
    NOT_APPLICABLE, pointing at the cluster; no FreeStorageSpace is asked of Aurora."""
    aurora_cluster(aws, "orders", REGION, exports=[])
    db_instance(aws, "orders-1", "aurora-mysql", REGION, cluster="orders")
    db_instance(aws, "orders-2", "aurora-mysql", REGION, cluster="orders")
    rds_alarms(aws, "DBClusterIdentifier", "orders", oncall)
    got = by_id(run(aws, [CHECK]))
    assert got[cluster("orders")].status is Status.PASS
    assert "FreeStorageSpace" not in got[cluster("orders")].message
    assert "AuroraVolumeBytesLeftTotal: no alarm" in got[cluster("orders")].message
    for member in ("orders-1", "orders-2"):
        assert got[db(member)].status is Status.NOT_APPLICABLE
        assert "member of Aurora cluster 'orders'" in got[db(member)].message


def test_aurora_member_alarms_must_cover_every_member(aws: boto3.Session, oncall: str) -> None:
    """Per-instance alarms on the writer only leave the reader uncovered; a role-level
    READER alarm covers it."""
    aurora_cluster(aws, "orders", REGION, exports=[])
    db_instance(aws, "orders-1", "aurora-mysql", REGION, cluster="orders")
    db_instance(aws, "orders-2", "aurora-mysql", REGION, cluster="orders")
    rds_alarms(aws, "DBInstanceIdentifier", "orders-1", oncall)
    f = by_id(run(aws, [CHECK]))[cluster("orders")]
    assert f.status is Status.FAIL
    assert "no alarm on CPUUtilization of reader 'orders-2'" in f.message
    assert "writer 'orders-1'" not in f.message.split(":", 1)[1]
    assert "watches" not in f.message  # the writer's alarms are not the reader's near miss
    for metric in ("CPUUtilization", "FreeableMemory", "DatabaseConnections"):
        alarm(
            aws,
            f"readers-{metric}",
            RDS,
            metric,
            {"DBClusterIdentifier": "orders", "Role": "READER"},
        )
    assert by_id(run(aws, [CHECK]))[cluster("orders")].status is Status.PASS


def test_alarm_on_the_cluster_name_as_an_instance_is_the_near_miss(
    aws: boto3.Session, oncall: str
) -> None:
    aurora_cluster(aws, "reports", REGION, exports=[])
    db_instance(aws, "reports-1", "aurora-mysql", REGION, cluster="reports")
    rds_alarms(aws, "DBInstanceIdentifier", "reports", oncall)
    f = by_id(run(aws, [CHECK]))[cluster("reports")]
    assert f.status is Status.FAIL
    assert (
        "alarm 'reports-CPUUtilization' watches AWS/RDS CPUUtilization "
        "(DBInstanceIdentifier=reports)"
    ) in f.message
    assert "--dimensions Name=DBClusterIdentifier,Value='reports'" in (f.remediation or "")


def test_alarms_that_reach_nobody_do_not_cover(aws: boto3.Session, oncall: str) -> None:
    nobody = topic(aws, "nobody", confirmed=False)
    db_instance(aws, "shop", "postgres", REGION)
    rds_alarms(aws, "DBInstanceIdentifier", "shop", nobody, storage=True)
    alarm(
        aws, "shop-cpu-off", RDS, "CPUUtilization", {"DBInstanceIdentifier": "shop"}, enabled=False
    )
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "topic nobody has no confirmed subscription" in f.message
    assert "alarm 'shop-cpu-off' has its actions disabled" in f.message


def test_composite_alarm_covers_what_its_children_watch(aws: boto3.Session, oncall: str) -> None:
    db_instance(aws, "shop", "postgres", REGION)
    metrics = ("CPUUtilization", "FreeableMemory", "DatabaseConnections", "FreeStorageSpace")
    for metric in metrics:
        alarm(aws, f"quiet-{metric}", RDS, metric, {"DBInstanceIdentifier": "shop"}, actions=[])
    composite(aws, "shop-health", [f"quiet-{m}" for m in metrics], [oncall])
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS and "by 'shop-health'" in f.message


def test_replica_auto_scaling_alarms_do_not_count(aws: boto3.Session, oncall: str) -> None:
    """Application Auto Scaling's target tracking alarm on the readers' CPU adds readers;
    it tells no one."""
    aurora_cluster(aws, "orders", REGION, exports=[])
    db_instance(aws, "orders-1", "aurora-mysql", REGION, cluster="orders")
    policy = (
        f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:0a1b:resource/rds/"
        "cluster:orders:policyName/readers"
    )
    alarm(aws, "TargetTracking-cluster:orders-AlarmHigh", RDS, "CPUUtilization",
          {"DBClusterIdentifier": "orders"}, actions=[policy])  # fmt: skip
    f = by_id(run(aws, [CHECK]))[cluster("orders")]
    assert f.status is Status.FAIL
    assert "no alarm on CPUUtilization of writer 'orders-1'" in f.message


def test_neptune_and_documentdb_are_not_judged(aws: boto3.Session, oncall: str) -> None:
    aurora_cluster(aws, "graph", REGION, exports=[], engine="neptune")
    got = by_id(run(aws, [CHECK]))
    assert got[cluster("graph")].status is Status.NOT_APPLICABLE
    assert "Neptune" in got[cluster("graph")].message


def test_no_database_is_not_applicable(aws: boto3.Session) -> None:
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE and f.resource_id == REGION
    assert f.message == f"no RDS DB instance or cluster in {REGION}"


def test_alarms_denied_is_unknown_per_resource(
    aws: boto3.Session, oncall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_instance(aws, "shop", "postgres", REGION)
    aurora_cluster(aws, "orders", REGION, exports=[])
    stub_error(monkeypatch, "cloudwatch", "describe_alarms")
    got = by_id(run(aws, [CHECK]))
    for arn in (db("shop"), cluster("orders")):
        assert got[arn].status is Status.UNKNOWN
        assert "could not read alarms" in got[arn].message
        assert got[arn].evidence["error"]["action"] == "cloudwatch:DescribeAlarms"


@pytest.mark.parametrize(
    ("denied", "resource", "kept"),
    [
        ("rds:DescribeDBInstances", db("*"), cluster("orders")),
        ("rds:DescribeDBClusters", cluster("*"), db("shop")),
    ],
)
def test_a_denied_listing_is_unknown_and_the_other_is_still_judged(
    aws: boto3.Session, oncall: str, denied: str, resource: str, kept: str
) -> None:
    db_instance(aws, "shop", "postgres", REGION)
    aurora_cluster(aws, "orders", REGION, exports=[])
    limited = restricted_session(aws, ["*"], [denied])
    with iam_enforced():
        got = by_id(run(limited, [CHECK]))
    assert got[resource].status is Status.UNKNOWN
    assert got[resource].evidence["error"]["action"] == denied
    assert got[kept].status is Status.FAIL, got[kept].message
