"""Reporters: each turns a finished `Report` into text; none of them prints or reads AWS."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from awsobs.model import Report
from awsobs.report import csv as csv_report
from awsobs.report import json as json_report
from awsobs.report import markdown, table

if TYPE_CHECKING:
    from awsobs.compliance.summary import ComplianceSummary
    from awsobs.report.diff import Diff

FORMATS = ("table", "json", "sarif", "junit", "markdown", "csv", "html", "ocsf", "asff")
VIEWS = ("findings", "resources")
"""What table and Markdown show: the findings check by check, or the map of resources."""


def render(
    report: Report,
    fmt: str,
    *,
    show_pass: bool = False,
    width: int | None = None,
    diff: Diff | None = None,
    view: str = "findings",
    compliance: ComplianceSummary | None = None,
    color: bool = False,
) -> str:
    """The report in format `fmt` (one of FORMATS). `width` lays the table out to that
    many terminal columns (None: lines kept whole) and `color` colours its statuses and
    severities; every other format ignores both. With `diff` (a scan against a
    baseline), table and markdown append the changes, JSON carries them as `baseline` and
    HTML marks them; the other formats describe the scan alone. `view="resources"` makes
    table and Markdown show the resource map instead of the findings (JSON and HTML always
    hold both; SARIF, JUnit, CSV, OCSF and ASFF are lists of findings). With `compliance` (a scan
    run with --compliance), table and Markdown append the per-requirement table, and JSON and
    HTML carry it."""
    text = _render(report, fmt, show_pass=show_pass, width=width, diff=diff, view=view,
                   compliance=compliance, color=color)  # fmt: skip
    if compliance is None or fmt not in ("table", "markdown"):
        return text
    from awsobs.report import compliance_view

    if fmt == "table":
        return text + "\n" + compliance_view.render_table(compliance, width=width)
    # Markdown: the requirement table first, then the report, cut so the whole still fits
    # a GitHub comment (the JSON report has everything)
    head = compliance_view.render_markdown(compliance) + "\n"
    room = markdown.MAX_CHARS - len(head)
    if len(text) > room:
        text = text[: text.rfind("\n", 0, room - 100)] + "\n\n… (cut to fit a comment; the JSON "
        text += "report has everything)\n"
    return head + text


def render_chunks(
    report: Report,
    fmt: str,
    *,
    show_pass: bool = False,
    width: int | None = None,
    diff: Diff | None = None,
    view: str = "findings",
    compliance: ComplianceSummary | None = None,
    color: bool = False,
) -> Iterator[str]:
    """`render`'s text in pieces, for writing to a file or stdout as it is made: JSON a
    finding at a time (a large report need not be held in memory whole), every other
    format in one piece."""
    if fmt == "json" and view in VIEWS:
        yield from json_report.chunks(
            report,
            baseline=None if diff is None else diff.to_dict(),
            compliance=None if compliance is None else compliance.to_dict(),
        )
        return
    yield render(report, fmt, show_pass=show_pass, width=width, diff=diff, view=view,
                 compliance=compliance, color=color)  # fmt: skip


def _render(
    report: Report,
    fmt: str,
    *,
    show_pass: bool,
    width: int | None,
    diff: Diff | None,
    view: str,
    compliance: ComplianceSummary | None,
    color: bool,
) -> str:
    from awsobs.report.diff_render import render_diff

    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}")
    if view == "resources" and fmt in ("table", "markdown"):
        from awsobs.report import resource_view

        if fmt == "table":
            text = resource_view.render_table(report, width=width, color=color)
        else:
            text = resource_view.render_markdown(report)
        return text if diff is None else text + "\n" + render_diff(diff, fmt, width=width)
    if fmt == "html":
        from awsobs.report import html

        return html.render(report, diff=diff, compliance=compliance)

    if fmt == "json":
        return json_report.render(
            report,
            baseline=None if diff is None else diff.to_dict(),
            compliance=None if compliance is None else compliance.to_dict(),
        )
    if fmt == "table":
        text = table.render(report, show_pass=show_pass, width=width, color=color)
        return text if diff is None else text + "\n" + render_diff(diff, "table", width=width)
    if fmt == "markdown":
        text = markdown.render(report)
        return text if diff is None else text + "\n" + render_diff(diff, "markdown")
    if fmt == "sarif":
        from awsobs.report import sarif

        return sarif.render(report)
    if fmt == "junit":
        from awsobs.report import junit

        return junit.render(report)
    if fmt == "csv":
        return csv_report.render(report)
    if fmt == "ocsf":
        from awsobs.report import ocsf

        return ocsf.render(report)
    if fmt == "asff":
        from awsobs.report import asff

        return asff.render(report)
    raise ValueError(f"unknown report format {fmt!r}")
