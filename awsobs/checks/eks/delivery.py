"""EKS: does each cluster's control plane log group actually receive its logs?

`eks.control_plane_logging` proves the log types are on; this companion reads the
cluster's log group (docs/design.md, "Delivery checks"). EKS sends the enabled types "as
log streams to a group for each Amazon EKS cluster" (EKS User Guide, control-plane-logs:
https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html), named
`/aws/eks/<cluster>/cluster` (AWS Knowledge Center, "Select the log group for your
cluster. Example: /aws/eks/example-cluster/cluster":
https://repost.aws/knowledge-center/eks-api-server-unauthorized-error). The group is read
at group level: the per-type stream prefixes (`kube-apiserver-…`, `authenticator-…`)
cannot be combined with `orderBy=LastEventTime`.

Reads: ListClusters and DescribeCluster per cluster (the configuration check's, answered
by the gateway's memo), then one DescribeLogStreams per judged cluster, concurrently.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import (
    DESCRIBE_LOG_STREAMS,
    Arrival,
    Busy,
    attempt,
    newest_stream,
    verdict,
    window,
)
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

CONFIG_CHECK = "eks.control_plane_logging"
BUSY = Busy(
    "an ACTIVE cluster's control plane is never idle (its own controllers call the API "
    "server all the time)"
)
CAUSES = (
    "the log group was deleted or its resource policy / a KMS key policy stops EKS "
    "writing to it; the logging configuration was changed and the update failed "
    "(aws eks list-updates); delivery is best effort and can lag by a few minutes"
)


def log_group(name: str) -> str:
    """The CloudWatch Logs group EKS sends cluster `name`'s control plane logs to."""
    return f"/aws/eks/{name}/cluster"


def _judge(
    ctx: Context, cluster: EksCluster | AwsError, name: str, arrival: Arrival | AwsError | None
) -> Finding:
    if isinstance(cluster, AwsError):
        what = f"could not read the logging configuration of EKS cluster '{name}'"
        return ctx.unknown_from(cluster, CLUSTER, cluster_arn(ctx, name), what)
    group = log_group(cluster.name)
    evidence = {
        "cluster": cluster.name,
        "status": cluster.status,
        "enabled_types": sorted(cluster.enabled, key=lambda t: (t not in LOG_TYPES, t)),
    }
    if cluster.status.upper() != "ACTIVE":
        text = (
            f"EKS cluster '{cluster.name}' is {cluster.status or 'in no reported state'}, not "
            "ACTIVE: no control plane delivery is expected"
        )
        return ctx.not_applicable(CLUSTER, cluster.arn, text, evidence=evidence)
    if arrival is None:
        text = (
            f"EKS cluster '{cluster.name}' sends no control plane log type: not configured, "
            f"see {CONFIG_CHECK}"
        )
        return ctx.not_applicable(CLUSTER, cluster.arn, text, evidence=evidence)
    types = ", ".join(evidence["enabled_types"])
    return verdict(
        ctx,
        CLUSTER,
        cluster.arn,
        label=f"EKS cluster '{cluster.name}' ({types} logs)",
        destination=f"log group {group}",
        arrival=arrival,
        win=window(ctx),
        traffic=BUSY,
        causes=CAUSES,
        evidence=evidence,
        remediation=(
            f"aws eks describe-cluster --region {ctx.region} --name {cluster.name} "
            f"--query cluster.logging; aws logs describe-log-groups --log-group-name-prefix "
            f"{group}; aws eks list-updates --name {cluster.name}"
        ),
    )


@check(
    id="eks.control_plane_logs_delivered",
    title="EKS clusters' control plane log groups received logs recently",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::EKS::Cluster",),
    permissions=[LIST_CLUSTERS, DESCRIBE_CLUSTER, DESCRIBE_LOG_STREAMS],
    options={"max_age_hours": 3},
    remediation="aws logs describe-log-streams --log-group-name /aws/eks/<cluster>/cluster "
    "--order-by LastEventTime --descending --max-items 1; aws eks list-updates --name <cluster>",
)
def control_plane_logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per EKS cluster, resource id its ARN (as `eks.control_plane_logging`).

    Judged: an ACTIVE cluster with at least one control plane log type enabled
    (DescribeCluster `logging.clusterLogging`); a cluster in another state, or with every
    type off ("not configured, see eks.control_plane_logging"), is NOT_APPLICABLE. The
    newest stream of its group `/aws/eks/<cluster>/cluster` is read (one DescribeLogStreams,
    `lastIngestionTime`). PASS when it ingested within `max_age_hours` (default 3); FAIL
    when it did not, naming the last delivery and the usual causes, or when the group does
    not exist.

    No traffic gate: an ACTIVE cluster's control plane is never idle (its controllers call
    the API server continuously), so a silent group is a FAIL. UNKNOWN, naming the denied
    action, when the clusters cannot be listed (one finding for the region), a cluster
    cannot be described, or its group cannot be read (`logs:DescribeLogStreams`).
    """
    names, gap = ctx.listing("EKS clusters", lambda: cluster_names(ctx))
    if gap is not None:
        yield gap
        return
    ordered = sorted(names)
    clusters = ctx.map(lambda n: attempt(lambda: describe_cluster(ctx, n)), ordered)
    groups = sorted(
        {
            log_group(c.name)
            for c in clusters
            if isinstance(c, EksCluster) and c.status.upper() == "ACTIVE" and c.enabled
        }
    )
    read = ctx.map(lambda g: attempt(lambda: newest_stream(ctx, ctx.region, g)), groups)
    arrivals = dict(zip(groups, read, strict=True))
    for name, cluster in zip(ordered, clusters, strict=True):
        arrival = None
        if isinstance(cluster, EksCluster):
            arrival = arrivals.get(log_group(cluster.name))
        yield _judge(ctx, cluster, name, arrival)
