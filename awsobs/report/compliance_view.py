"""The per-requirement table of `--compliance` in table, Markdown and HTML, and the list of
frameworks `awsobs compliance` prints.

Requirement titles and ids are awsobs's own data, but check ids can come from plugins and
counts from findings, so everything still passes through `printable` (table), `cell`/`code`
(Markdown) or `html.escape` (HTML) like every other human format.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence

from tabulate import tabulate

from awsobs.compliance.requirements import MANUAL, Benchmark
from awsobs.compliance.summary import (
    NOT_COVERED,
    ComplianceSummary,
    RequirementResult,
    mapped_checks,
)
from awsobs.model import CheckMeta, Status
from awsobs.report.layout import Column, grid, hanging
from awsobs.report.markdown import cell, code
from awsobs.report.text import printable

PARTIAL_MARK = "~"
_LEGEND = (
    f"{PARTIAL_MARK} after a check: its rule is stricter or looser than the requirement "
    "(`awsobs checks --format markdown` says how)."
)
_FINDING_ORDER = (Status.FAIL, Status.UNKNOWN, Status.PASS, Status.NOT_APPLICABLE)


def headline(summary: ComplianceSummary) -> str:
    """`CIS AWS Foundations Benchmark v3.0.0: 10 PASS, 12 FAIL, ... of 25 requirements`."""
    counts = summary.counts()
    parts = [f"{n} {s}" for s, n in counts.items() if n]
    return (
        f"{summary.benchmark.name}: "
        + ", ".join(parts)
        + f" of {len(summary.results)} requirements"
    )


def _findings(r: RequirementResult) -> str:
    parts = [f"{r.counts[s.value]} {s.value}" for s in _FINDING_ORDER if r.counts.get(s.value)]
    if r.suppressed:
        parts.append(f"{r.suppressed} suppressed")
    return ", ".join(parts) or "-"


def _checks(r: RequirementResult) -> list[str]:
    """The checks that ran, `~` after those whose rule differs (not-run ones are listed apart)."""
    partial = {c for c, _ in r.partial}
    return [c + (PARTIAL_MARK if c in partial else "") for c in r.checks if c not in r.not_run]


def _why(r: RequirementResult) -> str:
    """What a row without a verdict from checks says instead of check ids."""
    if r.requirement.not_covered:
        return "not covered: " + r.requirement.not_covered
    if r.status == NOT_COVERED:
        return "not covered by any awsobs check"
    return "needs a person's review"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


_COLUMNS = (
    Column("REQ"),
    Column("STATUS"),
    Column("TYPE"),
    Column("TITLE", floor=16),
    Column("CHECKS", floor=24, flex=True),
    Column("FINDINGS", floor=14),
)


def render_table(summary: ComplianceSummary, *, width: int | None = None) -> str:
    """The requirement table for a terminal `width` columns wide (None: lines kept whole),
    headed and ended by the counts."""
    title_width = max(24, (width or 150) - 95)
    rows = []
    for r in summary.results:
        checks = _checks(r)
        if r.not_run:
            checks.append("not run: " + ", ".join(r.not_run))
        rows.append(
            (
                r.requirement.id,
                r.status,
                "manual" if r.requirement.assessment == MANUAL else "auto",
                _clip(r.requirement.title, title_width),
                printable(" ".join(checks) if r.checks else _clip(_why(r), 50)).strip(),
                printable(_findings(r)),
            )
        )
    b = summary.benchmark
    lines = [
        *hanging("== ", f"{b.name}, {b.scope}", width),
        "",
        *grid(_COLUMNS, rows, width),
        "",
        *hanging("", _LEGEND, width),
        *hanging("", printable(headline(summary)), width),
    ]
    return "\n".join(lines) + "\n"


def render_markdown(summary: ComplianceSummary) -> str:
    """The requirement table as GitHub-flavoured Markdown, notes folded away."""
    b = summary.benchmark
    lines = [
        f"### {cell(b.name)}",
        "",
        cell(headline(summary), 500),
        "",
        "| Requirement | Status | Type | Title | Checks | Findings |",
        "|---|---|---|---|---|---|",
    ]
    for r in summary.results:
        checks = " ".join(code(c) for c in _checks(r)) if r.checks else cell(_why(r))
        if r.not_run:
            checks += " not run: " + ", ".join(code(c) for c in r.not_run)
        lines.append(
            f"| {r.requirement.id} | **{r.status}** | {r.requirement.assessment} "
            f"| {cell(r.requirement.title)} | {checks} | {cell(_findings(r))} |"
        )
    notes = [
        f"- {r.requirement.id} {code(c)}: {cell(n, 400)}" for r in summary.results
        for c, n in r.partial
    ] + [
        f"- {r.requirement.id}: {cell(r.requirement.note, 400)}"
        for r in summary.results if r.requirement.note
    ]  # fmt: skip
    lines.append("")
    if notes:
        lines += ["<details><summary>Notes</summary>", "", *notes, "", "</details>", ""]
    return "\n".join(lines)


def html_section(summary: ComplianceSummary) -> str:
    """`<section id="compliance">`: the requirement table, each status in its colour."""

    def t(text: object) -> str:
        return html.escape(printable(str(text)), quote=True)

    cls = {"PASS": "pass", "FAIL": "fail", "UNKNOWN": "unknown"}
    rows = []
    for r in summary.results:
        partial = dict(r.partial)
        checks = (
            " ".join(
                f'<code title="{t(partial[c])}">{t(c)}{PARTIAL_MARK}</code>'
                if c in partial
                else f"<code>{t(c)}</code>"
                for c in r.checks
                if c not in r.not_run
            )
            if r.checks
            else t(_why(r))
        )
        if r.not_run:
            checks += " <small>not run: " + t(", ".join(r.not_run)) + "</small>"
        note = f"<br><small>{t(r.requirement.note)}</small>" if r.requirement.note else ""
        rows.append(
            f'<tr data-status="{t(r.status)}"><th scope="row">{t(r.requirement.id)}</th>'
            f'<td><span class="st {cls.get(r.status, "none")}">{t(r.status)}</span></td>'
            f"<td>{t(r.requirement.assessment)}</td><td>{t(r.requirement.title)}{note}</td>"
            f"<td>{checks}</td><td>{t(_findings(r))}</td></tr>"
        )
    return (
        f'<section id="compliance"><h2>{t(summary.benchmark.name)} '
        f"<small>{t(summary.benchmark.scope)}</small></h2>"
        f"<p>{t(headline(summary))}</p>"
        '<table class="compliance"><thead><tr><th>Requirement</th><th>Status</th>'
        "<th>Type</th><th>Title</th><th>Checks</th><th>Findings</th></tr></thead><tbody>"
        + "".join(rows)
        + f'</tbody></table><p class="legend">{t(_LEGEND)}</p></section>'
    )


# -- awsobs compliance --------------------------------------------------------------------


def coverage(benchmark: Benchmark, metas: Sequence[CheckMeta]) -> dict[str, object]:
    """How much of `benchmark` the checks answer: requirement counts and each row."""
    mapped = mapped_checks(benchmark, metas)
    rows = [
        {
            "id": r.id,
            "title": r.title,
            "assessment": r.assessment,
            "checks": mapped[r.id],
            "not_covered": r.not_covered,
            "note": r.note,
        }
        for r in benchmark.requirements
    ]
    return {
        "framework": benchmark.id,
        "name": benchmark.name,
        "scope": benchmark.scope,
        "requirements": len(rows),
        "covered": sum(bool(r["checks"]) for r in rows),
        "manual": sum(r["assessment"] == MANUAL for r in rows),
        "rows": rows,
    }


def render_frameworks(
    benchmarks: Sequence[Benchmark], metas: Sequence[CheckMeta], fmt: str, *, detail: bool
) -> str:
    """`awsobs compliance`: each framework and how many of its requirements a check answers;
    with `detail` (one framework named), every requirement and its checks."""
    data = [coverage(b, metas) for b in benchmarks]
    if fmt == "json":
        return json.dumps(data if detail else [_brief(d) for d in data], indent=2) + "\n"
    if fmt == "markdown":
        return _frameworks_markdown(data, detail)
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}")
    if not detail:
        rows = [
            (d["framework"], d["name"], f"{d['covered']}/{d['requirements']}", d["manual"])
            for d in data
        ]
        headers = ("FRAMEWORK", "NAME", "COVERED", "MANUAL")
        return str(tabulate(rows, headers=headers, disable_numparse=True)) + "\n"
    out = []
    for d in data:
        rows = [
            (
                r["id"],
                r["assessment"],
                _clip(str(r["title"]), 70),
                printable(" ".join(r["checks"]) or "not covered: " + str(r["not_covered"])),
            )
            for r in d["rows"]  # type: ignore[attr-defined]
        ]
        out += [
            f"== {d['name']}, {d['scope']}: {d['covered']} of {d['requirements']} "
            "requirements answered by a check",
            "",
            str(tabulate(rows, headers=("REQ", "TYPE", "TITLE", "CHECKS"), disable_numparse=True)),
        ]
    return "\n".join(out) + "\n"


def _brief(d: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in d.items() if k != "rows"}


def _frameworks_markdown(data: list[dict[str, object]], detail: bool) -> str:
    lines = [
        "| Framework | `--compliance` | Answered by a check | Manual in the benchmark |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {cell(str(d['name']))} ({cell(str(d['scope']))}) | {code(str(d['framework']))} "
        f"| {d['covered']} of {d['requirements']} | {d['manual']} |"
        for d in data
    ]
    if not detail:
        return "\n".join(lines) + "\n"
    for d in data:
        lines += ["", f"### {cell(str(d['name']))}", "", "| Req | Type | Title | Checks |"]
        lines.append("|---|---|---|---|")
        for r in d["rows"]:  # type: ignore[attr-defined]
            checks = " ".join(code(c) for c in r["checks"]) or cell(
                "not covered: " + r["not_covered"]
            )
            lines.append(f"| {r['id']} | {r['assessment']} | {cell(r['title'])} | {checks} |")
    return "\n".join(lines) + "\n"
