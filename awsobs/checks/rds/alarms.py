"""RDS and Aurora: CPU, memory, connection and (with storage of its own) free storage
alarms per DB instance and per Aurora cluster, that fire and reach someone.

The metrics are those of CloudWatch's recommended alarms for Amazon RDS ("Best practice
alarm recommendations for AWS services", CloudWatch User Guide): `AWS/RDS`
`CPUUtilization`, `DatabaseConnections`, `FreeableMemory` and `FreeStorageSpace`, each
with the dimension `DBInstanceIdentifier`. Aurora also publishes them per cluster
(`DBClusterIdentifier`, aggregated over its instances) and per role
(`DBClusterIdentifier` + `Role` = `WRITER` / `READER`). The verdict is CloudWatch's
(cloudwatch/coverage.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.cloudwatch.coverage import (
    ALARM_READS,
    Want,
    alarm_fix,
    coverage_finding,
    index_or_error,
    without_scaling,
)
from awsobs.checks.cloudwatch.readers import AlarmIndex, Metric, Need
from awsobs.checks.rds.readers import (
    CLUSTER,
    INSTANCE,
    db_clusters,
    db_instances,
    out_of_scope,
    unjudged_engine,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

RDS = "AWS/RDS"
_COMMON = ("CPUUtilization", "FreeableMemory", "DatabaseConnections")
# The rest of CloudWatch's recommended RDS alarms: named in the evidence, not judged.
NOT_JUDGED = (
    "DBLoad",
    "ReadLatency",
    "WriteLatency",
    "ReplicaLag",
    "DiskQueueDepth",
    "EBSByteBalance%",
    "EBSIOBalance%",
    "MaximumUsedTransactionIDs",
    "FreeLocalStorage",
)


def _aurora(engine: str) -> bool:
    return engine.startswith("aurora")


def _claims(instances: set[str], clusters: set[str]) -> Any:
    """Metrics of other known instances, clusters and cluster roles: not near misses."""

    def claimed(m: Metric) -> bool:
        keys = {k for k, _ in m.dims}
        if keys == {"DBInstanceIdentifier"}:
            return m.dim("DBInstanceIdentifier") in instances
        if keys == {"DBClusterIdentifier"}:
            return m.dim("DBClusterIdentifier") in clusters
        if keys == {"DBClusterIdentifier", "Role"}:
            return m.dim("DBClusterIdentifier") in clusters and m.dim("Role") in (
                "WRITER",
                "READER",
            )
        return False

    return claimed


def _arn(ctx: Context, kind: str, name: str) -> str:
    return f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account_id}:{kind}:{name}"


@check(
    id="rds.health_alarms",
    title="RDS instances and Aurora clusters have CPU, memory, connection and storage alarms",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
    permissions=["rds:DescribeDBInstances", "rds:DescribeDBClusters", *ALARM_READS],
    remediation=alarm_fix(RDS, "FreeStorageSpace", "Name=DBInstanceIdentifier,Value=<db>"),
)
def health_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per DB instance that is not an Aurora cluster member, and one per Aurora
    cluster. An instance PASSes when `CPUUtilization`, `FreeableMemory`,
    `DatabaseConnections` and `FreeStorageSpace` (`AWS/RDS`, dimension exactly
    `DBInstanceIdentifier`) each have an alarm that reaches someone: running out of CPU,
    memory, connections or disk is how a database stops answering. Members of Multi-AZ
    DB clusters are instances with their own storage and are judged so. An Aurora cluster
    needs the first three for each member instance, any of: an alarm on the member's
    `DBInstanceIdentifier`, on the cluster's `DBClusterIdentifier` (every member counts
    in it), or on `DBClusterIdentifier` + `Role` for the member's role (WRITER or READER);
    not `FreeStorageSpace`: Aurora's cluster volume grows by itself
    (`AuroraVolumeBytesLeftTotal` is reported for Aurora MySQL, not required). A cluster
    with no instance (Aurora Serverless v1) needs cluster-level alarms. Alarms whose only
    actions are Application Auto Scaling policies (replica auto scaling) do not count.
    The rest of CloudWatch's recommended RDS alarms (`DBLoad`, latencies, `ReplicaLag`,
    ...) are named in the evidence, not judged; thresholds and statistics are not judged.
    FAIL naming each missing metric and the near misses (same metric, other dimensions:
    a typo, a deleted instance). UNKNOWN when alarms or a listing cannot be read (one
    finding for what the listing would have shown) or when the only covering alarm's
    target cannot be checked. NOT_APPLICABLE for Aurora members (judged with their
    cluster), RDS Custom, Neptune and DocumentDB, and a region with neither instance nor
    cluster.
    """
    try:
        instances: Sequence[Mapping[str, Any]] | AwsError = db_instances(ctx)
    except AwsError as err:
        instances = err
    try:
        clusters: Sequence[Mapping[str, Any]] | AwsError = db_clusters(ctx)
    except AwsError as err:
        clusters = err
    if isinstance(instances, AwsError):
        what = "could not list RDS DB instances"
        yield ctx.unknown_from(instances, INSTANCE, _arn(ctx, "db", "*"), what)
    if isinstance(clusters, AwsError):
        what = "could not list RDS DB clusters"
        yield ctx.unknown_from(clusters, CLUSTER, _arn(ctx, "cluster", "*"), what)
    insts = [] if isinstance(instances, AwsError) else list(instances)
    clus = [] if isinstance(clusters, AwsError) else list(clusters)
    if not insts and not clus:
        if not isinstance(instances, AwsError) and not isinstance(clusters, AwsError):
            text = f"no RDS DB instance or cluster in {ctx.region}"
            yield ctx.not_applicable(*ctx.region_resource(), text)
        return
    known_i = {str(i.get("DBInstanceIdentifier")) for i in insts} | {
        str(m.get("DBInstanceIdentifier")) for c in clus for m in c.get("DBClusterMembers") or ()
    }
    known_c = {str(c.get("DBClusterIdentifier")) for c in clus}
    claimed = _claims(known_i, known_c)
    raw = index_or_error(ctx)
    index = raw if isinstance(raw, AwsError) else without_scaling(raw)
    for inst in sorted(insts, key=lambda r: str(r.get("DBInstanceIdentifier"))):
        yield _instance(ctx, index, inst, claimed)
    for clu in sorted(clus, key=lambda r: str(r.get("DBClusterIdentifier"))):
        found = _cluster(ctx, index, clu, claimed)
        if found is not None:
            yield found


def _instance(
    ctx: Context, index: AlarmIndex | AwsError, raw: Mapping[str, Any], claimed: Any
) -> Finding:
    name = str(raw.get("DBInstanceIdentifier"))
    arn = str(raw.get("DBInstanceArn") or _arn(ctx, "db", name))
    engine = str(raw.get("Engine") or "")
    cluster = raw.get("DBClusterIdentifier")
    label = f"DB instance '{name}' ({engine})"
    ev: dict[str, Any] = {
        "engine": engine,
        "db_cluster_identifier": cluster,
        "allocated_storage_gib": raw.get("AllocatedStorage"),
        "max_allocated_storage_gib": raw.get("MaxAllocatedStorage"),
        "not_judged": list(NOT_JUDGED),
    }
    if out_of_scope(engine):
        return ctx.not_applicable(INSTANCE, arn, f"{label}: {unjudged_engine(engine)}", evidence=ev)
    if cluster and _aurora(engine):
        text = f"{label} is a member of Aurora cluster '{cluster}': judged with the cluster"
        return ctx.not_applicable(INSTANCE, arn, text, evidence=ev)
    if isinstance(index, AwsError):
        return ctx.unknown_from(index, INSTANCE, arn, f"{label}: could not read alarms")
    dims: dict[str, str | frozenset[str]] = {"DBInstanceIdentifier": name}
    wants = [
        Want(metric, (Need(RDS, (metric,), (dims,)),)) for metric in ("FreeStorageSpace", *_COMMON)
    ]
    return coverage_finding(ctx, index, INSTANCE, arn, label, wants, evidence=ev, claimed=claimed)


def _cluster(
    ctx: Context, index: AlarmIndex | AwsError, raw: Mapping[str, Any], claimed: Any
) -> Finding | None:
    name = str(raw.get("DBClusterIdentifier"))
    arn = str(raw.get("DBClusterArn") or _arn(ctx, "cluster", name))
    engine = str(raw.get("Engine") or "")
    label = f"Aurora cluster '{name}' ({engine})"
    members = sorted(
        (str(m.get("DBInstanceIdentifier")), bool(m.get("IsClusterWriter")))
        for m in raw.get("DBClusterMembers") or ()
    )
    ev: dict[str, Any] = {
        "engine": engine,
        "members": [{"instance": m, "writer": w} for m, w in members],
        "not_judged": list(NOT_JUDGED),
    }
    if out_of_scope(engine):
        text = f"DB cluster '{name}' ({engine}): {unjudged_engine(engine)}"
        return ctx.not_applicable(CLUSTER, arn, text, evidence=ev)
    if not _aurora(engine):
        return None  # a Multi-AZ DB cluster: its instances are judged one by one
    if isinstance(index, AwsError):
        return ctx.unknown_from(index, CLUSTER, arn, f"{label}: could not read alarms")
    whole: dict[str, str | frozenset[str]] = {"DBClusterIdentifier": name}
    wants: list[Want] = []
    for metric in _COMMON:
        if not members:
            wants.append(Want(metric, (Need(RDS, (metric,), (whole,)),)))
        for member, writer in members:
            role = "WRITER" if writer else "READER"
            options: tuple[dict[str, str | frozenset[str]], ...] = (
                whole,
                {"DBClusterIdentifier": name, "Role": role},
                {"DBInstanceIdentifier": member},
            )
            wants.append(
                Want(f"{metric} of {role.lower()} '{member}'", (Need(RDS, (metric,), options),))
            )
    if engine in ("aurora", "aurora-mysql"):
        volume = Need(RDS, ("AuroraVolumeBytesLeftTotal",), (whole,))
        wants.append(Want("AuroraVolumeBytesLeftTotal", (volume,), required=False))
    fix = alarm_fix(RDS, "CPUUtilization", f"Name=DBClusterIdentifier,Value='{name}'")
    return coverage_finding(
        ctx, index, CLUSTER, arn, label, wants, evidence=ev, fix=fix, claimed=claimed
    )
