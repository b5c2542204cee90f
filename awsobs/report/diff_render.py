"""Renderers for a `Diff`: a terminal table, a GitHub markdown summary, and versioned JSON.

Like the report renderers, these only turn data into text; the CLI prints it. Everything
in a diff comes from two JSON files, so every cell is neutralised as it is laid out: the
table through `printable`, the Markdown through the report's `cell` and `code` (see
awsobs/report/markdown.py for what GitHub renders).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from awsobs.report.diff import Change, Diff
from awsobs.report.layout import Column, grid, hanging
from awsobs.report.markdown import cell, code
from awsobs.report.table import short_resource
from awsobs.report.text import printable

DIFF_FORMATS = ("table", "markdown", "json")

MARKDOWN_MAX_ROWS = 50
MARKDOWN_MAX_CHARS = 60_000  # GitHub comments stop at 65,536; leave room for a wrapper
_MARKDOWN_CELL_CHARS = 300
_NOT_COMPARED_NOTE = (
    "FAILs of the old scan that the new scan did not cover (check not run, region or "
    "account not scanned, or the check could not read it): not resolved, just not looked at."
)


def render_diff(diff: Diff, fmt: str, *, width: int | None = None) -> str:
    """The diff in format `fmt` (one of DIFF_FORMATS); `width` wraps table messages."""
    if fmt == "json":
        return json.dumps(diff.to_dict(), indent=2) + "\n"
    if fmt == "table":
        return _table(diff, width)
    if fmt == "markdown":
        return _markdown(diff)
    raise ValueError(f"unknown diff format {fmt!r}")


def summary_line(diff: Diff) -> str:
    """`Diff: 2 new gaps, 1 resolved, ... (old scan T1, new scan T2)`, or that nothing changed."""
    scans = f"old scan {diff.old_started_at}, new scan {diff.new_started_at}"
    if sorted(diff.old_accounts) != sorted(diff.new_accounts):
        scans += (
            f"; accounts {', '.join(diff.old_accounts) or '-'} -> "
            f"{', '.join(diff.new_accounts) or '-'}"
        )
    still = f"{diff.unchanged_failures} still failing"
    if not diff.has_changes:
        return f"Diff: no changes, {still} ({scans})"
    parts = [
        _plural(len(diff.new_gaps), "new gap"),
        f"{len(diff.resolved)} resolved",
        f"{len(diff.changed)} changed",
        still,
    ]
    if diff.out_of_scope:
        parts.append(f"{len(diff.out_of_scope)} not compared")
    return f"Diff: {', '.join(parts)} ({scans})"


def _sections(diff: Diff) -> list[tuple[str, Sequence[Change]]]:
    return [
        ("New gaps", diff.new_gaps),
        ("Resolved", diff.resolved),
        ("Changed", diff.changed),
        ("Not compared", diff.out_of_scope),
    ]


def _transition(c: Change) -> str:
    old = c.old_status.value if c.old_status is not None else "absent"
    if c.new_status is not None:
        return f"{old} -> {c.new_status.value}"
    return f"{old} -> {'not scanned' if c.reason_not_compared else 'gone'}"


def _message(c: Change) -> str:
    text = c.message
    if c.reason_not_compared:
        text = f"not compared: {c.reason_not_compared}. {text}"
    if c.suppressed:
        reason = f": {c.suppression_reason}" if c.suppression_reason else ""
        text = f"[suppressed{reason}] {text}"
    return text.strip()


def _row(c: Change) -> tuple[str, str, str, str, str, str]:
    return (
        c.severity.value,
        c.check_id,
        c.region,
        short_resource(c.resource_id),
        _transition(c),
        _message(c),
    )


_COLUMNS = (
    Column("SEVERITY"),
    Column("CHECK", floor=16, whole=True),
    Column("REGION", floor=14, whole=True),
    Column("RESOURCE", floor=16, whole=True),
    Column("OLD -> NEW"),
    Column("MESSAGE", floor=30, flex=True),
)
_HEADERS = tuple(c.header for c in _COLUMNS)
_INDENT = "  "


def _table(diff: Diff, width: int | None) -> str:
    """The changes, a table per section, laid out to `width` columns like the report's
    table (awsobs.report.layout; None: lines kept whole)."""
    if not diff.has_changes:
        return "\n".join(hanging("Diff: ", _summary_rest(diff), width)) + "\n"
    lines: list[str] = []
    for title, changes in _sections(diff):
        if not changes:
            continue
        lines.append(f"{title} ({len(changes)})")
        if title == "Not compared":
            lines += hanging(_INDENT, _NOT_COMPARED_NOTE, width)
        rows = [tuple(printable(v) for v in _row(c)) for c in changes]
        lines += grid(_COLUMNS, rows, width)
        lines.append("")
    lines += hanging("Diff: ", _summary_rest(diff), width)
    return "\n".join(lines) + "\n"


def _summary_rest(diff: Diff) -> str:
    return printable(summary_line(diff)).removeprefix("Diff: ")


def _markdown(diff: Diff) -> str:
    """A PR-comment summary; row caps shrink until it fits MARKDOWN_MAX_CHARS."""
    text = ""
    for max_rows in (MARKDOWN_MAX_ROWS, 20, 5, 0):
        text = _markdown_with(diff, max_rows)
        if len(text) <= MARKDOWN_MAX_CHARS:
            return text
    notice = "\n\n... truncated; see the JSON diff for everything.\n"
    return text[: MARKDOWN_MAX_CHARS - len(notice)] + notice


def _markdown_with(diff: Diff, max_rows: int) -> str:
    lines = ["## awsobs diff", "", cell(summary_line(diff), _MARKDOWN_CELL_CHARS), ""]
    if not diff.has_changes:
        return "\n".join(lines)
    for title, changes in _sections(diff):
        if not changes:
            continue
        heading = f"{title} ({len(changes)})"
        collapsed = title in ("Changed", "Not compared")
        if collapsed:
            lines += ["<details>", f"<summary>{heading}</summary>", ""]
        else:
            lines += [f"### {heading}", ""]
        if title == "Not compared":
            lines += [_NOT_COMPARED_NOTE, ""]
        lines += _md_table(changes, max_rows)
        if collapsed:
            lines += ["</details>", ""]
    return "\n".join(lines)


def _md_table(changes: Sequence[Change], max_rows: int) -> list[str]:
    lines: list[str] = []
    shown = changes[:max_rows]
    if shown:
        lines.append("| " + " | ".join(cell(h.capitalize()) for h in _HEADERS) + " |")
        lines.append("|" + "---|" * len(_HEADERS))
        for c in shown:
            lines.append("| " + " | ".join(_md_cells(_row(c))) + " |")
        lines.append("")
    if len(changes) > len(shown):
        lines += [f"... and {len(changes) - len(shown)} more", ""]
    return lines


def _md_cells(row: Sequence[str]) -> list[str]:
    """One row's cells: check and resource as code, the rest as plain text."""
    as_code = (_HEADERS.index("CHECK"), _HEADERS.index("RESOURCE"))
    return [
        (code if i in as_code else cell)(value, _MARKDOWN_CELL_CHARS) for i, value in enumerate(row)
    ]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
