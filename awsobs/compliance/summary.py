"""Where a scan stands on a benchmark, requirement by requirement (`--compliance`).

A requirement's status comes only from the findings of the checks mapped to it:

- FAIL when any of them failed (a suppressed FAIL still counts: an accepted risk is an
  exception to the benchmark, not compliance with it; the row counts it as suppressed);
- NOT_ASSESSED when a mapped check did not run in this scan (`--exclude-checks`);
- otherwise the worst of UNKNOWN, PASS and NOT_APPLICABLE among the findings, so one
  unreadable region makes the requirement UNKNOWN rather than a guessed PASS;
- NOT_COVERED when no awsobs check answers it (the benchmark says why), MANUAL when the
  benchmark wants a person's judgement and no check answers it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.compliance.requirements import MANUAL, Benchmark, Requirement
from awsobs.model import CheckMeta, Finding, Report, Status

NOT_ASSESSED = "NOT_ASSESSED"
NOT_COVERED = "NOT_COVERED"
MANUAL_STATUS = "MANUAL"
REQUIREMENT_STATUSES = (
    "FAIL",
    "UNKNOWN",
    NOT_ASSESSED,
    "PASS",
    "NOT_APPLICABLE",
    MANUAL_STATUS,
    NOT_COVERED,
)
"""Every status a requirement can have, worst first (the order summaries count them in)."""


@dataclass(frozen=True)
class RequirementResult:
    """One requirement's verdict and the findings behind it."""

    requirement: Requirement
    status: str
    checks: tuple[str, ...]
    """The checks mapped to it, whether or not they ran."""
    not_run: tuple[str, ...]
    findings: tuple[int, ...]
    """Indexes into `report.findings` of the mapped checks' findings."""
    counts: Mapping[str, int]
    suppressed: int
    partial: tuple[tuple[str, str], ...]
    """(check id, note) for the mapped checks whose rule is stricter or looser."""

    def to_dict(self) -> dict[str, Any]:
        r = self.requirement
        return {
            "id": r.id,
            "title": r.title,
            "assessment": r.assessment,
            "status": self.status,
            "checks": list(self.checks),
            "checks_not_run": list(self.not_run),
            "counts": dict(self.counts),
            "suppressed": self.suppressed,
            "findings": list(self.findings),
            "partial": [{"check": c, "note": n} for c, n in self.partial],
            "not_covered": r.not_covered,
            "note": r.note,
        }


@dataclass(frozen=True)
class ComplianceSummary:
    """A benchmark's requirements, each with its status, for one report."""

    benchmark: Benchmark
    results: tuple[RequirementResult, ...]

    def counts(self) -> dict[str, int]:
        """Requirements per status; every status is present, even at zero."""
        got = Counter(r.status for r in self.results)
        return {s: got.get(s, 0) for s in REQUIREMENT_STATUSES}

    def to_dict(self) -> dict[str, Any]:
        b = self.benchmark
        return {
            "framework": b.id,
            "name": b.name,
            "scope": b.scope,
            "summary": self.counts(),
            "requirements": [r.to_dict() for r in self.results],
        }


def mapped_checks(benchmark: Benchmark, metas: Iterable[CheckMeta]) -> dict[str, list[str]]:
    """Requirement id -> the ids of the checks mapped to it, in `metas` order."""
    known = {r.id for r in benchmark.requirements}
    out: dict[str, list[str]] = {r.id: [] for r in benchmark.requirements}
    for meta in metas:
        for rid in meta.compliance.get(benchmark.mapping, ()):
            if rid in known:
                out[rid].append(meta.id)
    return out


def summarize(
    report: Report,
    benchmark: Benchmark,
    metas: Iterable[CheckMeta] | None = None,
) -> ComplianceSummary:
    """`report` against `benchmark`. `metas` are the checks whose mappings count (default:
    every registered check, built-in or plugin)."""
    if metas is None:
        from awsobs.registry import REGISTRY

        metas = [c.meta for c in REGISTRY.all()]
    metas = list(metas)
    notes = {m.id: m.compliance_note for m in metas if m.compliance_note}
    mapped = mapped_checks(benchmark, metas)
    by_check: dict[str, list[int]] = {}
    for i, f in enumerate(report.findings):
        by_check.setdefault(f.check_id, []).append(i)
    ran = set(report.checks) | set(by_check)
    results = []
    for req in benchmark.requirements:
        checks = tuple(mapped[req.id])
        indexes = tuple(i for c in checks for i in by_check.get(c, ()))
        found = [report.findings[i] for i in indexes]
        not_run = tuple(c for c in checks if c not in ran)
        results.append(
            RequirementResult(
                requirement=req,
                status=_status(req, checks, not_run, found),
                checks=checks,
                not_run=not_run,
                findings=indexes,
                counts={s.value: sum(f.status is s for f in found) for s in Status},
                suppressed=sum(f.suppressed for f in found),
                partial=tuple((c, notes[c]) for c in checks if c in notes),
            )
        )
    return ComplianceSummary(benchmark, tuple(results))


def _status(
    req: Requirement, checks: tuple[str, ...], not_run: tuple[str, ...], found: list[Finding]
) -> str:
    if not checks:
        return MANUAL_STATUS if req.assessment == MANUAL and not req.not_covered else NOT_COVERED
    if any(f.status is Status.FAIL for f in found):
        return Status.FAIL.value
    if not_run:
        return NOT_ASSESSED
    if not found:
        return Status.NOT_APPLICABLE.value
    return max((f.status for f in found), key=lambda s: s.weight).value
