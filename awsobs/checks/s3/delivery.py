"""S3 server access logs delivered: did a log file of each logged bucket arrive?

`s3.server_access_logging` passes a bucket whose `LoggingEnabled` names a target bucket;
a target bucket policy that stopped granting `logging.s3.amazonaws.com`, a target with
default encryption by a KMS key (S3 server access logs support only SSE-S3), Object Lock
on the target, or a deleted target leaves that PASS standing while nothing arrives.

S3 names the files by `TargetObjectKeyFormat` (s3/readers.py `LogKeyFormat`): simple,
`<TargetPrefix>YYYY-MM-DD-hh-mm-ss-<unique>`, or partitioned, under
`<TargetPrefix><account>/<region>/<bucket>/YYYY/MM/DD/`. One ListObjectsV2 (keys only,
first page) per distinct destination: the prefix (partitioned: the source's own
directory) with `StartAfter` at the window start (the day, for the partitioned
`EventTime` layout). A simple prefix shared by several buckets is read once and says
nothing about which of them wrote (the evidence lists them).

Traffic: S3 publishes `AllRequests` (AWS/S3, `BucketName`, `FilterId`) only for a bucket
with a request-metrics configuration (ListBucketMetricsConfigurations, read for stale
buckets only); a bucket without one has no traffic signal, and a stale prefix there is
NOT_APPLICABLE saying so, since an idle bucket writes no log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import (
    GET_METRIC_DATA,
    LIST_BUCKET,
    Arrival,
    Served,
    TrafficAnswer,
    Unmeasured,
    Window,
    attempt,
    newest_key,
    served,
    traffic,
    verdict,
    window,
)
from awsobs.checks.s3.readers import (
    BUCKET,
    PARTITIONED,
    Bucket,
    LogKeyFormat,
    buckets_here,
    log_targets,
    logging_format,
    metrics_configs,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

CONFIG_CHECK = "s3.server_access_logging"
GRACE = dt.timedelta(hours=3)  # S3 delivers server access logs best effort, within hours
NO_SIGNAL = (
    "the bucket has no request-metrics configuration, so S3 publishes no AllRequests metric for it"
)
CAUSES = (
    "the target bucket's policy no longer lets logging.s3.amazonaws.com s3:PutObject (or "
    "names another source account or bucket), the target's default encryption is SSE-KMS "
    "(server access logs support only SSE-S3), Object Lock with a default retention is on "
    "the target, or the target prefix changed"
)


@dataclass(frozen=True)
class _Source:
    """A bucket `s3.server_access_logging` passes, and where its files must be."""

    name: str
    arn: str
    target: str
    prefix: str  # the listing's prefix (partitioned: down to the source's directory)
    start_after: str
    since: dt.datetime
    fmt: LogKeyFormat
    evidence: dict[str, Any]

    @property
    def destination(self) -> tuple[str, str, str]:
        return (self.target, self.prefix, self.start_after)

    @property
    def where(self) -> str:
        return f"s3://{self.target}/{self.prefix}"


def _status(ctx: Context, name: str) -> Mapping[str, Any] | AwsError:
    return attempt(lambda: ctx.call("s3", "GetBucketLogging", Bucket=name))


def _source(ctx: Context, name: str, status: Mapping[str, Any], win: Window) -> _Source | None:
    enabled = status.get("LoggingEnabled") or {}
    target = str(enabled.get("TargetBucket") or "")
    if not target:
        return None
    base = str(enabled.get("TargetPrefix") or "")
    fmt = logging_format(status)
    start = win.start
    if fmt.kind == PARTITIONED:
        prefix = f"{base}{ctx.account_id}/{ctx.region}/{name}/"
        if fmt.date_source == "DeliveryTime":
            after = f"{prefix}{start:%Y/%m/%d}/{start:%Y-%m-%d-%H-%M-%S}"
        else:  # EventTime: the file's time is its day's midnight
            start = start.replace(hour=0, minute=0)
            after = f"{prefix}{start:%Y/%m/%d}/"
    else:
        prefix, after = base, f"{base}{start:%Y-%m-%d-%H-%M-%S}"
    evidence: dict[str, Any] = {"bucket": name, "target_bucket": target, "target_prefix": base}
    evidence.update(fmt.evidence())
    arn = f"arn:{ctx.partition}:s3:::{name}"
    return _Source(name, arn, target, prefix, after, start, fmt, evidence)


def _gate(
    ctx: Context, s: _Source, configs: tuple[Mapping[str, Any], ...] | AwsError, batch: Any
) -> TrafficAnswer:
    """The bucket's AllRequests over its request-metrics configurations (the busiest)."""
    if isinstance(configs, AwsError):
        return configs
    if not configs:
        return Unmeasured(NO_SIGNAL)
    found: list[Served] = []
    for config in configs:
        one = served(batch, {"BucketName": s.name, "FilterId": str(config["Id"])}, "requests")
        if isinstance(one, AwsError):
            return one
        found.append(one)
    return max(found, key=lambda x: x.count)


@check(
    id="s3.server_access_logs_delivered",
    title="Buckets with server access logging delivered a log file recently",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::S3::Bucket",),
    permissions=[
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketLogging",
        "cloudtrail:DescribeTrails",
        "ec2:DescribeFlowLogs",
        "s3:GetMetricsConfiguration",
        LIST_BUCKET,
        GET_METRIC_DATA,
    ],
    options={"max_age_hours": 24},
    remediation="Check the target bucket: its policy must let logging.s3.amazonaws.com "
    "s3:PutObject (aws:SourceAccount / aws:SourceArn of the source bucket), default "
    "encryption SSE-S3, no Object Lock default retention",
)
def server_access_logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per bucket of the region, on the bucket (resource id its ARN, as in
    `s3.server_access_logging`).

    PASS when a bucket that `s3.server_access_logging` passes (logging on, not itself a
    log target) has a log file in its target, last modified within `max_age_hours`
    (default 24): a key under `TargetPrefix` (simple format) or `TargetPrefix<account>/
    <region>/<bucket>/` (partitioned), named from the window's start on (from its day for
    the partitioned `EventTime` layout).

    FAIL when there is none and the bucket served requests in the window (up to 3 hours
    before now): AWS/S3 `AllRequests` Sum > 0 for one of its request-metrics
    configurations (`FilterId`). The message says "nothing since <window start>". FAIL
    too when the target bucket does not exist.

    NOT_APPLICABLE when it served no request in the window; when it has no
    request-metrics configuration, so whether it served any is unknown (the message says
    exactly that; evidence `traffic_signal: none`); for a bucket without logging or a log
    target (see `s3.server_access_logging`); and for a region without buckets.

    UNKNOWN naming the failed read: the bucket listing, its logging, the key listing
    (`s3:ListBucket`), its request-metrics configurations (`s3:GetMetricsConfiguration`)
    or the traffic (`cloudwatch:GetMetricData`).
    """
    listed, gap = ctx.listing(
        "buckets", lambda: buckets_here(ctx), none=f"no S3 buckets in {ctx.region}"
    )
    if gap is not None:
        yield gap
        return
    names = list(listed)
    statuses = dict(zip(names, ctx.map(lambda n: _status(ctx, n), names), strict=True))
    targets = log_targets(ctx, ctx.region, names, self_logging_exempts=False, flow_logs=True)
    win = window(ctx, GRACE)
    sources: list[_Source] = []
    for name in names:
        arn = f"arn:{ctx.partition}:s3:::{name}"
        status, evidence = statuses[name], {"bucket": name}
        if name in targets.known:
            text = f"bucket '{name}' is a log target (it receives {targets.known[name]})"
        elif isinstance(status, AwsError):
            what = f"could not read the logging of bucket '{name}'"
            yield ctx.unknown_from(status, BUCKET, arn, what, evidence=evidence)
            continue
        elif (source := _source(ctx, name, status, win)) is not None:
            sources.append(source)
            continue
        else:
            text = f"bucket '{name}' has no server access logging"
        text += f": no log delivery to judge (see {CONFIG_CHECK})"
        yield ctx.not_applicable(BUCKET, arn, text, evidence=evidence)
    dests = sorted({s.destination for s in sources})
    since = {s.destination: s.since for s in sources}
    read = ctx.map(
        lambda d: attempt(lambda: newest_key(ctx, ctx.region, *d, since=since[d])), dests
    )
    arrivals = dict(zip(dests, read, strict=True))
    stale = [
        s for s in sources if isinstance(a := arrivals[s.destination], Arrival) and not win.fresh(a)
    ]
    configs = dict(
        zip(
            [s.name for s in stale],
            ctx.map(lambda s: attempt(lambda: metrics_configs(ctx, _bucket(s))), stale),
            strict=True,
        )
    )
    dims = [
        {"BucketName": name, "FilterId": str(c["Id"])}
        for name, found in configs.items()
        if not isinstance(found, AwsError)
        for c in found
    ]
    batch: Any = None
    if dims:
        batch = attempt(
            lambda: traffic(
                ctx, ctx.region, "AWS/S3", "AllRequests", dims, win.start, win.traffic_end
            )
        )
    sharers: dict[tuple[str, str, str], list[str]] = {}
    for s in sources:
        sharers.setdefault(s.destination, []).append(s.name)
    for s in sources:
        others = [n for n in sharers[s.destination] if n != s.name]
        facts: dict[str, Any] = {**s.evidence, "shared_with": others} if others else s.evidence
        gate = _gate(ctx, s, configs[s.name], batch) if s.name in configs else None
        yield verdict(
            ctx,
            BUCKET,
            s.arn,
            label=f"bucket '{s.name}'",
            destination=s.where,
            arrival=arrivals[s.destination],
            win=win,
            traffic=gate,
            causes=CAUSES,
            evidence=facts,
        )


def _bucket(s: _Source) -> Bucket:
    return Bucket(s.name, s.arn, True, "")
