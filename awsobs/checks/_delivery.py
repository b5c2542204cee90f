"""Is a configured pipeline delivering? The reads and the verdict the delivery checks share.

A configuration check says where a resource's logs go; its companion delivery check asks
whether anything arrived there recently (docs/design.md, "Delivery checks"). This module
registers no check. `window` derives the time parameters from `max_age_hours` and
`ctx.now` to the minute (so checks share memo entries); `newest_stream`, `newest_key` and
`newest_key_by_day` make one first-page read per destination (`max_items`), never of
contents; `traffic` is the gate, one shared GetMetricData per region and namespace, read
only for stale destinations; `verdict` turns both into the finding. Reads raise
`AwsError`; `attempt` makes it a value for `ctx.map`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.checks._shared import age
from awsobs.context import Context
from awsobs.model import Finding

T = TypeVar("T")

GET_METRIC_DATA = "cloudwatch:GetMetricData"
DESCRIBE_LOG_STREAMS = "logs:DescribeLogStreams"
LIST_BUCKET = "s3:ListBucket"  # ListObjectsV2 (awsobs/aws/iam.py)
KEYS_PER_PAGE = 1000  # ListObjectsV2's largest page
QUERIES_PER_READ = 500  # GetMetricData's limit
MIN_SLACK = dt.timedelta(minutes=5)  # a window is at least the delivery delay plus this

Dimensions = Mapping[str, str]
DimsKey = tuple[tuple[str, str], ...]


def attempt(read: Callable[[], T]) -> T | AwsError:
    """`read()`, or the `AwsError` it raised (for `ctx.map` over destinations)."""
    try:
        return read()
    except AwsError as err:
        return err


def stamp(when: dt.datetime) -> str:
    """`2024-05-01 13:05 UTC`: how a message names a point in time."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _iso(when: dt.datetime | None) -> str | None:
    return when.astimezone(dt.UTC).isoformat() if when is not None else None


def _minute(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.UTC).replace(second=0, microsecond=0)


# -- the window --------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Data must have arrived in [start, now]; traffic counts over [start, traffic_end].

    A request made after `traffic_end` (now minus the pipeline's delivery delay) may not
    be delivered yet, so only earlier ones can prove that something should have arrived.
    """

    now: dt.datetime  # ctx.now, down to the minute
    max_age_hours: float
    grace: dt.timedelta

    @property
    def start(self) -> dt.datetime:
        return _minute(self.now - dt.timedelta(hours=self.max_age_hours))

    @property
    def traffic_end(self) -> dt.datetime:
        return self.now - self.grace

    def fresh(self, arrival: Arrival) -> bool:
        return arrival.last is not None and arrival.last >= self.start

    def stale(self, arrival: Arrival | AwsError) -> bool:
        """Read, and nothing arrived in the window: the traffic decides."""
        return not isinstance(arrival, AwsError) and not self.fresh(arrival)

    def evidence(self) -> dict[str, Any]:
        return {"max_age_hours": self.max_age_hours, "window_start": _iso(self.start)}


def window(
    ctx: Context, grace: dt.timedelta = dt.timedelta(minutes=15), hours: float | None = None
) -> Window:
    """The check's window: `hours`, else its `max_age_hours` option. `grace` is the
    pipeline's delivery delay (CloudWatch Logs 15 min, ALB 15 min, CloudFront 3 h); a
    window shorter than it plus 5 minutes is widened to that, since nothing could be
    judged in it (the evidence shows the value used)."""
    wanted = float(ctx.option("max_age_hours") if hours is None else hours)
    floor = (grace + MIN_SLACK).total_seconds() / 3600
    return Window(_minute(ctx.now), max(wanted, floor), grace)


# -- destinations: when did data last arrive ----------------------------------------------


@dataclass(frozen=True)
class Arrival:
    """What one read of a destination showed.

    `last`: when data last arrived (None: nothing seen). `where`: the destination, as a
    message names it. `searched_since`: the read saw only data that arrived after this
    (an S3 listing from a date prefix); None when it saw everything (a log group).
    `evidence`: what the read found, for the finding.
    """

    last: dt.datetime | None
    where: str
    searched_since: dt.datetime | None = None
    evidence: Mapping[str, Any] = field(default_factory=dict)


def newest_stream(ctx: Context, region: str, group: str) -> Arrival:
    """When the newest stream of log group `group` last ingested data: one
    DescribeLogStreams (`orderBy=LastEventTime`, descending, `limit=1`, first page).

    `lastIngestionTime`, not `lastEventTimestamp`: the event timestamp is the sender's
    clock and AWS updates it only eventually ("typically less than an hour"). Raises
    `AwsError`; `ResourceNotFoundException` (kind NOT_FOUND) means the group is gone."""
    answer = ctx.call(
        "logs",
        "DescribeLogStreams",
        region,
        max_items=1,
        logGroupName=group,
        orderBy="LastEventTime",
        descending=True,
        limit=1,
    )
    streams = answer.get("logStreams", ())
    where = f"log group {group}"
    evidence: dict[str, Any] = {"log_group": group, "log_group_region": region}
    if not streams or "lastIngestionTime" not in streams[0]:
        return Arrival(None, where, None, {**evidence, "newest_stream": None})
    newest = streams[0]
    last = dt.datetime.fromtimestamp(int(newest["lastIngestionTime"]) / 1000, dt.UTC)
    evidence["newest_stream"] = newest.get("logStreamName")
    evidence["last_ingestion_time"] = _iso(last)
    return Arrival(last, where, None, evidence)


def newest_key(
    ctx: Context,
    region: str,
    bucket: str,
    prefix: str,
    start_after: str | None = None,
    *,
    since: dt.datetime | None = None,
) -> Arrival:
    """The newest `LastModified` among the keys of one ListObjectsV2 page under `prefix`
    after `start_after` (keys and their metadata only, never an object's contents).

    `since` is the time `start_after` stands for (a key named by its delivery time), so
    that a FAIL can say "nothing since <since>". A full page (more keys exist) gives a
    lower bound of the newest: with keys that sort by time, enough to show data arrived
    after `start_after`. Raises `AwsError` (NoSuchBucket is kind NOT_FOUND)."""
    params: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": KEYS_PER_PAGE}
    if start_after:
        params["StartAfter"] = start_after
    answer = ctx.call("s3", "ListObjectsV2", region, max_items=KEYS_PER_PAGE, **params)
    keys = answer.get("Contents", ())
    newest = max(keys, key=lambda k: k["LastModified"], default=None)
    where = f"s3://{bucket}/{prefix}"
    evidence: dict[str, Any] = {
        "bucket": bucket,
        "prefix": prefix,
        "start_after": start_after,
        "keys_listed": len(keys),
        "more_keys": bool(answer.get("NextToken") or answer.get("IsTruncated")),
    }
    if newest is None:
        return Arrival(None, where, since, {**evidence, "newest_key": None})
    last = newest["LastModified"].astimezone(dt.UTC)
    evidence.update(newest_key=newest["Key"], last_modified=_iso(last))
    return Arrival(last, where, since, evidence)


def newest_key_by_day(
    ctx: Context,
    region: str,
    bucket: str,
    day_prefix: Callable[[dt.date], str],
    win: Window,
    start_after: Callable[[str, dt.datetime], str | None] | None = None,
) -> Arrival:
    """A date-partitioned layout (`.../yyyy/mm/dd/`): the newest key of today's (UTC)
    directory; only when it is empty and the window began before midnight, the previous
    day's, and so on back to the day the window starts (one read per day directory, so a
    destination that received something today costs one).

    `day_prefix(day)` is the directory (with any file-name token); `start_after(prefix,
    win.start)` the key to list after in the window's first day (None: the whole day)."""
    day = win.now.date()
    while True:
        midnight = dt.datetime.combine(day, dt.time(), dt.UTC)
        prefix = day_prefix(day)
        after = start_after(prefix, win.start) if start_after and midnight <= win.start else None
        found = newest_key(ctx, region, bucket, prefix, after, since=max(midnight, win.start))
        if found.last is not None or midnight <= win.start:
            return found
        day -= dt.timedelta(days=1)


# -- traffic: did the source serve anything that should have been delivered ---------------


@dataclass(frozen=True)
class Served:
    """How much a source served in the window (a metric's statistic over it)."""

    count: float
    noun: str  # "requests", "invocations", "executions"
    start: dt.datetime
    end: dt.datetime
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Unmeasured:
    """No traffic signal exists: `reason` ("the bucket publishes no request metrics")."""

    reason: str


@dataclass(frozen=True)
class Busy:
    """The source always produces data (an ACTIVE EKS cluster): stale is a failure."""

    reason: str


TrafficAnswer = Served | Unmeasured | Busy | AwsError


def _dims_key(dimensions: Dimensions) -> DimsKey:
    return tuple(sorted((str(k), str(v)) for k, v in dimensions.items()))


@dataclass(frozen=True)
class Traffic:
    """One region's totals of `metrics` in `namespace`, by dimensions (0 when absent)."""

    region: str
    namespace: str
    metrics: tuple[str, ...]
    stat: str
    start: dt.datetime
    end: dt.datetime
    totals: Mapping[DimsKey, float]

    def served(self, dimensions: Dimensions, noun: str) -> Served:
        key = _dims_key(dimensions)
        count = self.totals.get(key, 0.0)
        metric = "+".join(self.metrics)
        evidence: dict[str, Any] = {"namespace": self.namespace, "metric": metric}
        evidence["dimensions"] = dict(key)
        evidence.update(stat=self.stat, value=count, start=_iso(self.start), end=_iso(self.end))
        return Served(count, noun, self.start, self.end, evidence)


def traffic(
    ctx: Context,
    region: str,
    namespace: str,
    metric: str | Sequence[str],
    dimensions: Sequence[Dimensions],
    start: dt.datetime,
    end: dt.datetime,
    *,
    stat: str = "Sum",
) -> Traffic:
    """`stat` of `metric` (several: their sum, or max for other statistics) over [start,
    end] for each of `dimensions`, in one GetMetricData per 500 queries (one per region
    and namespace for a check), shared by every check that asks the same. A metric with
    no data counts 0: AWS publishes request metrics only while requests flow. Times are
    taken to the minute; pass `Window.start` and `Window.traffic_end`. Raises `AwsError`."""
    metrics = (metric,) if isinstance(metric, str) else tuple(metric)
    keys = sorted({_dims_key(d) for d in dimensions})
    start, end = _minute(start), _minute(end)
    if end <= start:
        end = start + dt.timedelta(minutes=1)
    spec = [region, namespace, metrics, stat, _iso(start), _iso(end), keys]
    shared_key = "delivery.traffic:" + json.dumps(spec)

    def build(narrow: Context) -> Traffic:
        period = max(60, int((end - start).total_seconds()) // 60 * 60)
        queries = [(k, m) for k in keys for m in metrics]
        totals: dict[DimsKey, float] = {}
        for first in range(0, len(queries), QUERIES_PER_READ):
            batch = queries[first : first + QUERIES_PER_READ]
            answer = narrow.call(
                "cloudwatch",
                "GetMetricData",
                region,
                StartTime=start,
                EndTime=end,
                MetricDataQueries=[
                    _query(f"q{first + i}", namespace, m, k, period, stat)
                    for i, (k, m) in enumerate(batch)
                ],
            )
            by_id = {r["Id"]: r.get("Values", ()) for r in answer.get("MetricDataResults", ())}
            for i, (k, _) in enumerate(batch):
                values = [float(v) for v in by_id.get(f"q{first + i}", ())]
                if values:
                    value = sum(values) if stat == "Sum" else max(values)
                    before = totals.get(k, 0.0)
                    totals[k] = before + value if stat == "Sum" else max(before, value)
        return Traffic(region, namespace, metrics, stat, start, end, totals)

    return ctx.shared(shared_key, (GET_METRIC_DATA,), build)


def _query(qid: str, namespace: str, metric: str, key: DimsKey, period: int, stat: str) -> Any:
    dims = [{"Name": n, "Value": v} for n, v in key]
    spec = {"Namespace": namespace, "MetricName": metric, "Dimensions": dims}
    return {"Id": qid, "MetricStat": {"Metric": spec, "Period": period, "Stat": stat}}


def served(batch: Traffic | AwsError, dimensions: Dimensions, noun: str) -> Served | AwsError:
    """One resource's share of a `traffic` batch, or the error reading the batch."""
    return batch if isinstance(batch, AwsError) else batch.served(dimensions, noun)


# -- the verdict ---------------------------------------------------------------------------


def _count(n: float) -> str:
    return f"{int(n):,}" if float(n).is_integer() else f"{n:,.1f}"


def _silence(now: dt.datetime, arrival: Arrival) -> str:
    """What a stale destination received: "last delivery 9 days ago (...)" or nothing."""
    if arrival.last is not None:
        return f"last delivery {age(now, arrival.last)} ({stamp(arrival.last)})"
    if arrival.searched_since is not None:
        return f"nothing since {stamp(arrival.searched_since)}"
    return "no data at all"


def verdict(
    ctx: Context,
    resource_type: str,
    resource_id: str,
    *,
    label: str,
    destination: str,
    arrival: Arrival | AwsError,
    win: Window,
    traffic: TrafficAnswer | None = None,
    causes: str = "",
    evidence: Mapping[str, Any] | None = None,
    region: str | None = None,
    remediation: str | None = None,
) -> Finding:
    """One finding on the source resource (not its destination), by the table in
    docs/design.md "Delivery checks". `label` names the source ("stage prod of REST API
    shop"), `destination` where it delivers (`Arrival.where`, also when the read failed),
    `causes` the pipeline's usual causes of silence, named by a FAIL. `traffic` is needed
    only for a stale arrival: read it for those only, in one `traffic` batch."""
    kw: dict[str, Any] = {"region": region, "remediation": remediation}
    facts: dict[str, Any] = {"destination": destination, **win.evidence(), **(evidence or {})}
    if isinstance(arrival, AwsError):
        if arrival.kind is ErrorKind.NOT_FOUND:
            text = f"{label} delivers to {destination}, which does not exist"
            return ctx.failed(resource_type, resource_id, text, evidence=facts, **kw)
        what = f"could not read {destination}"
        return ctx.unknown_from(arrival, resource_type, resource_id, what, evidence=facts, **kw)
    facts.update(arrival.evidence)
    facts["last_delivery"] = _iso(arrival.last)
    if win.fresh(arrival):
        last = arrival.last
        text = f"{label} delivers to {destination}; last delivery {age(ctx.now, last)}"
        return ctx.passed(resource_type, resource_id, text, evidence=facts, **kw)
    silent = f"{destination} received nothing in the last {win.max_age_hours:g} h"
    silence = _silence(ctx.now, arrival)
    why = f"; usual causes: {causes}" if causes else ""
    if traffic is None:
        raise ValueError(f"{label}: a stale destination needs a traffic answer")
    if isinstance(traffic, AwsError):
        what = f"{silent}: {silence}; whether {label} served anything is unknown"
        return ctx.unknown_from(traffic, resource_type, resource_id, what, evidence=facts, **kw)
    if isinstance(traffic, Busy):
        facts["traffic_signal"] = "always active"
        text = f"{silent}, though {traffic.reason}: {silence}{why}"
        return ctx.failed(resource_type, resource_id, text, evidence=facts, **kw)
    if isinstance(traffic, Unmeasured):
        facts["traffic_signal"] = "none"
        text = (
            f"{silent}: {silence}; {traffic.reason}, so whether {label} served anything "
            "that should have been delivered is unknown"
        )
        return ctx.not_applicable(resource_type, resource_id, text, evidence=facts, **kw)
    facts["traffic"] = dict(traffic.evidence)
    since = stamp(traffic.start)
    if traffic.count > 0:
        text = (
            f"{label} served {_count(traffic.count)} {traffic.noun} since {since}, but "
            f"{silent}: {silence}{why}"
        )
        return ctx.failed(resource_type, resource_id, text, evidence=facts, **kw)
    text = f"{label} served no {traffic.noun} since {since}, so no delivery was expected; {silence}"
    return ctx.not_applicable(resource_type, resource_id, text, evidence=facts, **kw)


# -- X-Ray: did traces of a service arrive ---------------------------------------------------

GET_TRACE_SUMMARIES = "xray:GetTraceSummaries"


def traces_seen(
    ctx: Context, region: str, name: str, kind: str, start: dt.datetime, end: dt.datetime
) -> Arrival:
    """Did X-Ray receive a trace through the service `name` of type `kind`
    (`AWS::Lambda::Function`, `AWS::ApiGateway::Stage`...) in [start, end]? One
    GetTraceSummaries filtered to the service (`service(id(name: ..., type: ...))`),
    stopping at the first trace (`max_items=1`): counts and times only, never a trace's
    segments. X-Ray may answer a page with no trace and a NextToken while it scans; the
    pages are followed only until a trace shows or the range is done.

    `last` is the trace's `StartTime`, or `end` when the summary has none (the trace
    ended in the range); None when no trace was found (`searched_since` is `start`: the
    read cannot tell when the last trace before it arrived). Raises `AwsError`."""
    start, end = _minute(start), _minute(end)
    expression = f'service(id(name: "{_quoted(name)}", type: "{_quoted(kind)}"))'
    answer = ctx.call(
        "xray",
        "GetTraceSummaries",
        region,
        max_items=1,
        StartTime=start,
        EndTime=end,
        FilterExpression=expression,
    )
    summaries = answer.get("TraceSummaries", ())
    where = xray_where(name, kind)
    evidence: dict[str, Any] = {
        "xray_service": name,
        "xray_service_type": kind,
        "filter_expression": expression,
        "traces_found": len(summaries),
        "searched_from": _iso(start),
        "searched_to": _iso(end),
    }
    if not summaries:
        return Arrival(None, where, start, evidence)
    found = summaries[0].get("StartTime")
    last = found.astimezone(dt.UTC) if isinstance(found, dt.datetime) else end
    evidence["trace_start_time"] = _iso(found) if isinstance(found, dt.datetime) else None
    return Arrival(last, where, start, evidence)


def xray_where(name: str, kind: str) -> str:
    """How a message names the X-Ray service node of a source."""
    return f"X-Ray (service {name}, {kind})"


def _quoted(text: str) -> str:
    """`text` inside a filter expression's double quotes."""
    return text.replace("\\", "\\\\").replace('"', '\\"')
