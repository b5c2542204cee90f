"""Markdown (PR comments, step summaries) and CSV (spreadsheets): what a reader sees."""

from __future__ import annotations

import csv
import io

from report_helpers import STAGE, finding, report

from awsobs.model import Status
from awsobs.report import render
from awsobs.report.csv import COLUMNS, COMPLIANCE_COLUMNS
from awsobs.report.markdown import MAX_CHARS, MAX_ROWS

EXEC = "apigw.rest.execution_logging"


def test_markdown_lists_gaps_unknowns_and_suppressed_apart() -> None:
    text = render(
        report(
            finding(EXEC, Status.FAIL, STAGE.format("prod"), message="no | logs"),
            finding(EXEC, Status.UNKNOWN, STAGE.format("dev"), message="access denied"),
            finding(
                EXEC,
                Status.FAIL,
                STAGE.format("old"),
                suppressed=True,
                suppression_reason="retired in Q1",
            ),
            finding(EXEC, Status.PASS, STAGE.format("ok")),
        ),
        "markdown",
    )
    gaps = text.split("### Gaps", 1)[1].split("###", 1)[0]
    assert "restapis/a1b2c3/stages/prod" in gaps and "stages/old" not in gaps
    assert "no \\| logs" in gaps  # a pipe cannot break the table
    assert "Could not check (UNKNOWN)" in text and "access denied" in text
    assert "<details><summary>Suppressed (1)</summary>" in text and "retired in Q1" in text
    assert text.startswith("## awsobs: 1 gap in account 123456789012")
    assert "**1 FAIL** · 1 UNKNOWN · 1 PASS" in text and "1 suppressed" in text


def test_markdown_stays_short_enough_for_a_comment() -> None:
    many = [
        finding(EXEC, Status.FAIL, STAGE.format(f"s{i}"), message="x" * 400) for i in range(500)
    ]
    text = render(report(*many), "markdown")
    assert len(text) <= MAX_CHARS
    assert text.count("restapis/a1b2c3/stages/s") == MAX_ROWS
    assert f"and {500 - MAX_ROWS} more in the JSON report" in text


def test_csv_has_one_row_per_finding_and_defuses_formulas() -> None:
    text = render(
        report(
            finding(EXEC, Status.FAIL, STAGE.format("prod"), message='=HYPERLINK("http://x")'),
            finding(EXEC, Status.PASS, "@evil", message="multi\nline, with comma"),
        ),
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == [*COLUMNS, *COMPLIANCE_COLUMNS] and len(rows) == 2
    assert rows[0]["message"] == '\'=HYPERLINK("http://x")' and rows[0]["status"] == "FAIL"
    assert rows[1]["resource_id"] == "'@evil"
    assert rows[1]["message"] == "multi\\nline, with comma"  # escaped: one line per finding
    assert rows[0]["suppressed"] == "false"


def test_csv_has_a_column_per_framework_with_the_checks_ids() -> None:
    text = render(
        report(
            finding("config.recorder_all_regions", Status.FAIL, "123456789012"),
            finding("cloudtrail.dynamodb_data_events", Status.FAIL, "trail"),
        ),
        "csv",
    )
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert COMPLIANCE_COLUMNS == (
        "cis-aws-1.4", "cis-aws-3.0", "cis-aws-5.0", "aws-securityhub", "aws-config"
    )  # fmt: skip
    assert [rows[0][c] for c in COMPLIANCE_COLUMNS] == ["3.5", "3.3", "3.3", "Config.1", ""]
    assert all(rows[1][c] == "" for c in COMPLIANCE_COLUMNS)  # a check no framework maps
