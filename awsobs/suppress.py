"""Suppressions: accepted gaps that stay quiet until their waiver expires.

An entry names a check (glob), and optionally a resource id (glob), a region (glob) and
an account; it must give a reason and may give an `expires` date. It marks matching
FAIL and UNKNOWN findings as suppressed: they stay in every report, marked, and never
count for the exit code. On and after the day after `expires` the entry no longer
applies, and the report says so; an entry that matches nothing is reported too, since
the gap it excused may be fixed. PASS and NOT_APPLICABLE findings are never suppressed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from awsobs.model import Finding, Status, SuppressionNote

__all__ = ["Suppression", "apply_suppressions"]

_SUPPRESSIBLE = (Status.FAIL, Status.UNKNOWN)


@dataclass(frozen=True)
class Suppression:
    """One accepted gap: what it matches, why, and until when (inclusive)."""

    check: str
    reason: str
    resource: str = "*"
    region: str = "*"
    account: str = "*"
    expires: dt.date | None = None
    source: str = ""  # where it is written, for messages: "awsobs.toml:12"

    def matches(self, f: Finding) -> bool:
        return (
            f.status in _SUPPRESSIBLE
            and fnmatch.fnmatchcase(f.check_id, self.check)
            and fnmatch.fnmatchcase(f.resource_id, self.resource)
            and fnmatch.fnmatchcase(f.region, self.region)
            and fnmatch.fnmatchcase(f.account_id, self.account)
        )

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires

    def note(self, kind: str, matched: int = 0) -> SuppressionNote:
        fields = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return SuppressionNote(kind=kind, matched=matched, **fields)


def apply_suppressions(
    findings: Iterable[Finding],
    suppressions: Sequence[Suppression],
    today: dt.date,
    checks: Iterable[str],
) -> tuple[list[Finding], list[SuppressionNote]]:
    """Findings with the first matching live entry applied, and notes on the entries
    that did not apply (expired, or matched nothing). An entry whose check glob matches
    none of `checks` (the checks that ran) is neither applied nor noted: a scan that did
    not run its check cannot tell whether it is still needed."""
    ran = list(checks)
    suppressions = [s for s in suppressions if any(fnmatch.fnmatchcase(c, s.check) for c in ran)]
    live = [s for s in suppressions if not s.expired(today)]
    used: set[int] = set()
    result = []
    for f in findings:
        entry = next((i for i, s in enumerate(live) if s.matches(f)), None)
        if entry is None:
            result.append(f)
            continue
        used.add(entry)
        result.append(
            dataclasses.replace(f, suppressed=True, suppression_reason=live[entry].reason)
        )
    notes = [
        s.note("expired", matched=sum(s.matches(f) for f in result))
        for s in suppressions
        if s.expired(today)
    ]
    notes += [s.note("unused") for i, s in enumerate(live) if i not in used]
    return result, notes
