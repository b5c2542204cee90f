"""Merge reports: shards of one multi-account run, or JSON reports read back from disk.

Merging the shards of a run gives the report a single run would have given: same
findings in the same order, same accounts, summary and suppression notes. Pure logic:
nothing here prints or reads AWS.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from awsobs.errors import UsageError
from awsobs.model import Finding, Report, SuppressionNote
from awsobs.report_io import report_from_dict

__all__ = ["merge_reports", "report_from_dict"]


NoteKey = tuple[str, str, str, str, str]


def merge_reports(reports: Sequence[Report]) -> Report:
    """One report from several (the shards of a run, or per-account reports).

    Findings are sorted by (check order, account, region, resource id), check order being
    the union of the reports' checks in first-seen order. A finding key (check, account,
    region, resource) present in more than one report means overlapping reports were
    merged: it is kept once, with its worst status (FAIL > UNKNOWN > PASS > N/A).
    Suppression notes: expired entries once, `matched` summed; an entry is reported
    unused only when every report that ran its check lists it as unused.
    """
    if not reports:
        raise UsageError("no reports to merge")
    best: dict[tuple[str, str, str, str], Finding] = {}
    for r in reports:
        for f in r.findings:
            key = (f.check_id, f.account_id, f.region, f.resource_id)
            seen = best.get(key)
            if seen is None or _weight(f) > _weight(seen):
                best[key] = f
    by_op: Counter[str] = Counter()
    for r in reports:
        by_op.update(r.api_calls_by_operation)
    return Report.of(
        best.values(),
        started_at=min(r.started_at for r in reports),
        finished_at=max(r.finished_at for r in reports),
        accounts=sorted({a for r in reports for a in r.accounts}),
        regions=dict.fromkeys(g for r in reports for g in r.regions),
        checks=dict.fromkeys(c for r in reports for c in r.checks),
        api_calls=sum(r.api_calls for r in reports),
        api_calls_by_operation=by_op,
        errors=dict.fromkeys(e for r in reports for e in r.errors),
        tool_version=reports[0].tool_version,
        suppression_notes=_merge_notes(reports),
        # Shards of one --tag scan share the filter; reports with different ones have none.
        tag_filter=reports[0].tag_filter
        if all(r.tag_filter == reports[0].tag_filter for r in reports)
        else {},
    )


def _weight(f: Finding) -> tuple[int, bool]:
    return f.status.weight, not f.suppressed


def _note_key(n: SuppressionNote) -> NoteKey:
    return (n.source, n.check, n.resource, n.region, n.account)


def _merge_notes(reports: Sequence[Report]) -> tuple[SuppressionNote, ...]:
    expired: dict[NoteKey, SuppressionNote] = {}
    unused: dict[NoteKey, SuppressionNote] = {}
    for r in reports:
        for n in r.suppression_notes:
            key = _note_key(n)
            if n.kind == "expired":
                seen = expired.get(key)
                expired[key] = n if seen is None else _with_matched(seen, seen.matched + n.matched)
            elif n.kind == "unused":
                unused.setdefault(key, n)
    for r in reports:
        listed = {_note_key(n) for n in r.suppression_notes if n.kind == "unused"}
        for key, n in list(unused.items()):
            ran = any(fnmatch.fnmatchcase(c, n.check) for c in r.checks)
            if ran and key not in listed:
                del unused[key]  # this report ran the entry's check and used it
    return (*expired.values(), *unused.values())


def _with_matched(n: SuppressionNote, matched: int) -> SuppressionNote:
    return replace(n, matched=matched)
