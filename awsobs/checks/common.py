"""Small helpers shared by check modules of different areas."""

from __future__ import annotations

import datetime as dt
from typing import Any

__all__ = ["age", "hours_since"]


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
