"""The terminal table (and the map, the diff and the compliance table) fits its terminal
(issue 18): no line wider than the width asked for, messages and fixes wrapped under their
column, ids kept whole on a line of their own, and colour added around awsobs's own words
only, after the layout, never counted as width."""

from __future__ import annotations

import dataclasses
import re
import unicodedata

import pytest
from report_helpers import ACCOUNT, finding, report

from awsobs.compliance import get_benchmark
from awsobs.compliance.summary import summarize
from awsobs.model import Report, Severity, Status, SuppressionNote
from awsobs.report import render
from awsobs.report.diff import diff_reports
from awsobs.report.diff_render import render_diff
from awsobs.report.layout import split_word, text_width
from awsobs.report.table import short_resource
from awsobs.report.text import printable

WIDTHS = pytest.mark.parametrize("width", [80, 120, 200])
EXEC = "apigw.rest.access_logging"
RETENTION = "logs.retention_defined"
OTHER = "210987654321"
HOSTILE = "ev\x1b[2J\x1b]0;t\x07il\u202e\nFAIL    us-east-1  fake"
WIDE = "注文テーブル"  # East Asian wide: two columns a character
LONG_ARN = (  # its short form is longer than the widest terminal tested
    f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/lambda/" + "long-function-name/" * 12 + "x"
)
SGR = re.compile(r"\x1b\[(?:1;31|31|32|33|2|0)m")  # exactly the codes awsobs writes


def shown_width(line: str) -> int:
    """A terminal's columns for `line`, counted here independently of awsobs.report.layout."""
    return sum(
        0
        if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf")
        else 2
        if unicodedata.east_asian_width(c) in ("W", "F")
        else 1
        for c in line
    )


def terminal_report(*, org: bool = False) -> Report:
    """Everything that makes a line long: hostile names (their escapes count), a long
    message and fix, an ARN longer than the terminal, wide characters, a suppressed finding
    with a long reason, a suppression note, a cost line and a scan error."""
    stage = f"arn:aws:apigateway:us-east-1::/restapis/a1b2c3/stages/{HOSTILE}"
    items = [
        finding(EXEC, Status.FAIL, stage, severity=Severity.HIGH,
                message=f"stage {HOSTILE} " + "logs nothing at all, " * 12 + WIDE,
                remediation="aws apigateway update-stage --patch-operations "
                + "op=replace,path=/accessLogSettings/destinationArn,value=x " * 4),
        finding(RETENTION, Status.FAIL, LONG_ARN, severity=Severity.LOW,
                message="log group " + LONG_ARN + " never expires",
                evidence={"storedBytes": 3 << 30}),
        finding(EXEC, Status.UNKNOWN, f"arn:aws:apigateway:us-east-1::/restapis/{WIDE * 4}",
                severity=Severity.HIGH, message=f"{WIDE} " * 20),
        finding(EXEC, Status.PASS, "stage/ok", severity=Severity.HIGH),
        finding(EXEC, Status.NOT_APPLICABLE, "stage/none", severity=Severity.HIGH),
        finding(EXEC, Status.FAIL, "stage/waived", severity=Severity.HIGH, suppressed=True,
                suppression_reason="accepted until the migration, " * 8),
    ]  # fmt: skip
    if org:
        items.append(
            finding("cloudtrail.multi_region", Status.FAIL, OTHER, account_id=OTHER,
                    severity=Severity.MEDIUM, message="no multi-region trail " * 6)
        )  # fmt: skip
    note = SuppressionNote("unused", "apigw.*", reason=HOSTILE * 5, resource="*", source="x:1")
    rep = report(*items, errors=("check x failed: " + "boom " * 50,), suppression_notes=(note,))
    return dataclasses.replace(rep, accounts=(ACCOUNT, OTHER)) if org else rep


def outputs(width: int | None, color: bool = False) -> dict[str, str]:
    rep, org = terminal_report(), terminal_report(org=True)
    diff = diff_reports(dataclasses.replace(rep, findings=()).to_dict(), rep.to_dict())
    cis = summarize(rep, get_benchmark("cis-aws-3.0"))
    return {
        "table": render(rep, "table", width=width, color=color),
        "baseline_and_compliance": render(
            rep, "table", width=width, color=color, diff=diff, compliance=cis
        ),
        "diff": render_diff(diff, "table", width=width),
        "show_pass": render(rep, "table", width=width, color=color, show_pass=True),
        "org": render(org, "table", width=width, color=color, show_pass=True),
        "map": render(rep, "table", view="resources", width=width, color=color),
        "org_map": render(org, "table", view="resources", width=width, color=color),
    }


@WIDTHS
def test_no_line_is_wider_than_the_terminal(width: int) -> None:
    for name, text in outputs(width).items():
        wide = [line for line in text.splitlines() if shown_width(line) > width]
        assert wide == [], name
        assert "\x1b" not in text, name  # no colour unless asked for


def test_widths_count_what_the_terminal_shows() -> None:
    assert text_width(WIDE) == 12 == shown_width(WIDE)
    assert text_width("e\u0301t\u00e9") == 3  # a combining accent takes no column
    assert text_width(printable("a\x1bb")) == 6  # the escape `\x1b` is four columns


@WIDTHS
def test_every_id_stays_whole_on_one_line(width: int) -> None:
    for name, text in outputs(width).items():
        if name not in ("table", "show_pass", "org"):
            continue
        lines = text.splitlines()
        rep = terminal_report(org=name == "org")
        for f in rep.findings:
            if name == "table" and f.status in (Status.PASS, Status.NOT_APPLICABLE):
                continue  # hidden without --show-pass
            shown = printable(short_resource(f.resource_id))
            if text_width(shown) <= width - 4:
                assert any(shown in line for line in lines), (name, shown)


@WIDTHS
def test_an_id_wider_than_the_terminal_is_cut_at_slashes_and_colons(width: int) -> None:
    lines = render(terminal_report(), "table", width=width).splitlines()
    shown = short_resource(LONG_ARN)
    assert text_width(shown) > width
    start = next(i for i, line in enumerate(lines) if line and shown.startswith(line.strip()))
    pieces, joined = [], ""
    for line in lines[start:]:
        joined += line.strip()
        pieces.append(line)
        if joined == shown:
            break
    assert joined == shown
    assert all(p.startswith("    ") and not p.startswith("     ") for p in pieces)
    assert all(p.rstrip()[-1] in "/:," for p in pieces[:-1])


def test_message_and_fix_wrap_under_their_column() -> None:
    message = " ".join(f"m{i}" for i in range(60))
    fix = " ".join(f"f{i}" for i in range(60))
    rep = report(finding(EXEC, Status.FAIL, "stage/s", message=message, remediation=fix))
    lines = render(rep, "table", width=80).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("  STATUS"))
    column = lines[header].index("MESSAGE")
    fix_at = next(i for i, line in enumerate(lines) if line.startswith("  fix: "))
    row, rest = lines[header + 2], lines[header + 3 : fix_at]
    assert row.startswith("  FAIL") and row[column:].startswith("m0 m1 ")
    assert rest and all(line[:column].isspace() and line[column] == "m" for line in rest)
    assert " ".join(line[column:] for line in [row, *rest]) == message
    fixes = lines[fix_at : lines.index("", fix_at)]
    assert len(fixes) > 1 and all(line.startswith("       f") for line in fixes[1:])
    assert " ".join(line[7:] for line in fixes) == fix
    assert max(map(len, lines)) <= 80


def test_without_a_width_every_line_stays_whole() -> None:
    text = render(terminal_report(), "table")
    shown = printable(f"stage {HOSTILE} " + "logs nothing at all, " * 12 + WIDE)
    assert any(line.endswith(shown) for line in text.splitlines())
    assert f"log group {short_resource(LONG_ARN)}" not in text  # messages keep full ARNs
    assert f"log group {LONG_ARN} never expires" in text


@WIDTHS
def test_colour_is_laid_over_the_same_layout_and_never_counted(width: int) -> None:
    plain, coloured = outputs(width), outputs(width, color=True)
    for name, text in coloured.items():
        assert SGR.sub("", text) == plain[name], name
        assert "\x1b" not in SGR.sub("", text), name  # the hostile name's ESC stays escaped
    table = coloured["show_pass"]
    codes = {"FAIL": "31", "UNKNOWN": "33", "PASS": "32", "NOT_APPLICABLE": "2"}
    for status, code in codes.items():
        assert f"  \x1b[{code}m{status}\x1b[0m  " in table, status  # the STATUS column
        assert re.search(rf"\d \x1b\[{code}m{status}\x1b\[0m", table), status  # the summary
    assert f"{EXEC}  \x1b[1;31m[high]\x1b[0m  " in table
    assert f"{RETENTION}  [low]  " in table  # low stays plain
    assert "cloudtrail.multi_region  \x1b[33m[medium]\x1b[0m" in coloured["org"]
    assert re.search(r"== account \d+: 1 \x1b\[31mFAIL\x1b\[0m", coloured["org"])
    assert "\x1b[31m✗\x1b[0m" in coloured["map"] and "\x1b[32m✓\x1b[0m" in coloured["map"]


def test_org_sections_and_the_suppressed_section_wrap_too() -> None:
    text = render(terminal_report(org=True), "table", width=80)
    lines = text.splitlines()
    assert f"== account {ACCOUNT}: 2 FAIL, 1 UNKNOWN" in lines
    assert f"== account {OTHER}: 1 FAIL, 0 UNKNOWN" in lines
    at = next(i for i, line in enumerate(lines) if line.startswith("Suppressed (1): "))
    header = lines[at + 1]
    column = header.index("REASON")
    block = lines[at + 3 : lines.index("", at)]
    reason = [line for line in block if line[column:].strip()]
    assert len(reason) > 1 and all(line[column - 2 : column] == "  " for line in reason)
    joined = " ".join(line[column:] for line in reason)
    assert joined == " ".join(("accepted until the migration, " * 8).split())
    assert block[0].split() == ["FAIL", EXEC]  # the check id runs past its column, whole
    error = lines[next(i for i, line in enumerate(lines) if line.startswith("error: "))]
    assert error.startswith("error: check x failed: boom") and len(error) <= 80


def test_the_map_takes_short_headers_only_when_the_full_ones_do_not_fit() -> None:
    narrow = render(terminal_report(), "table", view="resources", width=80)
    wide = render(terminal_report(), "table", view="resources", width=200)
    header = next(line for line in narrow.splitlines() if line.startswith("  KIND"))
    assert header.split()[-7:] == ["AUD", "LOG", "MET", "ALM", "TRC", "CFG", "COV"]
    assert "AUD audit, LOG logs" in narrow
    header = next(line for line in wide.splitlines() if line.startswith("  KIND"))
    assert header.split()[-3:] == ["TRACES", "CONFIG", "COVERAGE"]
    assert "AUD audit" not in wide


def test_split_word_cuts_after_separators_and_never_inside_an_escape() -> None:
    arn = "arn:aws:s3:::bucket/key/more"
    assert split_word(arn, 12) == ["arn:aws:s3::", ":bucket/key/", "more"]
    assert split_word("log-group:/aws/lambda/fn", 16) == ["log-group:/aws/", "lambda/fn"]
    assert split_word("a" * 10 + printable("\x1b") + "b", 12) == ["a" * 10, "\\x1bb"]
    assert split_word(WIDE, 5) == ["注文", "テー", "ブル"]  # two columns each
    assert split_word("e\u0301" * 6, 3) == ["e\u0301" * 3] * 2  # marks stay with letters
