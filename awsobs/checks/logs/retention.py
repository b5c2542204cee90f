"""CloudWatch Logs retention: groups that never expire, and audit groups kept too briefly
(Lambda functions whose logs pile up forever: lambda_/log_retention.py).

Semantics: controls.md §7 and §10 (`lambda.log_retention`). All three checks read the
region's log groups with one `DescribeLogGroups` (no parameters, paginated by the gateway,
memoized for the scan). A missing `retentionInDays` means "never expire": that is a cost
FAIL for `logs.retention_defined` but a PASS for `logs.retention_minimum`, which asks only
whether audit data is kept long enough (as Security Hub CloudWatch.16 and AWS Config
`cw-loggroup-retention-period-check` judge it).
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.checks.apigw.readers import GET
from awsobs.checks.logs.readers import (
    DESCRIBE_LOG_GROUPS,
    LOG_GROUP,
    LogGroup,
    audit_sources,
    log_groups,
    retention_at_least,
    retention_fix,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check
from awsobs.units import human_bytes


def _groups_or_gap(ctx: Context) -> tuple[dict[str, LogGroup], Finding | None]:
    found, gap = ctx.listing("log groups", lambda: log_groups(ctx).values())
    return {g.name: g for g in found}, gap


@check(
    id="logs.retention_defined",
    title="Log groups expire their data",
    severity=Severity.LOW,
    signal=Signal.CONFIG,
    resource_types=("AWS::Logs::LogGroup",),
    permissions=[DESCRIBE_LOG_GROUPS],
    remediation="aws logs put-retention-policy --log-group-name <group> --retention-in-days <days>",
)
def retention_defined(ctx: Context) -> Iterator[Finding]:
    """One finding per log group. PASS when `retentionInDays` is set (any value); FAIL when
    it is absent: the group never expires its data, so it grows and is billed forever. The
    message gives the stored size and the evidence `storedBytes`; FAIL findings come out
    largest first (the scan report re-sorts findings by resource). This is a cost control,
    so its verdict on never-expire groups is the opposite of `logs.retention_minimum`.
    """
    groups, gap = _groups_or_gap(ctx)
    if gap is not None:
        yield gap
        return
    forever = sorted(
        (g for g in groups.values() if g.retention_days is None),
        key=lambda g: (-g.stored_bytes, g.name),
    )
    for g in forever:
        yield ctx.failed(
            LOG_GROUP,
            g.arn,
            f"log group '{g.name}' never expires its data ({human_bytes(g.stored_bytes)} "
            "stored): it grows and is billed forever",
            evidence=g.evidence(),
            remediation=retention_fix(g.name),
        )
    for g in sorted(groups.values(), key=lambda g: g.name):
        if g.retention_days is not None:
            yield ctx.passed(
                LOG_GROUP,
                g.arn,
                f"log group '{g.name}' expires data after {g.retention_days} days",
                evidence=g.evidence(),
            )


# -- audit destinations ----------------------------------------------------------------------


@check(
    id="logs.retention_minimum",
    title="Log groups that receive audit data keep it long enough",
    severity=Severity.MEDIUM,
    signal=Signal.CONFIG,
    resource_types=("AWS::Logs::LogGroup",),
    permissions=[DESCRIBE_LOG_GROUPS, "cloudtrail:DescribeTrails", "ec2:DescribeFlowLogs", GET],
    remediation="aws logs put-retention-policy --log-group-name <group> --retention-in-days 365",
    options={"min_retention_days": 365},
)
def retention_minimum(ctx: Context) -> Iterator[Finding]:
    """One finding per log group that receives audit data: a trail's CloudWatch Logs group
    (trails of any region; each group is judged in its own region), a VPC flow log's group,
    or a REST/HTTP/WebSocket stage's access-log group. PASS when the group never expires
    (it keeps everything) or keeps data at least `min_retention_days` (default 365, as
    Security Hub CloudWatch.16); FAIL below that, naming what feeds the group. Other groups
    get no finding, nor do destinations that do not exist (delivery checks cover those).
    A source that cannot be read is UNKNOWN; groups known from the others are still judged.
    """
    threshold = int(ctx.option("min_retention_days"))
    groups, gap = _groups_or_gap(ctx)
    if gap is not None:
        yield gap
        return
    sources = audit_sources(ctx)
    for what, rtype, rid, err in sources.errors:
        yield ctx.unknown_from(
            err, rtype, rid, f"could not read {what}, so the log groups they write to are unknown"
        )
    audited = sorted(name for name in sources.feeds if name in groups)
    for name in audited:
        g = groups[name]
        feeds = sources.feeds[name]
        fed = "; ".join(feeds)
        evidence = {**g.evidence(), "min_retention_days": threshold, "audit_sources": list(feeds)}
        if g.retention_days is None:
            yield ctx.passed(
                LOG_GROUP,
                g.arn,
                f"log group '{name}' never expires its data, so it keeps the audit data "
                f"of {fed} forever",
                evidence=evidence,
            )
        elif g.retention_days >= threshold:
            yield ctx.passed(
                LOG_GROUP,
                g.arn,
                f"log group '{name}' keeps the audit data of {fed} for {g.retention_days} "
                f"days (minimum {threshold})",
                evidence=evidence,
            )
        else:
            yield ctx.failed(
                LOG_GROUP,
                g.arn,
                f"log group '{name}' keeps the audit data of {fed} for only "
                f"{g.retention_days} days, less than the {threshold}-day minimum",
                evidence=evidence,
                remediation=retention_fix(name, retention_at_least(threshold)),
            )
    if not audited and not sources.errors:
        missing = sorted(name for name in sources.feeds if name not in groups)
        yield ctx.not_applicable(
            *ctx.region_resource(),
            f"no log group in {ctx.region} receives CloudTrail, VPC flow log or API Gateway "
            "access-log data",
            evidence={"missing_destinations": missing},
        )


# -- Lambda ----------------------------------------------------------------------------------
