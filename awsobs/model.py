"""The data every other part of awsobs exchanges: statuses, severities, findings, reports.

Everything here is a frozen dataclass or an enum, so a finding or a report can be passed
between threads and reporters without anyone changing it under someone else's feet.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

SCHEMA_VERSION = 1


class Status(StrEnum):
    """Outcome of one check on one resource (see DESIGN.md: never PASS or FAIL without data)."""

    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class Severity(StrEnum):
    """How much a FAIL matters; ordered, so `--fail-on` can compare."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.CRITICAL: 4,
    Severity.HIGH: 3,
    Severity.MEDIUM: 2,
    Severity.LOW: 1,
    Severity.INFO: 0,
}


class Scope(StrEnum):
    """Where a check runs: once per scanned region, or once per account."""

    REGION = "region"
    ACCOUNT = "account"


GLOBAL_REGION = "global"


@dataclass(frozen=True)
class CheckMeta:
    """What a check is, as users and the catalogue see it."""

    id: str
    title: str
    severity: Severity
    permissions: tuple[str, ...]
    remediation: str
    docs: str
    scope: Scope = Scope.REGION
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    """One verdict of one check on one resource. Field names are the JSON contract."""

    check_id: str
    title: str
    severity: Severity
    status: Status
    account_id: str
    region: str
    resource_type: str
    resource_id: str
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    remediation: str = ""
    suppressed: bool = False
    suppression_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The finding as the JSON report writes it."""
        return {
            "check_id": self.check_id,
            "title": self.title,
            "severity": self.severity.value,
            "status": self.status.value,
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "message": self.message,
            "evidence": thaw(self.evidence),
            "remediation": self.remediation,
            "suppressed": self.suppressed,
            "suppression_reason": self.suppression_reason,
        }


@dataclass(frozen=True)
class SuppressionNote:
    """A suppression entry the scan did not use: `expired` (its date has passed, so it no
    longer suppresses) or `unused` (it matched no FAIL or UNKNOWN finding)."""

    kind: str  # "expired" | "unused"
    check: str
    reason: str
    resource: str = "*"
    region: str = "*"
    account: str = "*"
    expires: dt.date | None = None
    source: str = ""  # where it is written: "awsobs.toml:12"
    matched: int = 0  # for expired entries: the findings it would have suppressed

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "check": self.check,
            "resource": self.resource,
            "region": self.region,
            "account": self.account,
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
            "source": self.source,
            "matched": self.matched,
        }

    def describe(self) -> str:
        """One line for people: which entry, and what happened to it."""
        where = f"{self.source}: " if self.source else ""
        what = f"suppression of {self.check}"
        if self.resource != "*":
            what += f" on {self.resource}"
        if self.kind == "expired":
            again = f"; {self.matched} finding(s) count again" if self.matched else ""
            return f"{where}{what} expired on {self.expires} and no longer applies{again}"
        return f"{where}{what} matched no FAIL or UNKNOWN finding (fixed? remove it)"


@dataclass(frozen=True)
class Report:
    """Everything one scan found, plus what it took to find it."""

    findings: tuple[Finding, ...]
    started_at: dt.datetime
    finished_at: dt.datetime
    accounts: tuple[str, ...]
    regions: tuple[str, ...]
    checks: tuple[str, ...]
    api_calls: int
    api_calls_by_operation: Mapping[str, int] = field(default_factory=dict)
    errors: tuple[str, ...] = ()
    tool_version: str = ""
    suppression_notes: tuple[SuppressionNote, ...] = ()

    @property
    def duration_s(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    def summary(self) -> dict[str, int]:
        """Count of findings per status; every status is present, even at zero."""
        counts = Counter(f.status for f in self.findings)
        return {s.value: counts.get(s, 0) for s in Status}

    def failures(self, fail_on: Severity | None) -> list[Finding]:
        """Un-suppressed FAILs at or above `fail_on` (none when `fail_on` is None)."""
        if fail_on is None:
            return []
        return [
            f
            for f in self.findings
            if f.status is Status.FAIL and not f.suppressed and f.severity.rank >= fail_on.rank
        ]

    @property
    def complete(self) -> bool:
        """False when some data could not be read, so some verdicts are missing."""
        if self.errors:
            return False
        return not any(f.status is Status.UNKNOWN and not f.suppressed for f in self.findings)

    def exit_code(self, fail_on: Severity | None = Severity.LOW) -> int:
        """0 clean, 1 a FAIL at or above `fail_on`, 3 no such FAIL but the scan was incomplete."""
        if self.failures(fail_on):
            return 1
        return 0 if self.complete else 3

    def to_dict(self) -> dict[str, Any]:
        """The report in the versioned JSON shape of DESIGN.md."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "awsobs", "version": self.tool_version},
            "scan": {
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat(),
                "duration_s": round(self.duration_s, 3),
                "accounts": list(self.accounts),
                "regions": list(self.regions),
                "checks": list(self.checks),
                "api_calls": self.api_calls,
                "api_calls_by_operation": dict(sorted(self.api_calls_by_operation.items())),
                "errors": list(self.errors),
                "suppressions": {
                    "suppressed": sum(f.suppressed for f in self.findings),
                    "expired": [n.to_dict() for n in self.suppression_notes if n.kind == "expired"],
                    "unused": [n.to_dict() for n in self.suppression_notes if n.kind == "unused"],
                },
            },
            "summary": self.summary(),
            "findings": [f.to_dict() for f in self.findings],
        }


def thaw(value: Any) -> Any:
    """Turn frozen mappings/tuples (and datetimes) back into plain JSON-able values."""
    if isinstance(value, Mapping):
        return {str(k): thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple | frozenset | set):
        items = [thaw(v) for v in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return value
