"""RDS and Aurora: does each DB instance's Enhanced Monitoring agent actually report?

`rds.enhanced_monitoring` proves the interval is set and the role can be assumed; this
companion reads where the OS metrics go (docs/design.md, "Delivery checks"). They are not
CloudWatch metrics: the agent writes one JSON record per interval to the CloudWatch Logs
group `RDSOSMetrics`, in a stream named by the instance's `DbiResourceId` (RDS User Guide,
"Viewing OS metrics using CloudWatch Logs":
https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.CloudWatchLogs.html).

Reads, beside the configuration check's (DescribeDBInstances, iam:GetRole, answered by the
gateway's memo): one DescribeLogStreams per judged instance, concurrently, with
`logStreamNamePrefix=<DbiResourceId>` (a prefix cannot be combined with
`orderBy=LastEventTime`, so the default order), first page only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import (
    DESCRIBE_LOG_STREAMS,
    Arrival,
    Busy,
    attempt,
    verdict,
    window,
)
from awsobs.checks.rds.readers import INSTANCE, db_instances, dbi_resource_id
from awsobs.checks.rds.verdicts import monitoring_verdict
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal, Status
from awsobs.registry import check

CONFIG_CHECK = "rds.enhanced_monitoring"
GROUP = "RDSOSMetrics"
STREAMS_PER_PAGE = 50  # DescribeLogStreams' largest page
CAUSES = (
    "the monitoring role lost the AmazonRDSEnhancedMonitoringRole policy (logs:PutLogEvents "
    "on RDSOSMetrics) or its trust in monitoring.rds.amazonaws.com is limited by a "
    "condition; the RDSOSMetrics group was deleted or given a KMS key RDS cannot use"
)


@dataclass(frozen=True)
class Reporter:
    """An instance `rds.enhanced_monitoring` passes, and its stream."""

    arn: str
    name: str
    label: str
    interval: int
    stream: str


def newest_os_metrics(ctx: Context, region: str, stream: str) -> Arrival:
    """When the `RDSOSMetrics` stream named `stream` last ingested data: one
    DescribeLogStreams with `logStreamNamePrefix` (first page, `max_items`), the stream
    of exactly that name. Raises `AwsError` (NOT_FOUND: no `RDSOSMetrics` group)."""
    answer = ctx.call(
        "logs",
        "DescribeLogStreams",
        region,
        max_items=STREAMS_PER_PAGE,
        logGroupName=GROUP,
        logStreamNamePrefix=stream,
        limit=STREAMS_PER_PAGE,
    )
    found = next(
        (s for s in answer.get("logStreams", ()) if s.get("logStreamName") == stream), None
    )
    where = f"log group {GROUP} (stream {stream})"
    evidence: dict[str, Any] = {"log_group": GROUP, "log_stream": stream}
    if found is None or "lastIngestionTime" not in found:
        return Arrival(None, where, None, {**evidence, "stream_found": found is not None})
    last = dt.datetime.fromtimestamp(int(found["lastIngestionTime"]) / 1000, dt.UTC)
    evidence.update(stream_found=True, last_ingestion_time=last.isoformat())
    return Arrival(last, where, None, evidence)


def _screen(ctx: Context, raw: Mapping[str, Any]) -> Reporter | Finding:
    """The instance to judge, or its NOT_APPLICABLE / UNKNOWN finding."""
    name = str(raw.get("DBInstanceIdentifier"))
    config = monitoring_verdict(ctx, raw)
    arn, label = config.resource_id, f"DB instance '{name}' ({raw.get('Engine')})"
    interval = int(raw.get("MonitoringInterval") or 0)
    status = str(raw.get("DBInstanceStatus") or "")
    evidence = {"monitoring_interval": interval, "status": status or None}
    if interval <= 0:
        text = f"{label} has Enhanced Monitoring off: not configured, see {CONFIG_CHECK}"
        return ctx.not_applicable(INSTANCE, arn, text, evidence=evidence)
    if status != "available":
        text = (
            f"{label} is {status or 'in no reported state'}, not available: no OS metrics "
            "are expected"
        )
        return ctx.not_applicable(INSTANCE, arn, text, evidence=evidence)
    if config.status is Status.UNKNOWN:
        text = f"whether {label} reports OS metrics is unknown (see {CONFIG_CHECK}): "
        return dataclasses.replace(config, message=text + config.message)
    if config.status is not Status.PASS:
        ev = {**evidence, **config.evidence}
        text = f"{label} is not set up to report OS metrics (see {CONFIG_CHECK}): "
        return ctx.not_applicable(INSTANCE, arn, text + config.message, evidence=ev)
    stream = dbi_resource_id(raw)
    if stream is None:
        text = f"{label} reports no DbiResourceId, which names its OS metrics stream"
        return ctx.unknown(INSTANCE, arn, text, evidence=evidence)
    return Reporter(arn, name, label, interval, stream)


@check(
    id="rds.enhanced_monitoring_reporting",
    title="RDS and Aurora DB instances' Enhanced Monitoring OS metrics arrive",
    severity=Severity.LOW,
    signal=Signal.METRICS,
    resource_types=("AWS::RDS::DBInstance",),
    permissions=["rds:DescribeDBInstances", "iam:GetRole", DESCRIBE_LOG_STREAMS],
    options={"max_age_hours": 1},
    remediation="aws logs describe-log-streams --log-group-name RDSOSMetrics "
    "--log-stream-name-prefix <DbiResourceId>; check the monitoring role's policy "
    "(AmazonRDSEnhancedMonitoringRole)",
)
def enhanced_monitoring_reporting(ctx: Context) -> Iterator[Finding]:
    """One finding per DB instance, resource id its ARN (as `rds.enhanced_monitoring`).

    Judged: an instance with `MonitoringInterval` above 0, status `available`, that
    `rds.enhanced_monitoring` passes (interval 0 or another status is NOT_APPLICABLE;
    a configuration that check does not pass is NOT_APPLICABLE, "see
    rds.enhanced_monitoring", or UNKNOWN when it is UNKNOWN). Its stream, named by its
    `DbiResourceId` in the log group `RDSOSMetrics`, is read (one DescribeLogStreams with
    `logStreamNamePrefix`, first page). PASS when the stream ingested within
    `max_age_hours` (default 1); FAIL when it did not, or has never been written, naming
    the last delivery and the usual causes, and when the group does not exist.

    No traffic gate: the agent reports every interval (at most 60 s) whether or not the
    database is used, so a silent stream is a FAIL. UNKNOWN, naming the denied action,
    when the instances cannot be listed (one finding for the region), the role cannot be
    read (iam:GetRole), or the stream cannot be read (`logs:DescribeLogStreams`); UNKNOWN
    too when the instance reports no `DbiResourceId`.
    """
    instances, gap = ctx.listing(
        "RDS DB instances", lambda: db_instances(ctx), none=f"no RDS DB instance in {ctx.region}"
    )
    if gap is not None:
        yield gap
        return
    ordered = sorted(instances, key=lambda r: str(r.get("DBInstanceIdentifier")))
    screened = [_screen(ctx, raw) for raw in ordered]
    streams = sorted({s.stream for s in screened if isinstance(s, Reporter)})
    read = ctx.map(lambda s: attempt(lambda: newest_os_metrics(ctx, ctx.region, s)), streams)
    arrivals: dict[str, Arrival | AwsError] = dict(zip(streams, read, strict=True))
    win = window(ctx)
    for item in screened:
        if isinstance(item, Finding):
            yield item
            continue
        where = f"log group {GROUP} (stream {item.stream})"
        yield verdict(
            ctx,
            INSTANCE,
            item.arn,
            label=item.label,
            destination=where,
            arrival=arrivals[item.stream],
            win=win,
            traffic=Busy(f"its Enhanced Monitoring agent reports every {item.interval} s"),
            causes=CAUSES,
            evidence={"monitoring_interval": item.interval, "dbi_resource_id": item.stream},
            remediation=(
                f"aws logs describe-log-streams --region {ctx.region} --log-group-name {GROUP} "
                f"--log-stream-name-prefix {item.stream}; aws rds describe-db-instances "
                f"--db-instance-identifier {item.name} --query "
                "'DBInstances[].[MonitoringInterval,MonitoringRoleArn]'"
            ),
        )
