"""CloudTrail: is every region recorded, by a trail that is logging, delivering and complete?

Semantics and pitfalls: controls.md §1. Per-trail checks report each trail once (by ARN,
in its home region), however many regions show its shadow copies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import age, hours_since
from awsobs.checks.cloudtrail.readers import (
    TRAIL,
    Trail,
    TrailDetails,
    TrailListing,
    all_trails,
    foreign_note,
    trail_details,
    trails_in,
    undecided,
)
from awsobs.checks.cloudtrail.selectors import (
    describe_coverage,
    management_coverage,
    selector_evidence,
)
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity
from awsobs.registry import check

_START = "aws cloudtrail start-logging --name {arn}"
_CREATE = (
    "aws cloudtrail create-trail --name <name> --s3-bucket-name <bucket> --is-multi-region-trail"
    " && aws cloudtrail start-logging --name <name>"
)
_MGMT_SELECTOR = (
    "aws cloudtrail put-event-selectors --trail-name {arn} --advanced-event-selectors "
    '\'[{{"Name":"Management events","FieldSelectors":[{{"Field":"eventCategory",'
    '"Equals":["Management"]}}]}}]\' (add the trail\'s data-event selectors to the same '
    "call: it replaces them)"
)


def _get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    return None if mapping is None else mapping.get(key)


def _stopped_when(ctx: Context, status: Mapping[str, Any] | None) -> str:
    stopped = _get(status, "StopLoggingTime")
    if stopped is None and _get(status, "StartLoggingTime") is None:
        return "never started logging"
    return f"stopped {age(ctx.now, stopped)}"


def _labels(trails: list[Trail]) -> str:
    return ", ".join(t.label for t in trails)


def listing_gaps(ctx: Context, listing: TrailListing) -> Iterator[Finding]:
    """UNKNOWN for each region whose trails could not be listed; NOT_APPLICABLE for none
    (only when some region was read: with none, "no trail" is not known)."""
    for region, err in sorted(listing.errors.items()):
        rtype, rid = ctx.region_resource(region)
        yield ctx.unknown_from(err, rtype, rid, f"could not list trails in {region}", region=region)
    if not listing.read and not listing.errors:
        unread = listing.unread(ctx)
        assert unread is not None
        yield unread
    elif not listing.trails and not listing.errors:
        yield ctx.not_applicable(
            *ctx.account_resource(), "no CloudTrail trail in the scanned regions"
        )


def _unreadable(ctx: Context, d: TrailDetails, what: str) -> Finding:
    """UNKNOWN for a trail whose status or selectors could not be read."""
    t = d.trail
    err = d.error
    assert err is not None
    if d.foreign:
        return ctx.unknown(
            TRAIL,
            t.arn,
            foreign_note(t),
            region=t.home_region,
            evidence={**d.evidence(), "error": {"code": err.code, "action": err.action}},
        )
    return ctx.unknown_from(
        err,
        TRAIL,
        t.arn,
        f"could not read {what} of {t.label}",
        region=t.home_region,
        evidence=d.evidence(),
    )


@check(
    id="cloudtrail.trail_logging",
    title="Every region is recorded by a logging trail",
    severity=Severity.HIGH,
    scope=Scope.REGION,
    permissions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
    remediation=f"aws cloudtrail start-logging --name <trail>, or create one: {_CREATE}",
)
def trail_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per region. PASS when some trail that covers the region (a multi-region
    trail, or a single-region trail whose home is this region) has `IsLogging=true`. A
    trail that exists but is stopped never counts. An organization trail whose status
    cannot be read from this member account counts for coverage, and the message says so.
    UNKNOWN when no trail is known to log and some trail's status could not be read.
    """
    region = ctx.region
    assert region is not None
    rtype, rid = ctx.region_resource()
    try:
        trails = [t for t in trails_in(ctx, region) if t.covers(region)]
    except AwsError as err:
        yield ctx.unknown_from(err, rtype, rid, f"could not list trails in {region}")
        return
    if not trails:
        yield ctx.failed(
            rtype,
            rid,
            f"no trail records API activity in {region}: only the 90-day event history exists",
            evidence={"trails": []},
            remediation=_CREATE,
        )
        return
    details = trail_details(ctx, trails, selectors=False)
    evidence: dict[str, Any] = {"trails": [d.evidence() for d in details]}
    logging_now = [d.trail for d in details if d.logging]
    foreign, unreadable = undecided(details)
    if logging_now:
        yield ctx.passed(rtype, rid, f"recorded by {_labels(logging_now)}", evidence=evidence)
    elif foreign:
        t = foreign[0].trail
        yield ctx.passed(
            rtype,
            rid,
            f"covered by {t.label} of account {t.owner_account}; its logging state is managed "
            "by the organization and cannot be read from this account",
            evidence=evidence,
        )
    elif unreadable:
        d = unreadable[0]
        assert d.error is not None
        yield ctx.unknown_from(
            d.error, rtype, rid, f"could not read the status of {d.trail.label}", evidence=evidence
        )
    else:
        stopped = [f"{d.trail.label} ({_stopped_when(ctx, d.status.value)})" for d in details]
        yield ctx.failed(
            rtype,
            rid,
            f"no trail is logging in {region}: {', '.join(stopped)}",
            evidence=evidence,
            remediation=_START.format(arn=details[0].trail.arn),
        )


@check(
    id="cloudtrail.multi_region",
    title="A multi-region trail is logging all read and write management events",
    severity=Severity.HIGH,
    scope=Scope.ACCOUNT,
    permissions=[
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
    ],
    remediation=(
        "aws cloudtrail update-trail --name <trail> --is-multi-region-trail, then "
        "aws cloudtrail start-logging --name <trail>"
    ),
)
def multi_region(ctx: Context) -> Iterator[Finding]:
    """One finding per account (CIS 3.1 / Security Hub CloudTrail.1). PASS when some trail
    is multi-region, is logging, and records every read and write management event: a
    classic selector with `ReadWriteType=All`, management events included and no
    `ExcludeManagementEventSources`, or an advanced selector on `eventCategory=Management`
    with no `readOnly` or `eventSource` condition. The selectors of one trail are combined
    (a read-only plus a write-only selector record both). Selector names are ignored. An
    organization trail whose details the member account cannot read counts for coverage.
    """
    rtype, rid = ctx.account_resource()
    listing = all_trails(ctx)
    unread = listing.unread(ctx)
    if unread is not None:
        yield unread
        return
    candidates = [t for t in listing.trails if t.multi_region]
    if not candidates:
        yield ctx.failed(
            rtype,
            rid,
            "no multi-region trail: regions without a trail of their own record nothing",
            evidence={"trails": [t.evidence() for t in listing.trails]},
        )
        return
    details = trail_details(ctx, candidates)
    evidence: dict[str, Any] = {"trails": [d.evidence() for d in details]}
    problems: list[tuple[str, str]] = []  # (what is wrong, the command that fixes it)
    for d in details:
        if d.stopped:
            problems.append((f"{d.trail.label} is not logging", _START.format(arn=d.trail.arn)))
            continue
        if d.error is not None or d.selectors is None or d.selectors.value is None:
            continue
        cov = management_coverage(d.selectors.value)
        if cov.full:
            yield ctx.passed(
                rtype,
                rid,
                f"{d.trail.label} (home {d.trail.home_region}) is logging all read and write "
                "management events in every region",
                evidence={**evidence, **selector_evidence(d.selectors.value)},
            )
            return
        text = f"{d.trail.label} {describe_coverage(cov, 'management events')}"
        problems.append((text, _MGMT_SELECTOR.format(arn=d.trail.arn)))
    foreign, unreadable = undecided(details)
    if foreign:
        t = foreign[0].trail
        yield ctx.passed(
            rtype,
            rid,
            f"covered by multi-region {t.label} of account {t.owner_account}; its logging state "
            "and selectors are managed by the organization and cannot be read from this account",
            evidence=evidence,
        )
    elif unreadable:
        d = unreadable[0]
        assert d.error is not None
        yield ctx.unknown_from(
            d.error, rtype, rid, f"could not read {d.trail.label}", evidence=evidence
        )
    else:
        yield ctx.failed(
            rtype,
            rid,
            "; ".join(text for text, _ in problems),
            evidence=evidence,
            remediation=problems[0][1],
        )


@check(
    id="cloudtrail.management_events_rw",
    title="Each trail records all read and write management events",
    severity=Severity.MEDIUM,
    scope=Scope.ACCOUNT,
    permissions=[
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
    ],
    remediation=_MGMT_SELECTOR.format(arn="<trail>"),
)
def management_events_rw(ctx: Context) -> Iterator[Finding]:
    """One finding per trail. PASS when the trail is logging and its selectors record every
    read and every write management event. The message says what is missing: only
    read-only or only write events, an `eventSource` or `ExcludeManagementEventSources`
    exclusion (KMS, RDS Data API), or no management events at all. A stopped trail FAILs
    (it records nothing). A trail with no custom selectors has CloudTrail's default (all
    management events).
    """
    listing = all_trails(ctx)
    yield from listing_gaps(ctx, listing)
    for d in trail_details(ctx, listing.trails):
        t = d.trail
        if d.stopped:
            yield ctx.failed(
                TRAIL,
                t.arn,
                f"{t.label} is not logging, so it records no management events",
                region=t.home_region,
                evidence=d.evidence(),
                remediation=_START.format(arn=t.arn),
            )
            continue
        if d.error is not None or d.selectors is None or d.selectors.value is None:
            yield _unreadable(ctx, d, "the status and event selectors")
            continue
        evidence = {**d.evidence(), **selector_evidence(d.selectors.value)}
        cov = management_coverage(d.selectors.value)
        evidence["management_read"] = cov.read
        evidence["management_write"] = cov.write
        text = f"{t.label} {describe_coverage(cov, 'management events')}"
        if cov.full:
            yield ctx.passed(TRAIL, t.arn, text, region=t.home_region, evidence=evidence)
        else:
            yield ctx.failed(
                TRAIL,
                t.arn,
                text,
                region=t.home_region,
                evidence=evidence,
                remediation=_MGMT_SELECTOR.format(arn=t.arn),
            )


@check(
    id="cloudtrail.s3_delivery",
    title="Each trail delivers log files to S3",
    severity=Severity.HIGH,
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
            yield _unreadable(ctx, d, "the status")
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
            fix = _START.format(arn=t.arn) if not d.logging else None
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
    scope=Scope.ACCOUNT,
    permissions=["cloudtrail:DescribeTrails"],
    remediation="aws cloudtrail update-trail --name <trail> --enable-log-file-validation",
)
def log_file_validation(ctx: Context) -> Iterator[Finding]:
    """One finding per trail (CIS 3.2 / Security Hub CloudTrail.4). PASS when
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
    scope=Scope.ACCOUNT,
    permissions=["cloudtrail:DescribeTrails"],
    remediation="aws cloudtrail update-trail --name <trail> --kms-key-id <key-arn>",
)
def kms_encryption(ctx: Context) -> Iterator[Finding]:
    """One finding per trail (CIS 3.5/3.7 / Security Hub CloudTrail.2). PASS when `KmsKeyId`
    is set (SSE-KMS). The default SSE-S3 encryption does not count: with SSE-KMS, reading
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
    scope=Scope.ACCOUNT,
    permissions=["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"],
    remediation=(
        "aws cloudtrail update-trail --name <trail> --cloud-watch-logs-log-group-arn "
        "<log-group-arn> --cloud-watch-logs-role-arn <role-arn>"
    ),
    options={"max_age_hours": 24},
)
def cloudwatch_logs(ctx: Context) -> Iterator[Finding]:
    """One finding per trail (CIS 3.4 / Security Hub CloudTrail.5). PASS when the trail has
    a CloudWatch Logs log group, is logging, `LatestCloudWatchLogsDeliveryError` is empty
    and `LatestCloudWatchLogsDeliveryTime` is within `max_age_hours` (default 24). Without
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
            yield _unreadable(ctx, d, "the status")
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
