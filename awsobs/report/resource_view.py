"""`--view resources`: the observability map as a terminal table or Markdown.

One block per service, the services with the lowest coverage first; in each, one row per
resource, worst first, with a cell per signal (✓ pass, ✗ fail, ? unknown, - no check of
that signal applies) and its coverage. The symbols carry the meaning, so the map reads
without colour. Names come from the account: the table passes them through `printable`,
Markdown through `markdown.cell`/`code`, like every other human format.
"""

from __future__ import annotations

from awsobs.model import Report, Status
from awsobs.report.layout import (
    GAP,
    STATUS_SGR,
    Column,
    grid,
    hanging,
    paint,
    text_width,
    widths,
)
from awsobs.report.markdown import MAX_CHARS, cell, code
from awsobs.report.table import short_resource
from awsobs.report.text import printable
from awsobs.resources import SIGNALS, SYMBOLS, Coverage, ResourceMap, ResourceRow

LEGEND = "✓ pass   ✗ fail   ? unknown   - no check of that signal applies"
MAX_MARKDOWN_ROWS = 200


def _name(row: ResourceRow) -> str:
    if row.is_scope:
        return row.resource_id
    return short_resource(row.resource_id)


def _counts(resource_map: ResourceMap) -> str:
    accounts = {r.account_id for r in resource_map}
    resources = sum(not r.is_scope for r in resource_map)
    return (
        f"{resources} resources in {len(accounts)} account{'s' * (len(accounts) != 1)}, "
        f"coverage {resource_map.coverage}"
    )


def _gaps(resource_map: ResourceMap) -> list[str]:
    """How many resources fail each signal: the one line to read first."""
    parts = []
    for s in SIGNALS:
        failing = sum(r.status(s) is Status.FAIL for r in resource_map if not r.is_scope)
        if failing:
            parts.append(f"{failing} {s.value}")
    return ["Resources failing: " + ", ".join(parts)] if parts else []


_SHORT = {
    "audit": "AUD",
    "logs": "LOG",
    "metrics": "MET",
    "alarms": "ALM",
    "traces": "TRC",
    "config": "CFG",
}
_SHORT_LEGEND = "AUD audit, LOG logs, MET metrics, ALM alarms, TRC traces, CFG config, COV coverage"
_SYMBOL_STATUS = {symbol: status for status, symbol in SYMBOLS.items()}
_ROOMY_RESOURCE = 24  # narrower than this, the short headers leave the names more room


def _paint_symbol(symbol: str) -> str:
    status = _SYMBOL_STATUS.get(symbol)
    return paint(symbol, STATUS_SGR.get(status.value) if status else "2")


def _columns(several: bool, short: bool, color: bool) -> list[Column]:
    """KIND, RESOURCE, (ACCOUNT), REGION, a cell per signal, COVERAGE; `short`: three-letter
    signal headers a space apart and COV, for a narrow terminal."""
    columns = [
        Column("KIND", floor=10),
        Column("RESOURCE", floor=8 if short else 16, flex=True, whole=True),
    ]
    if several:
        columns.append(Column("ACCOUNT", whole=True))
    columns.append(Column("REGION", floor=14, whole=True))
    painter = _paint_symbol if color else None
    for i, s in enumerate(SIGNALS):
        header = _SHORT.get(s.value, s.value[:3].upper()) if short else s.value.upper()
        columns.append(Column(header, paint=painter, gap=1 if short and i else GAP))
    columns.append(Column("COV" if short else "COVERAGE"))
    return columns


def _cells(r: ResourceRow, several: bool, short: bool) -> list[str]:
    line = [printable(r.kind), printable(_name(r))]
    if several:
        line.append(printable(r.account_id))
    line.append(printable(r.region))
    line += [SYMBOLS[r.status(s)] for s in SIGNALS]
    line.append(str(r.coverage).split(" ")[0] if short else str(r.coverage))
    return line


def _short_headers(resource_map: ResourceMap, several: bool, width: int | None) -> bool:
    """Whether the full headers would squeeze the names below _ROOMY_RESOURCE columns (or
    their widest) on a terminal `width` wide; decided once, so every block reads alike."""
    if width is None or not resource_map.rows:
        return False
    body = [_cells(r, several, False) for r in resource_map]
    got = widths(_columns(several, False, False), body, width)
    widest = max(text_width(row[1]) for row in body)
    return got[1] < min(widest, _ROOMY_RESOURCE)


def render_table(report: Report, *, width: int | None = None, color: bool = False) -> str:
    """The map for a terminal `width` columns wide (None: lines kept whole)."""
    resource_map = report.resources()
    lines = hanging("Observability map: ", _counts(resource_map), width)
    for gap in _gaps(resource_map):
        lines += hanging("Resources failing: ", gap.removeprefix("Resources failing: "), width)
    by_account = resource_map.coverage_by_account()
    several = len(by_account) > 1
    if several:
        shown = ", ".join(f"{a} {c}" for a, c in by_account.items())
        lines += hanging("Coverage by account: ", printable(shown), width)
    lines.append("")
    short = _short_headers(resource_map, several, width)
    columns = _columns(several, short, color)
    for service, rows in resource_map.groups():
        total = sum((r.coverage for r in rows), Coverage(0, 0))
        lines += hanging("== ", printable(f"{service}: {len(rows)}, coverage {total}"), width)
        lines += grid(columns, [_cells(r, several, short) for r in rows], width)
        lines.append("")
    if not resource_map.rows:
        lines += ["No resource was judged by a check that has a signal.", ""]
    if resource_map.unmapped_checks:
        shown = ", ".join(resource_map.unmapped_checks)
        lines += hanging("Not on the map (no signal declared): ", printable(shown), width)
        lines.append("")
    lines += hanging("", LEGEND, width)
    if short:
        lines += hanging("", _SHORT_LEGEND, width)
    lines += hanging(
        "",
        "A region's or the account's finding (no trail, no Config recorder) also fills the "
        "cell of the resources it covers; the JSON report's `resources` lists which.",
        width,
    )
    return "\n".join(lines) + "\n"


def render_markdown(report: Report) -> str:
    """The map for a pull-request comment or a step summary (capped like markdown.py)."""
    resource_map = report.resources()
    out = [
        "## awsobs: observability map",
        "",
        cell(_counts(resource_map)),
        "",
    ]
    out += [cell(g) for g in _gaps(resource_map)]
    by_account = resource_map.coverage_by_account()
    if len(by_account) > 1:
        out += [
            "",
            cell("Coverage by account: " + ", ".join(f"{a} {c}" for a, c in by_account.items())),
        ]
    out += ["", f"Cells: {LEGEND}", ""]
    signals = " | ".join(s.value for s in SIGNALS)
    shown = 0
    for service, rows in resource_map.groups():
        out += [f"### {cell(service)}", "", f"| resource | region | {signals} | coverage |"]
        out.append("|---|---|" + "---|" * len(SIGNALS) + "---|")
        for r in rows:
            if shown >= MAX_MARKDOWN_ROWS:
                break
            symbols = " | ".join(SYMBOLS[r.status(s)] for s in SIGNALS)
            out.append(
                f"| {cell(r.kind)} {code(_name(r))} | {cell(r.region)} | {symbols} | {r.coverage} |"
            )
            shown += 1
        out.append("")
        if shown >= MAX_MARKDOWN_ROWS:
            break
    hidden = len(resource_map) - shown
    if hidden > 0:
        out += [f"... and {hidden} more resources in the JSON or HTML report.", ""]
    text = "\n".join(out) + "\n"
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS - 200)
        text = text[:cut] + "\n\n... cut to fit a comment; the JSON or HTML report has all.\n"
    return text
