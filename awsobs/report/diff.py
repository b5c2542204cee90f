"""Compare two JSON reports: which gaps are new, which were fixed, which we can no longer see.

Pure logic on the versioned JSON report (docs/design.md): nothing here prints or reads AWS.
A finding is identified by (check_id, account_id, region, resource_id). A FAIL that the
new scan did not cover (check not run, region or account not scanned) is never called
resolved: it is listed as out of scope, so nobody mistakes a narrower scan for a fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.model import GLOBAL_REGION, Severity, Status
from awsobs.report_io import validate_report

DIFF_SCHEMA_VERSION = 1
"""Version of the JSON diff format (`Diff.to_dict`), independent of the report's."""

KEY_FIELDS = ("check_id", "account_id", "region", "resource_id")

Key = tuple[str, str, str, str]


@dataclass(frozen=True)
class Change:
    """One key whose status differs between the two reports (or a FAIL in both, uncounted)."""

    check_id: str
    account_id: str
    region: str
    resource_id: str
    title: str
    severity: Severity
    old_status: Status | None
    new_status: Status | None
    message: str
    suppressed: bool
    suppression_reason: str | None
    reason_not_compared: str = ""
    """Only for out-of-scope changes: why the new scan did not cover the key."""

    @property
    def key(self) -> Key:
        return (self.check_id, self.account_id, self.region, self.resource_id)

    def to_dict(self) -> dict[str, Any]:
        """The change as the JSON diff writes it (absent statuses are null)."""
        return {
            "check_id": self.check_id,
            "account_id": self.account_id,
            "region": self.region,
            "resource_id": self.resource_id,
            "title": self.title,
            "severity": self.severity.value,
            "old_status": self.old_status.value if self.old_status is not None else None,
            "new_status": self.new_status.value if self.new_status is not None else None,
            "message": self.message,
            "suppressed": self.suppressed,
            "suppression_reason": self.suppression_reason,
            "reason_not_compared": self.reason_not_compared,
        }


@dataclass(frozen=True)
class Diff:
    """What changed between an old and a new scan, each category sorted for display."""

    new_gaps: tuple[Change, ...]
    resolved: tuple[Change, ...]
    changed: tuple[Change, ...]
    out_of_scope: tuple[Change, ...]
    unchanged_failures: int
    old_started_at: str
    new_started_at: str
    old_accounts: tuple[str, ...]
    new_accounts: tuple[str, ...]

    @property
    def has_changes(self) -> bool:
        """False when no key moved in any category (still-failing keys do not count)."""
        return bool(self.new_gaps or self.resolved or self.changed or self.out_of_scope)

    def exit_code(self, fail_on: Severity | None) -> int:
        """1 when an un-suppressed new gap is at or above `fail_on` (never for None), else 0."""
        if fail_on is None:
            return 0
        gating = [c for c in self.new_gaps if not c.suppressed and c.severity.rank >= fail_on.rank]
        return 1 if gating else 0

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON diff: scans' metadata, counts, then every change by category."""
        return {
            "schema_version": DIFF_SCHEMA_VERSION,
            "kind": "awsobs-diff",
            "old": {"started_at": self.old_started_at, "accounts": list(self.old_accounts)},
            "new": {"started_at": self.new_started_at, "accounts": list(self.new_accounts)},
            "summary": {
                "new_gaps": len(self.new_gaps),
                "resolved": len(self.resolved),
                "changed": len(self.changed),
                "out_of_scope": len(self.out_of_scope),
                "unchanged_failures": self.unchanged_failures,
            },
            "new_gaps": [c.to_dict() for c in self.new_gaps],
            "resolved": [c.to_dict() for c in self.resolved],
            "changed": [c.to_dict() for c in self.changed],
            "out_of_scope": [c.to_dict() for c in self.out_of_scope],
        }


def diff_reports(old: Mapping[str, Any], new: Mapping[str, Any]) -> Diff:
    """Sort every key of two reports into new gaps, resolved, changed and out of scope.

    Both arguments are JSON reports (`load_report` or `Report.to_dict()`); they are
    validated again here so a library caller gets a `UsageError`, not a KeyError.
    """
    validate_report(old, "old report")
    validate_report(new, "new report")
    before = _index(old["findings"])
    after = _index(new["findings"])
    scan = new["scan"]
    covered_checks = set(scan["checks"])
    covered_regions = set(scan["regions"]) | {GLOBAL_REGION}
    covered_accounts = set(scan["accounts"])
    blind = _blind_units(after.values())

    new_gaps: list[Change] = []
    resolved: list[Change] = []
    changed: list[Change] = []
    out_of_scope: list[Change] = []
    unchanged_failures = 0

    for key in before.keys() | after.keys():
        o, n = before.get(key), after.get(key)
        o_status = Status(o["status"]) if o is not None else None
        n_status = Status(n["status"]) if n is not None else None
        if n_status is Status.FAIL:
            if o_status is Status.FAIL:
                unchanged_failures += 1
            else:
                new_gaps.append(_change(key, o, n))
        elif o_status is Status.FAIL:
            if n_status in (Status.PASS, Status.NOT_APPLICABLE):
                resolved.append(_change(key, o, n))
            elif n_status is not None:
                changed.append(_change(key, o, n))  # FAIL -> UNKNOWN: we no longer know
            else:
                why = _not_covered(key, covered_checks, covered_regions, covered_accounts, blind)
                target = out_of_scope if why else resolved  # covered and gone: resource removed
                target.append(_change(key, o, n, why))
        elif o_status is not None and n_status is not None and o_status is not n_status:
            changed.append(_change(key, o, n))

    return Diff(
        new_gaps=_sorted(new_gaps),
        resolved=_sorted(resolved),
        changed=_sorted(changed),
        out_of_scope=_sorted(out_of_scope),
        unchanged_failures=unchanged_failures,
        old_started_at=str(old["scan"].get("started_at", "?")),
        new_started_at=str(scan.get("started_at", "?")),
        old_accounts=tuple(old["scan"]["accounts"]),
        new_accounts=tuple(scan["accounts"]),
    )


def _index(findings: Iterable[Mapping[str, Any]]) -> dict[Key, Mapping[str, Any]]:
    """Findings by key; a duplicated key keeps its worst status (FAIL > UNKNOWN > PASS > N/A),
    and between equal statuses the un-suppressed one (so a duplicate cannot hide a gap)."""
    out: dict[Key, Mapping[str, Any]] = {}
    for f in findings:
        key: Key = (f["check_id"], f["account_id"], f["region"], f["resource_id"])
        seen = out.get(key)
        if seen is None or _weight(f) > _weight(seen):
            out[key] = f
    return out


def _weight(finding: Mapping[str, Any]) -> tuple[int, bool]:
    return Status(finding["status"]).weight, not finding.get("suppressed", False)


Unit = tuple[str, str, str]
"""(check_id, account_id, region): one run of one check."""


def _blind_units(findings: Iterable[Mapping[str, Any]]) -> set[Unit]:
    """Runs of the new scan that produced only UNKNOWN findings: the check could not read that
    account/region at all (AccessDenied, opt-in region disabled, internal error), and the
    engine then reports one UNKNOWN for the whole region, so a missing key proves nothing."""
    seen: dict[Unit, bool] = {}
    for f in findings:
        unit: Unit = (f["check_id"], f["account_id"], f["region"])
        seen[unit] = seen.get(unit, True) and f["status"] == Status.UNKNOWN.value
    return {unit for unit, only_unknown in seen.items() if only_unknown}


def _change(
    key: Key, old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, why: str = ""
) -> Change:
    """A Change whose descriptive fields come from the newest side that has the key."""
    latest = new if new is not None else old
    assert latest is not None  # every key comes from at least one side
    return Change(
        check_id=key[0],
        account_id=key[1],
        region=key[2],
        resource_id=key[3],
        title=str(latest.get("title") or ""),
        severity=Severity(latest["severity"]),
        old_status=Status(old["status"]) if old is not None else None,
        new_status=Status(new["status"]) if new is not None else None,
        message=_one_line(latest.get("message")),
        suppressed=bool(latest.get("suppressed", False)),
        suppression_reason=latest.get("suppression_reason"),
        reason_not_compared=why,
    )


def _not_covered(
    key: Key, checks: set[str], regions: set[str], accounts: set[str], blind: set[Unit]
) -> str:
    """Why the new scan could not have reported `key` ('' when it covered it)."""
    check_id, account_id, region, _ = key
    if check_id not in checks:
        return f"check {check_id} not run"
    if account_id not in accounts:
        return f"account {account_id} not scanned"
    if region not in regions:
        return f"region {region} not scanned"
    if (check_id, account_id, region) in blind:
        return f"check {check_id} could not read account {account_id}, region {region} (UNKNOWN)"
    return ""


def _sorted(changes: list[Change]) -> tuple[Change, ...]:
    """Critical first, then check id, region, resource id (account id breaks the last tie)."""
    return tuple(
        sorted(
            changes,
            key=lambda c: (-c.severity.rank, c.check_id, c.region, c.resource_id, c.account_id),
        )
    )


def _one_line(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""
