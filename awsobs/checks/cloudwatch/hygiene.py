"""Alarm hygiene: one finding per alarm (metric and composite), per region.

Semantics: controls.md §6.1. An alarm that has no alarm action, has its actions
disabled, notifies a topic nobody confirmed, or watches a metric that is never emitted,
is an alarm in name only.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import age
from awsobs.checks.cloudwatch.readers import (
    INVALID,
    UNKNOWN,
    Alarm,
    AlarmIndex,
    Metric,
    alarm_index,
    check_target,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

DESCRIBE = "cloudwatch:DescribeAlarms"
SNS_READS = ["sns:ListSubscriptionsByTopic"]


def _alarms(ctx: Context) -> tuple[AlarmIndex | None, list[Finding]]:
    _, gap = ctx.listing("alarms", lambda: alarm_index(ctx, ctx.region).alarms)
    if gap is not None:
        return None, [gap]
    return alarm_index(ctx, ctx.region), []  # shared: built once, by the listing above


@check(
    id="cloudwatch.alarm_has_action",
    title="Each alarm does something when it goes off",
    severity=Severity.HIGH,
    signal=Signal.ALARMS,
    resource_types=("AWS::CloudWatch::Alarm",),
    permissions=[DESCRIBE],
    remediation="aws cloudwatch put-metric-alarm ... --alarm-actions <sns-topic-arn> (or add "
    "the action in the console: CloudWatch > Alarms > Edit > Notification)",
)
def alarm_has_action(ctx: Context) -> Iterator[Finding]:
    """One finding per alarm (Security Hub CloudWatch.15). PASS when `AlarmActions` is not
    empty, or when the alarm is a child of a composite alarm that has alarm actions (the
    usual way to silence noisy alarms; Security Hub fails those children). An alarm with
    only OK or INSUFFICIENT_DATA actions tells you when a problem ends, never when it
    starts: FAIL.
    """
    index, gaps = _alarms(ctx)
    yield from gaps
    for a in index.alarms if index else ():
        if a.alarm_actions:
            yield ctx.passed(
                a.resource_type,
                a.arn,
                f"{a.label} has {len(a.alarm_actions)} alarm action(s)",
                evidence=a.evidence(),
            )
        elif index is not None and (parent := index.notifying_parent(a)):
            yield ctx.passed(
                a.resource_type,
                a.arn,
                f"{a.label} has no action of its own: {parent.label} acts on its state",
                evidence={**a.evidence(), "notifying_parent": parent.name},
            )
        else:
            only = " (it notifies only when the problem ends)" if a.ok_actions else ""
            yield ctx.failed(
                a.resource_type,
                a.arn,
                f"{a.label} has no alarm action{only}",
                evidence=a.evidence(),
            )


@check(
    id="cloudwatch.alarm_actions_enabled",
    title="Each alarm has its actions enabled",
    severity=Severity.HIGH,
    signal=Signal.ALARMS,
    resource_types=("AWS::CloudWatch::Alarm",),
    permissions=[DESCRIBE],
    remediation="aws cloudwatch enable-alarm-actions --alarm-names <alarm>",
)
def alarm_actions_enabled(ctx: Context) -> Iterator[Finding]:
    """One finding per alarm (Security Hub CloudWatch.17). PASS when `ActionsEnabled` is
    true. Actions are often disabled for a maintenance window and never enabled again.
    """
    index, gaps = _alarms(ctx)
    yield from gaps
    for a in index.alarms if index else ():
        if a.actions_enabled:
            yield ctx.passed(
                a.resource_type, a.arn, f"{a.label} has its actions enabled", evidence=a.evidence()
            )
        else:
            yield ctx.failed(
                a.resource_type,
                a.arn,
                f"{a.label} has its actions disabled: it changes state but notifies nobody",
                evidence=a.evidence(),
                remediation=f"aws cloudwatch enable-alarm-actions --alarm-names '{a.name}'",
            )


@check(
    id="cloudwatch.alarm_action_targets_valid",
    title="Each alarm's action targets exist and reach someone",
    severity=Severity.HIGH,
    signal=Signal.ALARMS,
    resource_types=("AWS::CloudWatch::Alarm",),
    permissions=[DESCRIBE, *SNS_READS],
    remediation="Confirm a subscription on the topic (aws sns subscribe --topic-arn <arn> "
    "--protocol email --notification-endpoint <address>, then confirm the email)",
)
def alarm_action_targets_valid(ctx: Context) -> Iterator[Finding]:
    """One finding per alarm with actions. PASS when every SNS topic in its alarm, OK and
    INSUFFICIENT_DATA actions exists and has at least one confirmed subscription (a
    subscription pending confirmation delivers nothing); Auto Scaling, EC2, Systems
    Manager, Incident Manager and Lambda actions are valid targets. A topic in another
    account cannot be checked from here: UNKNOWN. NOT_APPLICABLE for alarms without
    any action.
    """
    index, gaps = _alarms(ctx)
    yield from gaps
    for a in index.alarms if index else ():
        arns = list(dict.fromkeys((*a.alarm_actions, *a.ok_actions, *a.insufficient_actions)))
        evidence = a.evidence()
        if not arns:
            yield ctx.not_applicable(
                a.resource_type, a.arn, f"{a.label} has no actions", evidence=evidence
            )
            continue
        targets = [check_target(ctx, arn) for arn in arns]
        evidence["targets"] = {t.arn: f"{t.status}: {t.reason}" for t in targets}
        invalid = [t for t in targets if t.status == INVALID]
        unknown = [t for t in targets if t.status == UNKNOWN]
        if invalid:
            yield ctx.failed(
                a.resource_type,
                a.arn,
                f"{a.label}: " + "; ".join(t.reason for t in invalid),
                evidence=evidence,
            )
        elif unknown:
            t = unknown[0]
            if t.error is not None:
                yield ctx.unknown_from(
                    t.error,
                    a.resource_type,
                    a.arn,
                    f"{a.label}: could not check {t.arn}",
                    evidence=evidence,
                )
            else:
                yield ctx.unknown(
                    a.resource_type, a.arn, f"{a.label}: {t.reason}", evidence=evidence
                )
        else:
            yield ctx.passed(
                a.resource_type,
                a.arn,
                f"{a.label}: " + "; ".join(t.reason for t in targets),
                evidence=evidence,
            )


def _continuous(metric: Metric) -> bool:
    """Published every period while the resource runs, so no data means a broken alarm:
    the CloudWatch Agent's metrics and EC2's own. Most others (errors, throttles, metric
    filter counts) are published only when something happens, so no data is normal."""
    agent = metric.namespace == "CWAgent" or "agent" in metric.namespace.lower()
    return agent or (metric.namespace == "AWS/EC2" and metric.dim("InstanceId") is not None)


def _hint(metric: Metric | None) -> str:
    """The usual reason an alarm gets no data."""
    if metric is None:
        return "check its child alarms"
    if metric.namespace == "AWS/S3" and metric.name not in ("BucketSizeBytes", "NumberOfObjects"):
        return (
            "S3 request metrics are off for the bucket, or the alarm's FilterId is not one "
            "of its metrics configurations"
        )
    if _continuous(metric) and metric.namespace != "AWS/EC2":
        return "the CloudWatch Agent is not running, or publishes other dimensions"
    if _continuous(metric):
        return "the instance is stopped or gone, or the InstanceId is wrong"
    return (
        "a wrong dimension value, or a metric published only when something happens "
        "(then set TreatMissingData to notBreaching)"
    )


def _quiet(metric: Metric) -> str:
    """Why no data for a sparse metric is not (by itself) a failure."""
    text = f"no data in 2 weeks for {metric.describe()}: "
    if metric.namespace == "AWS/S3":
        return text + (
            "normal only if the bucket had no requests; s3.error_alarms checks "
            "that its FilterId is a metrics configuration"
        )
    return text + "normal for a metric published only when something happens"


def _existing(ctx: Context, region: str, metric: Metric) -> bool | AwsError:
    """Has the metric had data in the last two weeks? One ListMetrics per metric name."""
    try:
        listed = ctx.call(
            "cloudwatch", "ListMetrics", region, Namespace=metric.namespace, MetricName=metric.name
        )
    except AwsError as err:
        return err
    dims = {
        frozenset((d["Name"], d["Value"]) for d in m.get("Dimensions", ()))
        for m in listed.get("Metrics", ())
    }
    return metric.dims in dims


@check(
    id="cloudwatch.alarm_not_stale",
    title="Each alarm gets data: not stuck without data, watching a metric that exists",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::CloudWatch::Alarm",),
    permissions=[DESCRIBE, "cloudwatch:ListMetrics"],
    remediation="Fix the alarm's namespace, metric name or dimension values, or enable what "
    "emits the metric (S3 request metrics, the CloudWatch Agent)",
    options={"stale_days": 7},
)
def alarm_not_stale(ctx: Context) -> Iterator[Finding]:
    """One finding per alarm. FAIL when the alarm has been in INSUFFICIENT_DATA for more
    than `stale_days` (default 7), or when it watches a metric that is published every
    period while its resource runs (CloudWatch Agent metrics, EC2 instance metrics) and
    that metric has had no data point in the two weeks `ListMetrics` covers: such an
    alarm can never fire. Most other metrics (errors, throttles, metric-filter counts)
    are published only when something happens, so their absence is reported in the
    evidence and message but is not a failure. The message suggests the usual cause
    (S3 request metrics off, the agent not running, a wrong dimension value). One
    `ListMetrics` per metric name and region.
    """
    region = ctx.region
    days = float(ctx.option("stale_days"))
    index, gaps = _alarms(ctx)
    yield from gaps
    # One ListMetrics per metric, all at once (memoized for the loop below).
    metrics = {(m.namespace, m.name): m for a in (index.alarms if index else ()) for m in a.metrics}
    ctx.map(lambda m: _existing(ctx, region, m), list(metrics.values()))
    for a in index.alarms if index else ():
        evidence = {**a.evidence(), "stale_days": days, "state_since": a.state_since}
        since = a.state_since
        stuck = (
            a.state == "INSUFFICIENT_DATA"
            and since is not None
            and (ctx.now - since).total_seconds() > days * 86400
        )
        missing, error = _missing_metrics(ctx, region, a)
        evidence["metrics_without_data"] = [m.describe() for m in missing]
        broken = [m for m in missing if _continuous(m)]
        if broken:
            yield ctx.failed(
                a.resource_type,
                a.arn,
                f"{a.label} watches {broken[0].describe()}, which has had no data "
                f"in 2 weeks: {_hint(broken[0])}",
                evidence=evidence,
            )
        elif stuck:
            first = missing[0] if missing else (a.metrics[0] if a.metrics else None)
            yield ctx.failed(
                a.resource_type,
                a.arn,
                f"{a.label} has been in INSUFFICIENT_DATA since {age(ctx.now, since)}"
                f": {_hint(first)}",
                evidence=evidence,
            )
        elif error is not None:
            yield ctx.unknown_from(
                error,
                a.resource_type,
                a.arn,
                f"could not check the metrics of {a.label}",
                evidence=evidence,
            )
        else:
            quiet = f" ({_quiet(missing[0])})" if missing else ""
            yield ctx.passed(
                a.resource_type, a.arn, f"{a.label} is {a.state}{quiet}", evidence=evidence
            )


def _missing_metrics(
    ctx: Context, region: str, alarm: Alarm
) -> tuple[list[Metric], AwsError | None]:
    missing, error = [], None
    for metric in alarm.metrics:
        found = _existing(ctx, region, metric)
        if isinstance(found, AwsError):
            error = found
        elif not found:
            missing.append(metric)
    return missing, error
