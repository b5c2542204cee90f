"""API Gateway: 5XX (REST) and 5xx (HTTP) alarms per stage that fire and reach someone,
and, as their own low-severity checks, 4XX (REST) and 4xx (HTTP) client-error alarms.

Semantics: controls.md §6.2; the verdict is CloudWatch's (cloudwatch/coverage.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.apigw.readers import GET, Stage, rest_stages, v2_stages
from awsobs.checks.apigw.verdicts import stages_of
from awsobs.checks.cloudwatch.coverage import (
    ALARM_READS,
    Want,
    alarm_fix,
    coverage_finding,
    index_or_error,
)
from awsobs.checks.cloudwatch.readers import (
    AlarmIndex,
    Claimed,
    Metric,
    Need,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


def _stages_with_alarms(
    ctx: Context, kinds: set[str], noun: str, lister: Any, key: str
) -> Iterator[Finding | tuple[Stage, AlarmIndex, Claimed]]:
    """Stages of `kinds` with the alarm index, and per stage a `claimed` test: a metric
    whose `key` dimension (ApiName or ApiId) and Stage name any stage of the region, or
    that names another stage of the same API."""
    stages, gaps = stages_of(ctx, kinds, noun, lister)
    yield from gaps
    if not stages:
        return
    index = index_or_error(ctx)
    ident = "api_name" if key == "ApiName" else "api_id"
    # Every API of the listing (WebSocket ones too): an alarm on another API is not a
    # near miss for this one. The listing is memoized, so this costs no request.
    everything = lister(ctx, ctx.region).stages
    known = {(getattr(s, ident), s.name) for s in everything}
    apis = {api for api, _ in known}

    def claimed(m: Metric) -> bool:
        stage = m.dim("Stage")
        return (m.dim(key), stage) in known if stage else m.dim(key) in apis

    other_key = "ApiId" if key == "ApiName" else "ApiName"  # what this API type lacks

    def claimed_beside(this: Stage) -> Claimed:
        """Also: a metric keyed the other API type's way (REST has no ApiId dimension,
        HTTP no ApiName) is a near miss only of the API it names, and only of its stage."""
        siblings = {s.name for s in everything if s.api_id == this.api_id} - {this.name}
        ids = {this.api_id, this.api_name}

        def test(m: Metric) -> bool:
            if m.dim(key) is None and m.dim(other_key) is not None:
                return m.dim(other_key) not in ids or m.dim("Stage") in siblings
            return claimed(m)

        return test

    for stage in stages:
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, stage.resource_type, stage.arn, "could not read alarms")
        else:
            yield stage, index, claimed_beside(stage)


_THROTTLE_NOTE = " (throttled requests count as 429s in 4XXError; there is no throttle metric)"
_CLIENT_NOTE = (
    " (a spike of 4XX is how broken clients, failing authorizers and removed resources show up)"
)
# Each metric's name in the other API type: an alarm on it is a misnamed near miss.
_OTHER_NAME = {"5XXError": "5xx", "4XXError": "4xx", "5xx": "5XXError", "4xx": "4XXError"}

Dims = tuple[dict[str, str], dict[str, str]]


def _need(metric: str, dims: Dims) -> Need:
    """`metric` on the stage or the whole API (`dims`)."""
    return Need("AWS/ApiGateway", (metric,), dims, (_OTHER_NAME[metric],))


def _stage_alarms(
    ctx: Context, kind: str, lister: Any, wants: Callable[[Dims], list[Want]], note: str
) -> Iterator[Finding]:
    """One finding per stage of `kind`: the `wants` of its dimensions (the stage's, or
    the whole API's). REST metrics are keyed by API name, HTTP ones by API id."""
    key = "ApiName" if kind == "REST" else "ApiId"
    for item in _stages_with_alarms(ctx, {kind}, f"{kind} APIs", lister, key):
        if isinstance(item, Finding):
            yield item
            continue
        stage, index, claimed = item
        api = stage.api_name if kind == "REST" else stage.api_id
        dims = ({key: api, "Stage": stage.name}, {key: api})
        yield coverage_finding(
            ctx,
            index,
            stage.resource_type,
            stage.arn,
            stage.label,
            wants(dims),
            note=note,
            evidence=stage.evidence(),
            claimed=claimed,
        )


def _stage_error_alarms(
    ctx: Context, kind: str, lister: Any, metrics: tuple[str, str]
) -> Iterator[Finding]:
    """`metrics` (5xx required, 4xx reported) per stage of `kind`."""
    five, four = metrics

    def wants(dims: Dims) -> list[Want]:
        return [
            Want(five, (_need(five, dims),)),
            Want(four, (_need(four, dims),), required=False),
        ]

    yield from _stage_alarms(ctx, kind, lister, wants, _THROTTLE_NOTE if kind == "REST" else "")


def _stage_client_alarms(ctx: Context, kind: str, lister: Any, four: str) -> Iterator[Finding]:
    """`four` (4XXError or 4xx) required per stage of `kind`, matched stage by stage exactly
    like the 5XX checks."""

    def wants(dims: Dims) -> list[Want]:
        return [Want(four, (_need(four, dims),))]

    note = _THROTTLE_NOTE if kind == "REST" else _CLIENT_NOTE
    yield from _stage_alarms(ctx, kind, lister, wants, note)


@check(
    id="apigw.rest.error_alarms",
    title="REST API stages have a 5XXError alarm that reaches someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::ApiGateway::Stage",),
    permissions=[GET, *ALARM_READS],
    remediation=alarm_fix(
        "AWS/ApiGateway", "5XXError", "Name=ApiName,Value=<api> Name=Stage,Value=<stage>"
    ),
)
def rest_error_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per REST stage. PASS when an alarm on `AWS/ApiGateway` `5XXError` with
    the dimensions `ApiName` + `Stage` of this stage (or `ApiName` alone, the API-wide
    metric) has actions enabled and a valid alarm action. `4XXError` is reported in the
    evidence and message, not required; throttled requests show up there as 429s (API
    Gateway has no throttle metric). REST metrics are keyed by API *name*, not id.
    """
    yield from _stage_error_alarms(ctx, "REST", rest_stages, ("5XXError", "4XXError"))


@check(
    id="apigw.v2.error_alarms",
    title="HTTP API stages have a 5xx alarm that reaches someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::ApiGatewayV2::Stage",),
    permissions=[GET, *ALARM_READS],
    remediation=alarm_fix(
        "AWS/ApiGateway", "5xx", "Name=ApiId,Value=<api-id> Name=Stage,Value=<stage>"
    ),
)
def v2_error_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per HTTP API stage. PASS when an alarm on `AWS/ApiGateway` `5xx`
    (lower case, unlike REST) with `ApiId` + `Stage` (or `ApiId` alone) has actions
    enabled and a valid alarm action; `4xx` is reported in the evidence, not required.
    HTTP metrics are keyed by API *id*. WebSocket stages are not judged here.
    """
    yield from _stage_error_alarms(ctx, "HTTP", v2_stages, ("5xx", "4xx"))


@check(
    id="apigw.rest.client_error_alarms",
    title="REST API stages have a 4XXError alarm that reaches someone",
    severity=Severity.LOW,
    signal=Signal.ALARMS,
    resource_types=("AWS::ApiGateway::Stage",),
    permissions=[GET, *ALARM_READS],
    remediation=alarm_fix(
        "AWS/ApiGateway", "4XXError", "Name=ApiName,Value=<api> Name=Stage,Value=<stage>"
    ),
)
def rest_client_error_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per REST stage. PASS when an alarm on `AWS/ApiGateway` `4XXError` with
    the dimensions `ApiName` + `Stage` of this stage (or `ApiName` alone, the API-wide
    metric) has actions enabled and an alarm action that reaches someone; FAIL otherwise,
    naming the near misses (another dimension set, the HTTP name `4xx`, actions disabled,
    a topic nobody confirmed). CloudWatch's recommended alarms list `4XXError` (ApiName,
    Stage) for "a high rate of client-side errors": broken clients, failing authorizers,
    removed resources; throttled requests count there too, as 429s. UNKNOWN when the
    stages or the alarms cannot be read or the only alarm's topic cannot be checked;
    NOT_APPLICABLE when the region has no REST API. REST metrics are keyed by API *name*.
    """
    yield from _stage_client_alarms(ctx, "REST", rest_stages, "4XXError")


@check(
    id="apigw.v2.client_error_alarms",
    title="HTTP API stages have a 4xx alarm that reaches someone",
    severity=Severity.LOW,
    signal=Signal.ALARMS,
    resource_types=("AWS::ApiGatewayV2::Stage",),
    permissions=[GET, *ALARM_READS],
    remediation=alarm_fix(
        "AWS/ApiGateway", "4xx", "Name=ApiId,Value=<api-id> Name=Stage,Value=<stage>"
    ),
)
def v2_client_error_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per HTTP API stage. PASS when an alarm on `AWS/ApiGateway` `4xx` (lower
    case, unlike REST's `4XXError`) with `ApiId` + `Stage` (or `ApiId` alone) has actions
    enabled and an alarm action that reaches someone; FAIL otherwise, naming the near
    misses. UNKNOWN when the stages or alarms cannot be read; NOT_APPLICABLE when the
    region has no HTTP API. HTTP metrics are keyed by API *id*; WebSocket stages are not
    judged here.
    """
    yield from _stage_client_alarms(ctx, "HTTP", v2_stages, "4xx")
