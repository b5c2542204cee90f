"""Small helpers shared by check modules of different areas."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from awsobs.aws.errors import AwsError

if TYPE_CHECKING:
    from awsobs.context import Context
    from awsobs.model import Finding

__all__ = ["age", "hours_since", "region_listing"]


def region_listing(
    ctx: Context, service: str, operation: str, key: str, noun: str
) -> tuple[tuple[Any, ...], Finding | None]:
    """The items under `key` of a region-wide listing (all pages), or the one finding that
    stands for the region instead: UNKNOWN when it cannot be listed, NOT_APPLICABLE when
    there is nothing (`noun` names the items: "DynamoDB tables")."""
    try:
        items = tuple(ctx.call(service, operation).get(key, ()))
    except AwsError as err:
        return (), ctx.unknown_from(err, *ctx.region_resource(), f"could not list {noun}")
    if not items:
        return (), ctx.not_applicable(*ctx.region_resource(), f"no {noun} in {ctx.region}")
    return items, None


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
