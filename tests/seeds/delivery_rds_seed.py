"""Seed the RDS delivery checks (rds.log_exports_delivered,
rds.enhanced_monitoring_reporting) on the resources of rds_seed: for each, a fresh
destination and a stale one (with connections, so GetMetricData is sent), none UNKNOWN.

- seed-pg's `postgresql` group and its RDSOSMetrics stream are fresh (PASS both);
- seed-aurora's `error` and `audit` groups were last written 9 days ago while it had
  connections (audit FAILs; error is reported, not judged), and seed-aurora-1's
  RDSOSMetrics stream 5 hours ago (FAIL).

moto delivers nothing: streams are seeded with PutLogEvents and backdated with
awsobs/demo/moto_delivery.py, connections with PutMetricData; moto gives every instance
the same DbiResourceId, so each gets its own (`set_dbi_resource_id`).
"""

from __future__ import annotations

import datetime as dt

import boto3
from helpers import ACCOUNT

from awsobs.demo.moto_delivery import set_dbi_resource_id, set_stream_ingestion

REGION = "us-east-1"


def _stream(session: boto3.Session, group: str, stream: str, last: dt.datetime | None) -> None:
    logs = session.client("logs", region_name=REGION)
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    logs.put_log_events(
        logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": stamp, "message": "x"}]
    )
    if last is not None:
        set_stream_ingestion(ACCOUNT, REGION, group, stream, last)


def seed_every_rds_delivery_read(session: boto3.Session) -> None:
    """After seed_every_rds_read: the groups, streams and connections of its resources."""
    now = dt.datetime.now(dt.UTC)
    old, late = now - dt.timedelta(days=9), now - dt.timedelta(hours=5)
    _stream(session, "/aws/rds/instance/seed-pg/postgresql", "seed-pg.0", None)
    _stream(session, "/aws/rds/cluster/seed-aurora/error", "seed-aurora-1", old)
    _stream(session, "/aws/rds/cluster/seed-aurora/audit", "seed-aurora-1", old)
    session.client("cloudwatch", region_name=REGION).put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": "DatabaseConnections",
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "seed-aurora"}],
                "Timestamp": now - dt.timedelta(hours=2),
                "Value": 4.0,
            }
        ],
    )
    for name, last in (("seed-pg", None), ("seed-aurora-1", late)):
        resource_id = f"db-SEED{name.upper().replace('-', '')}"
        set_dbi_resource_id(ACCOUNT, REGION, name, resource_id)
        _stream(session, "RDSOSMetrics", resource_id, last)
