"""Merge reports: shards of one multi-account run, or JSON reports read back from disk.

Merging the shards of a run gives the report a single run would have given: same
findings in the same order, same accounts, summary and suppression notes. Pure logic:
nothing here prints or reads AWS.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from awsobs.diff import _validate
from awsobs.errors import UsageError
from awsobs.model import Finding, Report, Severity, Status, SuppressionNote

__all__ = ["merge_reports", "report_from_dict"]

# A key found twice keeps its worst status (as `awsobs diff` does), un-suppressed first.
_STATUS_WEIGHT = {Status.FAIL: 3, Status.UNKNOWN: 2, Status.PASS: 1, Status.NOT_APPLICABLE: 0}

NoteKey = tuple[str, str, str, str, str]


def report_from_dict(doc: Mapping[str, Any], source: str = "report") -> Report:
    """The `Report` of a JSON report (`Report.to_dict()` or a `--format json` file).

    Raises a one-line `UsageError` naming `source` when `doc` is not a report this awsobs
    reads. Unknown extra fields are ignored; findings' evidence stays a plain mapping.
    """
    _validate(doc, source)
    scan = doc["scan"]
    tool = doc.get("tool") or {}
    if not isinstance(tool, Mapping):
        raise UsageError(f"{source}: 'tool' is not an object")
    api_calls = scan.get("api_calls", 0)
    if type(api_calls) is not int:
        raise UsageError(f"{source}: 'scan.api_calls' is not an integer")
    by_op = scan.get("api_calls_by_operation") or {}
    if not isinstance(by_op, Mapping) or not all(type(v) is int for v in by_op.values()):
        raise UsageError(f"{source}: 'scan.api_calls_by_operation' is not an object of integers")
    errors = scan.get("errors") or []
    if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
        raise UsageError(f"{source}: 'scan.errors' is not a list of strings")
    findings = []
    for i, f in enumerate(doc["findings"]):
        evidence = f.get("evidence") or {}
        if not isinstance(evidence, Mapping):
            raise UsageError(f"{source}: finding {i} has an 'evidence' that is not an object")
        findings.append(
            Finding(
                check_id=f["check_id"],
                title=f.get("title") or "",
                severity=Severity(f["severity"]),
                status=Status(f["status"]),
                account_id=f["account_id"],
                region=f["region"],
                resource_type=f.get("resource_type") or "",
                resource_id=f["resource_id"],
                message=f.get("message") or "",
                evidence=dict(evidence),
                remediation=f.get("remediation") or "",
                suppressed=bool(f.get("suppressed", False)),
                suppression_reason=f.get("suppression_reason"),
            )
        )
    return Report(
        findings=tuple(findings),
        started_at=_time(scan, "started_at", source),
        finished_at=_time(scan, "finished_at", source),
        accounts=tuple(scan["accounts"]),
        regions=tuple(scan["regions"]),
        checks=tuple(scan["checks"]),
        api_calls=api_calls,
        api_calls_by_operation=dict(by_op),
        errors=tuple(errors),
        tool_version=str(tool.get("version") or ""),
        suppression_notes=_notes(scan.get("suppressions"), source),
    )


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
    checks = tuple(dict.fromkeys(c for r in reports for c in r.checks))
    order = {c: i for i, c in enumerate(checks)}
    best: dict[tuple[str, str, str, str], Finding] = {}
    for r in reports:
        for f in r.findings:
            key = (f.check_id, f.account_id, f.region, f.resource_id)
            seen = best.get(key)
            if seen is None or _weight(f) > _weight(seen):
                best[key] = f
    findings = sorted(
        best.values(),
        key=lambda f: (
            order.get(f.check_id, len(order)),
            f.check_id,
            f.account_id,
            f.region,
            f.resource_id,
        ),
    )
    by_op: Counter[str] = Counter()
    for r in reports:
        by_op.update(r.api_calls_by_operation)
    return Report(
        findings=tuple(findings),
        started_at=min(r.started_at for r in reports),
        finished_at=max(r.finished_at for r in reports),
        accounts=tuple(sorted({a for r in reports for a in r.accounts})),
        regions=tuple(dict.fromkeys(g for r in reports for g in r.regions)),
        checks=checks,
        api_calls=sum(r.api_calls for r in reports),
        api_calls_by_operation=dict(by_op),
        errors=tuple(dict.fromkeys(e for r in reports for e in r.errors)),
        tool_version=reports[0].tool_version,
        suppression_notes=_merge_notes(reports),
    )


def _weight(f: Finding) -> tuple[int, bool]:
    return _STATUS_WEIGHT[f.status], not f.suppressed


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


def _time(scan: Mapping[str, Any], name: str, source: str) -> dt.datetime:
    value = scan.get(name)
    if not isinstance(value, str):
        raise UsageError(f"{source}: 'scan.{name}' is missing or not an ISO 8601 time")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{source}: 'scan.{name}' is not an ISO 8601 time: {value[:40]!r}"
        ) from None
    # A time without an offset is taken as UTC, so merged reports can be compared.
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


_NOTE_STRINGS = ("check", "reason", "resource", "region", "account", "source")


def _notes(block: Any, source: str) -> tuple[SuppressionNote, ...]:
    if block is None:
        return ()
    if not isinstance(block, Mapping):
        raise UsageError(f"{source}: 'scan.suppressions' is not an object")
    notes = []
    for kind in ("expired", "unused"):
        entries = block.get(kind) or []
        if not isinstance(entries, list):
            raise UsageError(f"{source}: 'scan.suppressions.{kind}' is not a list")
        for i, e in enumerate(entries):
            where = f"{source}: 'scan.suppressions.{kind}' entry {i}"
            if not isinstance(e, Mapping) or not isinstance(e.get("check"), str):
                raise UsageError(f"{where} is not an object with a 'check'")
            bad = [k for k in _NOTE_STRINGS if k in e and not isinstance(e[k], str)]
            if bad or type(e.get("matched", 0)) is not int:
                raise UsageError(f"{where} has a bad {(bad or ['matched'])[0]!r}")
            expires = e.get("expires")
            try:
                day = dt.date.fromisoformat(expires) if expires is not None else None
            except (TypeError, ValueError):
                raise UsageError(f"{where} has a bad 'expires': {expires!r}") from None
            notes.append(
                SuppressionNote(
                    kind=kind,
                    check=e["check"],
                    reason=e.get("reason", ""),
                    resource=e.get("resource", "*"),
                    region=e.get("region", "*"),
                    account=e.get("account", "*"),
                    expires=day,
                    source=e.get("source", ""),
                    matched=e.get("matched", 0),
                )
            )
    return tuple(notes)
