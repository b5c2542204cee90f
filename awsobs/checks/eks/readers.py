"""EKS reads: the region's clusters (ListClusters, paginated) and each cluster's control
plane logging (DescribeCluster per cluster, `logging.clusterLogging`: entries of
`types` and `enabled`)."""

from __future__ import annotations

from dataclasses import dataclass

from awsobs.context import Context

CLUSTER = "AWS::EKS::Cluster"
LIST_CLUSTERS = "eks:ListClusters"
DESCRIBE_CLUSTER = "eks:DescribeCluster"
# The control plane log types EKS offers (LogSetup `types`), in AWS's spelling.
LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


def cluster_names(ctx: Context) -> tuple[str, ...]:
    """The names of this region's clusters (raises `AwsError`)."""
    return tuple(str(n) for n in ctx.call("eks", "ListClusters").get("clusters", ()))


def cluster_arn(ctx: Context, name: str) -> str:
    return f"arn:{ctx.partition}:eks:{ctx.region}:{ctx.account_id}:cluster/{name}"


@dataclass(frozen=True)
class EksCluster:
    """One described cluster: its status and which log types are on and off. `logging`
    is False when the answer had no `logging.clusterLogging` at all."""

    name: str
    arn: str
    status: str
    enabled: frozenset[str]
    disabled: frozenset[str]
    logging: bool = True


def describe_cluster(ctx: Context, name: str) -> EksCluster:
    """DescribeCluster (raises `AwsError`). A type listed both on and off counts as on
    (AWS lists each type once; an entry with `enabled` true is what sends logs)."""
    raw = ctx.call("eks", "DescribeCluster", name=name).get("cluster") or {}
    entries = (raw.get("logging") or {}).get("clusterLogging")
    enabled: set[str] = set()
    disabled: set[str] = set()
    for entry in entries or ():
        types = {str(t) for t in entry.get("types") or ()}
        (enabled if entry.get("enabled") is True else disabled).update(types)
    return EksCluster(
        str(raw.get("name") or name),
        str(raw.get("arn") or cluster_arn(ctx, name)),
        str(raw.get("status") or ""),
        frozenset(enabled),
        frozenset(disabled - enabled),
        entries is not None,
    )
