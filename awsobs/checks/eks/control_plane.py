"""EKS: does each cluster's control plane send the logs that answer "who did what"?

The Kubernetes control plane runs in AWS's account: its logs exist for the cluster's
owner only if control plane logging sends them to CloudWatch Logs (log group
`/aws/eks/<cluster>/cluster`). It is off by default for every type.

Reads: ListClusters per region, DescribeCluster per cluster.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.eks.readers import (
    CLUSTER,
    DESCRIBE_CLUSTER,
    LIST_CLUSTERS,
    LOG_TYPES,
    EksCluster,
    cluster_arn,
    cluster_names,
    describe_cluster,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

OPTION = "eks_log_types"
DEFAULT_TYPES = ["api", "audit", "authenticator"]
GONE = {"DELETING": "is being deleted", "FAILED": "failed to be created"}
_CANONICAL = {t.lower(): t for t in LOG_TYPES}


def _fix(ctx: Context, name: str, types: list[str]) -> str:
    logging = json.dumps({"clusterLogging": [{"types": types, "enabled": True}]})
    return (
        f"aws eks update-cluster-config --region {ctx.region} --name {shlex.quote(name)} "
        f"--logging {shlex.quote(logging)}"
    )


def _required(ctx: Context) -> tuple[list[str], list[str]]:
    """The option's log types in AWS's spelling (case does not matter), and the names
    that are not EKS log types."""
    wanted = [str(t) for t in ctx.option(OPTION)]
    known = [_CANONICAL[t.lower()] for t in wanted if t.lower() in _CANONICAL]
    return sorted(set(known), key=LOG_TYPES.index), [
        t for t in wanted if t.lower() not in _CANONICAL
    ]


def _judge(ctx: Context, cluster: EksCluster, required: list[str]) -> Finding:
    name, arn = cluster.name, cluster.arn
    evidence: dict[str, Any] = {
        "cluster": name,
        "status": cluster.status,
        "enabled_types": sorted(cluster.enabled, key=lambda t: (t not in LOG_TYPES, t)),
        "disabled_types": sorted(cluster.disabled, key=lambda t: (t not in LOG_TYPES, t)),
        "required_types": required,
    }
    if cluster.status.upper() in GONE:
        text = f"EKS cluster '{name}' {GONE[cluster.status.upper()]}: no control plane to log"
        return ctx.not_applicable(CLUSTER, arn, text, evidence=evidence)
    if not cluster.logging:
        text = f"EKS cluster '{name}' reports no control plane logging configuration"
        return ctx.unknown(CLUSTER, arn, text, evidence=evidence)
    off = [t for t in required if t not in cluster.enabled]
    extra = sorted(cluster.enabled - set(required))
    also = f" (also {', '.join(extra)})" if extra else ""
    if not required:
        text = f"EKS cluster '{name}': option {OPTION} requires no control plane log type"
        return ctx.passed(CLUSTER, arn, text, evidence=evidence)
    if not off:
        text = (
            f"EKS cluster '{name}' sends its {', '.join(required)} control plane logs to "
            f"CloudWatch Logs{also}"
        )
        return ctx.passed(CLUSTER, arn, text, evidence=evidence)
    on = ", ".join(evidence["enabled_types"]) or "none"
    text = (
        f"EKS cluster '{name}' does not send its {', '.join(off)} control plane logs to "
        f"CloudWatch Logs (enabled: {on}; required: {', '.join(required)})"
    )
    if "audit" in off:
        text += ": without audit logs nothing records who did what inside the cluster"
    return ctx.failed(CLUSTER, arn, text, evidence=evidence, remediation=_fix(ctx, name, off))


def _settle(ctx: Context, name: str, required: list[str]) -> Finding:
    try:
        cluster = describe_cluster(ctx, name)
    except AwsError as err:
        what = f"could not read the logging configuration of EKS cluster '{name}'"
        return ctx.unknown_from(err, CLUSTER, cluster_arn(ctx, name), what)
    return _judge(ctx, cluster, required)


@check(
    id="eks.control_plane_logging",
    title="EKS clusters send api, audit and authenticator control plane logs to CloudWatch",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::EKS::Cluster",),
    permissions=[LIST_CLUSTERS, DESCRIBE_CLUSTER],
    options={OPTION: DEFAULT_TYPES},
    remediation=(
        "aws eks update-cluster-config --name <cluster> --logging "
        '\'{"clusterLogging":[{"types":["api","audit","authenticator"],"enabled":true}]}\''
    ),
)
def control_plane_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per EKS cluster, resource id its ARN. PASS when every log type the
    option `eks_log_types` names (default `api`, `audit`, `authenticator`; case does not
    matter; EKS offers `api`, `audit`, `authenticator`, `controllerManager`, `scheduler`,
    and Prowler demands all five) is in an entry of DescribeCluster's
    `logging.clusterLogging` with `enabled` true. FAIL when one is not, naming each
    required type that is off; `audit` is the one that records who did what inside the
    cluster. Security Hub EKS.8 (audit) / Config `eks-cluster-log-enabled`.

    UNKNOWN when a cluster cannot be described (naming the denied action) or reports no
    logging configuration; when the clusters cannot be listed (one finding for the
    region); and when the option names a type EKS does not offer (one finding for the
    region, nothing read). NOT_APPLICABLE for a cluster that is being deleted or failed to
    be created, and for a region with no cluster. MEDIUM like EKS.8.
    """
    required, unknown_types = _required(ctx)
    if unknown_types:
        text = (
            f"option {OPTION} names {', '.join(repr(t) for t in unknown_types)}, which EKS "
            f"does not offer (log types: {', '.join(LOG_TYPES)}): nothing was judged"
        )
        yield ctx.unknown(*ctx.region_resource(), text, evidence={OPTION: list(ctx.option(OPTION))})
        return
    names, gap = ctx.listing("EKS clusters", lambda: cluster_names(ctx))
    if gap is not None:
        yield gap
        return
    yield from ctx.map(lambda n: _settle(ctx, n, required), sorted(names))
