"""The demo account's ECS and EKS: a good and a bad case of each of their checks.

In us-east-1:

- ecs.container_insights: cluster `shop` has Container Insights `enhanced` (PASS: the
  value a scanner that knows only `enabled` gets wrong); cluster `batch` has it
  `disabled` (FAIL). The account setting `containerInsights` is `enabled`, set after both
  clusters were created: it is in the evidence and changes neither verdict.
- ecs.task_logging: service `web` in `shop` runs `shop-web:2`, whose container logs with
  `awslogs` (PASS); `shop-web:1`, registered earlier without logging and run by nothing,
  is not judged. A task of `batch` runs `nightly-report:1`, whose container `report` has
  no logConfiguration beside a FireLens-routed sidecar (FAIL naming `report`).
- eks.control_plane_logging: cluster `platform` sends api, audit and authenticator logs
  (PASS); `sandbox` sends only api (FAIL naming audit and authenticator).

moto serves every read these need. Names avoid one moto quirk: its ListTasks matches a
cluster's name as a substring of each task's cluster ARN. The helpers are shared with the
tests' seed (tests/seeds/containers_seed.py).
"""

from __future__ import annotations

from typing import Any

import boto3

DEMO_REGION = "us-east-1"
ACCOUNT = "123456789012"
EKS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/eks-cluster"


def awslogs(group: str, region: str) -> dict[str, Any]:
    """A logConfiguration sending to CloudWatch Logs group `group`."""
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": group,
            "awslogs-region": region,
            "awslogs-stream-prefix": "ecs",
        },
    }


def container(name: str, log: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """A container definition; `log` is its logConfiguration (None: none at all)."""
    made: dict[str, Any] = {"name": name, "image": f"public.ecr.aws/demo/{name}", "memory": 256}
    if log is not None:
        made["logConfiguration"] = log
    made.update(extra)
    return made


def ecs_cluster(session: boto3.Session, name: str, insights: str | None, region: str) -> str:
    """A cluster with `containerInsights` set to `insights` (None: not given); its ARN."""
    extra: dict[str, Any] = {}
    if insights is not None:
        extra["settings"] = [{"name": "containerInsights", "value": insights}]
    made = session.client("ecs", region_name=region).create_cluster(clusterName=name, **extra)
    return str(made["cluster"]["clusterArn"])


def task_definition(
    session: boto3.Session, family: str, containers: list[dict[str, Any]], region: str
) -> str:
    """Register a Fargate-compatible revision of `family`; its ARN."""
    made = session.client("ecs", region_name=region).register_task_definition(
        family=family,
        containerDefinitions=containers,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
    )
    return str(made["taskDefinition"]["taskDefinitionArn"])


def _network(session: boto3.Session, region: str) -> dict[str, Any]:
    ec2 = session.client("ec2", region_name=region)
    subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])
    return {
        "awsvpcConfiguration": {
            "subnets": [sorted(s["SubnetId"] for s in subnet["Subnets"])[0]],
            "securityGroups": [group["SecurityGroups"][0]["GroupId"]],
        }
    }


def service(session: boto3.Session, cluster: str, name: str, revision: str, region: str) -> None:
    """A Fargate service of one task running `revision`."""
    session.client("ecs", region_name=region).create_service(
        cluster=cluster,
        serviceName=name,
        taskDefinition=revision,
        desiredCount=1,
        launchType="FARGATE",
        networkConfiguration=_network(session, region),
    )


def run_task(session: boto3.Session, cluster: str, revision: str, region: str) -> None:
    """One running Fargate task of `revision` (not part of a service)."""
    session.client("ecs", region_name=region).run_task(
        cluster=cluster,
        taskDefinition=revision,
        launchType="FARGATE",
        networkConfiguration=_network(session, region),
    )


def eks_cluster(session: boto3.Session, name: str, enabled: list[str], region: str) -> None:
    """An EKS cluster sending the `enabled` control plane log types (the rest off)."""
    others = [
        t
        for t in ("api", "audit", "authenticator", "controllerManager", "scheduler")
        if t not in enabled
    ]
    entries = [{"types": enabled, "enabled": True}] if enabled else []
    if others:
        entries.append({"types": others, "enabled": False})
    session.client("eks", region_name=region).create_cluster(
        name=name,
        roleArn=EKS_ROLE,
        resourcesVpcConfig={},
        logging={"clusterLogging": entries},
    )


def seed_containers(session: boto3.Session) -> None:
    """Create the demo's ECS and EKS resources (see the module docstring)."""
    region = DEMO_REGION
    ecs_cluster(session, "shop", "enhanced", region)
    ecs_cluster(session, "batch", "disabled", region)
    session.client("ecs", region_name=region).put_account_setting(
        name="containerInsights", value="enabled"
    )
    task_definition(session, "shop-web", [container("web")], region)  # :1, unused
    web = task_definition(
        session, "shop-web", [container("web", awslogs("/ecs/shop-web", region))], region
    )
    service(session, "shop", "web", web, region)
    report = task_definition(
        session,
        "nightly-report",
        [
            container("report"),
            container(
                "log-router",
                awslogs("/ecs/firelens", region),
                firelensConfiguration={"type": "fluentbit"},
            ),
        ],
        region,
    )
    run_task(session, "batch", report, region)
    eks_cluster(session, "platform", ["api", "audit", "authenticator"], region)
    eks_cluster(session, "sandbox", ["api"], region)
