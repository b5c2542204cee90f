"""Load balancer access logs delivered: did the files `elb.access_logs` sets up arrive?

`elb.access_logs` proves that access logs are on and point at an existing bucket of the
load balancer's region; a bucket policy replaced since, default encryption with a KMS key
(ELB writes access logs only with SSE-S3) or a wrong prefix leaves that PASS standing
while nothing arrives. This companion looks for the newest access-log file.

ELB writes a load balancer's files under `[prefix/]AWSLogs/<account>/elasticloadbalancing/
<region>/yyyy/mm/dd/`, named `<account>_elasticloadbalancing_<region>_<id>_<end time>_...`
(`<id>`: `app.<name>.<hex id>`, `net.<...>`, or a Classic Load Balancer's name), every 5
minutes per node (a Classic Load Balancer every 5 or 60, its `EmitInterval`), and only
while it serves requests. So: one ListObjectsV2 (keys only, first page) of today's (UTC)
directory with the file token as prefix, after the window's start; the previous day's
only when today's is empty and the window began before midnight (`newest_key_by_day`).
A stale destination is judged by the load balancer's traffic (one GetMetricData per
namespace): AWS/ApplicationELB `RequestCount`, AWS/NetworkELB `NewFlowCount_TLS` (only TLS
connections are logged), AWS/ELB `RequestCount`.

The configuration reads are `elb.access_logs`' own (memoized, so together they cost
nothing more).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import (
    GET_METRIC_DATA,
    LIST_BUCKET,
    Arrival,
    Window,
    attempt,
    newest_key_by_day,
    served,
    traffic,
    verdict,
    window,
)
from awsobs.checks.elb.readers import (
    APPLICATION,
    CLASSIC,
    DESCRIBE_ATTRIBUTES,
    DESCRIBE_LBS,
    DESCRIBE_LISTENERS,
    GET_BUCKET_LOCATION,
    NETWORK,
    LoadBalancer,
    LogConfig,
    bucket_state,
    classic_access_log,
    classic_load_balancers,
    listener_protocols,
    log_day_prefix,
    log_file_token,
    metric_id,
    v2_attributes,
    v2_load_balancers,
    v2_log_config,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

CONFIG_CHECK = "elb.access_logs"
# (namespace, metric, noun) of the traffic that must have left a file
_TRAFFIC = {
    APPLICATION: ("AWS/ApplicationELB", "RequestCount", "requests"),
    NETWORK: ("AWS/NetworkELB", "NewFlowCount_TLS", "TLS connections"),
    CLASSIC: ("AWS/ELB", "RequestCount", "requests"),
}
# ELB's delivery delay: 5-minute files (ALB, NLB); a Classic Load Balancer's EmitInterval
# may be 60 minutes, so its traffic counts up to 75 minutes before now
_GRACE = {
    APPLICATION: dt.timedelta(minutes=15),
    NETWORK: dt.timedelta(minutes=15),
    CLASSIC: dt.timedelta(minutes=75),
}
CAUSES = (
    "the bucket policy no longer lets Elastic Load Balancing write (s3:PutObject on "
    "<prefix>/AWSLogs/<account>/*), the bucket's default encryption became SSE-KMS (access "
    "logs support only SSE-S3), or the prefix or bucket was changed"
)


@dataclass(frozen=True)
class _Target:
    """A load balancer whose access-log configuration `elb.access_logs` would pass."""

    lb: LoadBalancer
    config: LogConfig
    evidence: dict[str, Any]

    def dimensions(self) -> dict[str, str]:
        if self.lb.kind == CLASSIC:
            return {"LoadBalancerName": self.lb.name}
        return {"LoadBalancer": metric_id(self.lb.arn)}


def _listings(ctx: Context) -> tuple[list[LoadBalancer], list[Finding]]:
    found: list[LoadBalancer] = []
    gaps: list[Finding] = []
    for noun, read in (
        ("Application, Network and Gateway Load Balancers", v2_load_balancers),
        ("Classic Load Balancers", classic_load_balancers),
    ):
        try:
            found.extend(read(ctx))
        except AwsError as err:
            gaps.append(ctx.unknown_from(err, *ctx.region_resource(), f"could not list {noun}"))
    if not found and not gaps:
        gaps.append(ctx.not_applicable(*ctx.region_resource(), f"no load balancer in {ctx.region}"))
    return found, gaps[:1]


def _not_configured(ctx: Context, lb: LoadBalancer, why: str, evidence: Any) -> Finding:
    text = f"{lb.label} {why}: no access-log delivery to judge (see {CONFIG_CHECK})"
    return ctx.not_applicable(lb.resource_type, lb.arn, text, evidence=evidence)


def _target(ctx: Context, lb: LoadBalancer) -> Finding | _Target:
    """The load balancer's log configuration when `elb.access_logs` would pass it (the
    bucket's region aside), else its finding: NOT_APPLICABLE, or UNKNOWN for a failed read."""
    evidence = lb.evidence()
    if lb.kind not in _TRAFFIC:
        return _not_configured(ctx, lb, "writes no access logs awsobs can read", evidence)
    try:
        if lb.kind == NETWORK:
            protocols = listener_protocols(ctx, lb)
            evidence["listener_protocols"] = list(protocols)
            if "TLS" not in protocols:
                return _not_configured(ctx, lb, "has no TLS listener", evidence)
        if lb.kind == CLASSIC:
            config, raw = classic_access_log(ctx, lb)
            evidence["emit_interval_minutes"] = raw.get("EmitInterval")
        else:
            config = v2_log_config(v2_attributes(ctx, lb))
    except AwsError as err:
        what = f"could not read the access-log settings of {lb.label}"
        return ctx.unknown_from(err, lb.resource_type, lb.arn, what, evidence=evidence)
    evidence["access_logs"] = config.evidence()
    if not config.enabled or not config.bucket:
        return _not_configured(ctx, lb, "does not write access logs to S3", evidence)
    return _Target(lb, config, evidence)


def _arrival(ctx: Context, t: _Target, win: Window) -> Arrival:
    base = log_day_prefix(t.config, ctx.account_id, t.lb.region)
    token = log_file_token(t.lb, ctx.account_id)
    return newest_key_by_day(
        ctx,
        t.lb.region,  # the bucket's region: checked equal below
        t.config.bucket,
        lambda day: f"{base}{day:%Y/%m/%d}/{token}",
        win,
        lambda prefix, since: f"{prefix}{since:%Y%m%dT%H%M}Z",  # the file's end time
    )


@check(
    id="elb.access_logs_delivered",
    title="Load balancers with access logs on delivered a log file recently",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=(
        "AWS::ElasticLoadBalancing::LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
    ),
    permissions=[
        DESCRIBE_LBS,
        DESCRIBE_ATTRIBUTES,
        DESCRIBE_LISTENERS,
        GET_BUCKET_LOCATION,
        LIST_BUCKET,
        GET_METRIC_DATA,
    ],
    options={"max_age_hours": 24},
    remediation="Check the log bucket's policy (Elastic Load Balancing needs s3:PutObject on "
    "<prefix>/AWSLogs/<account>/*) and that its default encryption is SSE-S3; "
    "aws elbv2 describe-load-balancer-attributes --load-balancer-arn <arn> shows the "
    "bucket and prefix",
)
def access_logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per load balancer, on the load balancer (resource id its ARN, as in
    `elb.access_logs`).

    PASS when a load balancer that `elb.access_logs` passes (access logs on, the bucket
    exists in its region) has an access-log file (a key under `[prefix/]AWSLogs/
    <account>/elasticloadbalancing/<region>/yyyy/mm/dd/` starting with its file token,
    e.g. `<account>_elasticloadbalancing_<region>_app.<name>.<id>_`) last modified within
    `max_age_hours` (default 24).

    FAIL when there is none, and the load balancer served traffic in the window (up to 15
    minutes before now, 75 for a Classic Load Balancer): AWS/ApplicationELB
    `RequestCount`, AWS/NetworkELB `NewFlowCount_TLS`, AWS/ELB `RequestCount` (Sum > 0).
    The message says "nothing since <window start>" (an older file is not searched for)
    and the usual causes. FAIL too when the bucket is gone when listed.

    NOT_APPLICABLE when it served nothing in the window (ELB writes files only for
    traffic), and for every load balancer `elb.access_logs` does not pass (logs off, no
    TLS listener on a Network Load Balancer, a Gateway Load Balancer, a missing bucket or
    one in another region: that check reports them), and for a region without one.

    UNKNOWN naming the failed read: a listing, the attributes or listeners, the bucket's
    location, the listing of the log keys (`s3:ListBucket`) or the traffic
    (`cloudwatch:GetMetricData`).
    """
    lbs, gaps = _listings(ctx)
    yield from gaps
    lbs.sort(key=lambda lb: (lb.kind, lb.name, lb.arn))
    settled = ctx.map(lambda lb: _target(ctx, lb), lbs)
    buckets = sorted({s.config.bucket for s in settled if isinstance(s, _Target)})
    states = dict(zip(buckets, ctx.map(lambda b: bucket_state(ctx, b), buckets), strict=True))
    judged: list[_Target] = []
    for s in settled:
        if not isinstance(s, _Target):
            yield s
            continue
        state, lb = states[s.config.bucket], s.lb
        s.evidence["bucket_region"] = state.region
        if state.error is not None:
            what = f"could not read where bucket '{s.config.bucket}' of {lb.label} is"
            yield ctx.unknown_from(state.error, lb.resource_type, lb.arn, what, evidence=s.evidence)
        elif state.missing or state.region != lb.region:
            why = "writes to a missing bucket or one of another region"
            yield _not_configured(ctx, lb, why, s.evidence)
        else:
            judged.append(s)
    windows = {kind: window(ctx, grace) for kind, grace in _GRACE.items()}
    arrivals = ctx.map(lambda t: attempt(lambda: _arrival(ctx, t, windows[t.lb.kind])), judged)
    answers: dict[str, Any] = {}
    for kind, (namespace, metric, _) in _TRAFFIC.items():
        stale = [
            t.dimensions()
            for t, a in zip(judged, arrivals, strict=True)
            if t.lb.kind == kind and isinstance(a, Arrival) and not windows[kind].fresh(a)
        ]
        if stale:
            win = windows[kind]
            try:
                answers[kind] = traffic(
                    ctx, ctx.region, namespace, metric, stale, win.start, win.traffic_end
                )
            except AwsError as err:
                answers[kind] = err
    for t, arrival in zip(judged, arrivals, strict=True):
        kind = t.lb.kind
        win = windows[kind]
        gate = None
        if isinstance(arrival, Arrival) and not win.fresh(arrival):
            gate = served(answers[kind], t.dimensions(), _TRAFFIC[kind][2])
        yield verdict(
            ctx,
            t.lb.resource_type,
            t.lb.arn,
            label=t.lb.label,
            destination=t.config.location,
            arrival=arrival,
            win=win,
            traffic=gate,
            causes=CAUSES,
            evidence=t.evidence,
        )
