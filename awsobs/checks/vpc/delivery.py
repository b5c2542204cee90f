"""VPC Flow Logs: is each VPC's active flow log delivering records, not just configured?

`vpc.flow_logs_enabled` proves a flow log is attached; this companion reads its
destination (docs/design.md, "Delivery checks"): the newest stream of its CloudWatch Logs
group, or the newest key of today's (UTC) directory of its S3 layout. One read per
distinct destination, concurrently, after the region's DescribeVpcs and DescribeFlowLogs
(the same requests as the configuration check's, answered by the gateway's memo).

S3 layout (VPC User Guide, "Flow log files", flow-logs-s3-path): `<bucket>[/<prefix>]/
AWSLogs/<account>/vpcflowlogs/<region>/<yyyy>/<mm>/<dd>/` (`DestinationOptions`
`PerHourPartition` adds `<HH>/`; `HiveCompatiblePartitions` spells it `aws-account-id=
<account>/aws-service=vpcflowlogs/aws-region=<region>/year=<yyyy>/month=<mm>/day=<dd>/
[hour=<HH>/]`), files named `<account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>
_<hash>.log.gz`, published every 5 minutes; `LastModified` is the upload time. Without
hourly partitions the listing is narrowed to the flow log's own files; with them it
covers the hour directories, so flow logs of the region sharing a bucket and prefix are
judged together (the evidence says so).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import (
    DESCRIBE_LOG_STREAMS,
    LIST_BUCKET,
    Arrival,
    Busy,
    Window,
    attempt,
    newest_key_by_day,
    newest_stream,
    verdict,
    window,
)
from awsobs.checks._shared import LOG_GROUP_ARN
from awsobs.checks.vpc.readers import (
    DESCRIBE_FLOW_LOGS,
    DESCRIBE_VPCS,
    VPC,
    active,
    delivery_failed,
    destination,
    flow_logs,
    owned,
    summary,
    traffic_problem,
    vpc_arn,
    vpcs,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal, Status
from awsobs.registry import check

CONFIG_CHECK = "vpc.flow_logs_enabled"
BUSY = Busy("an active flow log of a VPC is expected to deliver its records every few minutes")
CWL_CAUSES = (
    "the flow log's IAM role (DeliverLogsPermissionArn) no longer trusts "
    "vpc-flow-logs.amazonaws.com or lost logs:CreateLogStream / logs:PutLogEvents; the log "
    "group was deleted and recreated; the VPC has no network interface with traffic"
)
S3_CAUSES = (
    "the bucket policy no longer lets delivery.logs.amazonaws.com s3:PutObject under the "
    "prefix; the bucket's KMS key policy denies the log delivery service; the bucket was "
    "replaced; the VPC has no network interface with traffic"
)
_WORST = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}


@dataclass(frozen=True)
class Target:
    """One flow log's destination, as read: `key` is the same for flow logs whose reads
    are the same (one read each), `where` how messages name it."""

    key: tuple[str, ...]
    where: str
    causes: str
    read: Callable[[], Arrival]


def _layout(fl: Mapping[str, Any], account: str, region: str) -> tuple[str, str, bool, bool]:
    """(bucket, the directory above the dates, Hive-style, hourly) of an S3 flow log."""
    bucket, _, prefix = str(fl.get("LogDestination") or "").split(":::", 1)[-1].partition("/")
    base = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    options = fl.get("DestinationOptions") or {}
    hive = options.get("HiveCompatiblePartitions") is True
    if hive:
        root = (
            f"{base}AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/"
        )
    else:
        root = f"{base}AWSLogs/{account}/vpcflowlogs/{region}/"
    return bucket, root, hive, options.get("PerHourPartition") is True


def s3_day_prefix(
    fl: Mapping[str, Any], account: str, region: str, day: dt.date
) -> tuple[str, str, str | None]:
    """(bucket, day directory, file-name token or None) of an S3 flow log for `day`.

    The token (`<account>_vpcflowlogs_<region>_<flow-log-id>_`) narrows the listing to
    the flow log's own files; with hourly partitions the files are one directory lower,
    so there is none."""
    bucket, root, hive, hourly = _layout(fl, account, region)
    if hive:
        day_dir = f"year={day:%Y}/month={day:%m}/day={day:%d}/"
    else:
        day_dir = f"{day:%Y}/{day:%m}/{day:%d}/"
    if hourly:
        return bucket, root + day_dir, None
    return bucket, root + day_dir, f"{account}_vpcflowlogs_{region}_{fl.get('FlowLogId')}_"


def _s3_target(ctx: Context, fl: Mapping[str, Any], win: Window) -> Target:
    account, region = ctx.account_id, ctx.region
    bucket, root, hive, _ = _layout(fl, account, region)
    token = s3_day_prefix(fl, account, region, win.now.date())[2]

    def day_prefix(day: dt.date) -> str:
        _, directory, tok = s3_day_prefix(fl, account, region, day)
        return directory + (tok or "")

    def start_after(prefix: str, start: dt.datetime) -> str:
        if token is not None:  # files sort by the time in their name
            return prefix + start.strftime("%Y%m%dT%H%M")
        return prefix + (f"hour={start:%H}" if hive else f"{start:%H}")

    def read() -> Arrival:
        # the bucket may be in another region: botocore's S3 region redirector follows it
        return newest_key_by_day(ctx, region, bucket, day_prefix, win, start_after)

    key = ("s3", bucket, root, token or "per-hour")
    return Target(key, f"s3://{bucket}/{root}", S3_CAUSES, read)


def _logs_target(ctx: Context, fl: Mapping[str, Any]) -> Target:
    arn = LOG_GROUP_ARN.match(str(fl.get("LogDestination") or ""))
    region = arn.group(1) if arn else ctx.region
    group = str(fl.get("LogGroupName") or (arn.group(3) if arn else ""))
    return Target(
        ("logs", region, group),
        f"log group {group}",
        CWL_CAUSES,
        lambda: newest_stream(ctx, region, group),
    )


def _target(ctx: Context, fl: Mapping[str, Any], win: Window) -> Target | None:
    kind = str(fl.get("LogDestinationType") or "cloud-watch-logs")
    if kind == "s3":
        return _s3_target(ctx, fl, win)
    if kind == "cloud-watch-logs":
        return _logs_target(ctx, fl)
    return None  # Kinesis Data Firehose: its deliveries are not read


def _fix(fl: Mapping[str, Any]) -> str:
    return (
        f"aws ec2 describe-flow-logs --flow-log-ids {fl.get('FlowLogId')} (DeliverLogsStatus "
        "and DeliverLogsErrorMessage), then repair the destination's permissions or recreate "
        "the flow log"
    )


def _combine(
    ctx: Context, arn: str, judged: Sequence[tuple[Mapping[str, Any], Finding]]
) -> Finding:
    """The VPC's finding: its worst flow log's, with every judged flow log in the evidence."""
    ranked = sorted(judged, key=lambda pair: _WORST[pair[1].status])
    worst = ranked[0][1]
    each = [
        {**summary(fl), "delivery_status": f.status.value, "delivery": f.message}
        for fl, f in judged
    ]
    others = [f"{fl.get('FlowLogId')} {f.status.value}" for fl, f in ranked[1:]]
    message = worst.message + (f" (other flow logs: {', '.join(others)})" if others else "")
    return dataclasses.replace(
        worst, message=message, evidence={**worst.evidence, "flow_logs": each}
    )


def _judge(
    ctx: Context,
    vpc: Mapping[str, Any],
    logs: Sequence[Mapping[str, Any]],
    targets: Mapping[str, Target | None],
    arrivals: Mapping[tuple[str, ...], Arrival | AwsError],
    win: Window,
) -> Finding:
    vpc_id, arn = str(vpc["VpcId"]), vpc_arn(ctx, vpc)
    label = f"{'default ' if vpc.get('IsDefault') else ''}VPC {vpc_id}"
    evidence: dict[str, Any] = {"vpc_id": vpc_id, "flow_logs": [summary(fl) for fl in logs]}
    if not owned(ctx, vpc):
        text = (
            f"VPC {vpc_id} is shared with this account: check its flow logs in the owning account"
        )
        return ctx.not_applicable(VPC, arn, text, evidence=evidence)
    judged = [fl for fl in logs if active(fl) and traffic_problem(fl) is None]
    if not judged:
        text = (
            f"{label} has no active flow log recording rejected traffic: not configured, "
            f"see {CONFIG_CHECK}"
        )
        return ctx.not_applicable(VPC, arn, text, evidence={**evidence, **win.evidence()})
    failing = [fl for fl in judged if delivery_failed(fl)]
    if failing:
        text = f"{label}: " + "; ".join(
            f"flow log {fl.get('FlowLogId')} is failing to deliver to {destination(fl)}: "
            f"{fl.get('DeliverLogsErrorMessage') or 'AWS gives no error message'}"
            for fl in failing
        )
        return ctx.failed(VPC, arn, text, evidence=evidence, remediation=_fix(failing[0]))
    readable = [fl for fl in judged if targets[str(fl.get("FlowLogId"))] is not None]
    if not readable:
        text = (
            f"{label} delivers its flow logs to Kinesis Data Firehose only, whose deliveries "
            "this check does not read"
        )
        return ctx.not_applicable(VPC, arn, text, evidence=evidence)
    findings = []
    for fl in readable:
        target = targets[str(fl.get("FlowLogId"))]
        assert target is not None
        f = verdict(
            ctx,
            VPC,
            arn,
            label=f"flow log {fl.get('FlowLogId')} of {label}",
            destination=target.where,
            arrival=arrivals[target.key],
            win=win,
            traffic=BUSY,
            causes=target.causes,
            evidence={"vpc_id": vpc_id},
            remediation=_fix(fl),
        )
        findings.append((fl, f))
    return _combine(ctx, arn, findings)


@check(
    id="vpc.flow_logs_delivered",
    title="Each VPC's active flow log delivered records recently",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::EC2::VPC",),
    permissions=[DESCRIBE_VPCS, DESCRIBE_FLOW_LOGS, DESCRIBE_LOG_STREAMS, LIST_BUCKET],
    options={"max_age_hours": 24},
    remediation="aws ec2 describe-flow-logs --filter Name=resource-id,Values=<vpc> "
    "(DeliverLogsErrorMessage); repair the role or bucket policy the flow log delivers with",
)
def flow_logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per VPC in the region, resource id its ARN (as `vpc.flow_logs_enabled`).

    Judged: the VPC's own flow logs that the configuration check counts, ACTIVE and
    recording ALL or REJECT traffic (any other VPC is NOT_APPLICABLE, "see
    vpc.flow_logs_enabled"). FAIL when one of them reports `DeliverLogsStatus` FAILED,
    naming AWS's `DeliverLogsErrorMessage` (nothing else is read). Otherwise each is read
    once per distinct destination: a CloudWatch Logs group's newest stream
    (`lastIngestionTime`), or the newest key (`LastModified`) of its S3 layout's today's
    directory, the previous days' only while empty and inside the window. PASS when every
    judged flow log delivered within `max_age_hours` (default 24); FAIL when one did not,
    naming its last delivery ("last delivery 9 days ago", or "nothing since <time>" for
    S3) and the usual causes; its destination gone (group or bucket) is FAIL too.

    No traffic gate: a VPC with an active flow log is expected to deliver (every flow of
    its network interfaces is a record), so a silent destination is a FAIL. A VPC with no
    network interface at all writes nothing, and shows as FAIL too. Flow logs to Kinesis
    Data Firehose are not read (NOT_APPLICABLE when they are the only ones). UNKNOWN,
    naming the denied action, when the VPCs or flow logs cannot be listed (one finding
    for the region) or a destination cannot be read (`logs:DescribeLogStreams`,
    `s3:ListBucket`). A VPC shared by another account is NOT_APPLICABLE.
    """
    found, gap = ctx.listing("VPCs", lambda: vpcs(ctx), none=f"no VPC in {ctx.region}")
    if gap is not None:
        yield gap
        return
    every: Sequence[Mapping[str, Any]] = ()
    if any(owned(ctx, v) for v in found):
        try:
            every = flow_logs(ctx)
        except AwsError as err:
            yield ctx.unknown_from(err, *ctx.region_resource(), "could not list flow logs")
            return
    win = window(ctx)
    by_vpc: dict[str, list[Mapping[str, Any]]] = {}
    for fl in every:
        by_vpc.setdefault(str(fl.get("ResourceId") or ""), []).append(fl)
    targets: dict[str, Target | None] = {}
    reads: dict[tuple[str, ...], Target] = {}
    for vpc in found:
        if not owned(ctx, vpc):
            continue
        for fl in by_vpc.get(str(vpc["VpcId"]), ()):
            if active(fl) and traffic_problem(fl) is None and not delivery_failed(fl):
                target = targets[str(fl.get("FlowLogId"))] = _target(ctx, fl, win)
                if target is not None:
                    reads.setdefault(target.key, target)
    keys = sorted(reads)
    answers = ctx.map(lambda k: attempt(reads[k].read), keys)
    arrivals = dict(zip(keys, answers, strict=True))
    for vpc in sorted(found, key=lambda v: str(v["VpcId"])):
        yield _judge(ctx, vpc, by_vpc.get(str(vpc["VpcId"]), []), targets, arrivals, win)
