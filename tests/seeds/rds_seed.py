"""Seed RDS and Aurora in moto: every read their checks declare happens, with no UNKNOWN.

In us-east-1: a PostgreSQL instance exporting `postgresql` with Enhanced Monitoring on;
an Aurora MySQL cluster exporting error and audit, whose custom cluster parameter group
has Advanced Auditing on (so rds.log_exports reads DescribeDBClusterParameters), and its
member instance with Enhanced Monitoring on. Both instances use one role that trusts
monitoring.rds.amazonaws.com (so rds.enhanced_monitoring reads iam:GetRole). eu-west-1
has none (NOT_APPLICABLE). moto serves every read: no moto patch is installed. The
creation helpers live in awsobs/demo/rds.py, shared with the demo.
"""

from __future__ import annotations

import boto3

from awsobs.demo.rds import (
    AUDIT_ON,
    aurora_cluster,
    cluster_parameter_group,
    db_instance,
    monitoring_role,
)

SEED_ROLE = "seed-rds-monitoring"


def seed_every_rds_read(session: boto3.Session) -> None:
    """RDS and Aurora: the resources that make each of their checks' reads happen."""
    region = "us-east-1"
    role = monitoring_role(session, SEED_ROLE)
    db_instance(
        session, "seed-pg", "postgres", region, exports=["postgresql"], monitoring_role_arn=role
    )
    cluster_parameter_group(session, "seed-aurora-audit", region, AUDIT_ON)
    aurora_cluster(
        session,
        "seed-aurora",
        region,
        exports=["audit", "error"],
        parameter_group="seed-aurora-audit",
    )
    db_instance(
        session,
        "seed-aurora-1",
        "aurora-mysql",
        region,
        cluster="seed-aurora",
        monitoring_role_arn=role,
    )
