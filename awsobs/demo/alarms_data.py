"""The demo account's alarms for issue 15 (data): a good and a bad case of each check.

In us-east-1 (the RDS, Aurora and ECS resources of awsobs/demo/rds.py and containers.py,
alarms to the confirmed topic `oncall` of awsobs/demo/alarms.py):

- rds.health_alarms: `shop-pg` has CPUUtilization, FreeableMemory, DatabaseConnections and
  FreeStorageSpace alarms (PASS); `shop-mysql` has none (FAIL). The Aurora cluster
  `orders` has the first three on its `DBClusterIdentifier` (PASS: they cover its member
  `orders-1`); `reports` has them too, but keyed by `DBInstanceIdentifier=reports`, the
  cluster's name, an instance that does not exist (FAIL naming the near misses).
- ecs.service_alarms: service `web` of cluster `shop` has CPUUtilization and
  MemoryUtilization alarms (PASS); service `worker` of cluster `batch` has only a
  RunningTaskCount alarm, and `batch` has Container Insights disabled, so the metric is
  never published (FAIL).

moto serves every read these need: no moto patch.
"""

from __future__ import annotations

import boto3

from awsobs.demo.alarms import ACCOUNT, metric_alarm
from awsobs.demo.containers import service

REGION = "us-east-1"
RDS_METRICS = ("CPUUtilization", "FreeableMemory", "DatabaseConnections")


def rds_alarms(
    session: boto3.Session, key: str, value: str, topic: str, *, storage: bool = False
) -> None:
    """Alarms on the recommended RDS metrics of one dimension (`key` = `value`)."""
    metrics = (*RDS_METRICS, "FreeStorageSpace") if storage else RDS_METRICS
    for metric in metrics:
        metric_alarm(session, REGION, f"{value}-{metric}", "AWS/RDS", metric, {key: value}, [topic])


def ecs_alarms(
    session: boto3.Session, cluster: str, name: str, topic: str, metrics: tuple[str, ...]
) -> None:
    """Alarms on a service's metrics (RunningTaskCount in ECS/ContainerInsights)."""
    dims = {"ClusterName": cluster, "ServiceName": name}
    for metric in metrics:
        namespace = "ECS/ContainerInsights" if metric == "RunningTaskCount" else "AWS/ECS"
        metric_alarm(session, REGION, f"{name}-{metric}", namespace, metric, dims, [topic])


def seed_alarms_data(session: boto3.Session) -> None:
    """Create the demo's data alarms (see the module docstring)."""
    oncall = f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"
    rds_alarms(session, "DBInstanceIdentifier", "shop-pg", oncall, storage=True)
    rds_alarms(session, "DBClusterIdentifier", "orders", oncall)
    rds_alarms(session, "DBInstanceIdentifier", "reports", oncall)
    ecs_alarms(session, "shop", "web", oncall, ("CPUUtilization", "MemoryUtilization"))
    web = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/shop-web:2"
    service(session, "batch", "worker", web, REGION)
    ecs_alarms(session, "batch", "worker", oncall, ("RunningTaskCount",))
