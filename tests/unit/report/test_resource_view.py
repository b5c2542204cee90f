"""`--view resources`: the map in a terminal and in Markdown."""

from __future__ import annotations

import dataclasses

import cmarkgfm
from cmarkgfm.cmark import Options
from report_helpers import ACCOUNT, STAGE, finding, report

from awsobs.model import Status
from awsobs.report import render
from awsobs.report.diff import diff_reports
from awsobs.report.resource_view import MAX_MARKDOWN_ROWS

FN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


def shop() -> object:
    return report(
        finding("apigw.rest.error_alarms", Status.FAIL, STAGE.format("dev")),
        finding("apigw.rest.access_logging", Status.FAIL, STAGE.format("dev")),
        finding("apigw.rest.error_alarms", Status.PASS, STAGE.format("prod")),
        finding("apigw.rest.access_logging", Status.PASS, STAGE.format("prod")),
        finding(
            "lambda.xray_active",
            Status.UNKNOWN,
            FN.format("checkout"),
            resource_type="AWS::Lambda::Function",
        ),
        finding(
            "lambda.xray_active",
            Status.PASS,
            FN.format("resize"),
            resource_type="AWS::Lambda::Function",
        ),
        finding(
            "cloudtrail.trail_logging",
            Status.PASS,
            "us-east-1",
            resource_type="AWS::Region",
        ),
    )


def lines_of(text: str, start: str) -> list[str]:
    """The lines of the block that starts with `start`, up to the next blank line."""
    lines = text.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith(start))
    block = []
    for line in lines[i:]:
        if not line.strip():
            break
        block.append(line)
    return block


def test_the_terminal_map_groups_by_service_worst_first() -> None:
    text = render(shop(), "table", view="resources")  # type: ignore[arg-type]
    assert text.startswith("Observability map: 4 resources in 1 account, coverage 73% (8/11)")
    assert "Resources failing: 1 logs, 1 alarms" in text
    headings = [line for line in text.splitlines() if line.startswith("== ")]
    assert headings == [
        "== ApiGateway: 2, coverage 67% (4/6)",  # every cell has the region's audit PASS
        "== Lambda: 2, coverage 75% (3/4)",
        "== Region: 1, coverage 100% (1/1)",
    ]
    api = lines_of(text, "== ApiGateway")
    assert api[1].split() == [
        "KIND", "RESOURCE", "REGION", "AUDIT", "LOGS", "METRICS", "ALARMS", "TRACES", "CONFIG",
        "COVERAGE",
    ]  # fmt: skip
    dev, prod = api[3].split(), api[4].split()
    assert dev[:7] == ["Stage", "/restapis/a1b2c3/stages/dev", "us-east-1", "✓", "✗", "-", "✗"]
    assert dev[-2:] == ["33%", "(1/3)"]
    assert prod[1].endswith("/prod") and prod[3:7] == ["✓", "✓", "-", "✓"]
    checkout = lines_of(text, "== Lambda")[3].split()
    assert checkout[1] == "function:checkout" and checkout[7] == "?"
    assert "✓ pass   ✗ fail   ? unknown   - no check of that signal applies" in text


def test_the_terminal_map_shows_the_account_when_there_are_several() -> None:
    rep = shop()
    other = finding(
        "lambda.xray_active",
        Status.FAIL,
        "arn:aws:lambda:us-east-1:210987654321:function:x",
        resource_type="AWS::Lambda::Function",
        account_id="210987654321",
    )
    rep = dataclasses.replace(rep, findings=(*rep.findings, other))  # type: ignore[type-var]
    text = render(rep, "table", view="resources")  # type: ignore[arg-type]
    assert "in 2 accounts" in text
    assert "Coverage by account: 123456789012 73% (8/11), 210987654321 0% (0/1)" in text
    md = render(rep, "markdown", view="resources")  # type: ignore[arg-type]
    assert "Coverage by account: 123456789012 73% (8/11), 210987654321 0% (0/1)" in md
    assert "ACCOUNT" in lines_of(text, "== Lambda")[1].split()
    assert any("210987654321" in line for line in lines_of(text, "== Lambda"))
    assert ACCOUNT in text


def test_the_markdown_map_renders_as_a_table_per_service() -> None:
    md = render(shop(), "markdown", view="resources")  # type: ignore[arg-type]
    html = cmarkgfm.github_flavored_markdown_to_html(md, options=Options.CMARK_OPT_UNSAFE)
    assert html.count("<table>") == 3
    assert "<h3>ApiGateway</h3>" in html
    assert "<td>Stage <code>/restapis/a1b2c3/stages/dev</code></td>" in html
    assert "<td>33% (1/3)</td>" in html


def test_the_markdown_map_is_capped_for_a_comment() -> None:
    many = [
        finding(
            "lambda.xray_active",
            Status.FAIL,
            FN.format(f"fn-{i:04d}"),
            resource_type="AWS::Lambda::Function",
        )
        for i in range(MAX_MARKDOWN_ROWS + 30)
    ]
    md = render(report(*many), "markdown", view="resources")
    assert md.count("| Function <code>") == MAX_MARKDOWN_ROWS
    assert "... and 30 more resources in the JSON or HTML report." in md


def test_with_a_baseline_the_map_is_followed_by_the_changes() -> None:
    new = shop()
    old = dataclasses.replace(new, findings=new.findings[2:])  # type: ignore[type-var]
    diff = diff_reports(old.to_dict(), new.to_dict())  # type: ignore[attr-defined]
    text = render(new, "table", view="resources", diff=diff)  # type: ignore[arg-type]
    assert text.index("Observability map") < text.index("New gaps")


def test_machine_formats_ignore_the_view() -> None:
    rep = shop()
    for fmt in ("json", "sarif", "junit", "csv"):
        assert render(rep, fmt, view="resources") == render(rep, fmt)  # type: ignore[arg-type]
