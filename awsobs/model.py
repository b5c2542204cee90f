"""The data every other part of awsobs exchanges: statuses, severities, findings, reports.

Everything here is a frozen dataclass or an enum, so a finding or a report can be passed
between threads and reporters without anyone changing it under someone else's feet.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from awsobs.resources import ResourceMap

SCHEMA_VERSION = 1


class Status(StrEnum):
    """Outcome of one check on one resource (docs/design.md: never PASS or FAIL without data)."""

    PASS = "PASS"
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    NOT_APPLICABLE = "NOT_APPLICABLE"

    @property
    def weight(self) -> int:
        """How bad: FAIL 3 > UNKNOWN 2 > PASS 1 > NOT_APPLICABLE 0. When one resource has
        two findings of a check (overlapping reports), the worse one stands for it."""
        return _STATUS_WEIGHT[self]


_STATUS_WEIGHT = {Status.FAIL: 3, Status.UNKNOWN: 2, Status.PASS: 1, Status.NOT_APPLICABLE: 0}


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


class Signal(StrEnum):
    """What a check judges of a resource: the columns of the observability map
    (awsobs.resources). `audit` is CloudTrail; `config` is AWS Config, log retention and
    the other account settings."""

    AUDIT = "audit"
    LOGS = "logs"
    METRICS = "metrics"
    ALARMS = "alarms"
    TRACES = "traces"
    CONFIG = "config"


class Scope(StrEnum):
    """Where a check runs: once per scanned region, or once per account."""

    REGION = "region"
    ACCOUNT = "account"


GLOBAL_REGION = "global"

DEFAULT_MAX_WORKERS = 16
"""Concurrent checks and requests of a scan unless --max-workers or the config says."""


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
    signal: Signal | None = None
    """The map column its findings fill; None (a plugin that does not say) keeps them off
    the map."""
    resource_types: tuple[str, ...] = ()
    """The kinds of resource it judges one by one (CloudFormation type names), or `*` for
    every kind. A finding about a scope instead (an account, a region, API Gateway's
    account settings) applies to the resources of these kinds in that scope."""
    compliance: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Framework id -> the requirement or control ids it tests (awsobs.compliance)."""
    compliance_note: str = ""
    """Where its rule is stricter or looser than those controls; "" when the same."""


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
        """The finding as the JSON report writes it (awsobs.report_io)."""
        from awsobs.report_io import finding_to_dict

        return finding_to_dict(self)


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
    tags: tuple[tuple[str, str], ...] = ()  # the resource tags it requires

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "check": self.check,
            "resource": self.resource,
            "region": self.region,
            "account": self.account,
            "tags": dict(self.tags),
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
        if self.tags:
            what += " tagged " + ", ".join(f"{k}={v}" for k, v in self.tags)
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
    tag_filter: Mapping[str, str] = field(default_factory=dict)  # --tag KEY=VALUE

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

    def resources(self) -> ResourceMap:
        """The observability map: one row per resource, one cell per signal
        (awsobs.resources). `[r for r in report.resources() if r.status("alarms") is
        Status.FAIL]` are the resources with no alarm that reaches someone."""
        from awsobs.resources import build_map

        return build_map(self)

    def to_dict(self) -> dict[str, Any]:
        """The report in the versioned JSON shape of docs/design.md (awsobs.report_io)."""
        from awsobs.report_io import report_to_dict

        return report_to_dict(self)

    @classmethod
    def of(
        cls,
        findings: Iterable[Finding],
        *,
        started_at: dt.datetime,
        accounts: Iterable[str],
        regions: Iterable[str],
        checks: Iterable[str],
        finished_at: dt.datetime | None = None,
        api_calls: int = 0,
        api_calls_by_operation: Mapping[str, int] | None = None,
        errors: Iterable[str] = (),
        tool_version: str | None = None,
        suppression_notes: Iterable[SuppressionNote] = (),
        tag_filter: Mapping[str, str] | None = None,
    ) -> Report:
        """The one way a report is made (a scan, an unreachable account, an empty shard, a
        merge, a JSON file read back): findings in check order, then account, region and
        resource; `finished_at` now and `tool_version` this awsobs's unless given."""
        from awsobs import __version__

        check_ids = tuple(checks)
        order = {c: i for i, c in enumerate(check_ids)}
        ordered = sorted(
            findings,
            key=lambda f: (
                order.get(f.check_id, len(order)),
                f.check_id,
                f.account_id,
                f.region,
                f.resource_id,
            ),
        )
        return cls(
            findings=tuple(ordered),
            started_at=started_at,
            finished_at=finished_at or dt.datetime.now(dt.UTC),
            accounts=tuple(accounts),
            regions=tuple(regions),
            checks=check_ids,
            api_calls=api_calls,
            api_calls_by_operation=dict(api_calls_by_operation or {}),
            errors=tuple(errors),
            tool_version=__version__ if tool_version is None else tool_version,
            suppression_notes=tuple(suppression_notes),
            tag_filter=dict(tag_filter or {}),
        )


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
