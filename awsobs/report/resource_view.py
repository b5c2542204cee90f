"""`--view resources`: the observability map as a terminal table or Markdown.

One block per service, the services with the lowest coverage first; in each, one row per
resource, worst first, with a cell per signal (✓ pass, ✗ fail, ? unknown, - no check of
that signal applies) and its coverage. The symbols carry the meaning, so the map reads
without colour. Names come from the account: the table passes them through `printable`,
Markdown through `markdown.cell`/`code`, like every other human format.
"""

from __future__ import annotations

from tabulate import tabulate

from awsobs.model import Report, Status
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


def render_table(report: Report, *, width: int | None = None) -> str:
    """The map for a terminal."""
    resource_map = report.resources()
    lines = [f"Observability map: {_counts(resource_map)}", *_gaps(resource_map)]
    by_account = resource_map.coverage_by_account()
    several = len(by_account) > 1
    if several:
        shown = ", ".join(f"{a} {c}" for a, c in by_account.items())
        lines.append(printable(f"Coverage by account: {shown}"))
    lines.append("")
    name_width = max(24, width - 84) if width else 60
    for service, rows in resource_map.groups():
        total = sum((r.coverage for r in rows), Coverage(0, 0))
        lines.append(printable(f"== {service}: {len(rows)}, coverage {total}"))
        body = []
        for r in rows:
            line = [printable(r.kind), printable(_name(r))]
            if several:
                line.append(printable(r.account_id))
            line.append(printable(r.region))
            line += [SYMBOLS[r.status(s)] for s in SIGNALS]
            line.append(str(r.coverage))
            body.append(line)
        headers = ["KIND", "RESOURCE", *(["ACCOUNT"] if several else []), "REGION"]
        headers += [s.value.upper() for s in SIGNALS] + ["COVERAGE"]
        widths: list[int | None] = [None, name_width] + [None] * (len(headers) - 2)
        text = tabulate(
            body,
            headers=headers,
            tablefmt="simple",
            maxcolwidths=widths,
            disable_numparse=True,
        )
        lines.extend("  " + line for line in text.splitlines())
        lines.append("")
    if not resource_map.rows:
        lines += ["No resource was judged by a check that has a signal.", ""]
    if resource_map.unmapped_checks:
        shown = ", ".join(resource_map.unmapped_checks)
        lines += [printable(f"Not on the map (no signal declared): {shown}"), ""]
    lines.append(LEGEND)
    lines.append(
        "A region's or the account's finding (no trail, no Config recorder) also fills the "
        "cell of the resources it covers; the JSON report's `resources` lists which."
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
