"""ECS: do the clusters with Container Insights on really report its metrics?

The companion of `ecs.container_insights` (docs/design.md, "Delivery checks"): that check
reads the cluster's `containerInsights` setting; this one asks CloudWatch whether the
cluster's Container Insights metrics arrived in the last 3 hours. Reads the same
ListClusters and DescribeClusters requests, plus one ListMetrics per region.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import attempt
from awsobs.checks.ecs.readers import (
    CLUSTER,
    DESCRIBE_CLUSTERS,
    INSIGHTS_METRIC,
    INSIGHTS_NAMESPACE,
    LIST_CLUSTERS,
    LIST_METRICS,
    Cluster,
    cluster_arns,
    describe_clusters,
    name_of,
    reporting_clusters,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

CAUSES = (
    "the EC2 container instances run an ECS agent older than 1.29 (or an AMI other than "
    "the ECS-optimized one); the tasks stop within a minute of starting; the setting "
    "was turned on minutes ago"
)


def _evidence(cluster: Cluster) -> dict[str, Any]:
    return {
        "cluster": cluster.name,
        "status": cluster.status,
        "container_insights": cluster.insights,
        "running_tasks": cluster.running_tasks,
        "namespace": INSIGHTS_NAMESPACE,
        "metric": INSIGHTS_METRIC,
        "recently_active": "PT3H",
    }


@check(
    id="ecs.container_insights_reporting",
    title="ECS clusters with Container Insights on report its metrics",
    severity=Severity.LOW,
    signal=Signal.METRICS,
    resource_types=(CLUSTER,),
    permissions=[LIST_CLUSTERS, DESCRIBE_CLUSTERS, LIST_METRICS],
    remediation="Check the ECS agent version of the container instances (aws ecs "
    "describe-container-instances) and that tasks keep running",
)
def container_insights_reporting(ctx: Context) -> Iterator[Finding]:
    """One finding per cluster, resource id its ARN. Judged only where
    `ecs.container_insights` passes (`containerInsights` is `enabled` or `enhanced`);
    a cluster with it off or unset is NOT_APPLICABLE, a deleted (INACTIVE) one too. A
    cluster with no running task (`runningTasksCount` 0) is NOT_APPLICABLE: Container
    Insights publishes nothing for it. PASS when `ECS/ContainerInsights` has a
    `CpuUtilized` metric with the cluster's `ClusterName` in the last 3 hours (ListMetrics
    `RecentlyActive=PT3H`, the only window AWS offers, so no option; one listing per
    region); FAIL when it has none, naming the usual causes. UNKNOWN, naming the failed
    read, when the clusters cannot be listed or described (or AWS lists one under
    `failures`), or the metrics cannot be listed.
    """
    arns, gap = ctx.listing("ECS clusters", lambda: cluster_arns(ctx))
    if gap is not None:
        yield gap
        return
    described = describe_clusters(ctx, arns)
    by_arn = {c.arn: c for c in described.clusters}
    judged: list[Cluster] = []
    for arn in sorted(set(arns) | set(by_arn)):
        cluster = by_arn.get(arn)
        name = cluster.name if cluster else name_of(arn)
        if arn in described.failed:
            what = f"could not read the settings of cluster '{name}'"
            yield ctx.unknown_from(described.failed[arn], CLUSTER, arn, what)
        elif cluster is None:
            reason = described.missing.get(arn, "not described")
            text = f"cluster '{name}' was listed but DescribeClusters reported it as {reason}"
            yield ctx.unknown(CLUSTER, arn, text)
        elif cluster.status.upper() == "INACTIVE":
            text = f"cluster '{name}' is deleted (INACTIVE): nothing runs in it"
            yield ctx.not_applicable(CLUSTER, arn, text, evidence=_evidence(cluster))
        elif not cluster.insights_on:
            text = (
                f"cluster '{name}' has Container Insights {cluster.insights or 'unset'}: "
                "not configured, see ecs.container_insights"
            )
            yield ctx.not_applicable(CLUSTER, arn, text, evidence=_evidence(cluster))
        elif cluster.running_tasks == 0:
            text = (
                f"cluster '{name}' runs no task, so Container Insights has nothing to "
                "report: no metrics expected"
            )
            yield ctx.not_applicable(CLUSTER, arn, text, evidence=_evidence(cluster))
        else:
            judged.append(cluster)
    if not judged:
        return
    reporting = attempt(lambda: reporting_clusters(ctx, ctx.region))
    for cluster in judged:
        yield _judge(ctx, cluster, reporting)


def _judge(ctx: Context, cluster: Cluster, reporting: frozenset[str] | AwsError) -> Finding:
    evidence = _evidence(cluster)
    where = f"{INSIGHTS_NAMESPACE} in {ctx.region}"
    if isinstance(reporting, AwsError):
        what = f"could not list the Container Insights metrics of cluster '{cluster.name}'"
        return ctx.unknown_from(reporting, CLUSTER, cluster.arn, what, evidence=evidence)
    evidence["reporting"] = cluster.name in reporting
    if cluster.name in reporting:
        text = f"cluster '{cluster.name}' reported Container Insights metrics to {where}"
        text += " in the last 3 h"
        return ctx.passed(CLUSTER, cluster.arn, text, evidence=evidence)
    tasks = cluster.running_tasks
    runs = f"runs {tasks} task{'s' if tasks != 1 else ''}" if tasks is not None else "has tasks"
    text = (
        f"cluster '{cluster.name}' {runs} with Container Insights {cluster.insights}, but "
        f"{where} has no {INSIGHTS_METRIC} metric for it in the last 3 h: last delivery "
        f"more than 3 h ago, or never; usual causes: {CAUSES}"
    )
    return ctx.failed(CLUSTER, cluster.arn, text, evidence=evidence)
