"""The demo account's RDS and Aurora: a good and a bad case of each of their checks.

In us-east-1:

- rds.log_exports: the PostgreSQL instance `shop-pg` exports `postgresql` (PASS); the MySQL
  instance `shop-mysql` exports only `error` (FAIL: no audit log); the Aurora MySQL
  cluster `orders` exports error and audit with Advanced Auditing on in its parameter
  group `orders-audit` (PASS), and its member `orders-1` points at it (N/A); the Aurora
  MySQL cluster `reports` exports audit, but its parameter group `reports-params` has
  `server_audit_logging` 0 (FAIL: the audit log records nothing).
- rds.enhanced_monitoring: `shop-pg` sends OS metrics every 60 s with the role
  `rds-monitoring-role` (PASS); `shop-mysql` has it off (FAIL); `orders-1` names the role
  `old-monitoring-role`, deleted since (FAIL naming it); `reports-1` uses
  `rds-monitoring-role` (PASS).

moto serves every read these need (DescribeDBInstances, DescribeDBClusters,
DescribeDBClusterParameters of a custom group, iam:GetRole): no moto patch. The helpers
are shared with the tests' seeds (tests/seeds/rds_seed.py).
"""

from __future__ import annotations

import json
from typing import Any

import boto3

DEMO_REGION = "us-east-1"
MONITORING_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "monitoring.rds.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
_PASSWORD = "demo-password-1"  # moto's fake database; never a real credential


def monitoring_role(session: boto3.Session, name: str, trust: dict[str, Any] | None = None) -> str:
    """An IAM role for Enhanced Monitoring (trusting monitoring.rds.amazonaws.com unless
    `trust` says otherwise); its ARN."""
    iam = session.client("iam")
    made = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps(trust or MONITORING_TRUST)
    )
    return str(made["Role"]["Arn"])


def db_instance(
    session: boto3.Session,
    name: str,
    engine: str,
    region: str,
    *,
    exports: list[str] | None = None,
    monitoring_role_arn: str | None = None,
    cluster: str | None = None,
    **extra: Any,
) -> str:
    """A DB instance (a member of `cluster` when given); its ARN. A role turns Enhanced
    Monitoring on at 60 s."""
    kw: dict[str, Any] = {"DBInstanceClass": "db.t3.micro", **extra}
    if cluster:
        kw["DBClusterIdentifier"] = cluster
        kw["DBInstanceClass"] = "db.r5.large"
    else:
        kw |= {"AllocatedStorage": 20, "MasterUsername": "admin", "MasterUserPassword": _PASSWORD}
    if exports is not None:
        kw["EnableCloudwatchLogsExports"] = exports
    if monitoring_role_arn:
        kw |= {"MonitoringInterval": 60, "MonitoringRoleArn": monitoring_role_arn}
    rds = session.client("rds", region_name=region)
    made = rds.create_db_instance(DBInstanceIdentifier=name, Engine=engine, **kw)
    return str(made["DBInstance"]["DBInstanceArn"])


def cluster_parameter_group(
    session: boto3.Session, name: str, region: str, values: dict[str, str]
) -> None:
    """An Aurora MySQL 8.0 cluster parameter group with `values` set."""
    rds = session.client("rds", region_name=region)
    rds.create_db_cluster_parameter_group(
        DBClusterParameterGroupName=name,
        DBParameterGroupFamily="aurora-mysql8.0",
        Description="awsobs demo",
    )
    if values:
        rds.modify_db_cluster_parameter_group(
            DBClusterParameterGroupName=name,
            Parameters=[
                {"ParameterName": k, "ParameterValue": v, "ApplyMethod": "immediate"}
                for k, v in values.items()
            ],
        )


def aurora_cluster(
    session: boto3.Session,
    name: str,
    region: str,
    *,
    exports: list[str],
    parameter_group: str | None = None,
    engine: str = "aurora-mysql",
    **extra: Any,
) -> str:
    """An Aurora DB cluster; its ARN. Exports are set at creation: moto ignores
    ModifyDBCluster's CloudwatchLogsExportConfiguration."""
    kw: dict[str, Any] = dict(extra)
    if parameter_group:
        kw["DBClusterParameterGroupName"] = parameter_group
    rds = session.client("rds", region_name=region)
    made = rds.create_db_cluster(
        DBClusterIdentifier=name,
        Engine=engine,
        MasterUsername="admin",
        MasterUserPassword=_PASSWORD,
        EnableCloudwatchLogsExports=exports,
        **kw,
    )
    return str(made["DBCluster"]["DBClusterArn"])


AUDIT_ON = {"server_audit_logging": "1", "server_audit_events": "CONNECT,QUERY_DCL,QUERY_DDL"}


def seed_rds(session: boto3.Session) -> None:
    """Create the demo's RDS and Aurora resources (see the module docstring)."""
    region = DEMO_REGION
    role = monitoring_role(session, "rds-monitoring-role")
    old = monitoring_role(session, "old-monitoring-role")
    session.client("iam").delete_role(RoleName="old-monitoring-role")
    db_instance(
        session, "shop-pg", "postgres", region, exports=["postgresql"], monitoring_role_arn=role
    )
    db_instance(session, "shop-mysql", "mysql", region, exports=["error"])
    cluster_parameter_group(session, "orders-audit", region, AUDIT_ON)
    aurora_cluster(
        session, "orders", region, exports=["audit", "error"], parameter_group="orders-audit"
    )
    db_instance(
        session, "orders-1", "aurora-mysql", region, cluster="orders", monitoring_role_arn=old
    )
    cluster_parameter_group(
        session, "reports-params", region, {**AUDIT_ON, "server_audit_logging": "0"}
    )
    aurora_cluster(
        session, "reports", region, exports=["audit", "error"], parameter_group="reports-params"
    )
    db_instance(
        session, "reports-1", "aurora-mysql", region, cluster="reports", monitoring_role_arn=role
    )
