"""The account's trails, read once and shared by every CloudTrail check.

- `DescribeTrails(includeShadowTrails=True)` in each region: a multi-region trail shows up
  in every region (a "shadow"), an organization trail in every member account. Trails
  are deduplicated by ARN.
- Status and selectors are read in the trail's home region, by ARN (a name only resolves
  in the owner account's home region).
- An organization trail owned by another account may refuse those reads to a member:
  the lookup then says `foreign=True`, and checks report the details as UNKNOWN while
  still counting the trail for coverage.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import unread_regions
from awsobs.checks.cloudtrail.selectors import SelectorSet, selector_set
from awsobs.context import Context
from awsobs.model import Finding

T = TypeVar("T")

TRAIL = "AWS::CloudTrail::Trail"


@dataclass(frozen=True)
class Trail:
    """One trail, as DescribeTrails describes it."""

    arn: str
    name: str
    home_region: str
    owner_account: str
    multi_region: bool
    organization: bool
    bucket: str | None
    key_prefix: str | None
    log_validation: bool
    kms_key_id: str | None
    log_group_arn: str | None
    log_role_arn: str | None
    has_custom_selectors: bool

    def covers(self, region: str) -> bool:
        """Does this trail record events that happen in `region`?"""
        return self.multi_region or self.home_region == region

    def foreign(self, account_id: str) -> bool:
        """Owned by another account (an organization trail seen from a member)."""
        return self.owner_account != account_id

    @property
    def label(self) -> str:
        kind = "organization trail" if self.organization else "trail"
        return f"{kind} '{self.name}'"

    def evidence(self) -> dict[str, Any]:
        return {
            "trail_arn": self.arn,
            "home_region": self.home_region,
            "owner_account": self.owner_account,
            "is_multi_region": self.multi_region,
            "is_organization_trail": self.organization,
        }


def parse_trail(raw: Mapping[str, Any]) -> Trail:
    """A Trail from one `trailList` entry."""
    arn = str(raw["TrailARN"])
    parts = arn.split(":")
    home = raw.get("HomeRegion") or (parts[3] if len(parts) > 4 else "")
    return Trail(
        arn=arn,
        name=str(raw.get("Name") or arn.rsplit("/", 1)[-1]),
        home_region=str(home),
        owner_account=parts[4] if len(parts) > 4 else "",
        multi_region=bool(raw.get("IsMultiRegionTrail")),
        organization=bool(raw.get("IsOrganizationTrail")),
        bucket=raw.get("S3BucketName") or None,
        key_prefix=raw.get("S3KeyPrefix") or None,
        log_validation=bool(raw.get("LogFileValidationEnabled")),
        kms_key_id=raw.get("KmsKeyId") or None,
        log_group_arn=raw.get("CloudWatchLogsLogGroupArn") or None,
        log_role_arn=raw.get("CloudWatchLogsRoleArn") or None,
        has_custom_selectors=bool(raw.get("HasCustomEventSelectors")),
    )


def trails_in(ctx: Context, region: str) -> tuple[Trail, ...]:
    """Trails visible in `region`, shadows included; raises `AwsError`."""
    listed = ctx.call("cloudtrail", "DescribeTrails", region, includeShadowTrails=True)
    unique = {t.arn: t for t in map(parse_trail, listed.get("trailList", ()))}
    return tuple(sorted(unique.values(), key=lambda t: (t.home_region, t.name)))


@dataclass(frozen=True)
class TrailListing:
    """Every trail seen in the scanned regions, plus the regions that could not be listed."""

    trails: tuple[Trail, ...]
    errors: Mapping[str, AwsError]
    read: tuple[str, ...] = ()  # the regions whose trails were listed

    def unread(self, ctx: Context) -> Finding | None:
        """The UNKNOWN for an account-wide conclusion when no scanned region was listed:
        "the account has no multi-region trail" needs at least one region read (any
        region shows every multi-region and organization trail as a shadow)."""
        return unread_regions(ctx, self.errors, self.read, "trails")


def all_trails(ctx: Context) -> TrailListing:
    """Trails of all scanned regions, deduplicated by ARN (computed once per scan)."""

    def build(ctx: Context) -> TrailListing:
        def one(region: str) -> tuple[str, tuple[Trail, ...] | AwsError]:
            try:
                return region, trails_in(ctx, region)
            except AwsError as err:
                return region, err

        found: dict[str, Trail] = {}
        errors: dict[str, AwsError] = {}
        read: list[str] = []
        for region, result in ctx.map(one, ctx.regions):
            if isinstance(result, AwsError):
                errors[region] = result
            else:
                read.append(region)
                found.update((t.arn, t) for t in result)
        ordered = sorted(found.values(), key=lambda t: (t.home_region, t.name, t.arn))
        return TrailListing(trails=tuple(ordered), errors=errors, read=tuple(read))

    return ctx.shared("cloudtrail.all_trails", ("cloudtrail:DescribeTrails",), build)


@dataclass(frozen=True)
class Lookup(Generic[T]):
    """A per-trail read: the value, or the error and whether it is a foreign trail's."""

    value: T | None = None
    error: AwsError | None = None
    foreign: bool = False


def trail_status(ctx: Context, trail: Trail) -> Lookup[Mapping[str, Any]]:
    """GetTrailStatus in the home region, by ARN."""
    try:
        return Lookup(ctx.call("cloudtrail", "GetTrailStatus", trail.home_region, Name=trail.arn))
    except AwsError as err:
        return Lookup(error=err, foreign=trail.foreign(ctx.account_id))


def trail_selectors(ctx: Context, trail: Trail) -> Lookup[SelectorSet]:
    """GetEventSelectors in the home region, by ARN, normalised."""
    try:
        raw = ctx.call("cloudtrail", "GetEventSelectors", trail.home_region, TrailName=trail.arn)
    except AwsError as err:
        return Lookup(error=err, foreign=trail.foreign(ctx.account_id))
    return Lookup(selector_set(raw, trail.has_custom_selectors))


def is_logging(status: Mapping[str, Any]) -> bool:
    return bool(status.get("IsLogging"))


def foreign_note(trail: Trail) -> str:
    """Why we can't see a member account's view of an organization trail."""
    return (
        f"{trail.label} belongs to account {trail.owner_account}; its details cannot be read "
        "from this account (check them in the organization's management account)"
    )


@dataclass(frozen=True)
class TrailDetails:
    """A trail with its status and (when asked for) its selectors."""

    trail: Trail
    status: Lookup[Mapping[str, Any]]
    selectors: Lookup[SelectorSet] | None = None

    @property
    def error(self) -> AwsError | None:
        return self.status.error or (self.selectors.error if self.selectors else None)

    @property
    def foreign(self) -> bool:
        """A read failed because the trail belongs to another account."""
        sel_foreign = self.selectors is not None and self.selectors.foreign
        return self.error is not None and (self.status.foreign or sel_foreign)

    @property
    def logging(self) -> bool:
        return self.status.value is not None and is_logging(self.status.value)

    @property
    def stopped(self) -> bool:
        """Known not to be logging (the status was read): it records nothing, whatever else."""
        return self.status.value is not None and not is_logging(self.status.value)

    @property
    def undecided(self) -> bool:
        """A read failed and the trail is not known to be stopped: its verdict is open."""
        return self.error is not None and not self.stopped

    def evidence(self) -> dict[str, Any]:
        out = self.trail.evidence()
        out["is_logging"] = None if self.status.value is None else self.logging
        if self.selectors is not None and self.selectors.value is not None:
            out["selector_type"] = self.selectors.value.kind
        return out


def trail_details(
    ctx: Context, trails: Iterable[Trail], *, selectors: bool = True
) -> list[TrailDetails]:
    """Status (and selectors) of each trail, read concurrently; reads never raise."""

    def one(trail: Trail) -> TrailDetails:
        sel = trail_selectors(ctx, trail) if selectors else None
        return TrailDetails(trail, trail_status(ctx, trail), sel)

    return ctx.map(one, trails)


def undecided(details: Iterable[TrailDetails]) -> tuple[list[TrailDetails], list[TrailDetails]]:
    """Trails whose verdict a failed read left open: (another account's, our own)."""
    open_ = [d for d in details if d.undecided]
    return [d for d in open_ if d.foreign], [d for d in open_ if not d.foreign]


START_LOGGING = "aws cloudtrail start-logging --name {arn}"


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


def unreadable(ctx: Context, d: TrailDetails, what: str) -> Finding:
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


# -- Insights (cloudtrail.insights) ----------------------------------------------------

INSIGHT_TYPES = ("ApiCallRateInsight", "ApiErrorRateInsight")


def management_insights(raw: Mapping[str, Any]) -> frozenset[str]:
    """The Insights types a GetInsightSelectors answer enables on management events: a
    selector without `EventCategories` is on management events (AWS's default), one with
    them only if `Management` is among them (`["Data"]` alone turns management off)."""
    found: set[str] = set()
    for selector in raw.get("InsightSelectors") or ():
        categories = selector.get("EventCategories")
        if categories is None or "Management" in categories:
            found.add(str(selector.get("InsightType")))
    return frozenset(found)


def trail_insights(ctx: Context, trail: Trail) -> Lookup[frozenset[str]]:
    """GetInsightSelectors in the home region, by ARN: the Insights types on management
    events. A trail without Insights answers InsightNotEnabledException: none, not a
    failed read."""
    try:
        raw = ctx.call("cloudtrail", "GetInsightSelectors", trail.home_region, TrailName=trail.arn)
    except AwsError as err:
        if err.code == "InsightNotEnabledException":
            return Lookup(frozenset())
        return Lookup(error=err, foreign=trail.foreign(ctx.account_id))
    return Lookup(management_insights(raw))
