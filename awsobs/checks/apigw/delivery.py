"""API Gateway: do the stages' access logs actually arrive in their log group? (issue 20)

The companion of `apigw.rest.access_logging` and `apigw.v2.access_logging`
(docs/design.md, "Delivery checks"): a stage those checks pass, logging to a CloudWatch
Logs group, is judged on when the group last ingested data, gated on whether the stage
served requests. Reads, beside the stage listing and the configuration check's own
(memoized, so free in a full scan): one DescribeLogStreams per distinct log group, and,
only for stale groups, one GetMetricData per region for the stages' AWS/ApiGateway
request counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import (
    DESCRIBE_LOG_STREAMS,
    GET_METRIC_DATA,
    Arrival,
    Served,
    Traffic,
    attempt,
    newest_stream,
    served,
    traffic,
    verdict,
    window,
)
from awsobs.checks._shared import LOG_GROUP_ARN
from awsobs.checks.apigw.readers import (
    API,
    API_V2,
    GET,
    STAGE,
    STAGE_V2,
    Stage,
    logs_to_cloudwatch,
    rest_stages,
    v2_stages,
)
from awsobs.checks.apigw.verdicts import access_logging
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal, Status
from awsobs.registry import check

NAMESPACE = "AWS/ApiGateway"
WS_METRICS = ("ConnectCount", "MessageCount")
CAUSES = (
    "the account's CloudWatch role (REST, WebSocket) lost logs:PutLogEvents or no longer "
    "trusts apigateway.amazonaws.com; the log group's KMS key no longer lets CloudWatch "
    "Logs use it; the stage was redeployed with another access log destination or format; "
    "a deny in an SCP or permissions boundary"
)
Group = tuple[str, str]  # (region, log group name)


def _config_check(stage: Stage) -> str:
    return "apigw.rest.access_logging" if stage.kind == "REST" else "apigw.v2.access_logging"


def _dimensions(stage: Stage) -> dict[str, str]:
    """The dimensions API Gateway publishes the stage's request metrics under."""
    if stage.kind == "REST":
        return {"ApiName": stage.api_name, "Stage": stage.name}
    return {"ApiId": stage.api_id, "Stage": stage.name}


def _stages(ctx: Context) -> tuple[list[Stage], list[Finding]]:
    """The region's REST, HTTP and WebSocket stages, and the findings standing for what
    could not be listed (one region finding, so the region has one, not one per API kind)."""
    stages: list[Stage] = []
    gaps: list[Finding] = []
    errors: list[AwsError] = []
    for lister in (rest_stages, v2_stages):
        try:
            listing = lister(ctx, ctx.region)
        except AwsError as err:
            errors.append(err)
            continue
        stages.extend(listing.stages)
        for f in listing.failed:
            rtype = API if f.kind == "REST" else API_V2
            what = f"could not read the stages of API '{f.name}'"
            gaps.append(ctx.unknown_from(f.error, rtype, f.arn, what))
    if errors:
        what = "could not list the region's API Gateway APIs"
        gaps.insert(0, ctx.unknown_from(errors[0], *ctx.region_resource(), what))
    elif not stages and not gaps:
        gaps.append(ctx.not_applicable(*ctx.region_resource(), f"no API stages in {ctx.region}"))
    return stages, gaps


def _screen(ctx: Context, stage: Stage) -> Group | Finding:
    """The (region, group) a stage delivers to, or the finding when it is not judged:
    NOT_APPLICABLE where its configuration check would not pass or the destination is not
    a log group, UNKNOWN where that check cannot tell."""
    dest = stage.access_log["destination"]
    evidence: dict[str, Any] = {**stage.evidence(), "destination_arn": dest}
    rtype, config = stage.resource_type, _config_check(stage)
    if not dest or not stage.access_log["format"]:
        text = f"{stage.label} has no access logs configured: see {config}"
        return ctx.not_applicable(rtype, stage.arn, text, evidence=evidence)
    match = LOG_GROUP_ARN.match(dest)
    if not logs_to_cloudwatch(dest) or match is None:
        text = (
            f"{stage.label} sends access logs to {dest}, not to a CloudWatch Logs group: "
            "their delivery is not read"
        )
        return ctx.not_applicable(rtype, stage.arn, text, evidence=evidence)
    configured = access_logging(ctx, stage, "")
    if configured.status is Status.UNKNOWN:
        text = f"whether {stage.label} is set up to deliver access logs is unknown: "
        return ctx.unknown(
            rtype, stage.arn, text + configured.message, evidence=configured.evidence
        )
    if configured.status is not Status.PASS:
        text = f"{stage.label} is not set up to deliver access logs (see {config}): "
        return ctx.not_applicable(rtype, stage.arn, text + configured.message, evidence=evidence)
    return match.group(1), match.group(3)


def _served(batch: Traffic | AwsError, stage: Stage) -> Served | AwsError:
    """The stage's requests (WebSocket: connections and messages) in the batch."""
    ws = stage.kind == "WEBSOCKET"
    got = served(batch, _dimensions(stage), "connections and messages" if ws else "requests")
    if isinstance(got, AwsError):
        return got
    metric = "+".join(WS_METRICS) if ws else "Count"
    return replace(got, evidence={**got.evidence, "metric": metric})


@check(
    id="apigw.access_logs_delivered",
    title="API stages' access logs arrive in their log group",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=(STAGE, STAGE_V2),
    permissions=[
        GET,
        "logs:DescribeLogGroups",
        "iam:GetRole",
        DESCRIBE_LOG_STREAMS,
        GET_METRIC_DATA,
    ],
    options={"max_age_hours": 24},
    remediation="Check the account's CloudWatch role (aws apigateway get-account) and the "
    "log group's KMS key, then send a request and look for it in the group",
)
def access_logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per REST, HTTP or WebSocket stage, resource id the stage ARN (the
    companion of `apigw.rest.access_logging` / `apigw.v2.access_logging`).

    Judged: a stage whose configuration check passes and whose access logs go to a
    CloudWatch Logs group. Its group's newest stream (DescribeLogStreams, newest first,
    one item; once per group, however many stages share it) gives when data last arrived.
    PASS when that is within `max_age_hours` (default 24). Otherwise the stage's traffic
    over the window, up to 15 minutes before now (API Gateway delivers within minutes), is
    read: AWS/ApiGateway `Count` by `ApiName` and `Stage` (REST) or `ApiId` and `Stage`
    (HTTP), `ConnectCount` + `MessageCount` by `ApiId` and `Stage` (WebSocket), one
    GetMetricData per region. FAIL when it served any: the message names the last
    delivery ("last delivery 9 days ago") and the usual causes. NOT_APPLICABLE when it
    served none (nothing to deliver). A group shared by several stages gives the group's
    freshness (the evidence lists the sharers): a stage FAILs only on its own traffic.

    NOT_APPLICABLE, saying so: no access logs configured, a Firehose destination (not
    read), or a configuration the configuration check does not pass. UNKNOWN, naming the
    denied action, when a stage listing, the configuration check's reads, the group or
    the traffic cannot be read.
    """
    stages, gaps = _stages(ctx)
    yield from gaps
    win = window(ctx)
    screened = {s.arn: _screen(ctx, s) for s in stages}
    users: dict[Group, list[Stage]] = {}
    for stage in stages:
        target = screened[stage.arn]
        if isinstance(target, tuple):
            users.setdefault(target, []).append(stage)
    groups = sorted(users)
    read = ctx.map(lambda g: attempt(lambda: newest_stream(ctx, g[0], g[1])), groups)
    arrivals: dict[Group, Arrival | AwsError] = dict(zip(groups, read, strict=True))
    stale = [s for g, sharers in users.items() if win.stale(arrivals[g]) for s in sharers]
    batch: Traffic | AwsError | None = None
    if stale:
        ws = any(s.kind == "WEBSOCKET" for s in stale)
        metrics = ("Count", *WS_METRICS) if ws else ("Count",)
        dims = [_dimensions(s) for s in stale]
        batch = attempt(
            lambda: traffic(ctx, ctx.region, NAMESPACE, metrics, dims, win.start, win.traffic_end)
        )
    for stage in stages:
        target = screened[stage.arn]
        if isinstance(target, Finding):
            yield target
            continue
        arrival = arrivals[target]
        sharers = [s.label for s in users[target] if s is not stage]
        where = f"log group {target[1]}"
        if sharers:
            where += f" (shared with {len(sharers)} other stage{'s' if len(sharers) > 1 else ''})"
        yield verdict(
            ctx,
            stage.resource_type,
            stage.arn,
            label=stage.label,
            destination=where,
            arrival=arrival,
            win=win,
            traffic=_served(batch, stage) if batch is not None else None,
            causes=CAUSES,
            evidence={**stage.evidence(), "shared_with": sharers},
        )
