"""The HTML report (issue 16), without a browser: what the page holds, that nothing from the
account becomes markup, that its Content-Security-Policy allows exactly its inline blocks,
that it asks no other host for anything, its size at scale and the baseline's markings.

tests/browser/ opens the same page in Chromium."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest
from report_helpers import ACCOUNT, STAGE, finding, report

from awsobs.model import Finding, Report, Status
from awsobs.report import render
from awsobs.report.diff import diff_reports
from awsobs.report.html import FIRST_ROWS
from awsobs.report.text import printable

FN = "arn:aws:lambda:{region}:123456789012:function:{name}"
LAMBDA = "AWS::Lambda::Function"
# fmt: off
HOSTILE = {
    "script": "<script>window.pwned=1</script>", "img": '<img src=x onerror="window.pwned=1">',
    "quotes": "a\"b'c", "close_style": "</style><b>x</b>", "close_script": "</script><i>x</i>",
    "comment": "<!-- x", "cdata": "]]><![CDATA[", "esc": "\x1b[2J\x1b]0;t\x07", "crlf": "a\r\nb",
    "bidi": "invoice\u202etxt.exe", "separators": "a\u2028b\u2029c", "unicode": "żółw 日本 🐢",
    "entity": "&amp;&lt;", "url": "https://evil.example/x.png", "long": "n" * 2_000,
    "json_break": '"}]};window.pwned=1;//',
}
# fmt: on
CASES = pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))


class Page(HTMLParser):
    """The elements of a page, the text of each <script> and <style>, and the rows of the map."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attrs: list[tuple[str, str, str | None]] = []
        self.blocks: list[tuple[str, dict[str, str | None], str]] = []
        self.rows: list[dict[str, Any]] = []
        self._block: tuple[str, dict[str, str | None]] | None = None
        self._row: dict[str, Any] | None = None
        self._text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attrs.extend((tag, k, v) for k, v in attrs)
        if tag in ("script", "style"):
            self._block, self._text = (tag, dict(attrs)), []
        elif tag == "tr" and any(k == "data-status" for k, _ in attrs):
            self._row = {"attrs": dict(attrs), "cells": [], "title": None}
        elif self._row is not None and tag == "th":
            self._row["title"] = dict(attrs).get("title")
        elif self._row is not None and tag == "td":
            self._row["cells"].append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if self._block is not None and tag == self._block[0]:
            self.blocks.append((*self._block, "".join(self._text)))
            self._block = None
        elif tag == "tr" and self._row is not None:
            self._row["text"] = "".join(self._text)
            self.rows.append(self._row)
            self._row = None
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._block is not None or self._row is not None:
            self._text.append(data)
        if self._row is not None and self._row["cells"]:
            self._row["cells"][-1].setdefault("symbol", data)

    def block(self, tag: str, **attrs: str) -> str:
        (text,) = [t for name, a, t in self.blocks if name == tag and attrs.items() <= a.items()]
        return text

    def data(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.block("script", type="application/json"))
        return loaded

    def row(self, resource_id: str) -> dict[str, Any]:
        (found,) = [r for r in self.rows if r["title"] == printable(resource_id)]
        return found


SIGNALS = ["audit", "logs", "metrics", "alarms", "traces", "config"]


def signal(row: dict[str, Any], name: str) -> dict[str, str]:
    """The attributes (and symbol) of a row's cell of that signal."""
    cell: dict[str, str] = row["cells"][2 + SIGNALS.index(name)]
    return cell


def stage_report(name: str = "prod") -> Report:
    """Stages, functions and a region-wide trail finding: rows of three services."""
    dev, prod, other = (
        STAGE.format("dev"),
        STAGE.format(name),
        FN.format(region="us-east-1", name="orders"),
    )
    return report(
        finding("apigw.rest.access_logging", Status.PASS, prod),
        finding("apigw.rest.error_alarms", Status.FAIL, dev, message="no 5XX alarm on dev"),
        finding("apigw.rest.access_logging", Status.FAIL, dev, suppressed=True,
                suppression_reason="dev is a sandbox"),
        finding("lambda.xray_active", Status.UNKNOWN, other, resource_type=LAMBDA),
        finding("cloudtrail.trail_logging", Status.FAIL, "us-east-1", resource_type="AWS::Region",
                message="no trail is logging in us-east-1"),
    )  # fmt: skip


def big_report(resources: int, *, evidence: bool = True) -> Report:
    """`resources` Lambda functions in 4 regions, 4 findings each and a trail per region."""
    regions = ("us-east-1", "eu-west-1", "us-west-2", "ap-south-1")
    items: list[Finding] = []
    checks = ("lambda.xray_active", "lambda.error_throttle_alarms", "lambda.log_retention",
              "lambda.async_failure_destination")  # fmt: skip
    for i in range(resources):
        region = regions[i % 4]
        arn = FN.format(region=region, name=f"service-{i // 7}-handler-{i}")
        for j, check in enumerate(checks):
            status = Status.FAIL if (i + j) % 3 == 0 else Status.PASS
            ev = {"function": arn.rsplit(":", 1)[1], "runtime": "python3.12", "memory": 512,
                  "tracing": "PassThrough" if status is Status.FAIL else "Active"}  # fmt: skip
            items.append(
                finding(
                    check,
                    status,
                    arn,
                    region=region,
                    resource_type=LAMBDA,
                    message=f"function {arn.rsplit(':', 1)[1]} in {region}: {status.value}",
                    evidence=ev if evidence else {},
                )
            )
    for region in regions:
        items.append(finding("cloudtrail.trail_logging", Status.PASS, region, region=region,
                             resource_type="AWS::Region"))  # fmt: skip
    return dataclasses.replace(report(*items), regions=regions)


# -- what the page holds ------------------------------------------------------------------------


def test_the_page_holds_the_map_rows_with_a_symbol_and_colour_in_every_cell() -> None:
    page_text = render(stage_report(), "html")
    page = Page(page_text)
    assert page_text.startswith("<!DOCTYPE html>")
    assert len(page.rows) == 4  # two stages, a function, the region
    signals = SIGNALS
    dev = page.row(STAGE.format("dev"))
    cells = dict(zip(signals, dev["cells"][2:8], strict=True))
    assert (cells["alarms"]["symbol"], cells["alarms"]["class"]) == ("✗", "cell fail")
    assert cells["logs"]["class"] == "cell fail suppressed"  # a suppressed FAIL stays a FAIL
    assert cells["audit"]["data-i"]  # the region's trail applies to the stage
    assert cells["metrics"]["symbol"] == "-" and cells["metrics"]["class"] == "cell none"
    prod = dict(zip(signals, page.row(STAGE.format("prod"))["cells"][2:8], strict=True))
    assert (prod["logs"]["symbol"], prod["logs"]["class"]) == ("✓", "cell pass")
    fn = dict(zip(signals, page.row(FN.format(region="us-east-1", name="orders"))["cells"][2:8],
                  strict=True))  # fmt: skip
    assert (fn["traces"]["symbol"], fn["traces"]["class"]) == ("?", "cell unknown")
    # Services worst first, as ResourceMap.groups(); the filters offer what is on the map.
    services = [v for tag, k, v in page.attrs if tag == "tbody" and k == "data-service"]
    assert services == [s for s, _ in stage_report().resources().groups()]
    assert {"ApiGateway", "Lambda", "Region"} <= set(services)
    options = {v for tag, k, v in page.attrs if tag == "option" and k == "value"}
    assert {"us-east-1", ACCOUNT, "ApiGateway", "gap", "fail"} <= options
    # The header: account, regions, coverage and counts.
    assert "account 123456789012" in page_text and "us-east-1, eu-west-1" in page_text
    assert re.search(r"<b>1</b><span>suppressed</span>", page_text)
    assert re.search(r"<b>\d+%</b><span>coverage: \d+ of \d+ cells pass</span>", page_text)


def test_a_cell_points_at_its_findings_and_the_data_has_their_fix_and_evidence() -> None:
    rep = stage_report()
    page = Page(render(rep, "html"))
    data = page.data()
    dev = page.row(STAGE.format("dev"))
    alarms = signal(dev, "alarms")
    (index,) = map(int, alarms["data-f"].split(","))
    shown = data["findings"][index]
    assert shown["m"] == "no 5XX alarm on dev" and shown["s"] == "F"
    assert data["fixes"][shown["fix"]] == rep.findings[1].remediation
    check = data["checks"][shown["c"]]
    assert (check["id"], check["title"]) == ("apigw.rest.error_alarms", rep.findings[1].title)
    assert "e" not in shown and "x" not in shown and "n" not in shown  # empty fields left out
    logs = signal(dev, "logs")
    assert data["findings"][int(logs["data-f"])]["x"] == "dev is a sandbox"
    audit = signal(dev, "audit")
    inherited = data["findings"][int(audit["data-i"])]
    assert (data["ids"][inherited["id"]], inherited["r"]) == ("us-east-1", "us-east-1")
    assert data["checks"][inherited["c"]]["kinds"] == "every resource"
    assert "data-f" not in audit  # only inherited findings
    # Each resource id once: the dev stage's three findings share one.
    assert len(data["ids"]) == len(set(data["ids"])) == 4
    # Each fix once, not per finding.
    assert len(data["fixes"]) == len(set(data["fixes"]))


def test_the_check_list_shows_each_check_with_counts_and_its_gaps() -> None:
    text = render(stage_report(), "html")
    checks = text[text.index('<section id="checks">') :]
    assert checks.count('<details class="check"') == 4
    assert "<code>apigw.rest.access_logging</code>" in checks
    assert "1 PASS, 1 FAIL" in checks  # counts
    assert "(suppressed: dev is a sandbox)" in checks
    assert "no 5XX alarm on dev" in checks and "Fix: <code>" in checks


# -- nothing from the account becomes markup ------------------------------------------------------


def hostile(value: str) -> Report:
    """`value` as a resource name, tag, message, fix, evidence, region, reason and error."""
    arn = FN.format(region="us-east-1", name=value)
    return report(
        finding("lambda.xray_active", Status.FAIL, arn, resource_type=LAMBDA,
                message=f"function {value} has no tracing", remediation=f"aws lambda x '{value}'",
                evidence={"name": value, "tags": {"Owner": value}}),
        finding("apigw.rest.access_logging", Status.FAIL, STAGE.format(value),
                suppressed=True, suppression_reason=f"ok {value}"),
        finding("apigw.rest.error_alarms", Status.UNKNOWN, STAGE.format(value), region=value),
        finding("cloudtrail.trail_logging", Status.FAIL, value, region=value,
                resource_type="AWS::Region", message=f"no trail in {value}"),
        errors=(f"check {value} failed",),
    )  # fmt: skip


@CASES
def test_hostile_values_come_out_as_text(value: str) -> None:
    text = render(hostile(value), "html")
    benign = Page(render(hostile("benign"), "html"))
    page = Page(text)
    # No element and no attribute came from a value: the page has the same markup.
    assert page.tags == benign.tags
    assert [(t, k) for t, k, _ in page.attrs] == [(t, k) for t, k, _ in benign.attrs]
    assert [(n, a) for n, a, _ in page.blocks] == [(n, a) for n, a, _ in benign.blocks]
    # The data block ends where it should and holds the printable value.
    assert text.count("</script>") == 2 and "<!--" not in text
    block = page.block("script", type="application/json")
    assert not re.search("[<>&\u2028\u2029]", block)
    data = page.data()
    assert data["ids"][0] == printable(FN.format(region="us-east-1", name=value))
    assert data["findings"][0]["m"] == printable(f"function {value} has no tracing")
    evidence = data["findings"][0]["e"]
    if len(value) < 1_000:
        assert evidence == {"name": printable(value), "tags": {"Owner": printable(value)}}
    else:  # 4,000 characters of it, as text
        assert evidence.startswith('{\n "name": "nnn') and evidence.endswith("has all of it)")
    # Text and attributes carry the printable value, never a raw control or bidi character.
    row = page.row(FN.format(region="us-east-1", name=value))
    assert row["text"].startswith(f"Function {printable('function:' + value)}us-east-1")
    assert f"error: {printable(f'check {value} failed')}" in html_text(text)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e]", text)


def html_text(text: str) -> str:
    """The text of a page as a reader sees it (entities decoded)."""
    parts: list[str] = []
    parser = HTMLParser(convert_charrefs=True)
    parser.handle_data = parts.append  # type: ignore[method-assign]
    parser.feed(text)
    return "".join(parts)


# -- offline, and only its own blocks run ---------------------------------------------------------


def _sha(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_the_csp_allows_exactly_the_inline_style_and_script() -> None:
    page = Page(render(stage_report(), "html"))
    (csp,) = [v for t, k, v in page.attrs if t == "meta" and k == "content" and v and "src" in v]
    assert ("meta", "http-equiv", "Content-Security-Policy") in page.attrs
    rules = dict(r.strip().split(" ", 1) for r in csp.split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["base-uri"] == "'none'" and rules["form-action"] == "'none'"
    assert rules["style-src"] == f"'sha256-{_sha(page.block('style'))}'"
    (script,) = [t for n, a, t in page.blocks if n == "script" and "type" not in a]
    assert rules["script-src"] == f"'sha256-{_sha(script)}'"
    assert [n for n, _, _ in page.blocks].count("style") == 1


@CASES
def test_the_page_asks_no_host_for_anything(value: str) -> None:
    text = render(hostile(value), "html")
    page = Page(text)
    # No attribute that loads or links, no inline handler or style, and no CSS that fetches.
    for tag, key, _ in page.attrs:
        assert key not in ("src", "href", "srcset", "action", "style", "background", "data"), tag
        assert not key.startswith("on"), (tag, key)
    assert page.tags["link"] == page.tags["img"] == page.tags["iframe"] == 0
    css = page.block("style")
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    # A URL appears only as escaped text from the account (here: the hostile value).
    outside = text.replace(html_escaped(value), "").replace(page.block("script", id="awsobs-data"),
                                                            "")  # fmt: skip
    assert not re.search(r"https?://", outside)


def html_escaped(value: str) -> str:
    import html

    return html.escape(printable(value), quote=True)


# -- at scale -------------------------------------------------------------------------------------


def test_size_at_x10_and_at_5000_resources() -> None:
    # The bench's x10 scenario: about 400 resources and 1,500 findings (x10-report.json).
    x10 = render(big_report(400), "html").encode()
    assert len(x10) < 5_000_000 / 4
    at_5000 = render(big_report(5_000), "html").encode()
    assert len(at_5000) < 20_000_000, len(at_5000)
    page = Page(at_5000.decode())
    assert len(page.rows) == 5_004
    assert sum("class" in r["attrs"] for r in page.rows) == 5_004 - FIRST_ROWS  # "over"


def test_the_check_list_caps_each_checks_findings() -> None:
    text = render(big_report(1_000, evidence=False), "html")
    checks = text[text.index('<section id="checks">') :]
    assert "... and " in checks and "more: filter the map" in checks


# -- against a baseline ---------------------------------------------------------------------------


def test_new_gaps_are_marked_and_resolved_ones_listed() -> None:
    dev, prod = STAGE.format("dev"), STAGE.format("prod")
    before = report(
        finding("apigw.rest.error_alarms", Status.PASS, dev),
        finding("apigw.rest.access_logging", Status.FAIL, prod, message="prod had no logs"),
    )
    after = report(
        finding("apigw.rest.error_alarms", Status.FAIL, dev, message="no 5XX alarm on dev"),
        finding("apigw.rest.access_logging", Status.PASS, prod),
    )
    diff = diff_reports(before.to_dict(), after.to_dict())
    text = render(after, "html", diff=diff)
    page = Page(text)
    alarms = signal(page.row(dev), "alarms")
    assert alarms["class"] == "cell fail new"
    assert alarms["title"] == "new since the baseline"
    logs = signal(page.row(prod), "logs")
    assert "new" not in logs["class"]
    assert page.data()["findings"][0]["n"] == 1 and "n" not in page.data()["findings"][1]
    assert 'class="st fail new">FAIL (new)<' in text  # in the check list
    resolved = text[text.index('<section id="resolved">') :]
    assert "<code>apigw.rest.access_logging</code> us-east-1" in resolved
    assert "<code>/restapis/a1b2c3/stages/prod</code>: was FAIL, now PASS" in resolved
    assert "1 new gaps" in text and "1 resolved" in text
    plain = render(after, "html")
    assert 'id="resolved"' not in plain and "cell fail new" not in plain


def test_several_accounts_show_the_account_column_and_each_accounts_coverage() -> None:
    rep = stage_report()
    other = finding(
        "lambda.xray_active",
        Status.FAIL,
        "arn:aws:lambda:us-east-1:210987654321:function:x",
        resource_type=LAMBDA,
        account_id="210987654321",
    )
    two = dataclasses.replace(rep, findings=(*rep.findings, other))
    both, one = render(two, "html"), render(rep, "html")
    assert '<table id="map" class="map">' in both
    assert '<table id="map" class="map one-account">' in one  # the column is hidden
    assert "<dt>Coverage by account</dt>" in both and "210987654321: 0% (0/1)" in both
    assert "Coverage by account" not in one
