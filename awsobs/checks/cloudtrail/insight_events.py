"""CloudTrail Insights: would an unusual burst of API calls or API errors in this region
be noticed? Insights learns each region's normal rate of write management calls and of
failed calls, and records an Insights event when the rate departs from it: the first
sign of a runaway script, a brute force or a compromised key hammering an API.

Reads: DescribeTrails of the region (shared with every trail check), GetTrailStatus of
each trail that covers it, and GetInsightSelectors of each of them that is logging, both
in the trail's home region by ARN (memoized: a multi-region trail is read once per scan).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.cloudtrail.readers import (
    INSIGHT_TYPES,
    Lookup,
    TrailDetails,
    foreign_note,
    trail_details,
    trail_insights,
    trails_in,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

PRICE = (
    "Insights is priced per management event analysed (write events count twice with both "
    "types), on each trail that has it"
)
_FIX = (
    "aws cloudtrail put-insight-selectors --trail-name {arn} --insight-selectors "
    '\'[{{"InsightType":"ApiCallRateInsight"}},{{"InsightType":"ApiErrorRateInsight"}}]\''
)


def _missing(types: frozenset[str]) -> list[str]:
    return [t for t in INSIGHT_TYPES if t not in types]


def _fix_target(details: list[TrailDetails]) -> str:
    """The trail to enable Insights on: a multi-region one when there is one."""
    ranked = sorted(details, key=lambda d: (not d.trail.multi_region, not d.logging))
    return _FIX.format(arn=ranked[0].trail.arn) if ranked else _FIX.format(arn="<trail>")


@check(
    id="cloudtrail.insights",
    title="A logging trail records CloudTrail Insights for API call and error rates",
    severity=Severity.LOW,
    signal=Signal.AUDIT,
    resource_types=(),
    permissions=[
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetInsightSelectors",
    ],
    remediation=_FIX.format(arn="<multi-region-trail>"),
)
def insights(ctx: Context) -> Iterator[Finding]:
    """One finding per region (the region is what Insights baselines). LOW: Insights
    adds detection of unusual activity on top of the record other checks require, and
    it is priced per event analysed (the FAIL message says so).

    PASS when a trail that covers the region (a multi-region trail, or a single-region
    trail whose home is this region) is logging (`IsLogging`) and its
    GetInsightSelectors enables both `ApiCallRateInsight` and `ApiErrorRateInsight` on
    management events: a selector without `EventCategories` (AWS's default, management)
    or with `Management` among them. A selector limited to `["Data"]` does not count.
    One multi-region trail with both types passes every region.

    FAIL when no logging trail covering the region has both types: the message names
    each trail and what it lacks (Insights off: GetInsightSelectors answers
    InsightNotEnabledException; one type only; data events only; the trail is stopped,
    so it analyses nothing). Also FAIL when no trail covers the region at all: nothing
    there would notice a burst of API calls (`cloudtrail.trail_logging` FAILs the
    same region for its missing record; this check is not NOT_APPLICABLE, because the
    region's API activity exists and goes unwatched).

    UNKNOWN, naming the failed read, when the region's trails cannot be listed, or no
    trail is known to pass and the status or Insights selectors of some trail could not
    be read (an organization trail of another account whose details this account cannot
    read says so). Never NOT_APPLICABLE: every region has an API to watch.

    Not read: whether the trail's event selectors record the write (call rate) or read
    and write (error rate) management events Insights needs (`cloudtrail.multi_region`
    and `cloudtrail.management_events_rw` judge those), and Insights on CloudTrail Lake
    event data stores.
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
            f"no trail records API activity in {region}, so CloudTrail Insights watches no "
            f"API call or error rate there ({PRICE})",
            evidence={"trails": []},
            remediation="create a multi-region trail (aws cloudtrail create-trail "
            "--is-multi-region-trail ...), then " + _FIX.format(arn="<trail>"),
        )
        return
    details = trail_details(ctx, trails, selectors=False)
    logging_now = [d for d in details if d.logging]
    found = dict(
        zip(
            [d.trail.arn for d in logging_now],
            ctx.map(lambda d: trail_insights(ctx, d.trail), logging_now),
            strict=True,
        )
    )
    evidence: dict[str, Any] = {"trails": []}
    for d in details:
        entry = d.evidence()
        look = found.get(d.trail.arn)
        entry["insight_types"] = sorted(look.value) if look and look.value is not None else None
        evidence["trails"].append(entry)
    for d in logging_now:
        look = found[d.trail.arn]
        if look.value is not None and not _missing(look.value):
            yield ctx.passed(
                rtype,
                rid,
                f"{d.trail.label} (home {d.trail.home_region}) records Insights events for "
                f"the API call rate and the API error rate in {region}",
                evidence=evidence,
            )
            return
    open_: list[tuple[TrailDetails, Lookup[Any]]] = [(d, d.status) for d in details if d.undecided]
    open_ += [(d, found[d.trail.arn]) for d in logging_now if found[d.trail.arn].error]
    if open_:
        d, look = open_[0]
        assert look.error is not None
        if look.foreign:
            yield ctx.unknown(
                rtype,
                rid,
                f"whether Insights watches {region} is unknown: {foreign_note(d.trail)}",
                evidence={
                    **evidence,
                    "error": {"code": look.error.code, "action": look.error.action},
                },
            )
        else:
            yield ctx.unknown_from(
                look.error,
                rtype,
                rid,
                f"could not read whether {d.trail.label} records Insights events",
                evidence=evidence,
            )
        return
    problems = []
    for d in details:
        if not d.logging:
            problems.append(f"{d.trail.label} is not logging, so it analyses nothing")
            continue
        types = found[d.trail.arn].value or frozenset()
        missing = _missing(types)
        if len(missing) == len(INSIGHT_TYPES):
            problems.append(f"{d.trail.label} has no Insights on management events")
        else:
            problems.append(f"{d.trail.label} lacks {', '.join(missing)}")
    yield ctx.failed(
        rtype,
        rid,
        f"no logging trail records Insights for both API call and error rates in {region}: "
        f"{'; '.join(problems)} ({PRICE})",
        evidence=evidence,
        remediation=_fix_target(details),
    )
