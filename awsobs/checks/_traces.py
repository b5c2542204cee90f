"""The `*.xray_traces_received` checks' shared verdict: for each resource with active
tracing, did X-Ray receive a trace through its service node in the window?

The reads are `_delivery.traces_seen` (one GetTraceSummaries per node, first trace only)
and, for the nodes without a trace, the `_delivery.traffic` gate (one GetMetricData per
region and namespace); the finding is `_delivery.verdict`'s, except a PASS, which names
the traces found rather than a "last delivery": a summary page is not sorted by time.
This module registers no check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import (
    Arrival,
    Dimensions,
    Traffic,
    Window,
    attempt,
    served,
    traces_seen,
    traffic,
    verdict,
    window,
    xray_where,
)
from awsobs.checks._shared import age
from awsobs.context import Context
from awsobs.model import Finding

TRACE_GRACE = dt.timedelta(minutes=5)  # segments are sent within seconds, indexed in minutes


@dataclass(frozen=True)
class TracedSource:
    """A resource with active tracing: its finding's type, id and label, its X-Ray
    service node (`service`, `service_type`), and its request metric's dimensions."""

    resource_type: str
    resource_id: str
    label: str
    service: str
    service_type: str
    dimensions: Dimensions
    evidence: Mapping[str, Any] = field(default_factory=dict)
    remediation: str | None = None


def trace_verdicts(
    ctx: Context,
    sources: Sequence[TracedSource],
    *,
    namespace: str,
    metric: str | Sequence[str],
    noun: str,
    causes: str,
) -> list[Finding]:
    """One finding per source of this region (the `*.xray_traces_received` checks): one
    `traces_seen` per distinct service node over the check's window (`max_age_hours`),
    concurrently; PASS when a trace arrived; otherwise `verdict`, with the traffic gate
    (`metric` in `namespace` over the window less `TRACE_GRACE`) read in one batch for
    the sources without traces only."""
    win = window(ctx, grace=TRACE_GRACE)
    region = ctx.region
    nodes = sorted({(s.service, s.service_type) for s in sources})

    def seen(node: tuple[str, str]) -> Arrival | AwsError:
        return attempt(lambda: traces_seen(ctx, region, node[0], node[1], win.start, win.now))

    arrivals = dict(zip(nodes, ctx.map(seen, nodes), strict=True))
    silent = [
        s
        for s in sources
        for a in [arrivals[(s.service, s.service_type)]]
        if not isinstance(a, AwsError) and not win.fresh(a)
    ]
    batch: Traffic | AwsError | None = None
    if silent:
        dims = [s.dimensions for s in silent]
        batch = attempt(
            lambda: traffic(ctx, region, namespace, metric, dims, win.start, win.traffic_end)
        )
    found: list[Finding] = []
    for s in sources:
        arrival = arrivals[(s.service, s.service_type)]
        if not isinstance(arrival, AwsError) and win.fresh(arrival):
            found.append(_traces_passed(ctx, s, arrival, win))
            continue
        gate = served(batch, s.dimensions, noun) if batch is not None else None
        found.append(
            verdict(
                ctx,
                s.resource_type,
                s.resource_id,
                label=s.label,
                destination=xray_where(s.service, s.service_type),
                arrival=arrival,
                win=win,
                traffic=gate,
                causes=causes,
                evidence=s.evidence,
                remediation=s.remediation,
            )
        )
    return found


def _traces_passed(ctx: Context, s: TracedSource, arrival: Arrival, win: Window) -> Finding:
    facts: dict[str, Any] = {**win.evidence(), **s.evidence, **arrival.evidence}
    facts["destination"] = arrival.where
    started = arrival.evidence.get("trace_start_time")
    when = f" (a trace started {age(ctx.now, arrival.last)})" if started and arrival.last else ""
    text = f"{s.label} sent traces to X-Ray in the last {win.max_age_hours:g} h{when}"
    return ctx.passed(s.resource_type, s.resource_id, text, evidence=facts)
