"""RDS and Aurora: do the exported logs an operator needs actually arrive in CloudWatch Logs?

`rds.log_exports` proves the needed log types are in `EnabledCloudwatchLogsExports`; this
companion reads where they go (docs/design.md, "Delivery checks"). RDS publishes each
exported type of a DB instance to the group `/aws/rds/instance/<DBInstanceIdentifier>/
<type>`, and of an Aurora or Multi-AZ DB cluster to `/aws/rds/cluster/<DBClusterIdentifier>/
<type>` (RDS User Guide, "Publishing database logs to Amazon CloudWatch Logs":
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html;
Aurora User Guide, "Publishing Aurora MySQL logs to Amazon CloudWatch Logs":
https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Integrating.CloudWatch.html).

Only the types the configuration check requires (`EngineLogs.needed`, rds/readers.py) are
read, one DescribeLogStreams per group, concurrently. An `error` log is written only when
something goes wrong or the engine restarts, so a healthy database's error group can be
silent for days (survey pitfall P5): its age is reported, never a FAIL by itself. The other
types (audit, postgresql, alert, diag.log) are written while clients connect, so a stale
one is judged by AWS/RDS `DatabaseConnections` (Maximum over the window), one
GetMetricData per region, read only when some group is stale.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import (
    DESCRIBE_LOG_STREAMS,
    GET_METRIC_DATA,
    Arrival,
    Traffic,
    Window,
    attempt,
    newest_stream,
    served,
    stamp,
    traffic,
    verdict,
    window,
)
from awsobs.checks._shared import age
from awsobs.checks.rds.readers import (
    CLUSTER,
    INSTANCE,
    cluster_logs,
    db_clusters,
    db_instances,
    instance_logs,
    log_group_name,
)
from awsobs.checks.rds.verdicts import cluster_exports, instance_exports
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal, Status
from awsobs.registry import check

CONFIG_CHECK = "rds.log_exports"
NAMESPACE = "AWS/RDS"
METRIC = "DatabaseConnections"
NOUN = "connections (DatabaseConnections peak)"
QUIET = "error"  # written only on failures and restarts: never judged on age (P5)
CAUSES = (
    "the log type was taken out of the exports, or the instance's log parameters record "
    "nothing (audit: the MARIADB_AUDIT_PLUGIN option or Advanced Auditing turned off or "
    "naming no events; postgresql: log_statement / pgaudit.log set to none); the log group "
    "was deleted, or its KMS key policy stops RDS writing to it"
)
_WORST = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}


@dataclass(frozen=True)
class Source:
    """One DB instance or cluster that `rds.log_exports` would pass, and its groups."""

    rtype: str
    arn: str
    name: str
    label: str
    dimensions: Mapping[str, str]
    groups: Mapping[str, str]  # log type -> group name


def _arn(ctx: Context, raw: Mapping[str, Any], kind: str) -> tuple[str, str]:
    """(identifier, ARN) of a DB instance or cluster, as `rds.log_exports` names it."""
    key, field, part = {
        "instance": ("DBInstanceIdentifier", "DBInstanceArn", "db"),
        "cluster": ("DBClusterIdentifier", "DBClusterArn", "cluster"),
    }[kind]
    name = str(raw.get(key))
    fallback = f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account_id}:{part}:{name}"
    return name, str(raw.get(field) or fallback)


def _screen(ctx: Context, raw: Mapping[str, Any], kind: str) -> Source | Finding:
    """The source to judge, or its NOT_APPLICABLE / UNKNOWN finding."""
    name, arn = _arn(ctx, raw, kind)
    rtype = INSTANCE if kind == "instance" else CLUSTER
    noun = "DB instance" if kind == "instance" else "DB cluster"
    status = str(raw.get("DBInstanceStatus" if kind == "instance" else "Status") or "")
    evidence = {"engine": raw.get("Engine"), "status": status or None}
    if status != "available":
        text = (
            f"{noun} '{name}' is {status or 'in no reported state'}, not available: no log "
            "delivery is expected"
        )
        return ctx.not_applicable(rtype, arn, text, evidence=evidence)
    configured = instance_exports(ctx, raw) if kind == "instance" else cluster_exports(ctx, raw)
    if configured.status is Status.UNKNOWN:
        text = f"whether {noun} '{name}' exports its logs is unknown (see {CONFIG_CHECK}): "
        return dataclasses.replace(configured, message=text + configured.message)
    if configured.status is not Status.PASS:
        text = f"{noun} '{name}' is not set up to deliver its logs (see {CONFIG_CHECK}): "
        ev = {**evidence, **configured.evidence}
        return ctx.not_applicable(rtype, arn, text + configured.message, evidence=ev)
    engine = str(raw.get("Engine") or "")
    spec = instance_logs(engine) if kind == "instance" else cluster_logs(engine)
    assert spec is not None  # the configuration check passed: the engine is known
    key = "DBInstanceIdentifier" if kind == "instance" else "DBClusterIdentifier"
    groups = {t: log_group_name(kind, name, t) for t in spec.needed}
    return Source(rtype, arn, name, f"{noun} '{name}' ({spec.name})", {key: name}, groups)


def _quiet(ctx: Context, src: Source, group: str, arrival: Arrival, win: Window) -> Finding:
    """A stale error log: its age, reported (NOT_APPLICABLE), never a FAIL (P5)."""
    if arrival.last is not None:
        last = f"last written {age(ctx.now, arrival.last)} ({stamp(arrival.last)})"
    else:
        last = "no stream in it yet"
    text = (
        f"{src.label}: log group {group} received nothing in the last "
        f"{win.max_age_hours:g} h, {last}; an error log is written only on failures and "
        "restarts, so its age is reported, not judged"
    )
    evidence = {
        "destination": f"log group {group}",
        **win.evidence(),
        **arrival.evidence,
        "last_delivery": arrival.evidence.get("last_ingestion_time"),
    }
    return ctx.not_applicable(src.rtype, src.arn, text, evidence=evidence)


def _short(log_type: str, f: Finding) -> str:
    if log_type == QUIET and f.status is Status.NOT_APPLICABLE:
        last = f.evidence.get("last_delivery")
        return f"error quiet since {last or 'ever'} (not judged on age)"
    return f"{log_type} {f.status.value}"


def _combine(src: Source, judged: Sequence[tuple[str, Finding]]) -> Finding:
    """The source's finding: its worst log type's, with every type in the evidence."""
    ranked = sorted(judged, key=lambda pair: _WORST[pair[1].status])
    worst = ranked[0][1]
    each = [
        {"log_type": t, "log_group": src.groups[t], "status": f.status.value, "message": f.message}
        for t, f in judged
    ]
    others = [_short(t, f) for t, f in ranked[1:]]
    message = worst.message + (f" (other log types: {'; '.join(others)})" if others else "")
    return dataclasses.replace(
        worst, message=message, evidence={**worst.evidence, "log_types": each}
    )


def _judge(
    ctx: Context,
    src: Source,
    arrivals: Mapping[str, Arrival | AwsError],
    batch: Traffic | AwsError | None,
    win: Window,
) -> Finding:
    judged = []
    for log_type, group in src.groups.items():
        arrival = arrivals[group]
        if log_type == QUIET and win.stale(arrival):
            assert isinstance(arrival, Arrival)
            judged.append((log_type, _quiet(ctx, src, group, arrival, win)))
            continue
        gate = None
        if win.stale(arrival) and batch is not None:
            gate = served(batch, src.dimensions, NOUN)
        kind = "instance" if src.rtype == INSTANCE else "cluster"
        f = verdict(
            ctx,
            src.rtype,
            src.arn,
            label=src.label,
            destination=f"log group {group}",
            arrival=arrival,
            win=win,
            traffic=gate,
            causes=CAUSES,
            evidence={"log_type": log_type, **src.dimensions},
            remediation=(
                f"aws rds describe-db-{kind}s --region {ctx.region} --db-{kind}-identifier "
                f"{src.name} --query '*[].EnabledCloudwatchLogsExports'; aws logs "
                f"describe-log-streams --log-group-name {group} --order-by LastEventTime "
                "--descending --max-items 1"
            ),
        )
        judged.append((log_type, f))
    return _combine(src, judged)


@check(
    id="rds.log_exports_delivered",
    title="RDS and Aurora exported error and audit logs arrive in CloudWatch Logs",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
    permissions=[
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        "rds:DescribeDBClusterParameters",
        DESCRIBE_LOG_STREAMS,
        GET_METRIC_DATA,
    ],
    options={"max_age_hours": 24},
    remediation="aws logs describe-log-streams --log-group-name /aws/rds/instance/<db>/<type> "
    "(/aws/rds/cluster/<cluster>/<type>) --order-by LastEventTime --descending --max-items 1",
)
def log_exports_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per DB cluster and per DB instance, resource id its ARN (as
    `rds.log_exports`).

    Judged: a resource whose status is `available` and that `rds.log_exports` passes
    (otherwise NOT_APPLICABLE, "see rds.log_exports", or UNKNOWN when that check's reads
    fail). Each log type that check requires is read in its group
    `/aws/rds/instance/<DBInstanceIdentifier>/<type>` or
    `/aws/rds/cluster/<DBClusterIdentifier>/<type>`: one DescribeLogStreams per group
    (newest stream, `lastIngestionTime`). A type is PASS when its group ingested within
    `max_age_hours` (default 24).

    A stale `error` group is NOT_APPLICABLE, its age reported ("last written 9 days
    ago"): a healthy database writes its error log only on failures and restarts, so its
    age proves nothing (survey pitfall P5). A stale group of any other type (audit,
    postgresql, alert, diag.log) is FAIL when AWS/RDS `DatabaseConnections` (Maximum, by
    `DBInstanceIdentifier` or `DBClusterIdentifier`, over the window up to 15 minutes
    before now; one GetMetricData per region, read only when a group is stale) is above 0,
    naming the last delivery and the usual causes, and NOT_APPLICABLE when no client was
    connected. A missing group is FAIL. The resource's finding is its worst type's
    (FAIL, UNKNOWN, PASS, NOT_APPLICABLE), with every type in the evidence
    (`log_types`). UNKNOWN, naming the denied action, when a listing, a group
    (`logs:DescribeLogStreams`) or the traffic (`cloudwatch:GetMetricData`) cannot be read.
    """
    found: list[Source | Finding] = []
    errors: list[AwsError] = []
    for lister, kind in ((db_clusters, "cluster"), (db_instances, "instance")):
        try:
            items = lister(ctx)
        except AwsError as err:
            errors.append(err)
            continue
        key = "DBClusterIdentifier" if kind == "cluster" else "DBInstanceIdentifier"
        found += [_screen(ctx, raw, kind) for raw in sorted(items, key=lambda r: str(r.get(key)))]
    if errors:
        nouns = {"DescribeDBClusters": "DB clusters", "DescribeDBInstances": "DB instances"}
        what = "could not list " + " or ".join(nouns.get(e.operation, e.operation) for e in errors)
        yield ctx.unknown_from(errors[0], *ctx.region_resource(), what)
    elif not found:
        text = f"no RDS DB instance or DB cluster in {ctx.region}"
        yield ctx.not_applicable(*ctx.region_resource(), text)
    win = window(ctx)
    sources = [s for s in found if isinstance(s, Source)]
    groups = sorted({g for s in sources for g in s.groups.values()})
    read = ctx.map(lambda g: attempt(lambda: newest_stream(ctx, ctx.region, g)), groups)
    arrivals = dict(zip(groups, read, strict=True))
    gated = [
        s
        for s in sources
        if any(t != QUIET and win.stale(arrivals[g]) for t, g in s.groups.items())
    ]
    batch: Traffic | AwsError | None = None
    if gated:
        dims = [s.dimensions for s in gated]
        batch = attempt(
            lambda: traffic(
                ctx,
                ctx.region,
                NAMESPACE,
                METRIC,
                dims,
                win.start,
                win.traffic_end,
                stat="Maximum",
            )
        )
    for item in found:
        yield item if isinstance(item, Finding) else _judge(ctx, item, arrivals, batch, win)
