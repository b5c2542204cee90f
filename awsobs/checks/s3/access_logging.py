"""S3 server access logging: is every request to a bucket recorded? (controls.md §8)

Each bucket is judged in its own region. Buckets that are log targets (they receive
another bucket's server access logs, CloudTrail logs or VPC flow logs) are exempt, as Security Hub
S3.9 advises: logging the log bucket into another bucket only moves the problem. A bucket
logging into itself is not exempted for that: it is judged, and has logging.

The reads are the ones `s3.request_metrics_enabled` and `vpc.flow_logs_enabled` make
(ListBuckets, GetBucketLocation, GetBucketLogging, DescribeTrails, DescribeFlowLogs),
memoized per scan, so running them together costs no more.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError, Undecided
from awsobs.checks.s3.readers import BUCKET, buckets_here, log_targets
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


def _logging(ctx: Context, name: str) -> Mapping[str, Any] | AwsError:
    try:
        status: Mapping[str, Any] = ctx.call("s3", "GetBucketLogging", Bucket=name)
    except AwsError as err:
        return err
    return status


def _remediation(name: str) -> str:
    return (
        f"aws s3api put-bucket-logging --bucket {name} --bucket-logging-status "
        f'\'{{"LoggingEnabled":{{"TargetBucket":"<log-bucket>","TargetPrefix":"{name}/"}}}}\''
    )


@check(
    id="s3.server_access_logging",
    title="Buckets have S3 server access logging (log-target buckets exempt)",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::S3::Bucket",),
    permissions=[
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketLogging",
        "cloudtrail:DescribeTrails",
        "ec2:DescribeFlowLogs",
    ],
    remediation=_remediation("<bucket>"),
)
def server_access_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per bucket of the region (Security Hub S3.9, Config
    `s3-bucket-logging-enabled`). PASS when GetBucketLogging returns `LoggingEnabled`
    (target bucket and prefix in the evidence); FAIL when it does not. A bucket that
    receives another bucket's server access logs, the logs of a CloudTrail trail or the
    VPC flow logs of the scanned regions, is NOT_APPLICABLE, naming what it receives
    (CloudTrail buckets have their own check, `cloudtrail.bucket_access_logging`). When
    the trails or flow logs of some region, or the logging of another bucket of the
    region, cannot be read, a bucket without logging is UNKNOWN (it may be a log
    target). UNKNOWN for a bucket whose logging cannot be read;
    one UNKNOWN for the region when the buckets cannot be listed; NOT_APPLICABLE when the
    region has no bucket. CloudTrail S3 data events are an alternative object-level audit
    source (`cloudtrail.s3_data_events_read`, `_write`); this check reports server access
    logging only.
    """
    listed, gap = ctx.listing(
        "buckets", lambda: buckets_here(ctx), none=f"no S3 buckets in {ctx.region}"
    )
    if gap is not None:
        yield gap
        return
    names = list(listed)
    statuses = dict(zip(names, ctx.map(lambda n: _logging(ctx, n), names), strict=True))
    targets = log_targets(ctx, ctx.region, names, self_logging_exempts=False, flow_logs=True)

    for name in names:
        arn = f"arn:{ctx.partition}:s3:::{name}"
        status = statuses[name]
        evidence: dict[str, Any] = {"bucket": name}
        if name in targets.known:
            yield ctx.not_applicable(
                BUCKET,
                arn,
                f"bucket '{name}' is a log target: it receives {targets.known[name]}",
                evidence={**evidence, "receives": targets.known[name]},
            )
            continue
        if isinstance(status, AwsError):
            yield ctx.unknown_from(
                status, BUCKET, arn, f"could not read the logging of bucket '{name}'"
            )
            continue
        enabled = status.get("LoggingEnabled") or {}
        if enabled.get("TargetBucket"):
            target = str(enabled["TargetBucket"])
            prefix = str(enabled.get("TargetPrefix") or "")
            evidence.update(target_bucket=target, target_prefix=prefix)
            where = f"s3://{target}/{prefix}"
            if target == name:
                where = f"itself ({where})"
            yield ctx.passed(
                BUCKET, arn, f"access to bucket '{name}' is logged to {where}", evidence=evidence
            )
            continue
        evidence["target_bucket"] = None
        try:
            targets.reason(name)  # not a known target: is that known, or just not read?
        except Undecided as err:
            yield ctx.unknown_from(
                err,
                BUCKET,
                arn,
                f"bucket '{name}' has no server access logging, but it may be exempt",
                evidence=evidence,
            )
            continue
        yield ctx.failed(
            BUCKET,
            arn,
            f"bucket '{name}' has no server access logging: requests to it leave no record",
            evidence=evidence,
            remediation=_remediation(name),
        )
