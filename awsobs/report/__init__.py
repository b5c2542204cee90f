"""Reporters: each turns a finished `Report` into text; none of them prints or reads AWS."""

from __future__ import annotations

from awsobs.model import Report
from awsobs.report import json as json_report
from awsobs.report import table

FORMATS = ("table", "json")


def render(report: Report, fmt: str, *, show_pass: bool = False, width: int | None = None) -> str:
    """The report in format `fmt` (one of FORMATS)."""
    if fmt == "json":
        return json_report.render(report)
    if fmt == "table":
        return table.render(report, show_pass=show_pass, width=width)
    raise ValueError(f"unknown report format {fmt!r}")
