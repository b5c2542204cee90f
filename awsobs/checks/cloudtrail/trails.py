"""CloudTrail: is every region recorded, by a trail that is logging and records every
management event? (Delivery, validation and encryption: delivery.py.)

Semantics and pitfalls: controls.md §1. Per-trail checks report each trail once (by ARN,
in its home region), however many regions show its shadow copies.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import age
from awsobs.checks.cloudtrail.readers import (
    START_LOGGING,
    TRAIL,
    Trail,
    all_trails,
    listing_gaps,
    trail_details,
    trails_in,
    undecided,
    unreadable,
)
from awsobs.checks.cloudtrail.selectors import (
    describe_coverage,
    management_coverage,
    selector_evidence,
)
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

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


@check(
    id="cloudtrail.trail_logging",
    title="Every region is recorded by a logging trail",
    severity=Severity.HIGH,
    signal=Signal.AUDIT,
    resource_types=("*",),
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
            remediation=START_LOGGING.format(arn=details[0].trail.arn),
        )


@check(
    id="cloudtrail.multi_region",
    title="A multi-region trail is logging all read and write management events",
    severity=Severity.HIGH,
    signal=Signal.AUDIT,
    resource_types=(),
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
    """One finding per account (CIS v1.4-v5.0 3.1; Security Hub CloudTrail.1). PASS when some trail
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
            problems.append(
                (f"{d.trail.label} is not logging", START_LOGGING.format(arn=d.trail.arn))
            )
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
    signal=Signal.AUDIT,
    resource_types=("AWS::CloudTrail::Trail",),
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
                remediation=START_LOGGING.format(arn=t.arn),
            )
            continue
        if d.error is not None or d.selectors is None or d.selectors.value is None:
            yield unreadable(ctx, d, "the status and event selectors")
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
