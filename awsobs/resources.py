"""The observability map: one row per resource a scan saw, one cell per signal.

A gap report answers check by check; people ask resource by resource ("this API, this
table: do we have its audit trail, its logs, its metrics, an alarm that reaches someone,
its traces?"). `build_map` turns a report's findings into that answer, using what each
check declares (`CheckMeta.signal` and `resource_types`):

- a row per (account, resource type, resource id) that some finding is about; a region
  or the account itself is a row too when something was judged about it (a region's
  trail, the CIS alarms), never for a NOT_APPLICABLE alone;
- a cell per signal: FAIL when any applicable finding fails, else UNKNOWN when any
  could not be decided, else PASS when some finding passes, else None (shown `-`: no
  check of that signal applies). NOT_APPLICABLE findings are kept with the cell, for the
  reader, but never decide it. Suppressed findings count as what they are: the map shows
  the account as it is, suppressions decide only the exit code;
- a finding about a scope (the account, a region, API Gateway's account settings) also
  applies to the resources of its check's `resource_types` in that scope, and is listed
  in their cell as `inherited`: an UNKNOWN "could not read the event selectors" in
  us-east-1 puts UNKNOWN in the audit cell of every DynamoDB table there, and an
  account-wide "S3 data events are not recorded" FAIL in the audit cell of every bucket.
  A check whose `resource_types` is `*` judges a region for everything in it: "us-west-2
  has no logging trail" puts FAIL in the audit cell of every resource in us-west-2 (its
  account-wide findings, like Config's "IAM is recorded in one region", stay on the
  account's row). A global resource (a CloudFront distribution, a Route 53 zone) is in
  its partition's global region for this, us-east-1 in `aws`, where CloudTrail records
  its API calls and AWS Config its configuration;
- coverage: applicable cells that pass over applicable cells, per row, per account and
  for the whole map.

Checks the registry does not know (a plugin that is not installed where a report is read
back) or that declare no signal stay off the map and are named in `unmapped_checks`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from awsobs.model import GLOBAL_REGION, Finding, Report, Signal, Status

if TYPE_CHECKING:
    from awsobs.model import CheckMeta

__all__ = [
    "ACCOUNT_TYPE",
    "REGION_TYPE",
    "SCOPE_TYPES",
    "SIGNALS",
    "Cell",
    "Coverage",
    "ResourceMap",
    "ResourceRow",
    "build_map",
]

SIGNALS: tuple[Signal, ...] = tuple(Signal)
ACCOUNT_TYPE = "AWS::::Account"
REGION_TYPE = "AWS::Region"
SCOPE_TYPES = frozenset({ACCOUNT_TYPE, REGION_TYPE, "AWS::ApiGateway::Account"})
"""Resource types that stand for a scope, not a resource: their findings are inherited."""
EVERY_KIND = "*"

SYMBOLS: Mapping[Status | None, str] = {
    Status.PASS: "✓",
    Status.FAIL: "✗",
    Status.UNKNOWN: "?",
    None: "-",
}
"""One symbol per cell status, so the map reads without colour (print, colour blindness)."""


@dataclass(frozen=True)
class Coverage:
    """Applicable cells that pass, over applicable cells."""

    passing: int
    applicable: int

    @property
    def ratio(self) -> float | None:
        """0.0 to 1.0, None when nothing applies."""
        return self.passing / self.applicable if self.applicable else None

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.passing + other.passing, self.applicable + other.applicable)

    def __str__(self) -> str:
        if not self.applicable:
            return "-"
        return f"{round(100 * self.passing / self.applicable)}% ({self.passing}/{self.applicable})"

    def to_dict(self) -> dict[str, Any]:
        ratio = self.ratio
        return {
            "passing": self.passing,
            "applicable": self.applicable,
            "ratio": None if ratio is None else round(ratio, 4),
        }


@dataclass(frozen=True)
class Cell:
    """One signal of one resource: its status and the findings that decided it.

    `findings` and `inherited` are indices into the report's `findings`: the resource's
    own findings of this signal (NOT_APPLICABLE ones too), and the account- or region-wide
    ones that apply to it."""

    signal: Signal
    status: Status | None
    findings: tuple[int, ...] = ()
    inherited: tuple[int, ...] = ()
    suppressed: int = 0

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.status]

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value if self.status is not None else None,
            "findings": list(self.findings),
            "inherited": list(self.inherited),
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class ResourceRow:
    """One resource and its cells, one per signal (in `SIGNALS` order)."""

    account_id: str
    region: str
    resource_type: str
    resource_id: str
    cells: Mapping[Signal, Cell]

    @property
    def service(self) -> str:
        """The service part of the type: `AWS::ApiGateway::Stage` -> `ApiGateway`;
        the account and region rows are `Account` and `Region`."""
        return service_of(self.resource_type)

    @property
    def kind(self) -> str:
        """The last part of the type: `Stage`, `Function`, `Account`."""
        return self.resource_type.rsplit("::", 1)[-1] or self.resource_type

    @property
    def is_scope(self) -> bool:
        """True for the rows of the account itself and of a region."""
        return self.resource_type in (ACCOUNT_TYPE, REGION_TYPE)

    def status(self, signal: Signal | str) -> Status | None:
        """The cell's status (None: no check of that signal applies)."""
        return self.cells[Signal(signal)].status

    @property
    def coverage(self) -> Coverage:
        applicable = [c for c in self.cells.values() if c.status is not None]
        return Coverage(sum(c.status is Status.PASS for c in applicable), len(applicable))

    @property
    def worst(self) -> Status | None:
        """The worst status of any cell (None when no cell applies)."""
        statuses = [c.status for c in self.cells.values() if c.status is not None]
        return max(statuses, key=lambda s: s.weight) if statuses else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "region": self.region,
            "resource_type": self.resource_type,
            "resource_id": self.resource_id,
            "service": self.service,
            "coverage": self.coverage.to_dict(),
            "cells": {s.value: self.cells[s].to_dict() for s in SIGNALS},
        }


@dataclass(frozen=True)
class ResourceMap(Sequence[ResourceRow]):
    """The rows of a report's map (a sequence, sorted by account, type and id) and its
    coverage. `groups()` gives them grouped by service, worst first."""

    rows: tuple[ResourceRow, ...]
    findings: tuple[Finding, ...]
    unmapped_checks: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[ResourceRow]:
        return iter(self.rows)

    def __getitem__(self, index: Any) -> Any:
        return self.rows[index]

    @property
    def coverage(self) -> Coverage:
        return sum((r.coverage for r in self.rows), Coverage(0, 0))

    def coverage_by_account(self) -> dict[str, Coverage]:
        result: dict[str, Coverage] = {}
        for r in self.rows:
            result[r.account_id] = result.get(r.account_id, Coverage(0, 0)) + r.coverage
        return dict(sorted(result.items()))

    def groups(self) -> list[tuple[str, list[ResourceRow]]]:
        """(service, rows) pairs: services by coverage, lowest first (ties by name), and
        within each the rows worst first: lowest coverage, most FAIL cells, then by id."""
        by_service: dict[str, list[ResourceRow]] = defaultdict(list)
        for r in self.rows:
            by_service[r.service].append(r)
        ordered = [(s, sorted(rows, key=_worst_first)) for s, rows in by_service.items()]

        def group_key(item: tuple[str, list[ResourceRow]]) -> tuple[float, str]:
            total = sum((r.coverage for r in item[1]), Coverage(0, 0))
            ratio = total.ratio
            return (2.0 if ratio is None else ratio, item[0])

        return sorted(ordered, key=group_key)

    def cell_findings(self, cell: Cell) -> list[tuple[Finding, bool]]:
        """The findings behind a cell, each with True when it is inherited."""
        own = [(self.findings[i], False) for i in cell.findings]
        return own + [(self.findings[i], True) for i in cell.inherited]

    def to_dict(self) -> dict[str, Any]:
        """The JSON report's `resources` section (docs/design.md)."""
        return {
            "signals": [s.value for s in SIGNALS],
            "coverage": self.coverage.to_dict(),
            "coverage_by_account": {a: c.to_dict() for a, c in self.coverage_by_account().items()},
            "unmapped_checks": list(self.unmapped_checks),
            "rows": [r.to_dict() for r in self.rows],
        }


def _worst_first(r: ResourceRow) -> tuple[float, int, str, str]:
    ratio = r.coverage.ratio
    fails = sum(c.status is Status.FAIL for c in r.cells.values())
    return (2.0 if ratio is None else ratio, -fails, r.resource_type, r.resource_id)


def service_of(resource_type: str) -> str:
    """`AWS::ApiGateway::Stage` -> `ApiGateway`; `AWS::::Account` -> `Account`;
    `AWS::Region` -> `Region`; anything else as it is."""
    if resource_type == ACCOUNT_TYPE:
        return "Account"
    if resource_type == REGION_TYPE:
        return "Region"
    parts = resource_type.split("::")
    return parts[1] if len(parts) >= 3 and parts[1] else resource_type


def _arn_region(resource_id: str) -> str:
    parts = resource_id.split(":", 5)
    return parts[3] if len(parts) == 6 and parts[0] == "arn" else ""


@dataclass
class _Builder:
    account_id: str
    resource_type: str
    resource_id: str
    own: dict[Signal, list[int]]
    regions: Counter[str]

    def region(self) -> str:
        if self.resource_type == REGION_TYPE:
            return self.resource_id
        if self.resource_type == ACCOUNT_TYPE:
            return GLOBAL_REGION
        named = _arn_region(self.resource_id)
        if named:
            return named
        seen = [(n, r) for r, n in self.regions.items() if r != GLOBAL_REGION]
        if not seen:
            return GLOBAL_REGION
        return max(seen, key=lambda item: item[0])[1]  # most often reported, first on ties


def build_map(
    report: Report, meta_of: Callable[[str], CheckMeta | None] | None = None
) -> ResourceMap:
    """The map of `report`. `meta_of(check_id)` gives a check's metadata (default: the
    registry's, for every built-in and installed plugin check)."""
    lookup = meta_of or registry_meta
    metas: dict[str, CheckMeta | None] = {}
    unmapped: set[str] = set()
    builders: dict[tuple[str, str, str], _Builder] = {}
    wide: list[tuple[int, Finding, CheckMeta]] = []
    for i, f in enumerate(report.findings):
        if f.check_id not in metas:
            metas[f.check_id] = lookup(f.check_id)
        meta = metas[f.check_id]
        if meta is None or meta.signal is None:
            unmapped.add(f.check_id)
            continue
        if f.resource_type in SCOPE_TYPES:
            if f.status is Status.NOT_APPLICABLE:
                continue  # "nothing of this kind here": nothing was seen
            wide.append((i, f, meta))
        key = (f.account_id, f.resource_type, f.resource_id)
        b = builders.get(key)
        if b is None:
            b = builders[key] = _Builder(*key, defaultdict(list), Counter())
        b.own[meta.signal].append(i)
        b.regions[f.region] += 1

    regions = {key: b.region() for key, b in builders.items()}
    inherited: dict[tuple[str, str, str], dict[Signal, list[int]]] = defaultdict(
        lambda: defaultdict(list)
    )
    # Index the resources (never the scope rows) by account and region, so a region-wide
    # finding visits only its region's rows; a global resource is in its partition's
    # global region.
    by_place: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    by_account: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for key in builders:
        if key[1] in SCOPE_TYPES:
            continue
        region = regions[key]
        place = _partition_global_region(key[2]) if region == GLOBAL_REGION else region
        by_place[(key[0], place)].append(key)
        by_account[key[0]].append(key)
    for i, f, meta in wide:
        kinds = set(meta.resource_types)
        if not kinds:
            continue
        if f.resource_type == ACCOUNT_TYPE or f.region == GLOBAL_REGION:
            if EVERY_KIND in kinds:
                continue  # a region check's account-wide verdict is about the account
            targets = by_account.get(f.account_id, [])
        else:
            targets = by_place.get((f.account_id, f.region), [])
        signal = meta.signal
        assert signal is not None
        for key in targets:
            if EVERY_KIND in kinds or key[1] in kinds:
                inherited[key][signal].append(i)

    findings = report.findings
    rows = []
    for key, b in builders.items():
        got = inherited.get(key, {})
        cells = {s: _cell(s, b.own.get(s, []), got.get(s, []), findings) for s in SIGNALS}
        rows.append(ResourceRow(key[0], regions[key], key[1], key[2], cells))
    rows.sort(key=lambda r: (r.account_id, r.resource_type, r.resource_id))
    return ResourceMap(tuple(rows), findings, tuple(sorted(unmapped)))


def _cell(signal: Signal, own: list[int], got: list[int], findings: Sequence[Finding]) -> Cell:
    judged = [findings[i] for i in (*own, *got)]
    applicable: list[Status] = [f.status for f in judged if f.status is not Status.NOT_APPLICABLE]
    status: Status | None = max(applicable, key=lambda s: s.weight) if applicable else None
    suppressed = sum(f.suppressed for f in judged)
    return Cell(signal, status, tuple(own), tuple(got), suppressed)


def _partition_global_region(resource_id: str) -> str:
    from awsobs.aws.session import global_region

    parts = resource_id.split(":", 2)
    partition = parts[1] if len(parts) == 3 and parts[0] == "arn" else "aws"
    return global_region(partition)


def registry_meta(check_id: str) -> CheckMeta | None:
    """The metadata of a registered check (built-in or plugin), None for an unknown id."""
    from awsobs.registry import REGISTRY

    chk = REGISTRY.get(check_id)
    return chk.meta if chk is not None else None
