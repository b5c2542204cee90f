"""Alarm hygiene: does each metric alarm treat missing data so that it fires when the
resource it watches dies?

Semantics: issue 15 ("TreatMissingData"). An alarm's `TreatMissingData` is `missing`
when omitted (PutMetricAlarm, CloudWatch API reference); `notBreaching` counts a missing
point as within the threshold and `ignore` keeps the current state. On a metric that is
published every period while its resource lives (a heartbeat: agent metrics, status
checks, host counts, instance CPU), both make the alarm stay quiet exactly when the
resource is gone. On a metric published only when something happens (an error count),
`breaching` is the opposite mistake: the alarm fires on silence.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.checks.cloudwatch.readers import Alarm, Metric, alarm_index
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

DEFAULT = "missing"  # what AWS uses when TreatMissingData is omitted
SILENT = ("notBreaching", "ignore")

_LB = ("AWS/ApplicationELB", "AWS/NetworkELB", "AWS/GatewayELB", "AWS/ELB")
_EVERY_PERIOD: dict[str, tuple[str, ...]] = {
    # namespace -> metric names published every period while the resource runs
    "AWS/RDS": ("CPUUtilization", "FreeStorageSpace", "FreeableMemory", "DatabaseConnections"),
    "AWS/ECS": ("CPUUtilization", "MemoryUtilization"),
    "ECS/ContainerInsights": ("RunningTaskCount", "CpuUtilized", "MemoryUtilized"),
}


def heartbeat(metric: Metric) -> str | None:
    """What kind of every-period metric this is, or None for one that may be published
    only when something happens. The first two rules are cloudwatch.alarm_not_stale's
    ("continuous": CloudWatch Agent metrics, EC2 instance metrics such as
    StatusCheckFailed* and CPUUtilization); then load balancer host counts and the
    recommended RDS and ECS utilisation metrics, published every minute while the
    resource runs."""
    if metric.namespace == "CWAgent" or "agent" in metric.namespace.lower():
        return "a CloudWatch Agent metric"
    if metric.namespace == "AWS/EC2" and metric.dim("InstanceId") is not None:
        return "an EC2 instance metric"
    if metric.namespace in _LB and metric.name in ("HealthyHostCount", "UnHealthyHostCount"):
        return "a load balancer host count"
    if metric.name in _EVERY_PERIOD.get(metric.namespace, ()):
        return f"an {metric.namespace} per-resource metric"
    return None


_FIX = (
    "Set the alarm's TreatMissingData to breaching (or missing, and an "
    "--insufficient-data-actions target): aws cloudwatch put-metric-alarm --alarm-name "
    "'{name}' ... --treat-missing-data breaching (put-metric-alarm replaces the whole "
    "alarm: repeat its other settings)"
)


def _judge(ctx: Context, a: Alarm) -> Finding:
    mode = a.treat_missing or DEFAULT
    beats = [(m, kind) for m in a.metrics if (kind := heartbeat(m)) is not None]
    evidence = {
        **a.evidence(),
        "treat_missing_data": mode,
        "treat_missing_data_set": a.treat_missing is not None,
        "heartbeat_metrics": [m.describe() for m, _ in beats],
        "fires_on_silence": False,
    }
    math = " (through metric math)" if len(a.metrics) > 1 else ""
    if beats and mode in SILENT:
        metric, kind = beats[0]
        effect = "stays OK" if mode == "notBreaching" else "keeps its last state"
        return ctx.failed(
            a.resource_type,
            a.arn,
            f"{a.label} watches {metric.describe()}{math}, {kind} published every period "
            f"while the resource lives, with TreatMissingData={mode}: when the resource "
            f"dies its data stops and the alarm {effect} instead of firing",
            evidence=evidence,
            remediation=_FIX.format(name=a.name),
        )
    if beats:
        metric, kind = beats[0]
        if mode == "breaching":
            text = "goes to ALARM when the data stops"
        else:
            actions = len(a.insufficient_actions)
            text = (
                f"goes to INSUFFICIENT_DATA when the data stops, which notifies only its "
                f"{actions} INSUFFICIENT_DATA action(s)"
            )
        return ctx.passed(
            a.resource_type,
            a.arn,
            f"{a.label} watches {metric.describe()} ({kind}) with TreatMissingData={mode}: "
            f"it {text}",
            evidence=evidence,
        )
    note = ""
    if mode == "breaching":
        evidence["fires_on_silence"] = True
        note = (
            " (breaching on a metric that may be published only when something happens, "
            "such as an error count: the alarm fires whenever nothing happens)"
        )
    if any(m.namespace == "AWS/DynamoDB" for m in a.metrics) and mode != "ignore":
        note += " (alarms on AWS/DynamoDB metrics always ignore missing data, whatever it says)"
    return ctx.passed(
        a.resource_type,
        a.arn,
        f"{a.label} treats missing data as {mode}, and watches no metric published every "
        f"period{note}",
        evidence=evidence,
    )


@check(
    id="cloudwatch.alarm_missing_data",
    title="Alarms on heartbeat metrics fire when the data stops",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::CloudWatch::Alarm",),
    permissions=["cloudwatch:DescribeAlarms"],
    remediation=_FIX.format(name="<alarm>"),
)
def alarm_missing_data(ctx: Context) -> Iterator[Finding]:
    """One finding per alarm. FAIL when a metric alarm watches a metric published every
    period while its resource lives (CloudWatch Agent metrics and EC2 instance metrics,
    as cloudwatch.alarm_not_stale classifies them, such as StatusCheckFailed and
    CPUUtilization; load balancer HealthyHostCount and UnHealthyHostCount; RDS
    CPUUtilization, FreeStorageSpace, FreeableMemory, DatabaseConnections; ECS service
    CPU and memory utilisation, Container Insights RunningTaskCount), directly or in metric
    math, with `TreatMissingData` `notBreaching` or `ignore`: when the resource dies the
    data stops and the alarm stays OK (or keeps its state) instead of firing. PASS
    otherwise: `breaching` fires on silence, `missing` (the default when the field is
    absent) goes to INSUFFICIENT_DATA (the message counts its INSUFFICIENT_DATA actions).
    `breaching` on any other metric (an error count, published only when errors happen)
    is PASS with a note and `fires_on_silence` in the evidence: it fires whenever nothing
    happens. NOT_APPLICABLE for a composite alarm (it has no TreatMissingData) and when
    the region has no alarm; UNKNOWN when the alarms cannot be read.
    """
    alarms, gap = ctx.listing("alarms", lambda: alarm_index(ctx, ctx.region).alarms)
    if gap is not None:
        yield gap
        return
    for a in alarms:
        if a.composite:
            yield ctx.not_applicable(
                a.resource_type,
                a.arn,
                f"{a.label} is a composite alarm: its children's TreatMissingData decides",
                evidence=a.evidence(),
            )
        else:
            yield _judge(ctx, a)
