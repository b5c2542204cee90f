"""CloudTrail: does each trail deliver its log files (to S3 and CloudWatch Logs), and
validate and encrypt them?

Semantics and pitfalls: controls.md §1. Per-trail checks report each trail once (by ARN,
in its home region), however many regions show its shadow copies.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsobs.checks._shared import age, hours_since
from awsobs.checks.cloudtrail.readers import (
    START_LOGGING,
    TRAIL,
    all_trails,
    listing_gaps,
    trail_details,
    unreadable,
)
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check


@check(
    id="cloudtrail.s3_delivery",
    title="Each trail delivers log files to S3",
    severity=Severity.HIGH,
    signal=Signal.AUDIT,
    resource_types=("AWS::CloudTrail::Trail",),
    scope=Scope.ACCOUNT,
    permissions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
    remediation=(
        "Let cloudtrail.amazonaws.com write to the bucket (bucket policy, and KMS key policy "
        "when encrypted), then check: aws cloudtrail get-trail-status --name <trail>"
    ),
    options={"max_age_hours": 24},
)
def s3_delivery(ctx: Context) -> Iterator[Finding]:
    """One finding per trail. PASS when the trail is logging, has an S3 bucket, its
    `LatestDeliveryError` is empty and its `LatestDeliveryTime` is within `max_age_hours`
    (default 24). A bucket or KMS policy change breaks delivery while `IsLogging` stays
    true: this is the check that notices. The S3 copy is the durable record (event history
    keeps only 90 days of management events).
    """
    max_age = float(ctx.option("max_age_hours"))
    listing = all_trails(ctx)
    yield from listing_gaps(ctx, listing)
    for d in trail_details(ctx, listing.trails, selectors=False):
        t = d.trail
        if d.error is not None or d.status.value is None:
            yield unreadable(ctx, d, "the status")
            continue
        status = d.status.value
        where = f"s3://{t.bucket}/{t.key_prefix or ''}"
        last = status.get("LatestDeliveryTime")
        error = status.get("LatestDeliveryError")
        evidence = {
            **d.evidence(),
            "s3_bucket": t.bucket,
            "s3_key_prefix": t.key_prefix,
            "latest_delivery_time": last,
            "latest_delivery_error": error or None,
            "max_age_hours": max_age,
        }
        problem = None
        if not t.bucket:
            problem = f"{t.label} has no S3 bucket"
        elif not d.logging:
            problem = f"{t.label} is not logging, so nothing is delivered to {where}"
        elif error:
            problem = f"{t.label} cannot deliver to {where}: {error} " + (
                f"(last success {age(ctx.now, last)})" if last else "(never delivered)"
            )
        elif last is None:
            problem = f"{t.label} has never delivered a log file to {where}"
        elif (hours_since(ctx.now, last) or 0.0) > max_age:
            problem = (
                f"{t.label} last delivered a log file to {where} {age(ctx.now, last)} "
                f"(more than {max_age:g} h ago)"
            )
        if problem:
            fix = START_LOGGING.format(arn=t.arn) if not d.logging else None
            yield ctx.failed(
                TRAIL, t.arn, problem, region=t.home_region, evidence=evidence, remediation=fix
            )
        else:
            yield ctx.passed(
                TRAIL,
                t.arn,
                f"{t.label} delivers to {where}; last log file {age(ctx.now, last)}",
                region=t.home_region,
                evidence=evidence,
            )


@check(
    id="cloudtrail.log_file_validation",
    title="Each trail validates its log files",
    severity=Severity.MEDIUM,
    signal=Signal.AUDIT,
    resource_types=("AWS::CloudTrail::Trail",),
    scope=Scope.ACCOUNT,
    permissions=["cloudtrail:DescribeTrails"],
    remediation="aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
)
def log_file_validation(ctx: Context) -> Iterator[Finding]:
    """One finding per trail (CIS v1.4-v5.0 3.2; Security Hub CloudTrail.4). PASS when
    `LogFileValidationEnabled` is true: CloudTrail then delivers signed digest files, so
    a deleted or edited log file can be detected (`aws cloudtrail validate-logs`).
    """
    listing = all_trails(ctx)
    yield from listing_gaps(ctx, listing)
    for t in listing.trails:
        evidence = {**t.evidence(), "log_file_validation_enabled": t.log_validation}
        if t.log_validation:
            yield ctx.passed(
                TRAIL,
                t.arn,
                f"{t.label} validates its log files (digest files)",
                region=t.home_region,
                evidence=evidence,
            )
        else:
            yield ctx.failed(
                TRAIL,
                t.arn,
                f"{t.label} does not validate log files: edits or deletions go unnoticed",
                region=t.home_region,
                evidence=evidence,
                remediation=(
                    f"aws cloudtrail update-trail --name {t.arn} --enable-log-file-validation"
                ),
            )


@check(
    id="cloudtrail.kms_encryption",
    title="Each trail encrypts its log files with a KMS key",
    severity=Severity.MEDIUM,
    signal=Signal.AUDIT,
    resource_types=("AWS::CloudTrail::Trail",),
    scope=Scope.ACCOUNT,
    permissions=["cloudtrail:DescribeTrails"],
    remediation="aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn>",
)
def kms_encryption(ctx: Context) -> Iterator[Finding]:
    """One finding per trail (CIS v1.4 3.7, v3.0/v5.0 3.5; Security Hub CloudTrail.2). PASS when
    `KmsKeyId` is set (SSE-KMS). The default SSE-S3 encryption does not count: with SSE-KMS, reading
    the logs also needs the key, which narrows who can read them.
    """
    listing = all_trails(ctx)
    yield from listing_gaps(ctx, listing)
    for t in listing.trails:
        evidence = {**t.evidence(), "kms_key_id": t.kms_key_id}
        if t.kms_key_id:
            yield ctx.passed(
                TRAIL,
                t.arn,
                f"{t.label} encrypts log files with {t.kms_key_id}",
                region=t.home_region,
                evidence=evidence,
            )
        else:
            yield ctx.failed(
                TRAIL,
                t.arn,
                f"{t.label} log files are not encrypted with a KMS key (SSE-S3 only)",
                region=t.home_region,
                evidence=evidence,
                remediation=f"aws cloudtrail update-trail --name {t.arn} --kms-key-id <key-arn>",
            )


@check(
    id="cloudtrail.cloudwatch_logs",
    title="Each trail delivers events to CloudWatch Logs",
    severity=Severity.MEDIUM,
    signal=Signal.AUDIT,
    resource_types=("AWS::CloudTrail::Trail",),
    scope=Scope.ACCOUNT,
    permissions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
    remediation=(
        "aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn "
        "<log-group-arn> --cloud-watch-logs-role-arn <role-arn>"
    ),
    options={"max_age_hours": 24},
)
def cloudwatch_logs(ctx: Context) -> Iterator[Finding]:
    """One finding per trail (CIS v1.4 3.4, dropped from v3.0; Security Hub CloudTrail.5). PASS
    when the trail has a CloudWatch Logs log group, is logging, `LatestCloudWatchLogsDeliveryError`
    is empty and `LatestCloudWatchLogsDeliveryTime` is within `max_age_hours` (default 24). Without
    this, no metric filter or alarm can react to API activity. A deleted log group or a
    broken role keeps the ARN set but stops delivery: the freshness test catches it.
    """
    max_age = float(ctx.option("max_age_hours"))
    listing = all_trails(ctx)
    yield from listing_gaps(ctx, listing)
    for d in trail_details(ctx, listing.trails, selectors=False):
        t = d.trail
        evidence: dict[str, Any] = {
            **d.evidence(),
            "log_group_arn": t.log_group_arn,
            "log_role_arn": t.log_role_arn,
            "max_age_hours": max_age,
        }
        if not t.log_group_arn:
            yield ctx.failed(
                TRAIL,
                t.arn,
                f"{t.label} does not send events to CloudWatch Logs: no alarm can react to them",
                region=t.home_region,
                evidence=evidence,
            )
            continue
        if d.error is not None or d.status.value is None:
            yield unreadable(ctx, d, "the status")
            continue
        status = d.status.value
        last = status.get("LatestCloudWatchLogsDeliveryTime")
        error = status.get("LatestCloudWatchLogsDeliveryError")
        evidence.update(latest_delivery_time=last, latest_delivery_error=error or None)
        group = t.log_group_arn.split(":log-group:")[-1].removesuffix(":*")
        problem = None
        if not d.logging:
            problem = f"{t.label} is not logging, so nothing reaches log group {group}"
        elif error:
            problem = f"{t.label} cannot deliver to log group {group}: {error}"
        elif last is None:
            problem = (
                f"{t.label} has never delivered to log group {group} "
                "(check the log group exists and the trail's CloudWatch Logs role)"
            )
        elif (hours_since(ctx.now, last) or 0.0) > max_age:
            problem = (
                f"{t.label} last delivered to log group {group} {age(ctx.now, last)} "
                f"(more than {max_age:g} h ago)"
            )
        if problem:
            yield ctx.failed(TRAIL, t.arn, problem, region=t.home_region, evidence=evidence)
        else:
            yield ctx.passed(
                TRAIL,
                t.arn,
                f"{t.label} delivers to log group {group}; last {age(ctx.now, last)}",
                region=t.home_region,
                evidence=evidence,
            )
