"""Suppressions: accepted gaps that stay quiet until their waiver expires.

An entry names a check (glob), and optionally a resource id (glob), a region (glob), an
account and resource tags (`tags = {env = "sandbox"}`: every key present, its value
matching a glob; read with tag:GetResources, awsobs/aws/tagging.py); it must give a
reason and may give an `expires` date. It marks matching FAIL and UNKNOWN findings as
suppressed: they stay in every report, marked, and never count for the exit code. When
the tags an entry needs could not be read, a finding it would otherwise match is not
excused: it becomes UNKNOWN, naming the read. On and after the day after `expires` the
entry no longer applies, and the report says so; an entry that matches nothing is
reported too, since the gap it excused may be fixed. PASS and NOT_APPLICABLE findings
are never suppressed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from awsobs.model import Finding, Status, SuppressionNote

if TYPE_CHECKING:  # the config file parser imports this module: no botocore at import
    from awsobs.aws.tagging import TagIndex

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
    tags: tuple[tuple[str, str], ...] = ()  # (key, value glob) pairs, all required

    def matches(self, f: Finding, index: TagIndex | None = None) -> bool:
        """Does this entry excuse `f`? An entry with tags needs `index` and a per-resource
        finding whose resource carries them (see `undecided` for a failed tag read)."""
        if not self._fields_match(f):
            return False
        if not self.tags:
            return True
        from awsobs.aws.tagging import has_tags, is_per_resource

        if index is None or not is_per_resource(f):
            return False
        found = index.lookup(f)
        return isinstance(found, Mapping) and has_tags(found, dict(self.tags))

    def undecided(self, f: Finding, index: TagIndex | None) -> bool:
        """Would this entry's tags decide `f`, and could they not be read?"""
        from awsobs.aws.tagging import is_per_resource

        if not self.tags or index is None or not is_per_resource(f):
            return False
        return self._fields_match(f) and not isinstance(index.lookup(f), Mapping)

    def _fields_match(self, f: Finding) -> bool:
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
    tags: TagIndex | None = None,
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
        entry = next((i for i, s in enumerate(live) if s.matches(f, tags)), None)
        if entry is None:
            open_entry = next((s for s in live if s.undecided(f, tags)), None)
            if open_entry is not None and tags is not None:
                from awsobs.aws.tagging import describe, unread

                used.add(live.index(open_entry))  # it may apply: not "unused"
                question = (
                    f"could not tell whether the suppression at {open_entry.source or 'config'}"
                    f" (tags {describe(dict(open_entry.tags))}) applies to {f.resource_id}"
                )
                f = unread(f, question, tags.lookup(f))
            result.append(f)
            continue
        used.add(entry)
        result.append(
            dataclasses.replace(f, suppressed=True, suppression_reason=live[entry].reason)
        )
    notes = [
        s.note("expired", matched=sum(s.matches(f, tags) for f in result))
        for s in suppressions
        if s.expired(today)
    ]
    notes += [s.note("unused") for i, s in enumerate(live) if i not in used]
    return result, notes
