"""ECS: does every cluster send Container Insights metrics to CloudWatch?"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

from awsobs.checks.ecs.readers import (
    CLUSTER,
    DESCRIBE_CLUSTERS,
    LIST_ACCOUNT_SETTINGS,
    LIST_CLUSTERS,
    AccountDefault,
    Cluster,
    account_default,
    cluster_arns,
    describe_clusters,
    name_of,
)
from awsobs.context import Context, error_evidence
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

ON = ("enabled", "enhanced")  # AWS's values that turn Container Insights on
OFF = "disabled"
_FIX = (
    "aws ecs update-cluster-settings --cluster {name} --settings name=containerInsights,value={v}"
)
_DEFAULT_FIX = "aws ecs put-account-setting-default --name containerInsights --value enhanced"


def _default_note(region: str, default: AccountDefault) -> str:
    """What the account default means for this (existing) cluster."""
    if default.error is not None:
        return f" (the account default for new clusters could not be read: {default.error.code})"
    value = (default.value or "").lower()
    if value in ON:
        return (
            f" (the account default in {region} is '{default.value}', but it applies only to "
            "clusters created after it was set: this cluster must be changed itself)"
        )
    if value == OFF:
        return (
            f" (the account default in {region} is 'disabled' too, so new clusters will "
            "not have it either)"
        )
    return ""


def _evidence(cluster: Cluster | None, default: AccountDefault, name: str) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "cluster": name,
        "status": cluster.status if cluster else None,
        "container_insights": cluster.insights if cluster else None,
        "settings": dict(cluster.settings) if cluster and cluster.settings is not None else None,
        "account_default": default.value,
        "account_default_applies_to": "clusters created later in this region",
    }
    if default.principal:
        ev["account_default_principal"] = default.principal
    if default.error is not None:
        ev["account_default_error"] = error_evidence(default.error)
    return ev


@check(
    id="ecs.container_insights",
    title="ECS clusters send Container Insights metrics to CloudWatch",
    severity=Severity.LOW,
    signal=Signal.METRICS,
    resource_types=("AWS::ECS::Cluster",),
    permissions=[LIST_CLUSTERS, DESCRIBE_CLUSTERS, LIST_ACCOUNT_SETTINGS],
    remediation=_FIX.format(name="<cluster>", v="enhanced"),
)
def container_insights(ctx: Context) -> Iterator[Finding]:
    """One finding per cluster. PASS when the cluster's
    `containerInsights` setting (DescribeClusters with `include=SETTINGS`) is `enabled` or
    `enhanced` (Container Insights with enhanced observability, which adds task- and
    container-level metrics): both are "on" (a scanner that knows only `enabled` fails
    `enhanced`). FAIL when it is `disabled`: CloudWatch then has only the service-level CPU
    and memory of the `AWS/ECS` namespace, no task, container, network or storage metrics.
    UNKNOWN when the cluster reports no `containerInsights` setting or a value AWS does not
    document, when its description cannot be read (naming the denied action) or AWS lists
    it under `failures`. NOT_APPLICABLE for a deleted (INACTIVE) cluster, and for a region
    with no cluster.

    The region's account default (ListAccountSettings, `effectiveSettings`) is in every
    finding's evidence: AWS applies it to clusters created after it was set, never to an
    existing cluster, so it never decides a verdict; a default that could not be read is
    noted, not UNKNOWN. Severity LOW: without Container Insights the cluster still has
    service-level metrics and its tasks' own logs; what is lost is the per-task and
    per-container view that tells which task ran out of memory or kept restarting.
    """
    arns, gap = ctx.listing("ECS clusters", lambda: cluster_arns(ctx))
    if gap is not None:
        yield gap
        return
    described = describe_clusters(ctx, arns)
    default = account_default(ctx)
    by_arn = {c.arn: c for c in described.clusters}
    for arn in sorted(set(arns) | set(by_arn)):
        cluster = by_arn.get(arn)
        name = cluster.name if cluster else name_of(arn)
        ev = _evidence(cluster, default, name)
        if arn in described.failed:
            what = f"could not read the settings of cluster '{name}'"
            yield ctx.unknown_from(described.failed[arn], CLUSTER, arn, what, evidence=ev)
            continue
        if cluster is None:
            reason = described.missing.get(arn, "not described")
            text = f"cluster '{name}' was listed but DescribeClusters reported it as {reason}"
            yield ctx.unknown(CLUSTER, arn, text, evidence=ev)
            continue
        if cluster.status.upper() == "INACTIVE":
            text = f"cluster '{name}' is deleted (INACTIVE): nothing runs in it"
            yield ctx.not_applicable(CLUSTER, arn, text, evidence=ev)
            continue
        value = cluster.insights
        q = shlex.quote(name)
        if value is not None and value.lower() in ON:
            kind = " (with enhanced observability)" if value.lower() == "enhanced" else ""
            text = f"cluster '{name}' has Container Insights {value}{kind}"
            yield ctx.passed(CLUSTER, arn, text, evidence=ev)
        elif value is not None and value.lower() == OFF:
            fix = _FIX.format(name=q, v="enhanced")
            if (default.value or "").lower() == OFF:
                fix += f" (and for new clusters: {_DEFAULT_FIX})"
            text = (
                f"cluster '{name}' has Container Insights disabled: no task- or "
                "container-level metrics reach CloudWatch" + _default_note(ctx.region, default)
            )
            yield ctx.failed(CLUSTER, arn, text, evidence=ev, remediation=fix)
        elif value is None:
            text = f"cluster '{name}' reports no containerInsights setting"
            yield ctx.unknown(CLUSTER, arn, text, evidence=ev)
        else:
            text = (
                f"cluster '{name}' reports containerInsights '{value}', which AWS does not "
                f"document (known: {', '.join((*ON, OFF))})"
            )
            yield ctx.unknown(CLUSTER, arn, text, evidence=ev)
