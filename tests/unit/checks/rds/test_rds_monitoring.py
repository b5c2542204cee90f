"""rds.enhanced_monitoring: an interval above 0 and a role that exists and that
monitoring.rds.amazonaws.com may assume; every instance is judged, Aurora members too.

moto serves DescribeDBInstances (`MonitoringInterval`, `MonitoringRoleArn`) and iam:GetRole
(NoSuchEntity for a deleted role). moto refuses to create an instance with an interval and
no role (InvalidParameterCombination), a state AWS can still report (for example after the
role ARN was cleared outside the API's checks), so that case is scripted with botocore's
Stubber (tests/helpers.stub_client), along with a DocumentDB instance. Denied reads come
from moto's IAM authorizer (restricted_session + iam_enforced).
"""

from __future__ import annotations

from typing import Any

import boto3
from helpers import ACCOUNT, findings, only, restricted_session, run, stub_client
from moto_ext import iam_enforced
from rds_seed import SEED_ROLE, seed_every_rds_read

import awsobs.checks.rds.monitoring  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.checks.rds.readers import trusts_service
from awsobs.demo.rds import db_instance, monitoring_role

CHECK = "rds.enhanced_monitoring"
REGION = "us-east-1"
ALL_READS = ["rds:*", "iam:*", "ec2:*", "sts:*"]
SERVICE = "monitoring.rds.amazonaws.com"


def db(name: str) -> str:
    return f"arn:aws:rds:{REGION}:{ACCOUNT}:db:{name}"


def by_id(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def test_instances_and_aurora_members_with_a_trusted_role_pass(aws: boto3.Session) -> None:
    seed_every_rds_read(aws)
    calls: list[tuple[str, str, dict[str, Any]]] = []
    report = scan(
        aws,
        checks=[CHECK],
        regions=[REGION],
        on_request=lambda service, op, region, params: calls.append((service, op, params)),
    )
    got = by_id(report)
    assert {got[db("seed-pg")].status, got[db("seed-aurora-1")].status} == {Status.PASS}
    assert got[db("seed-pg")].message == (
        "DB instance 'seed-pg' (postgres) sends Enhanced Monitoring OS metrics every 60 s; "
        f"monitoring role arn:aws:iam::{ACCOUNT}:role/{SEED_ROLE} trusts {SERVICE} "
        "(its permissions are not read)"
    )
    assert got[db("seed-aurora-1")].evidence["db_cluster_identifier"] == "seed-aurora"
    # one GetRole for the role both instances name
    assert [c[2] for c in calls if c[1] == "GetRole"] == [{"RoleName": SEED_ROLE}]


def test_interval_zero_fails_with_the_command(aws: boto3.Session) -> None:
    arn = db_instance(aws, "shop", "postgres", REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.resource_id == arn
    assert f.status is Status.FAIL
    assert "has Enhanced Monitoring off (MonitoringInterval 0)" in f.message
    assert f.remediation.startswith(
        f"aws rds modify-db-instance --region {REGION} --db-instance-identifier shop "
        "--monitoring-interval 60 --monitoring-role-arn <role-arn>"
    )


def test_a_deleted_role_fails_naming_it(aws: boto3.Session) -> None:
    role = monitoring_role(aws, "gone-role")
    db_instance(aws, "shop", "postgres", REGION, monitoring_role_arn=role)
    aws.client("iam").delete_role(RoleName="gone-role")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f"monitoring role {role} does not exist" in f.message
    assert "no OS metrics are delivered" in f.message


def test_a_role_the_service_cannot_assume_fails(aws: boto3.Session) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = monitoring_role(aws, "ec2-role", trust)
    db_instance(aws, "shop", "postgres", REGION, monitoring_role_arn=role)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f"monitoring role {role} does not let {SERVICE} assume it" in f.message


def test_an_interval_without_a_role_fails_and_documentdb_is_not_applicable(
    aws: boto3.Session, monkeypatch: Any
) -> None:
    """Stubbed: moto will not create an instance with an interval and no role."""
    stub_client(
        monkeypatch,
        "rds",
        [
            (
                "describe_db_instances",
                {
                    "DBInstances": [
                        {
                            "DBInstanceIdentifier": "norole",
                            "DBInstanceArn": db("norole"),
                            "Engine": "mysql",
                            "MonitoringInterval": 30,
                        },
                        {
                            "DBInstanceIdentifier": "docs",
                            "DBInstanceArn": db("docs"),
                            "Engine": "docdb",
                            "MonitoringInterval": 0,
                        },
                    ]
                },
            )
        ],
        region=REGION,
    )
    got = by_id(run(aws, [CHECK]))
    assert got[db("norole")].status is Status.FAIL
    assert "MonitoringInterval of 30 s but no monitoring role: nothing is delivered" in (
        got[db("norole")].message
    )
    assert got[db("docs")].status is Status.NOT_APPLICABLE
    assert "Amazon DocumentDB" in got[db("docs")].message


def test_an_unreadable_role_is_unknown_naming_get_role(aws: boto3.Session) -> None:
    seed_every_rds_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=["iam:GetRole"])
    with iam_enforced():
        got = by_id(run(scanner, [CHECK]))
    f = got[db("seed-pg")]
    assert f.status is Status.UNKNOWN
    assert f"could not read monitoring role arn:aws:iam::{ACCOUNT}:role/{SEED_ROLE}" in f.message
    assert f.evidence["error"]["action"] == "iam:GetRole"


def test_a_role_of_another_account_is_unknown(aws: boto3.Session) -> None:
    db_instance(
        aws,
        "shop",
        "postgres",
        REGION,
        monitoring_role_arn="arn:aws:iam::999999999999:role/central-monitoring",
    )
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "is in account 999999999999 and cannot be checked from here" in f.message


def test_a_denied_listing_is_one_unknown_and_an_empty_region_not_applicable(
    aws: boto3.Session,
) -> None:
    seed_every_rds_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=["rds:DescribeDBInstances"])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == REGION
    assert f.message.startswith("could not list RDS DB instances: access denied")
    assert f.evidence["error"]["action"] == "rds:DescribeDBInstances"
    empty = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert empty.status is Status.NOT_APPLICABLE
    assert empty.message == "no RDS DB instance in eu-west-1"


def test_trust_policy_reading() -> None:
    allow = {"Effect": "Allow", "Principal": {"Service": [SERVICE]}, "Action": ["sts:AssumeRole"]}
    deny = {"Effect": "Deny", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}
    assert trusts_service({"Statement": [allow]}, SERVICE)
    assert trusts_service(
        '{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*"}}', SERVICE
    )
    assert not trusts_service({"Statement": [allow, deny]}, SERVICE)
    assert not trusts_service({"Statement": [{**allow, "Action": "sts:TagSession"}]}, SERVICE)
    assert not trusts_service("not json", SERVICE)
