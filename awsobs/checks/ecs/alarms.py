"""ECS: does each service have alarms on its CPU and memory, or on its running task count,
that fire and reach someone?

The metrics are those of CloudWatch's recommended alarms for Amazon ECS ("Best practice
alarm recommendations for AWS services", CloudWatch User Guide): `AWS/ECS`
`CPUUtilization` and `MemoryUtilization` with dimensions `ClusterName`, `ServiceName`
(published for every service, Fargate and EC2), and, with Container Insights, the
`ECS/ContainerInsights` `RunningTaskCount` with the same dimensions. The verdict is
CloudWatch's (cloudwatch/coverage.py): namespace, metric, exact dimensions, actions
enabled, an action that reaches a confirmed subscriber; metric math and composite alarms
count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.cloudwatch.coverage import (
    ALARM_READS,
    Want,
    alarm_fix,
    coverage_finding,
    index_or_error,
    scaling_only,
    without_scaling,
)
from awsobs.checks.cloudwatch.readers import AlarmIndex, Metric, Need
from awsobs.checks.ecs.readers import (
    CLUSTER,
    DESCRIBE_CLUSTERS,
    LIST_CLUSTERS,
    ClusterDescriptions,
    Service,
    cluster_arns,
    cluster_services,
    describe_clusters,
    name_of,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal, Status
from awsobs.registry import check

SERVICE_TYPE = "AWS::ECS::Service"
ECS = "AWS/ECS"
INSIGHTS = "ECS/ContainerInsights"
_ON = ("enabled", "enhanced")


def _dims(svc: Service) -> dict[str, str | frozenset[str]]:
    return {"ClusterName": svc.cluster, "ServiceName": svc.name}


def _scaling_note(index: AlarmIndex, svc: Service) -> tuple[list[str], str]:
    dims = frozenset({("ClusterName", svc.cluster), ("ServiceName", svc.name)})
    names = [
        a.name
        for a in index.alarms
        if not a.composite and scaling_only(a) and any(m.dims == dims for m in a.metrics)
    ]
    if not names:
        return names, ""
    return names, (
        f"; alarm '{names[0]}' only drives Application Auto Scaling: it notifies no one"
        + (f" (and {len(names) - 1} more)" if len(names) > 1 else "")
    )


@check(
    id="ecs.service_alarms",
    title="ECS services have CPU and memory, or running task count, alarms that reach someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::ECS::Service",),
    permissions=[
        LIST_CLUSTERS,
        DESCRIBE_CLUSTERS,
        "ecs:ListServices",
        "ecs:DescribeServices",
        *ALARM_READS,
    ],
    remediation=alarm_fix(
        ECS, "CPUUtilization", "Name=ClusterName,Value=<cluster> Name=ServiceName,Value=<service>"
    ),
)
def service_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per ECS service (its ARN). PASS when `AWS/ECS` `CPUUtilization` and
    `MemoryUtilization`, dimensions exactly `ClusterName` and `ServiceName`, each have an
    alarm that reaches someone; or, instead, when `ECS/ContainerInsights`
    `RunningTaskCount` (same dimensions) has one and the cluster has Container Insights
    `enabled` or `enhanced` (without it the metric is never published and the alarm never
    fires). These are the service-level metrics of CloudWatch's recommended alarms for
    ECS; the rest of that list (cluster `CPUReservation` / `MemoryReservation`, Service
    Connect `HTTPCode_Target_5XX_Count`, `TargetResponseTime`, `EphemeralStorageUtilized`)
    is not judged. Alarms whose only actions are Application Auto Scaling policies (the
    `TargetTracking-service/...` alarms) resize the service and notify no one: they do not
    count, and the message names them. FAIL naming each missing metric and the near
    misses (an alarm on the same metric with other dimensions, such as the service's ARN
    for `ServiceName`). UNKNOWN when alarms, the cluster's services, or (for a
    RunningTaskCount-only service) the cluster's settings cannot be read, or when the only
    covering alarm's target cannot be checked. NOT_APPLICABLE when the region has no
    cluster or no service; deleted (INACTIVE) services are not judged.
    """
    arns, gap = ctx.listing("ECS clusters", lambda: cluster_arns(ctx))
    if gap is not None:
        yield gap
        return
    listed = [cluster_services(ctx, arn) for arn in arns]
    services = [s for c in listed for s in c.services if s.status.upper() != "INACTIVE"]
    for c in listed:
        if c.error is not None:
            what = f"could not list the services of cluster '{name_of(c.cluster)}'"
            yield ctx.unknown_from(c.error, CLUSTER, c.cluster, what)
        for missing in c.missing:
            text = f"{missing} was listed but DescribeServices reported it as missing"
            yield ctx.unknown(CLUSTER, c.cluster, text)
    if not services:
        if all(c.error is None and not c.missing for c in listed):
            yield ctx.not_applicable(*ctx.region_resource(), f"no ECS service in {ctx.region}")
        return
    raw = index_or_error(ctx)
    if isinstance(raw, AwsError):
        for svc in services:
            yield ctx.unknown_from(raw, SERVICE_TYPE, svc.arn, "could not read alarms")
        return
    index = without_scaling(raw)
    known = {(s.cluster, s.name) for s in services}
    clusters = {s.cluster for s in services}

    def claimed(m: Metric) -> bool:
        keys = {k for k, _ in m.dims}
        if keys == {"ClusterName"}:
            return m.dim("ClusterName") in clusters
        return keys == {"ClusterName", "ServiceName"} and (
            (m.dim("ClusterName"), m.dim("ServiceName")) in known
        )

    described: list[ClusterDescriptions] = []  # read once, only when a verdict needs it
    for svc in sorted(services, key=lambda s: s.arn):
        yield _judge(ctx, raw, index, svc, arns, described, claimed)


def _judge(
    ctx: Context,
    raw: AlarmIndex,
    index: AlarmIndex,
    svc: Service,
    arns: Sequence[str],
    described: list[ClusterDescriptions],
    claimed: Any,
) -> Finding:
    label = f"service '{svc.name}' (cluster '{svc.cluster}')"
    dims = _dims(svc)
    cpu = Want("CPUUtilization", (Need(ECS, ("CPUUtilization",), (dims,)),))
    mem = Want("MemoryUtilization", (Need(ECS, ("MemoryUtilization",), (dims,)),))
    tasks = Need(INSIGHTS, ("RunningTaskCount",), (dims,))
    scaling, note = _scaling_note(raw, svc)
    ev: dict[str, Any] = {
        "cluster": svc.cluster,
        "service": svc.name,
        "desired_count": svc.desired,
        "scaling_only_alarms": scaling,
    }
    usage = coverage_finding(
        ctx,
        index,
        SERVICE_TYPE,
        svc.arn,
        label,
        [cpu, mem, Want("RunningTaskCount", (tasks,), required=False)],
        note=note,
        evidence=ev,
        claimed=claimed,
    )
    if usage.status is Status.PASS:
        return usage
    count = coverage_finding(
        ctx,
        index,
        SERVICE_TYPE,
        svc.arn,
        label,
        [Want("RunningTaskCount", (tasks,))],
        evidence=ev,
        claimed=claimed,
    )
    if count.status is Status.UNKNOWN:
        return count  # the alarm that could decide it cannot be verified
    if count.status is not Status.PASS:
        return usage
    if not described:
        described.append(describe_clusters(ctx, arns))
    got = described[0]
    cluster_arn = next((a for a in arns if name_of(a) == svc.cluster), "")
    if cluster_arn in got.failed:
        what = (
            f"{label}: its only alarms are on RunningTaskCount, and the settings of cluster "
            f"'{svc.cluster}' (Container Insights) could not be read"
        )
        return ctx.unknown_from(got.failed[cluster_arn], SERVICE_TYPE, svc.arn, what, evidence=ev)
    cluster = next((c for c in got.clusters if c.arn == cluster_arn), None)
    value = cluster.insights if cluster else None
    ev["container_insights"] = value
    if value is not None and value.lower() in _ON:
        return ctx.passed(
            SERVICE_TYPE,
            svc.arn,
            f"{count.message} (Container Insights {value} on cluster '{svc.cluster}')",
            evidence={**count.evidence, "container_insights": value},
        )
    if cluster is None or value is None:
        text = (
            f"{label}: its only alarms are on RunningTaskCount, and cluster "
            f"'{svc.cluster}' reports no containerInsights setting"
        )
        return ctx.unknown(SERVICE_TYPE, svc.arn, text, evidence=ev)
    return ctx.failed(
        SERVICE_TYPE,
        svc.arn,
        f"{usage.message}; its RunningTaskCount alarm never fires: cluster "
        f"'{svc.cluster}' has Container Insights {value}, so ECS/ContainerInsights is "
        "never published",
        evidence={**usage.evidence, "container_insights": value},
        remediation=(
            f"aws ecs update-cluster-settings --cluster {svc.cluster} "
            "--settings name=containerInsights,value=enhanced, or "
            f"{usage.remediation or ''}"
        ),
    )
