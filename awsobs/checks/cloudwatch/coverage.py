"""Alarms that will fire and reach someone, per resource: the shared verdict, and API Gateway.

Semantics: controls.md §6.2, §9, §10; tables, functions and instances are in
alarms_services.py. One finding per resource; the message names the
missing metric and what is wrong with the alarms that almost cover it (wrong dimension,
actions disabled, a topic nobody confirmed). Alarms are read once per region and indexed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.apigw.account import GET, stages_of
from awsobs.checks.apigw.readers import Stage, rest_stages, v2_stages
from awsobs.checks.cloudwatch.readers import (
    AlarmIndex,
    Claimed,
    Cover,
    Metric,
    Need,
    alarm_index,
    cover,
    explain,
    nobody,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity
from awsobs.registry import check

ALARM_READS = [
    "cloudwatch:DescribeAlarms",
    "sns:ListSubscriptionsByTopic",
]


@dataclass(frozen=True)
class Want:
    """A metric to alarm on: `needs` are alternatives; `required` False = evidence only."""

    label: str
    needs: tuple[Need, ...]
    required: bool = True


def merge(covers: Sequence[Cover]) -> Cover:
    return Cover(
        tuple(n for c in covers for n in c.covered_by),
        tuple(r for c in covers for r in c.unverified),
        tuple(dict.fromkeys(b for c in covers for b in c.broken)),
        tuple(dict.fromkeys(n for c in covers for n in c.near)),
    )


def coverage_finding(
    ctx: Context,
    index: AlarmIndex,
    resource_type: str,
    resource_id: str,
    name: str,
    wants: Sequence[Want],
    *,
    note: str = "",
    evidence: dict[str, Any] | None = None,
    fix: str | None = None,
    claimed: Claimed = nobody,
) -> Finding:
    """PASS when every required want has an alarm that reaches someone; else FAIL naming
    what is missing, or UNKNOWN when the only candidate alarms cannot be verified.
    `claimed` tells which metrics belong to other known resources (not near misses)."""
    results = {w.label: merge([cover(ctx, index, n, claimed) for n in w.needs]) for w in wants}
    ev = dict(evidence or {})
    ev["alarms"] = {
        label: {
            "covered_by": list(c.covered_by),
            "unverified": [r.reason for r in c.unverified],
            "broken": list(c.broken),
            "near_misses": list(c.near),
        }
        for label, c in results.items()
    }
    missing = [w.label for w in wants if w.required and not results[w.label].ok]
    optional = [w.label for w in wants if not w.required and not results[w.label].ok]
    tail = (f" ({', '.join(optional)}: no alarm)" if optional else "") + note
    if not missing:
        covered = ", ".join(
            f"{w.label} by '{results[w.label].covered_by[0]}'" for w in wants if results[w.label].ok
        )
        return ctx.passed(resource_type, resource_id, f"{name}: {covered}{tail}", evidence=ev)
    if all(results[label].unverified for label in missing):
        first = results[missing[0]].unverified[0]
        if first.error is not None:
            return ctx.unknown_from(
                first.error, resource_type, resource_id, f"{name}: {first.reason}", evidence=ev
            )
        return ctx.unknown(resource_type, resource_id, f"{name}: {first.reason}", evidence=ev)
    text = "; ".join(explain(results[label], label) for label in missing)
    lacking = next(w for w in wants if w.label == missing[0])
    remedy = _want_fix(lacking) or fix
    if all(results[label].broken for label in missing):
        remedy = (
            "Make the alarms named above reach someone (aws cloudwatch enable-alarm-actions "
            "--alarm-names <alarm>, or point their --alarm-actions at a topic with a confirmed "
            "subscription)"
        )
    return ctx.failed(
        resource_type, resource_id, f"{name}: {text}{tail}", evidence=ev, remediation=remedy
    )


def _want_fix(want: Want) -> str | None:
    """put-metric-alarm for the want's first metric, when its dimensions are plain values."""
    need = want.needs[0]
    dims = need.dims[0] if need.dims else {}
    if any(not isinstance(v, str) for v in dims.values()):
        return None
    return alarm_fix(
        need.namespace, need.names[0], " ".join(f"Name={k},Value='{v}'" for k, v in dims.items())
    )


def index_or_error(ctx: Context) -> AlarmIndex | AwsError:
    assert ctx.region is not None
    try:
        return alarm_index(ctx, ctx.region)
    except AwsError as err:
        return err


def alarm_fix(namespace: str, metric: str, dims: str) -> str:
    dimensions = f"--dimensions {dims} " if dims else ""
    return (
        f"aws cloudwatch put-metric-alarm --alarm-name <name> --namespace {namespace} "
        f"--metric-name {metric} {dimensions}--statistic Sum --period 300 "
        "--evaluation-periods 1 --threshold 1 --comparison-operator "
        "GreaterThanOrEqualToThreshold --alarm-actions <sns-topic-arn>"
    )


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
    assert ctx.region is not None
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


def _stage_error_alarms(
    ctx: Context, kind: str, lister: Any, metrics: tuple[str, str]
) -> Iterator[Finding]:
    """One finding per stage of `kind`: `metrics` (5xx, 4xx) on the stage or the whole API.
    REST metrics are keyed by API name, HTTP ones by API id."""
    key = "ApiName" if kind == "REST" else "ApiId"
    five, four = metrics
    other = ("5xx", "4xx") if kind == "REST" else ("5XXError", "4XXError")  # the other type's
    for item in _stages_with_alarms(ctx, {kind}, f"{kind} APIs", lister, key):
        if isinstance(item, Finding):
            yield item
            continue
        stage, index, claimed = item
        api = stage.api_name if kind == "REST" else stage.api_id
        dims = ({key: api, "Stage": stage.name}, {key: api})
        wants = [
            Want(five, (Need("AWS/ApiGateway", (five,), dims, (other[0],)),)),
            Want(four, (Need("AWS/ApiGateway", (four,), dims, (other[1],)),), required=False),
        ]
        yield coverage_finding(
            ctx,
            index,
            stage.resource_type,
            stage.arn,
            stage.label,
            wants,
            note=_THROTTLE_NOTE if kind == "REST" else "",
            evidence=stage.evidence(),
            claimed=claimed,
        )


@check(
    id="apigw.rest.error_alarms",
    title="REST API stages have a 5XXError alarm that reaches someone",
    severity=Severity.MEDIUM,
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
