"""Seed ECS and EKS in moto: every read their checks declare happens, with no UNKNOWN.

In us-east-1: an ECS cluster with Container Insights enabled (ListClusters,
DescribeClusters, ListAccountSettings), a service (ListServices, DescribeServices) and a
running task (ListTasks, DescribeTasks) whose revisions log with awslogs and awsfirelens
(DescribeTaskDefinition for each); an EKS cluster sending api, audit and authenticator
logs (ListClusters, DescribeCluster). eu-west-1 has neither (NOT_APPLICABLE). The
creation helpers live in awsobs/demo/containers.py, shared with the demo.
"""

from __future__ import annotations

import boto3

from awsobs.demo.containers import (
    awslogs,
    container,
    ecs_cluster,
    eks_cluster,
    run_task,
    service,
    task_definition,
)

SEED_REGION = "us-east-1"
SEED_SECRET = "seed-ecs-environment-value"  # planted in an environment value: never kept


def seed_every_containers_read(session: boto3.Session) -> None:
    """ECS and EKS: the resources that make each of their checks' reads happen."""
    region = SEED_REGION
    ecs_cluster(session, "seed-ecs", "enabled", region)
    web = task_definition(
        session,
        "seed-web",
        [
            container(
                "web",
                awslogs("/ecs/seed-web", region),
                environment=[{"name": "DB_PASSWORD", "value": SEED_SECRET}],
            )
        ],
        region,
    )
    service(session, "seed-ecs", "seed-web", web, region)
    job = task_definition(
        session,
        "seed-job",
        [
            container("job", {"logDriver": "awsfirelens"}),
            container(
                "router",
                awslogs("/ecs/seed-router", region),
                firelensConfiguration={"type": "fluentbit"},
            ),
        ],
        region,
    )
    run_task(session, "seed-ecs", job, region)
    eks_cluster(session, "seed-eks", ["api", "audit", "authenticator"], region)
