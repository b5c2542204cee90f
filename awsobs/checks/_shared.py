"""Small helpers shared by check modules of different areas."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from awsobs.aws.errors import AwsError, Undecided

if TYPE_CHECKING:
    from awsobs.context import Context
    from awsobs.model import Finding

T = TypeVar("T")

__all__ = [
    "LOG_GROUP_ARN",
    "Exemptions",
    "age",
    "bucket_region",
    "global_listing",
    "hours_since",
    "region_listing",
    "unread_regions",
]


def region_listing(
    ctx: Context, service: str, operation: str, key: str, noun: str
) -> tuple[tuple[Any, ...], Finding | None]:
    """The items under `key` of a region-wide listing (all pages), or the one finding that
    stands for the region instead (`Context.listing`; `noun` names the items: "DynamoDB
    tables")."""
    return ctx.listing(noun, lambda: ctx.call(service, operation).get(key, ()))


def age(now: dt.datetime, then: Any) -> str:
    """`3 h ago` style age of an AWS timestamp ('at an unknown time' when there is none)."""
    if not isinstance(then, dt.datetime):
        return "at an unknown time"
    seconds = max(0.0, (now - then).total_seconds())
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def hours_since(now: dt.datetime, then: Any) -> float | None:
    """Hours from `then` to `now`, or None when `then` is not a timestamp."""
    if not isinstance(then, dt.datetime):
        return None
    return (now - then).total_seconds() / 3600


@dataclass(frozen=True)
class Exemptions:
    """Which resources a check leaves out of its scope, and why, as far as it could read.

    A resource is exempt for a reason that was read (`known`); any other resource's
    exemption is open while a source that could exempt it could not be read
    (`open_sources`: a region's trails, another bucket's logging configuration).
    `reason()` never turns an open question into "in scope": it raises `Undecided`, which
    the check reports as UNKNOWN for that resource, naming the read that failed
    (docs/design.md: a verdict rests only on data that was read).
    """

    known: Mapping[str, str] = field(default_factory=dict)
    open_sources: tuple[Undecided, ...] = ()

    def reason(self, name: str) -> str | None:
        """Why `name` is exempt, None when it is in scope; raises `Undecided` when unknown.
        A reason that was read wins over any open question."""
        if name in self.known:
            return self.known[name]
        if self.open_sources:
            raise self.open_sources[0]
        return None


def unread_regions(
    ctx: Context, errors: Mapping[str, AwsError], read: tuple[str, ...] | list[str], noun: str
) -> Finding | None:
    """For an account-wide conclusion ("the account has no multi-region trail"): the
    UNKNOWN that stands in for it when no scanned region could be read, else None.

    Regions that failed name their error; regions that are not enabled for the account
    are not read at all (the engine reports each of them on its own)."""
    if read:
        return None
    rtype, rid = ctx.account_resource()
    if errors:
        region, err = sorted(errors.items())[0]
        return ctx.unknown_from(
            err,
            rtype,
            rid,
            f"could not list {noun} in any scanned region (first: {region})",
            evidence={"unreadable_regions": sorted(errors)},
        )
    named = ", ".join(ctx.disabled_regions) or "none"
    return ctx.unknown(
        rtype,
        rid,
        f"no scanned region could be read, so whether the account has {noun} is unknown "
        f"(regions not enabled: {named})",
        evidence={"regions_not_enabled": list(ctx.disabled_regions)},
    )


def global_listing(
    ctx: Context, noun: str, read: Callable[[], Iterable[T]], none: str
) -> tuple[tuple[T, ...], Finding | None]:
    """An account-scoped check's global resources (CloudFront distributions, hosted
    zones), or the one account finding that stands in for them: UNKNOWN when no scanned
    region is enabled (nothing is read) or when `read()` raises `AwsError` (`could not
    list <noun>`), NOT_APPLICABLE (`none`) when there are none. `Context.listing` is the
    same for a region."""
    unread = unread_regions(ctx, {}, ctx.regions, noun)
    if unread is not None:  # only regions that are not enabled were named: no verdict
        return (), unread
    rtype, rid = ctx.account_resource()
    try:
        items = tuple(read())
    except AwsError as err:
        return (), ctx.unknown_from(err, rtype, rid, f"could not list {noun}")
    if not items:
        return (), ctx.not_applicable(rtype, rid, none)
    return items, None


def bucket_region(location: object) -> str:
    """GetBucketLocation's answer as a region name (None means us-east-1, EU eu-west-1)."""
    if not location:
        return "us-east-1"
    return "eu-west-1" if location == "EU" else str(location)


# A CloudWatch Logs group ARN: region, account, name (and the `:*` some APIs append).
LOG_GROUP_ARN = re.compile(r"^arn:[^:]+:logs:([^:]+):(\d+):log-group:(.+?)(:\*)?$")
