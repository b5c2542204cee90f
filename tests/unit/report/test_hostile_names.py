"""Names chosen by whoever can create resources in the account (issue 12): no report format
lets them drive the operator's terminal or write the PR comment.

Every hostile value below lands in a resource id, a message, a fix, evidence, a region, a
suppression reason, a suppression note and a scan error; the report is then rendered in
every format, alone and with a diff, and each format is held to its own rule: human
formats show the characters as text (no raw control or bidi character, no Markdown or
HTML that GitHub's renderer would act on), machine formats keep the exact strings.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from helpers import awsobs
from report_helpers import ACCOUNT, finding, junit, report, sarif

from awsobs.cli.output import Destination, emit, note
from awsobs.compliance import get_benchmark
from awsobs.compliance.summary import summarize
from awsobs.model import Report, Status, SuppressionNote
from awsobs.report import render
from awsobs.report.diff import Diff, diff_reports
from awsobs.report.diff_render import render_diff
from awsobs.report.junit import xml_safe
from awsobs.report.text import printable

# fmt: off
HOSTILE = {
    "esc_clear_screen": "\x1b[2J\x1b[H", "esc_window_title": "\x1b]0;pwned\x07",
    "bel": "ding\x07dong", "nul": "nul\x00byte", "c1_csi": "\x9b31mred", "del": "del\x7fete",
    "bidi_override": "invoice\u202etxt.exe", "bidi_isolate": "\u2066admin\u2069",
    "zero_width_space": "adm\u200bin", "bom": "\ufeffname",
    "tag_characters": "hid\U000e0041\U000e0042den",
    "newline_fake_row": "ok\n  FAIL    us-east-1  fake-row  injected",
    "cr_fake_summary": "bad\rSummary: 0 FAIL, 0 UNKNOWN, 9 PASS",
    "line_separator": "a\u2028Summary: fake", "tab": "a\tb", "script": "<script>alert(1)</script>",
    "img_onerror": "<img src=x onerror=alert(1)>", "link": "[click](https://evil.example)",
    "image": "![x](https://evil.example/x.png)", "angle_autolink": "<https://evil.example>",
    "bare_url": "https://evil.example", "www": "www.evil.example", "email": "alice@evil.example",
    "mention": "@octocat", "team_mention": "@my-org/admins", "issue_ref": "#123",
    "code_span": "`code`", "pipes": "a | b | c", "bold": "**bold**", "underscores": "__init__ _em_",
    "strikethrough": "~~gone~~", "heading": "# heading", "list_item": "- item",
    "entity": "&lt;b&gt;", "html_comment": "<!-- hidden -->",
    "close_details": "</details><details open>", "footnote": "[^1]",
    "backslash_escape_lookalike": "a\\x1b literal", "backslash_pipe": "a\\|b",
}
# fmt: on
CASES = pytest.mark.parametrize("value", list(HOSTILE.values()), ids=list(HOSTILE))
EXEC = "apigw.rest.access_logging"
RETENTION = "logs.retention_defined"
# A raw character that must not reach a person: C0 but LF, DEL, C1, Cf, separators.
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b-\u200f\u2028-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\ud800-\udfff]"
)
# A line of its own at the left margin or the table indent (a wrapped cell is further right).
FAKE_LINE = re.compile(r"^ {0,2}(?:Summary: 0|Summary: fake|FAIL {4}us-east-1 {2}fake-row)", re.M)


def hostile_report(v: str) -> Report:
    """A FAIL, an UNKNOWN, a suppressed FAIL, a log group (cost line), an odd region, a PASS,
    a suppression note and a scan error, each carrying `v`."""
    fix = f"aws cloudwatch put-metric-alarm --alarm-name '{v}'"
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{v}:*"
    items = [
        finding(EXEC, Status.FAIL, v, message=f"alarm {v} has no actions", remediation=fix,
                evidence={"name": v, "tags": {"Owner": v}}),
        finding(RETENTION, Status.FAIL, group, message=f"log group {v} never expires",
                evidence={"storedBytes": 5 << 30, "logGroupName": v}),
        finding(EXEC, Status.UNKNOWN, f"{v}-unread", message=f"AccessDenied: {v}"),
        finding(EXEC, Status.FAIL, f"{v}-waived", suppressed=True, suppression_reason=f"ok {v}"),
        finding(EXEC, Status.FAIL, "stage-in-odd-region", region=v, message="region from AWS"),
        finding(EXEC, Status.PASS, f"{v}-fixed"),
    ]  # fmt: skip
    note_ = SuppressionNote("unused", "apigw.*", reason=v, resource=v, source="awsobs.toml:3")
    return report(*items, errors=(f"check {v} failed: boom",), suppression_notes=(note_,))


def hostile_diff(v: str) -> Diff:
    """New gaps, a resolved one, a changed one and one not compared, all carrying `v`."""
    before = dataclasses.replace(
        hostile_report(v),
        findings=(
            finding(EXEC, Status.FAIL, f"{v}-fixed", message=f"was {v}"),
            finding(EXEC, Status.FAIL, f"{v}-unread", message=f"was {v}"),
            finding(EXEC, Status.FAIL, f"{v}-elsewhere", region="ap-south-1"),
        ),
        regions=("us-east-1", "ap-south-1"),
    )
    return diff_reports(before.to_dict(), hostile_report(v).to_dict())


def human_outputs(v: str) -> dict[str, str]:
    rep, d = hostile_report(v), hostile_diff(v)
    fsbp = summarize(rep, get_benchmark("aws-foundational-security-best-practices"))
    return {
        "table_compliance": render(rep, "table", compliance=fsbp),
        "markdown_compliance": render(rep, "markdown", compliance=fsbp),
        "table": render(rep, "table"),
        "table_show_pass_narrow": render(rep, "table", show_pass=True, width=80),
        "table_with_diff": render(rep, "table", diff=d),
        "markdown": render(rep, "markdown", diff=d),
        "table_resources": render(rep, "table", view="resources"),
        "table_resources_narrow": render(rep, "table", view="resources", width=80),
        "markdown_resources": render(rep, "markdown", view="resources", diff=d),
        "csv": render(rep, "csv").replace("\r\n", "\n"),
        "diff_table": render_diff(d, "table"),
        "diff_table_narrow": render_diff(d, "table", width=100),
        "diff_markdown": render_diff(d, "markdown"),
    }


# -- terminal, CSV and every other human format ---------------------------------------------


@CASES
def test_human_formats_carry_no_raw_control_or_bidi_character(value: str) -> None:
    for name, text in human_outputs(value).items():
        raw = RAW.search(text)
        assert raw is None, (name, raw.group() if raw else "")
        assert not FAKE_LINE.search(text), (name, FAKE_LINE.findall(text))
        assert text.encode("utf-8")  # writable to any UTF-8 stdout


@CASES
def test_the_table_shows_each_value_escaped_in_every_column(value: str) -> None:
    rep = hostile_report(value)
    text = render(rep, "table", show_pass=True)
    lines = text.splitlines()
    shown = printable(value)
    for expected in (
        f"alarm {shown} has no actions",  # message (not wrapped without a width)
        f"fix: aws cloudwatch put-metric-alarm --alarm-name '{shown}'",
        f"AccessDenied: {shown}",
        f"error: check {shown} failed: boom",
        printable(rep.suppression_notes[0].describe()),
    ):
        assert expected in text
    assert printable(f"ok {value}") in text  # the suppression reason
    assert sum(line.startswith("Summary:") for line in lines) == 1
    cost = next(line for line in lines if line.startswith("Cost:"))
    assert f"largest: {shown}, 5.0 GiB" in cost
    diff_lines = render_diff(hostile_diff(value), "table").splitlines()
    assert sum(line.startswith("Diff:") for line in diff_lines) == 1
    assert diff_lines[-1].startswith("Diff: 4 new gaps, 1 resolved, 1 changed")


OWN_SGR = re.compile(r"\x1b\[(?:1;31|31|32|33|2|0)m")  # the colour codes awsobs writes


@CASES
def test_the_coloured_table_adds_only_its_own_codes_around_the_escaped_text(value: str) -> None:
    rep = hostile_report(value)
    for view in ("findings", "resources"):
        plain = render(rep, "table", view=view, show_pass=True, width=80)
        coloured = render(rep, "table", view=view, show_pass=True, width=80, color=True)
        assert coloured != plain, view
        stripped = OWN_SGR.sub("", coloured)
        assert stripped == plain, view  # same layout: the codes take no column
        assert RAW.search(stripped) is None and not FAKE_LINE.search(stripped), view


@CASES
def test_csv_escapes_control_characters_and_still_defuses_formulas(value: str) -> None:
    rep = hostile_report(value)
    text = render(rep, "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == len(rep.findings)
    assert text.count("\r\n") == text.count("\n") == len(rep.findings) + 1  # a line per row
    shown = printable(value)
    if shown.startswith(("=", "+", "-", "@")):
        shown = "'" + shown
    assert rows[0]["resource_id"] == shown
    assert rows[0]["message"] == printable(f"alarm {value} has no actions")
    assert rows[3]["suppression_reason"] == printable(f"ok {value}")


def test_stderr_notes_show_escapes(capsys: pytest.CaptureFixture[str]) -> None:
    value = "\x1b]0;pwned\x07\x1b[2J\u202eevil\nawsobs: fake note"
    note(f"wrote {value}")
    emit(hostile_report(value), [Destination("json")], show_pass=False, quiet=False)
    err = capsys.readouterr().err
    assert RAW.search(err) is None
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202eevil\\nawsobs: fake note" in err
    lines = err.splitlines()
    assert all(line.startswith("awsobs: ") for line in lines)
    assert not any(line.startswith("awsobs: fake note") for line in lines)
    assert any(line.startswith("awsobs: error: check \\x1b") for line in lines)


def test_a_lone_surrogate_is_escaped_not_a_crash() -> None:
    for name, text in human_outputs("bad\ud800name").items():
        shown = "bad\\\\ud800name" if "markdown" in name else "bad\\ud800name"
        assert shown in text, name
        text.encode("utf-8")  # a lone surrogate would raise here


# -- Markdown as GitHub renders it ------------------------------------------------------------


def github_html(markdown: str) -> str:
    """cmark-gfm with GitHub's extensions; raw HTML allowed, so any that got through shows."""
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown,
        options=Options.CMARK_OPT_UNSAFE,
        extensions=["table", "autolink", "strikethrough", "tagfilter"],
    )


class _Html(HTMLParser):
    """Element counts, and the text of every table cell, list item and quote."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.texts: list[str] = []
        self._open: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        if tag in ("td", "li", "blockquote"):
            self._open.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "li", "blockquote"):
            self.texts.append("".join(self._open.pop()).strip())

    def handle_data(self, data: str) -> None:
        for parts in self._open:
            parts.append(data)


def seen(text: str) -> str:
    """What a reader of the Markdown sees for `text`: one line, escapes shown."""
    return " ".join(printable(re.sub(r"[ \t\n\r]+", " ", text)).split())


@CASES
def test_github_renders_the_markdown_report_as_plain_text(value: str) -> None:
    d, benign = hostile_diff(value), hostile_diff("benign")
    flat = " ".join(value.split())  # the diff keeps messages on one line (awsobs.report.diff)
    waived = f"[suppressed: ok {value}] FAIL on {flat}-waived"
    outputs = {  # name: (Markdown, the same for a harmless name, texts a reader must see)
        "report": (
            render(hostile_report(value), "markdown", diff=d),
            render(hostile_report("benign"), "markdown", diff=benign),
            [value, f"alarm {value} has no actions", f"ok {value}"],
        ),
        "map": (
            render(hostile_report(value), "markdown", view="resources"),
            render(hostile_report("benign"), "markdown", view="resources"),
            [f"Stage {value}", f"Stage {value}-unread", f"Stage {value}-waived"],
        ),
        "diff": (
            render_diff(d, "markdown"),
            render_diff(benign, "markdown"),
            [value, f"alarm {flat} has no actions", waived],
        ),
    }  # fmt: skip
    for name, (markdown, harmless, texts) in outputs.items():
        html = github_html(markdown)
        for bad in ("<script", "<img", "<a ", "<h1", "<em>", "<del>", "<!--", "<details open"):
            assert bad not in html, (name, bad)
        got = _Html(html)
        got.tags.pop("wbr", None)
        assert got.tags == _Html(github_html(harmless)).tags, name  # no element of its own
        for text in texts:
            assert seen(text) in got.texts, (name, seen(text), got.texts)
    texts = _Html(github_html(render(hostile_report(value), "markdown"))).texts
    assert f"error: check {seen(value)} failed: boom" in texts
    assert seen(hostile_report(value).suppression_notes[0].describe()) in texts


def test_markdown_source_has_no_raw_markup_from_the_account() -> None:
    value = "<script>x</script> & [a](b) `c` @octocat #1 https://e.x"
    md = render(hostile_report(value), "markdown")
    for raw in ("<script>", " & ", "[a]", "`c`", "@octocat", "#1 ", "https://e.x"):
        assert raw not in md
    assert "&lt;script&gt;x&lt;/script&gt; &amp; \\[a\\](b) \\`c\\` @<wbr>octocat" in md
    assert "\\#<wbr>1 https:<wbr>//e.x" in md


# -- machine formats keep the exact strings -----------------------------------------------


@CASES
def test_json_round_trips_the_exact_strings(value: str) -> None:
    rep = hostile_report(value)
    text = render(rep, "json", diff=hostile_diff(value))
    assert text.isascii() and RAW.search(text) is None  # json.dumps escapes, ensure_ascii
    doc = json.loads(text)
    baseline = doc.pop("baseline")
    assert doc == rep.to_dict()
    first = doc["findings"][0]
    assert first["resource_id"] == value and first["message"] == f"alarm {value} has no actions"
    assert first["evidence"] == {"name": value, "tags": {"Owner": value}}
    assert doc["scan"]["errors"] == [f"check {value} failed: boom"]
    d = hostile_diff(value)
    assert baseline == d.to_dict()
    assert json.loads(render_diff(d, "json")) == d.to_dict()
    assert value in {c["resource_id"] for c in baseline["new_gaps"]}


@CASES
def test_sarif_is_schema_valid_and_keeps_the_exact_strings(value: str) -> None:
    log = sarif(hostile_report(value))
    (run,) = log["runs"]
    names = {
        loc["fullyQualifiedName"]
        for r in run["results"]
        for loc in r["locations"][0]["logicalLocations"]
    }
    assert value in names
    texts = [r["message"]["text"] for r in run["results"]]
    assert any(t.startswith(f"alarm {value} has no actions Fix: ") for t in texts)
    justifications = [s["justification"] for r in run["results"] for s in r.get("suppressions", [])]
    assert justifications == [f"ok {value}"]
    regions = {r["properties"]["region"] for r in run["results"]}
    assert value in regions
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert f"check {value} failed: boom" in notes


@CASES
def test_junit_parses_and_keeps_every_xml_character(value: str) -> None:
    rep = hostile_report(value)
    root = junit(rep)  # expat: well-formed; the common JUnit structure only
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(rep.findings) + len(rep.errors)  # no element injected
    first = rep.findings[0]
    case = next(c for c in cases if c.attrib["name"] == xml_safe(f"us-east-1 {value}"))
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["message"] == xml_safe(first.message)
    assert (failure.text or "").startswith(xml_safe(first.message) + "\n")
    skipped = [s.attrib["message"] for s in root.iter("skipped")]
    assert xml_safe(f"suppressed: ok {value}") in skipped
    (error,) = root.findall("testsuite[@name='awsobs.errors']/testcase/error")
    assert error.text == xml_safe(f"check {value} failed: boom")


# -- the neutralising function itself -------------------------------------------------------

_UNESCAPE = re.compile(r"\\(\\|[nrt]|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")


def unescape(text: str) -> str:
    """printable's inverse: the test that its escapes are unambiguous."""

    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        return {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}.get(e) or chr(int(e[1:], 16))

    return _UNESCAPE.sub(one, text)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain ünïcödé 名前 😀 a/b:c_d", "plain ünïcödé 名前 😀 a/b:c_d"),
        ("\x1b[2J", "\\x1b[2J"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x00\x7f\x9b", "\\x00\\x7f\\x9b"),
        ("x\u202ey\u2066z\u200b\ufeff", "x\\u202ey\\u2066z\\u200b\\ufeff"),
        ("\U000e0041", "\\U000e0041"),
        ("a\\x1bb", "a\\\\x1bb"),  # a literal backslash that would read as an escape
        ("C:\\data\\ \\d+", "C:\\data\\ \\d+"),  # any other backslash is left alone
        ("\\\x1b", "\\\\\\x1b"),
    ],
)
def test_printable_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown
    assert unescape(shown) == text


def test_printable_is_reversible_on_tricky_mixtures() -> None:
    alphabet = ["\\", "x", "u", "U", "n", "1", "b", "\x1b", "\u202e", "\n", "a", "0", "e"]
    samples = [a + b + c for a in alphabet for b in alphabet for c in alphabet]
    samples += list(HOSTILE.values())
    for text in samples:
        out = printable(text)
        assert RAW.search(out) is None and unescape(out) == text, repr(text)


def test_printable_escapes_every_control_format_and_separator_character() -> None:
    import unicodedata

    kinds = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        escaped = printable(char) != char
        if category in kinds:
            assert escaped, f"U+{code:04X} ({category}) is shown raw"
        elif escaped:
            assert char == "\\" or category == "Cn", f"U+{code:04X} ({category}) is escaped"


# -- end to end -----------------------------------------------------------------------------


def test_awsobs_diff_of_hostile_reports_prints_no_escape_sequence(tmp_path: Path) -> None:
    value = "\x1b]0;pwned\x07\x1b[2J\u202elive\nSummary: 0 FAIL <script>alert(1)</script>"
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps({**hostile_report("x").to_dict(), "findings": []}), "utf-8")
    new.write_text(json.dumps(hostile_report(value).to_dict()), "utf-8")
    table = awsobs("diff", str(old), str(new))
    assert table.returncode == 1, table.stderr
    assert RAW.search(table.stdout) is None and RAW.search(table.stderr) is None
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202elive" in table.stdout
    assert not FAKE_LINE.search(table.stdout)
    md = awsobs("diff", str(old), str(new), "--format", "markdown")
    assert RAW.search(md.stdout) is None and "<script>" not in md.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md.stdout


def test_verbose_logs_show_escapes(session: object) -> None:
    """`-v` logs each request's parameters: here a namespace carrying ESC and BEL."""
    from ec2_seed import instance

    instance(session)  # a running instance, so the agent namespace is listed
    hostile = "CW\x1b]0;pwned\x07\x1b[2J"
    result = awsobs(
        "scan", "-v", "--regions", "us-east-1", "--checks", "ec2.cwagent_metrics",
        "--cwagent-namespace", hostile, "--format", "json",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    logged = [line for line in result.stderr.splitlines() if "ListMetrics" in line]
    assert logged and all("pwned" in line for line in logged)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_the_verbose_log_formatter_escapes_messages_but_keeps_tracebacks() -> None:
    import logging

    from awsobs.cli import _PrintableFormatter

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "awsobs.aws", logging.DEBUG, __file__, 1, "%s -> %s", ("x", "err\x1b[2J"), exc_info
    )
    text = _PrintableFormatter("awsobs: %(message)s").format(record)
    first, *rest = text.splitlines()
    assert first == "awsobs: x -> err\\x1b[2J"
    assert rest[0].startswith("Traceback") and rest[-1] == "ValueError: boom"
