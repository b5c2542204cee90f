"""CloudWatch Logs retention: groups that never expire, audit groups kept too briefly, and
Lambda functions whose logs pile up forever.

Semantics: controls.md §7 and §10 (`lambda.log_retention`). All three checks read the
region's log groups with one `DescribeLogGroups` (no parameters, paginated by the gateway,
memoized for the scan). A missing `retentionInDays` means "never expire": that is a cost
FAIL for `logs.retention_defined` but a PASS for `logs.retention_minimum`, which asks only
whether audit data is kept long enough (as Security Hub CloudWatch.16 and AWS Config
`cw-loggroup-retention-period-check` judge it).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import region_listing
from awsobs.checks.apigw.account import GET
from awsobs.checks.apigw.readers import StageListing, rest_stages, v2_stages
from awsobs.checks.cloudtrail.readers import all_trails
from awsobs.context import Context
from awsobs.model import Finding, Severity
from awsobs.registry import check
from awsobs.units import human_bytes

LOG_GROUP = "AWS::Logs::LogGroup"
FUNCTION = "AWS::Lambda::Function"
DESCRIBE_LOG_GROUPS = "logs:DescribeLogGroups"
# Values PutRetentionPolicy accepts (days).
RETENTION_VALUES = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                    1827, 2192, 2557, 2922, 3288, 3653)  # fmt: skip
_LOG_GROUP_ARN = re.compile(r"^arn:[^:]+:logs:([^:]+):(\d+):log-group:(.+?)(:\*)?$")


@dataclass(frozen=True)
class LogGroup:
    """One log group as DescribeLogGroups describes it."""

    name: str
    arn: str
    retention_days: int | None  # None: never expire
    stored_bytes: int

    def evidence(self) -> dict[str, Any]:
        return {
            "log_group": self.name,
            "retention_days": self.retention_days,
            "storedBytes": self.stored_bytes,
        }


def log_groups(ctx: Context) -> dict[str, LogGroup]:
    """The region's log groups by name (raises `AwsError`)."""
    found: dict[str, LogGroup] = {}
    for raw in ctx.call("logs", "DescribeLogGroups").get("logGroups", ()):
        name = str(raw["logGroupName"])
        arn = str(raw.get("logGroupArn") or str(raw.get("arn") or "").removesuffix(":*"))
        retention = raw.get("retentionInDays")
        found[name] = LogGroup(
            name=name,
            arn=arn or f"arn:{ctx.partition}:logs:{ctx.region}:{ctx.account_id}:log-group:{name}",
            retention_days=int(retention) if retention else None,
            stored_bytes=int(raw.get("storedBytes") or 0),
        )
    return found


def retention_fix(name: str, days: int | str = "<days>") -> str:
    return (
        f"aws logs put-retention-policy --log-group-name {shlex.quote(name)} "
        f"--retention-in-days {days}"
    )


def _groups_or_gap(ctx: Context) -> tuple[dict[str, LogGroup], Finding | None]:
    try:
        groups = log_groups(ctx)
    except AwsError as err:
        return {}, ctx.unknown_from(err, *ctx.region_resource(), "could not list log groups")
    if not groups:
        return {}, ctx.not_applicable(*ctx.region_resource(), f"no log groups in {ctx.region}")
    return groups, None


@check(
    id="logs.retention_defined",
    title="Log groups expire their data",
    severity=Severity.LOW,
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


@dataclass(frozen=True)
class AuditSources:
    """Log groups of this region that receive audit data, and the sources not readable."""

    feeds: Mapping[str, tuple[str, ...]]  # log group name -> what writes to it
    errors: tuple[tuple[str, str, str, AwsError], ...]  # (what, resource type, id, error)


def _local_group(ctx: Context, arn: str | None) -> str | None:
    """The group name of a log group ARN that lives in this account and region."""
    m = _LOG_GROUP_ARN.match(arn or "")
    if not m or m.group(1) != ctx.region or m.group(2) != ctx.account_id:
        return None
    return m.group(3)


def audit_sources(ctx: Context) -> AuditSources:
    """CloudTrail, VPC Flow Logs and API Gateway access-log destinations in this region."""
    feeds: dict[str, list[str]] = {}
    errors: list[tuple[str, str, str, AwsError]] = []
    region_type, region_id = ctx.region_resource()

    def add(group: str | None, label: str) -> None:
        if group:
            feeds.setdefault(group, []).append(label)

    listing = all_trails(ctx)
    if listing.errors:  # a trail of any region may write to a group here: open, not "none"
        where, trail_error = sorted(listing.errors.items())[0]
        errors.append((f"CloudTrail trails in {where}", region_type, region_id, trail_error))
    for trail in listing.trails:  # a trail of any region may deliver here: judged here
        add(_local_group(ctx, trail.log_group_arn), f"CloudTrail {trail.label}")

    try:
        flow_logs = ctx.call("ec2", "DescribeFlowLogs").get("FlowLogs", ())
    except AwsError as err:
        errors.append(("VPC flow logs", region_type, region_id, err))
        flow_logs = ()
    for fl in flow_logs:
        if fl.get("LogDestinationType", "cloud-watch-logs") != "cloud-watch-logs":
            continue
        group = fl.get("LogGroupName") or _local_group(ctx, fl.get("LogDestination"))
        add(group, f"flow log {fl.get('FlowLogId')} of {fl.get('ResourceId')}")

    for noun, lister in (("REST APIs", rest_stages), ("HTTP and WebSocket APIs", v2_stages)):
        try:
            stages: StageListing = lister(ctx, str(ctx.region))
        except AwsError as err:
            errors.append((noun, region_type, region_id, err))
            continue
        for failed in stages.failed:
            api_type = (
                "AWS::ApiGateway::RestApi" if failed.kind == "REST" else "AWS::ApiGatewayV2::Api"
            )
            errors.append(
                (f"the stages of API '{failed.name}'", api_type, failed.arn, failed.error)
            )
        for stage in stages.stages:
            add(_local_group(ctx, stage.access_log["destination"]), f"access logs of {stage.label}")
    return AuditSources({k: tuple(v) for k, v in feeds.items()}, tuple(errors))


def _at_least(days: int) -> int:
    """The smallest retention PutRetentionPolicy accepts that is >= days."""
    return next((v for v in RETENTION_VALUES if v >= days), RETENTION_VALUES[-1])


@check(
    id="logs.retention_minimum",
    title="Log groups that receive audit data keep it long enough",
    severity=Severity.MEDIUM,
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
                remediation=retention_fix(name, _at_least(threshold)),
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


@check(
    id="lambda.log_retention",
    title="Lambda functions log to a group that expires its data",
    severity=Severity.LOW,
    permissions=["lambda:ListFunctions", DESCRIBE_LOG_GROUPS],
    remediation="aws logs put-retention-policy --log-group-name /aws/lambda/<function> "
    "--retention-in-days <days>",
)
def log_retention(ctx: Context) -> Iterator[Finding]:
    """One finding per function. Its log group is `LoggingConfig.LogGroup` when set (a
    custom group, possibly shared by several functions: the evidence lists them), else
    `/aws/lambda/<name>`. PASS when that group exists with a retention. FAIL when it exists
    with none (never expire; evidence `storedBytes`), and FAIL when it does not exist yet:
    Lambda creates it on the first invocation with no retention, so its logs would never
    expire; create it beforehand with a retention.
    """
    functions, gap = region_listing(ctx, "lambda", "ListFunctions", "Functions", "Lambda functions")
    if gap is not None:
        yield gap
        return
    try:
        groups = log_groups(ctx)
    except AwsError as err:
        yield ctx.unknown_from(
            err, *ctx.region_resource(), "could not list log groups to find the functions' logs"
        )
        return
    target: dict[str, str] = {}
    custom: set[str] = set()
    for fn in functions:
        name = str(fn["FunctionName"])
        default = f"/aws/lambda/{name}"
        # AWS reports LoggingConfig.LogGroup for every function, the default one included.
        target[name] = str((fn.get("LoggingConfig") or {}).get("LogGroup") or default)
        if target[name] != default:
            custom.add(name)
    arns = {str(fn["FunctionName"]): str(fn["FunctionArn"]) for fn in functions}
    for name in sorted(target):
        group_name = target[name]
        shared = sorted(n for n, g in target.items() if g == group_name and n != name)
        evidence: dict[str, Any] = {
            "function": name,
            "log_group": group_name,
            "log_group_kind": "custom" if name in custom else "default",
            "shared_with": shared,
        }
        kind = "custom log group" if name in custom else "log group"
        if shared:
            kind = f"shared {kind}"
        g = groups.get(group_name)
        q = shlex.quote(group_name)
        if g is None:
            evidence.update(retention_days=None, storedBytes=None, exists=False)
            yield ctx.failed(
                FUNCTION,
                arns[name],
                f"function '{name}' has no {kind} '{group_name}' yet: Lambda creates it on "
                "the first invocation with no retention, so its logs would never expire",
                evidence=evidence,
                remediation=f"aws logs create-log-group --log-group-name {q} && "
                + retention_fix(group_name),
            )
            continue
        evidence.update(g.evidence(), exists=True)
        if g.retention_days is None:
            yield ctx.failed(
                FUNCTION,
                arns[name],
                f"function '{name}' logs to {kind} '{group_name}', which never expires its "
                f"data ({human_bytes(g.stored_bytes)} stored)",
                evidence=evidence,
                remediation=retention_fix(group_name),
            )
        else:
            yield ctx.passed(
                FUNCTION,
                arns[name],
                f"function '{name}' logs to {kind} '{group_name}', which expires data after "
                f"{g.retention_days} days",
                evidence=evidence,
            )
