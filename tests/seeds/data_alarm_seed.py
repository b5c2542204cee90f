"""Seed issue 15's data resources and alarms: every read their checks declare happens.

In us-east-1, alarms to the confirmed topic `data-oncall`:
- rds.health_alarms (DescribeDBInstances, DescribeDBClusters, DescribeAlarms,
  ListSubscriptionsByTopic): the PostgreSQL instance `seed-data-pg` with its four alarms,
  the Aurora MySQL cluster `seed-data-aurora` (member `seed-data-aurora-1`) with
  cluster-level alarms.
- ecs.service_alarms (ListClusters, ListServices, DescribeServices, DescribeClusters):
  cluster `dataalarm` with Container Insights enabled, whose service `tasks` has only a
  RunningTaskCount alarm (so the cluster's settings are read), and service `usage` with
  CPU and memory alarms. Its revision logs with awslogs (ecs.task_logging PASSes).
moto serves every read: no moto patch.
"""

from __future__ import annotations

import boto3

from awsobs.demo.alarms import topic
from awsobs.demo.alarms_data import REGION, ecs_alarms, rds_alarms
from awsobs.demo.containers import awslogs, container, ecs_cluster, service, task_definition
from awsobs.demo.rds import aurora_cluster, db_instance


def seed_every_data_alarm_read(session: boto3.Session) -> None:
    """Resources and alarms for the data alarm checks."""
    oncall = topic(session, "data-oncall", REGION)
    db_instance(session, "seed-data-pg", "postgres", REGION)
    rds_alarms(session, "DBInstanceIdentifier", "seed-data-pg", oncall, storage=True)
    aurora_cluster(session, "seed-data-aurora", REGION, exports=[])
    db_instance(session, "seed-data-aurora-1", "aurora-mysql", REGION, cluster="seed-data-aurora")
    rds_alarms(session, "DBClusterIdentifier", "seed-data-aurora", oncall)
    ecs_cluster(session, "dataalarm", "enabled", REGION)
    revision = task_definition(
        session, "dataalarm-app", [container("app", awslogs("/ecs/dataalarm", REGION))], REGION
    )
    service(session, "dataalarm", "tasks", revision, REGION)
    service(session, "dataalarm", "usage", revision, REGION)
    ecs_alarms(session, "dataalarm", "tasks", oncall, ("RunningTaskCount",))
    ecs_alarms(session, "dataalarm", "usage", oncall, ("CPUUtilization", "MemoryUtilization"))
