"""Alarms that will fire and reach someone, per resource: the verdict every area's alarm
check shares (API Gateway stages, DynamoDB tables, Lambda functions, EC2 instances, S3
buckets: each in its own package).

Semantics: controls.md §6.2, §9, §10. One finding per resource; the message names the
missing metric and what is wrong with the alarms that almost cover it (wrong dimension,
actions disabled, a topic nobody confirmed). Alarms are read once per region and indexed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.cloudwatch.readers import (
    Alarm,
    AlarmIndex,
    Claimed,
    Cover,
    Need,
    alarm_index,
    cover,
    explain,
    nobody,
)
from awsobs.context import Context
from awsobs.model import Finding

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
    specs = [
        spec
        for w in wants
        if w.label in missing or any(n.startswith("awsobs-") for n in results[w.label].covered_by)
        for spec in [alarm_spec(w)]
        if spec is not None
    ]
    if specs:
        ev["alarm_specs"] = specs
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


def alarm_spec(want: Want) -> dict[str, Any] | None:
    """The alarm that would cover `want` (its first metric and dimension set), for `awsobs
    fix`. A dimension that accepts several values (an S3 bucket's request-metrics filters)
    takes the first in sort order: an alarm on any of them covers the want."""
    need = want.needs[0]
    dims = need.dims[0] if need.dims else {}
    if any(isinstance(v, frozenset) and not v for v in dims.values()):
        return None
    return {
        "label": want.label,
        "namespace": need.namespace,
        "metric": need.names[0],
        "dimensions": {k: v if isinstance(v, str) else min(v) for k, v in dims.items()},
    }


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


def scaling_only(alarm: Alarm) -> bool:
    """Is every action of the alarm an Application Auto Scaling policy (a target tracking
    or step scaling alarm of an ECS service or Aurora replicas)? It resizes, it tells no
    one, so it covers nothing where a person must hear."""
    return bool(alarm.alarm_actions) and all(
        a.startswith("arn:") and ":autoscaling:" in a and ":resource/" in a
        for a in alarm.alarm_actions
    )


def without_scaling(index: AlarmIndex) -> AlarmIndex:
    """The index minus scaling-only metric alarms (composites still see them as children)."""
    kept = tuple(a for a in index.alarms if a.composite or not scaling_only(a))
    return AlarmIndex(kept, index.by_name)
