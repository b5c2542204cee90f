"""rds.log_exports: each engine's error log always, its audit log where it has one; an Aurora
cluster is judged once and its members point at it; Aurora MySQL's audit log must also be
recorded (Advanced Auditing in the cluster parameter group).

moto serves DescribeDBInstances (with `EnabledCloudwatchLogsExports` and
`OptionGroupMemberships`), DescribeDBClusters (with `EnabledCloudwatchLogsExports`,
`DBClusterParameterGroup`, `EngineMode`) and DescribeDBClusterParameters of a custom group
(it ignores `Filters`: the reader filters again). What moto lacks is stubbed with botocore's
Stubber (tests/helpers.stub_client): moto has no default cluster parameter group
(DescribeDBClusterParameters on `default.aurora-mysql8.0` answers DBParameterGroupNotFound,
where AWS lists the engine defaults), so that pitfall is scripted. moto ignores
ModifyDBCluster's CloudwatchLogsExportConfiguration, so clusters get their exports at
creation. Denied reads come from moto's IAM authorizer (restricted_session + iam_enforced).
"""

from __future__ import annotations

from typing import Any

import boto3
from helpers import ACCOUNT, findings, only, restricted_session, run, stub_client
from moto_ext import iam_enforced
from rds_seed import seed_every_rds_read

import awsobs.checks.rds.logs  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.rds import AUDIT_ON, aurora_cluster, cluster_parameter_group, db_instance

CHECK = "rds.log_exports"
REGION = "us-east-1"
ALL_READS = ["rds:*", "iam:*", "ec2:*", "sts:*"]


def db(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}"


def cluster(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:{name}"


def by_id(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def scan_counting(session: boto3.Session) -> tuple[Any, list[tuple[str, str, dict[str, Any]]]]:
    calls: list[tuple[str, str, dict[str, Any]]] = []
    report = scan(
        session,
        checks=[CHECK],
        regions=[REGION],
        on_request=lambda service, op, region, params: calls.append((service, op, params)),
    )
    return report, calls


def test_postgres_and_aurora_mysql_with_auditing_pass_and_members_point_at_the_cluster(
    aws: boto3.Session,
) -> None:
    seed_every_rds_read(aws)
    report, calls = scan_counting(aws)
    got = by_id(report)
    assert got[db("seed-pg")].status is Status.PASS
    assert "exports postgresql to CloudWatch Logs" in got[db("seed-pg")].message
    aurora = got[cluster("seed-aurora")]
    assert aurora.status is Status.PASS
    assert aurora.resource_type == "AWS::RDS::DBCluster"
    assert "Advanced Auditing recording CONNECT,QUERY_DCL,QUERY_DDL" in aurora.message
    member = got[db("seed-aurora-1")]
    assert member.status is Status.NOT_APPLICABLE
    assert "member of DB cluster 'seed-aurora'" in member.message
    assert member.evidence["db_cluster"] == cluster("seed-aurora")
    reads = [c for c in calls if c[1] == "DescribeDBClusterParameters"]
    assert [c[2]["DBClusterParameterGroupName"] for c in reads] == ["seed-aurora-audit"]


def test_mysql_without_audit_fails_naming_the_type(aws: boto3.Session) -> None:
    arn = db_instance(aws, "shop", "mysql", REGION, exports=["error", "slowquery"])
    f = only(run(aws, [CHECK]), CHECK)
    assert f.resource_id == arn
    assert f.status is Status.FAIL
    assert f.message.startswith(
        "DB instance 'shop' (RDS for MySQL) exports only error, slowquery: its audit log is "
        "not in CloudWatch Logs"
    )
    assert f.remediation.startswith(
        f"aws rds modify-db-instance --region {REGION} --db-instance-identifier shop "
        "--cloudwatch-logs-export-configuration "
        '\'{"EnableLogTypes":["audit","error","slowquery"]}\''
    )
    assert "MARIADB_AUDIT_PLUGIN" in f.remediation
    assert f.evidence["other_log_types"] == ["general", "slowquery", "iam-db-auth-error"]


def test_mariadb_with_nothing_exported_names_both_logs(aws: boto3.Session) -> None:
    db_instance(aws, "legacy", "mariadb", REGION, EngineVersion="10.11.6")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "exports no log: its error and audit logs are not in CloudWatch Logs" in f.message


def test_mysql_audit_from_a_default_option_group_fails(aws: boto3.Session) -> None:
    """Exporting `audit` is not enough: only MARIADB_AUDIT_PLUGIN writes the log, and a
    default option group cannot hold it (moto puts the instance in default:mysql-5-6)."""
    db_instance(aws, "shop", "mysql", REGION, exports=["audit", "error"])
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "option group 'default:mysql-5-6' is a default one" in f.message
    assert "there is no audit log to export" in f.message
    assert "add-option-to-option-group" in f.remediation


def test_mysql_audit_with_a_custom_option_group_passes_saying_what_is_not_read(
    aws: boto3.Session,
) -> None:
    aws.client("rds").create_option_group(
        OptionGroupName="audit-og",
        EngineName="mysql",
        MajorEngineVersion="8.0",
        OptionGroupDescription="audit",
    )
    db_instance(
        aws, "shop", "mysql", REGION, exports=["audit", "error"], OptionGroupName="audit-og"
    )
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert "while option group 'audit-og' holds the MARIADB_AUDIT_PLUGIN option" in f.message
    assert "which is not read" in f.message


def test_engine_specific_types(aws: boto3.Session) -> None:
    """Oracle needs alert and audit; SQL Server needs error (agent is not required, its
    audit goes to S3); Aurora PostgreSQL and a Multi-AZ DB cluster of MySQL export from
    the cluster and read no parameter group."""
    db_instance(
        aws,
        "ora",
        "oracle-ee",
        REGION,
        exports=["alert", "listener"],
        LicenseModel="bring-your-own-license",
    )
    db_instance(
        aws, "mss", "sqlserver-se", REGION, exports=["error"], LicenseModel="license-included"
    )
    aurora_cluster(aws, "apg", REGION, exports=["postgresql"], engine="aurora-postgresql")
    aurora_cluster(
        aws,
        "maz",
        REGION,
        exports=["error"],
        engine="mysql",
        DBClusterInstanceClass="db.m6gd.large",
        AllocatedStorage=100,
        StorageType="io1",
        Iops=1000,
    )
    report, calls = scan_counting(aws)
    got = by_id(report)
    assert got[db("ora")].status is Status.FAIL
    assert (
        "(RDS for Oracle) exports only alert, listener: its audit log is not"
        in got[db("ora")].message
    )
    assert got[db("mss")].status is Status.PASS
    assert "SQL Server Audit writes to S3" in got[db("mss")].message
    assert got[cluster("apg")].status is Status.PASS
    assert got[cluster("maz")].status is Status.PASS
    assert "Multi-AZ DB cluster of RDS for MySQL" in got[cluster("maz")].message
    assert not [c for c in calls if c[1] == "DescribeDBClusterParameters"]


def test_aurora_mysql_audit_exported_but_auditing_off_fails(aws: boto3.Session) -> None:
    """The pitfall peers miss: `audit` in the exports with server_audit_logging 0 (or no
    events) publishes an empty log."""
    cluster_parameter_group(aws, "off", REGION, {**AUDIT_ON, "server_audit_logging": "0"})
    aurora_cluster(aws, "a", REGION, exports=["audit", "error"], parameter_group="off")
    cluster_parameter_group(aws, "quiet", REGION, {"server_audit_logging": "1"})
    aurora_cluster(aws, "b", REGION, exports=["audit", "error"], parameter_group="quiet")
    got = by_id(run(aws, [CHECK]))
    a = got[cluster("a")]
    assert a.status is Status.FAIL
    assert "server_audit_logging is 0 in cluster parameter group 'off'" in a.message
    assert a.remediation.startswith(
        f"aws rds modify-db-cluster-parameter-group --region {REGION} "
        "--db-cluster-parameter-group-name off"
    )
    b = got[cluster("b")]
    assert b.status is Status.FAIL
    assert "server_audit_events is empty in cluster parameter group 'quiet'" in b.message


def test_aurora_mysql_audit_published_by_parameter_passes_and_unpublished_fails(
    aws: boto3.Session,
) -> None:
    """AWS's other way to publish the audit log: server_audit_logs_upload = 1 without
    `audit` in the exports. Neither way: FAIL naming both."""
    cluster_parameter_group(aws, "up", REGION, {**AUDIT_ON, "server_audit_logs_upload": "1"})
    aurora_cluster(aws, "up", REGION, exports=["error"], parameter_group="up")
    cluster_parameter_group(aws, "kept", REGION, AUDIT_ON)
    aurora_cluster(aws, "kept", REGION, exports=["error"], parameter_group="kept")
    got = by_id(run(aws, [CHECK]))
    assert got[cluster("up")].status is Status.PASS
    assert "(server_audit_logs_upload = 1)" in got[cluster("up")].message
    kept = got[cluster("kept")]
    assert kept.status is Status.FAIL
    assert "the audit log is not published (audit is not in its exports" in kept.message
    assert '"EnableLogTypes":["audit","error"]' in kept.remediation


def test_aurora_mysql_without_error_export_fails_without_reading_parameters(
    aws: boto3.Session,
) -> None:
    aurora_cluster(aws, "bare", REGION, exports=[])
    report, calls = scan_counting(aws)
    f = only(report, CHECK)
    assert f.status is Status.FAIL
    assert "exports no log: its error log is not in CloudWatch Logs" in f.message
    assert "audit is not in its exports either" in f.message
    assert not [c for c in calls if c[1] == "DescribeDBClusterParameters"]


def _cluster_answer(group: str) -> dict[str, Any]:
    return {
        "DBClusters": [
            {
                "DBClusterIdentifier": "dflt",
                "DBClusterArn": cluster("dflt"),
                "Engine": "aurora-mysql",
                "EngineMode": "provisioned",
                "DBClusterParameterGroup": group,
                "EnabledCloudwatchLogsExports": ["audit", "error"],
            }
        ]
    }


def test_aurora_mysql_on_the_default_parameter_group_fails(
    aws: boto3.Session, monkeypatch: Any
) -> None:
    """Stubbed: moto has no default cluster parameter group. AWS lists its parameters,
    server_audit_logging without a value (engine default OFF), and a default group
    cannot be changed: the fix says to create a custom one."""
    stub_client(
        monkeypatch,
        "rds",
        [
            ("describe_db_clusters", _cluster_answer("default.aurora-mysql8.0")),
            (
                "describe_db_cluster_parameters",
                {
                    "Parameters": [
                        {"ParameterName": "server_audit_logging", "Source": "engine-default"},
                        {"ParameterName": "server_audit_events", "Source": "engine-default"},
                    ]
                },
            ),
            ("describe_db_instances", {"DBInstances": []}),
        ],
        region=REGION,
    )
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "server_audit_logging is not set (default OFF)" in f.message
    assert f.remediation.startswith("a default parameter group cannot be changed")


def test_unreadable_parameter_group_is_unknown_for_that_cluster(aws: boto3.Session) -> None:
    seed_every_rds_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=["rds:DescribeDBClusterParameters"])
    with iam_enforced():
        got = by_id(run(scanner, [CHECK]))
    f = got[cluster("seed-aurora")]
    assert f.status is Status.UNKNOWN
    assert "whether its audit log is recorded and published" in f.message
    assert "'seed-aurora-audit'" in f.message
    assert f.evidence["error"]["action"] == "rds:DescribeDBClusterParameters"
    assert got[db("seed-pg")].status is Status.PASS


def test_a_denied_listing_is_one_unknown_and_the_other_listing_is_judged(
    aws: boto3.Session,
) -> None:
    seed_every_rds_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=["rds:DescribeDBInstances"])
    with iam_enforced():
        got = by_id(run(scanner, [CHECK]))
    gap = got[REGION]
    assert gap.status is Status.UNKNOWN
    assert gap.message.startswith("could not list DB instances: access denied")
    assert gap.evidence["error"]["action"] == "rds:DescribeDBInstances"
    assert got[cluster("seed-aurora")].status is Status.PASS
    assert db("seed-pg") not in got


def test_serverless_v1_neptune_and_an_empty_region_are_not_applicable(
    aws: boto3.Session,
) -> None:
    aurora_cluster(aws, "v1", REGION, exports=[], EngineMode="serverless")
    aws.client("rds").create_db_cluster(DBClusterIdentifier="graph", Engine="neptune")
    got = by_id(run(aws, [CHECK], [REGION, "eu-west-1"]))
    assert got[cluster("v1")].status is Status.NOT_APPLICABLE
    assert "Aurora Serverless v1" in got[cluster("v1")].message
    assert got[cluster("graph")].status is Status.NOT_APPLICABLE
    assert "Amazon Neptune" in got[cluster("graph")].message
    empty = got["eu-west-1"]
    assert empty.status is Status.NOT_APPLICABLE
    assert empty.message == "no RDS DB instance or DB cluster in eu-west-1"


def test_an_engine_awsobs_does_not_know_is_unknown_not_fine(
    aws: boto3.Session, monkeypatch: Any
) -> None:
    """Stubbed: an engine name AWS has not released yet (moto rejects unknown engines)."""
    new = {"DBInstanceIdentifier": "next", "DBInstanceArn": db("next"), "Engine": "newdb"}
    stub_client(
        monkeypatch,
        "rds",
        [
            ("describe_db_clusters", {"DBClusters": []}),
            ("describe_db_instances", {"DBInstances": [new]}),
        ],
        region=REGION,
    )
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "engine 'newdb': awsobs does not know which of its logs matter" in f.message
