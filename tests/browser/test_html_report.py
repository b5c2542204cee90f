"""The HTML report (issue 16) in a real browser: what a person sees and can do on the demo
account's page, that hostile names stay text, that the filters answer fast at 5,000
resources, and a screenshot of the page. Every page opened must log no error, violate no
CSP rule and request nothing but its own file (see conftest.py)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from awsobs.model import Finding, Report, Severity, Status
from awsobs.report import render
from awsobs.report.text import printable

ROOT = Path(__file__).resolve().parents[2]
T0 = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
ACCOUNT = "123456789012"
SIGNALS = ["audit", "logs", "metrics", "alarms", "traces", "config"]
Opened = Any  # conftest.Opened: a page and what went wrong on it
OpenPage = Callable[[Path], Opened]


def col(signal: str) -> str:
    """The selector of a signal's cells: after the resource, region and account columns."""
    return f"td:nth-child({4 + SIGNALS.index(signal)})"


def cell(opened: Opened, resource_suffix: str, signal: str) -> str:
    """The symbol shown in one cell of the row whose resource id ends with the suffix."""
    row = opened.page.locator(f'#map tr:has(th[title$="{resource_suffix}"])')
    return row.locator(col(signal)).inner_text().strip()


def visible_rows(opened: Opened) -> list[str]:
    """The resource ids of the rows a person sees."""
    return opened.page.eval_on_selector_all(
        "#map tbody tr:not(.group)",
        "rows => rows.filter(r => r.offsetParent !== null).map(r => r.cells[0].title)",
    )


# -- the demo account -------------------------------------------------------------------------


def test_the_demo_map_shows_each_stage_with_symbols(open_page: OpenPage, demo_html: Path) -> None:
    opened = open_page(demo_html)
    page = opened.page
    assert page.title() == "awsobs: account 123456789012"
    assert cell(opened, "/stages/dev", "alarms") == "✗"
    assert cell(opened, "/stages/prod", "logs") == "✓"
    assert cell(opened, "/stages/prod", "metrics") == "-"
    header = page.locator("header").inner_text()
    assert "us-east-1, eu-west-1, us-west-2" in header and "coverage" in header
    assert "FAIL" in header and "PASS" in header
    # Colour as well as the symbol: FAIL and PASS cells differ in background.
    fail = page.locator("td.cell.fail").first.evaluate("e => getComputedStyle(e).backgroundColor")
    ok = page.locator("td.cell.pass").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert fail != ok
    total = len(visible_rows(opened))
    assert page.locator("#f-count").inner_text() == f"{total} of {total} resources"
    assert page.locator("#checks details.check").count() > 50


def test_filters_hide_rows(open_page: OpenPage, demo_html: Path) -> None:
    opened = open_page(demo_html)
    page = opened.page
    everything = visible_rows(opened)
    page.fill("#f-text", "stages/dev")
    shown = visible_rows(opened)
    assert shown and len(shown) < len(everything)
    assert all("stages/dev" in r for r in shown)
    page.fill("#f-text", "")
    assert visible_rows(opened) == everything
    page.select_option("#f-service", "DynamoDB")
    shown = visible_rows(opened)
    assert shown and all(":dynamodb:" in r for r in shown)
    assert page.locator('tbody[data-service="Lambda"]').is_hidden()
    page.select_option("#f-service", "")
    page.select_option("#f-status", "pass")
    passing = visible_rows(opened)
    assert 0 < len(passing) < len(everything)
    assert page.locator("#map tr:not([hidden]) td.cell.fail:visible").count() == 0
    page.select_option("#f-status", "gap")
    assert len(visible_rows(opened)) + len(passing) <= len(everything)
    page.select_option("#f-region", "us-west-2")
    assert all(page.locator(f'th[title="{r}"] + td').inner_text() == "us-west-2"
               for r in visible_rows(opened))  # fmt: skip


def test_clicking_a_column_sorts_the_rows(open_page: OpenPage, demo_html: Path) -> None:
    opened = open_page(demo_html)
    page = opened.page
    group = 'tbody[data-service="Lambda"] tr:not(.group) th'

    def names() -> list[str]:
        return [n.split(" ", 1)[1].lower() for n in page.locator(group).all_inner_texts()]

    before = names()
    page.click("#map thead th:text('Resource')")
    ascending = names()
    assert ascending == sorted(before) and ascending != before
    page.click("#map thead th:text('Resource')")
    assert names() == sorted(before, reverse=True)
    assert page.locator("#map thead th[aria-sort=descending]").inner_text().startswith("Resource")
    # By a signal: FAIL first, then UNKNOWN, PASS and "-".
    page.click("#map thead th:text('logs')")
    ranks = page.eval_on_selector_all(
        "#map tbody",
        """groups => groups.map(g => Array.from(g.rows).slice(1).map(r =>
          ['fail', 'unknown', 'pass', 'none'].findIndex(k => r.cells[4].classList.contains(k))))""",
    )
    assert all(group == sorted(group) for group in ranks)
    assert any(len(set(group)) > 1 for group in ranks)
    # By coverage: every service's rows from the least covered up.
    page.click("#map thead th:text('Coverage')")
    covs = page.eval_on_selector_all(
        "#map tbody", "gs => gs.map(g => Array.from(g.rows).slice(1).map(r => +r.dataset.cov))"
    )
    assert all(group == sorted(group) for group in covs)


def test_a_click_on_a_cell_shows_its_findings_and_fix(
    open_page: OpenPage, demo_html: Path, demo_report: Report
) -> None:
    opened = open_page(demo_html)
    page = opened.page
    alarm = next(
        f
        for f in demo_report.findings
        if f.check_id == "apigw.rest.error_alarms" and f.resource_id.endswith("/stages/dev")
    )
    panel = page.locator("#detail")
    assert panel.is_hidden()
    page.locator(f'tr:has(th[title$="/stages/dev"]) {col("alarms")}').click()
    assert panel.is_visible()
    text = panel.inner_text()
    assert printable(alarm.message) in text
    assert f"Fix: {printable(alarm.remediation)}" in text
    assert "apigw.rest.error_alarms" in text and alarm.title in text
    # The region's trail FAIL is inherited by the stage's audit cell, and says so.
    page.locator(f'tr:has(th[title$="/stages/dev"]) {col("audit")}').click()
    text = panel.inner_text()
    assert "applies to every resource in us-east-1" in text
    page.locator("#detail summary").first.click()  # the evidence opens
    assert page.locator("#detail pre").first.is_visible()
    page.keyboard.press("Escape")
    assert panel.is_hidden()


def test_the_printed_page_hides_the_controls_and_opens_every_check(
    open_page: OpenPage, demo_html: Path
) -> None:
    opened = open_page(demo_html)
    page = opened.page
    page.fill("#f-text", "stages/")  # a filtered map prints as it is shown
    shown = visible_rows(opened)
    page.locator("td.cell.fail").first.click()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("#filters").is_hidden() and page.locator("#detail").is_hidden()
    assert visible_rows(opened) == shown
    closed = page.eval_on_selector_all("details", "ds => ds.filter(d => !d.open).length")
    assert closed == 0
    color = page.locator("td.cell.fail").first.evaluate("e => getComputedStyle(e).printColorAdjust")
    assert color == "exact"


def test_a_screenshot_of_the_demo_report(open_page: OpenPage, demo_html: Path) -> None:
    opened = open_page(demo_html)
    out = ROOT / "build" / "artifacts" / "html-report.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    opened.page.screenshot(path=str(out), full_page=True)
    assert out.stat().st_size > 50_000
    if os.environ.get("AWSOBS_UPDATE_DOCS") == "1":
        clip = {"x": 0, "y": 0, "width": 1400, "height": 1100}
        opened.page.set_viewport_size({"width": 1400, "height": 1100})
        opened.page.screenshot(path=str(ROOT / "docs" / "html-report.png"), clip=clip)


# -- hostile names ----------------------------------------------------------------------------

PWN = [
    "<script>window.pwned=1</script>",
    '<img src=x onerror="window.pwned=1">',
    "</script><script>window.pwned=1</script>",
    '"><svg onload="window.pwned=1">',
    "</style><style>body{display:none}</style>",
    "<!--",
    "\x1b[2J\r\nfake\u202eevil",
]


def finding(check_id: str, status: Status, resource_id: str, **kw: object) -> Finding:
    base: dict[str, object] = {
        "check_id": check_id, "title": f"title of {check_id}", "severity": Severity.HIGH,
        "status": status, "account_id": ACCOUNT, "region": "us-east-1",
        "resource_type": "AWS::Lambda::Function", "resource_id": resource_id,
        "message": f"{status.value} on {resource_id}", "remediation": f"fix {resource_id}",
    }  # fmt: skip
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def make_report(findings: list[Finding], regions: tuple[str, ...] = ("us-east-1",)) -> Report:
    return Report(
        findings=tuple(findings),
        started_at=T0,
        finished_at=T0 + dt.timedelta(seconds=2),
        accounts=(ACCOUNT,),
        regions=regions,
        checks=tuple(dict.fromkeys(f.check_id for f in findings)),
        api_calls=1,
        errors=(),
        tool_version="0.0.0",
    )


def test_hostile_names_render_as_text_and_run_nothing(open_page: OpenPage, tmp_path: Path) -> None:
    arns = [f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}" for name in PWN]
    rep = make_report(
        [
            finding(
                "lambda.xray_active",
                Status.FAIL,
                arn,
                evidence={"tags": {"Name": name}},
                message=f"function {name} has no tracing",
                remediation=f"aws x '{name}'",
            )
            for arn, name in zip(arns, PWN, strict=True)
        ]
    )
    path = tmp_path / "hostile.html"
    path.write_text(render(rep, "html"), encoding="utf-8")
    opened = open_page(path)
    page = opened.page
    rows = page.locator("#map tbody tr:not(.group) th").all_inner_texts()
    assert sorted(rows) == sorted(f"Function function:{printable(n)}" for n in PWN)
    assert page.locator("svg, img, #map script, #map style").count() == 0
    cells = page.locator(f"#map tbody tr:not(.group) {col('traces')}")
    assert cells.count() == len(PWN)
    for i in range(len(PWN)):
        cells.nth(i).click()
        name = next(n for n in PWN if cells.nth(i).evaluate("c => c.parentElement.cells[0].title")
                    == printable(f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{n}"))  # fmt: skip
        text = page.locator("#detail").inner_text()
        assert f"function {printable(name)} has no tracing" in text
        assert f"Fix: aws x '{printable(name)}'" in text
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("body").is_visible()


# -- 5,000 resources --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5,000 Lambda functions in 4 regions, 4 findings each, and a trail per region."""
    regions = ("us-east-1", "eu-west-1", "us-west-2", "ap-south-1")
    checks = ("lambda.xray_active", "lambda.error_throttle_alarms", "lambda.log_retention",
              "lambda.async_failure_destination")  # fmt: skip
    items = []
    for i in range(5_000):
        region = regions[i % 4]
        arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:team-{i // 50}-handler-{i}"
        for j, check in enumerate(checks):
            status = Status.FAIL if (i + j) % 3 == 0 else Status.PASS
            items.append(finding(check, status, arn, region=region,
                                 evidence={"runtime": "python3.12", "memory": 512}))  # fmt: skip
    for region in regions:
        items.append(finding("cloudtrail.trail_logging", Status.PASS, region, region=region,
                             resource_type="AWS::Region"))  # fmt: skip
    path = tmp_path_factory.mktemp("big") / "big.html"
    path.write_text(render(make_report(items, regions), "html"), encoding="utf-8")
    return path


# Time from the event to the end of its handler and of the style and layout it causes.
TIMED = """([selector, value, kind]) => {
  const input = document.querySelector(selector);
  const t0 = performance.now();
  input.value = value;
  input.dispatchEvent(new Event(kind, { bubbles: true }));
  void document.body.offsetHeight;
  return performance.now() - t0;
}"""


def test_filters_answer_in_under_200_ms_at_5000_resources(
    open_page: OpenPage, big_html: Path
) -> None:
    opened = open_page(big_html)
    page = opened.page
    assert page.locator("#map tbody tr:not(.group)").count() == 5_004
    timings: dict[str, float] = {}
    for name, selector, value, kind in [
        ("text", "#f-text", "handler-4", "input"),
        ("text, narrower", "#f-text", "handler-42", "input"),
        ("text cleared", "#f-text", "", "input"),
        ("status", "#f-status", "pass", "change"),
        ("status cleared", "#f-status", "", "change"),
        ("region", "#f-region", "eu-west-1", "change"),
    ]:
        timings[name] = page.evaluate(TIMED, [selector, value, kind])
        if name == "text, narrower":
            assert "111 of 5004 resources" in page.locator("#f-count").inner_text()
    print("filter times at 5,000 resources (ms):", {k: round(v, 1) for k, v in timings.items()})
    assert max(timings.values()) < 200, timings
    assert len(visible_rows(opened)) == 300  # the first page of eu-west-1's 1,251
    page.click("#more")
    assert len(visible_rows(opened)) == 1_251


def test_the_compliance_table_of_the_demo(open_page: OpenPage, demo_report: Report,
                                          tmp_path: Path) -> None:  # fmt: skip
    """`--compliance cis-aws-3.0 --format html`: the requirement table follows the header,
    one row per requirement, each status with its own colour."""
    from awsobs.compliance import get_benchmark
    from awsobs.compliance.summary import summarize

    summary = summarize(demo_report, get_benchmark("cis-aws-3.0"))
    path = tmp_path / "cis.html"
    path.write_text(render(demo_report, "html", compliance=summary), encoding="utf-8")
    page = open_page(path).page
    section = page.locator("#compliance")
    assert "CIS AWS Foundations Benchmark v3.0.0" in section.locator("h2").inner_text()
    rows = section.locator("tbody tr")
    assert rows.count() == 25
    first = rows.first.locator("td").all_inner_texts()
    assert first[0] in ("PASS", "FAIL") and "cloudtrail.multi_region" in first[3]
    kms = section.locator('tbody tr:has(th:text-is("3.6"))')
    assert kms.locator("td").first.inner_text() == "NOT_COVERED"
    assert "out of scope" in kms.inner_text()
    colours = {
        s: section.locator(f'tr[data-status="{s}"] .st').first.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        for s in ("FAIL", "NOT_COVERED")
    }
    assert colours["FAIL"] != colours["NOT_COVERED"]
    # it sits between the header and the map
    order = page.eval_on_selector_all(
        "header, #compliance, #map-section", "els => els.map(e => e.id || e.tagName)"
    )
    assert order == ["HEADER", "compliance", "map-section"]
