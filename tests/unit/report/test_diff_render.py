"""`awsobs diff`: loading JSON reports (one-line errors for anything else) and rendering
a diff as a table, Markdown and versioned JSON."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from diff_helpers import (
    ACCESS_LOGS,
    ACCOUNT,
    EXEC_LOGS,
    MEM_AGENT,
    OTHER_ACCOUNT,
    T_NEW,
    T_OLD,
    TRAILS,
    finding,
    instance,
    keys,
    old,
    report,
    stage,
)

from awsobs.errors import UsageError
from awsobs.model import GLOBAL_REGION, Severity, Status
from awsobs.report.diff import DIFF_SCHEMA_VERSION, Diff, diff_reports
from awsobs.report.diff_render import (
    MARKDOWN_MAX_CHARS,
    MARKDOWN_MAX_ROWS,
    render_diff,
    summary_line,
)
from awsobs.report_io import load_report

# -- load_report ---------------------------------------------------------------------------


def write(tmp_path: Path, content: str | dict[str, Any] | list[Any], name: str = "r.json") -> str:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return str(path)


def load_error(path: str) -> str:
    with pytest.raises(UsageError) as info:
        load_report(path)
    message = str(info.value)
    assert path in message
    assert "\n" not in message
    return message


def test_load_report_reads_what_the_json_reporter_writes(tmp_path: Path) -> None:
    doc = report(finding(EXEC_LOGS, Status.FAIL, stage("a1b2c3")))
    assert load_report(write(tmp_path, doc)) == doc


def test_load_report_accepts_fields_it_does_not_know(tmp_path: Path) -> None:
    # DESIGN.md: adding fields does not change schema_version, so older awsobs must cope.
    doc = report(finding(EXEC_LOGS, Status.FAIL, stage("a1b2c3")))
    doc["generated_by"] = {"ci": "github", "run": 1234}
    doc["scan"]["organization_id"] = "o-abc123"
    doc["findings"][0]["compliance"] = {"cis": ["3.4"]}
    doc["findings"][0]["first_seen"] = "2024-01-01"
    loaded = load_report(write(tmp_path, doc))

    d = diff_reports(old(), loaded)
    assert keys(d.new_gaps) == [stage("a1b2c3")]


def test_load_report_accepts_a_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(report()).encode())
    assert load_report(str(path))["schema_version"] == 1


def test_load_report_missing_file(tmp_path: Path) -> None:
    assert "no such report file" in load_error(str(tmp_path / "nope.json"))


def test_load_report_directory(tmp_path: Path) -> None:
    assert "directory" in load_error(str(tmp_path))


def test_load_report_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    message = load_error(write(tmp_path, '{\n  "schema_version": 1,\n  "scan": {,\n}'))
    assert "invalid JSON at line 3, column" in message


@pytest.mark.parametrize("content", ["", "not json at all"])
def test_load_report_empty_or_garbage(tmp_path: Path, content: str) -> None:
    assert "invalid JSON" in load_error(write(tmp_path, content))


def test_load_report_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"\xff\xfe\x00\x01binary")
    assert "UTF-8" in load_error(str(path))


def test_load_report_sarif_or_list_is_not_a_report(tmp_path: Path) -> None:
    assert "not an object" in load_error(write(tmp_path, [1, 2]))
    sarif = {"version": "2.1.0", "runs": []}
    assert "no schema_version, findings, scan" in load_error(write(tmp_path, sarif))


@pytest.mark.parametrize("version", [2, 0, "1", None, True, 1.5])
def test_load_report_wrong_schema_version(tmp_path: Path, version: Any) -> None:
    doc = report()
    doc["schema_version"] = version
    message = load_error(write(tmp_path, doc))
    assert "schema_version" in message
    assert "reads schema_version 1" in message


def _broken(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(report(finding(EXEC_LOGS, Status.FAIL, stage("a1b2c3"))))
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        target: Any = doc
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        if value is KeyError:
            del target[leaf]
        else:
            target[leaf] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (_broken(findings={"a": 1}), "'findings' is an object, not a list"),
        (_broken(scan=[]), "'scan' is a list, not an object"),
        (_broken(scan__regions=KeyError), "'scan.regions' is missing"),
        (_broken(scan__checks=[1, 2]), "'scan.checks' is missing or not a list of strings"),
        (_broken(findings=["x"]), "finding 0 is a string, not an object"),
        (_broken(findings__0__resource_id=KeyError), "finding 0 has no 'resource_id'"),
        (_broken(findings__0__status="BROKEN"), 'unknown status "BROKEN"'),
        (_broken(findings__0__status="fail"), 'unknown status "fail"'),
        (_broken(findings__0__severity="urgent"), 'unknown severity "urgent"'),
        (_broken(findings__0__region=None), "non-string 'region': null"),
        (_broken(findings__0__account_id=123456789012), "non-string 'account_id': 123456789012"),
        (_broken(findings__0__message=["a", "b"]), "non-string 'message'"),
        (_broken(findings__0__suppressed="false"), "non-boolean 'suppressed'"),
        (_broken(findings__0__suppression_reason=7), "non-string 'suppression_reason'"),
    ],
)
def test_load_report_rejects_malformed_reports(
    tmp_path: Path, doc: dict[str, Any], expected: str
) -> None:
    assert expected in load_error(write(tmp_path, doc))


def test_load_report_error_on_multiline_value_stays_one_line(tmp_path: Path) -> None:
    doc = _broken(findings__0__status="FAIL\nPASS")
    load_error(write(tmp_path, doc))


# -- rendering -----------------------------------------------------------------------------


def sample_diff() -> Diff:
    before = old(
        finding(EXEC_LOGS, Status.FAIL, stage("fixed1")),
        finding(EXEC_LOGS, Status.FAIL, stage("unread")),
        finding(ACCESS_LOGS, Status.FAIL, stage("eu1", region="eu-west-1"), region="eu-west-1"),
        finding(TRAILS, Status.FAIL, "trail/main", region=GLOBAL_REGION),
    )
    after = report(
        finding(EXEC_LOGS, Status.PASS, stage("fixed1")),
        finding(EXEC_LOGS, Status.UNKNOWN, stage("unread"), message="AccessDenied"),
        finding(EXEC_LOGS, Status.FAIL, stage("new1"), message="execution logging is OFF"),
        finding(
            MEM_AGENT,
            Status.FAIL,
            instance("i-0abc"),
            message="no agent",
            suppressed=True,
            suppression_reason="batch host, see JIRA-7",
        ),
        finding(TRAILS, Status.FAIL, "trail/main", region=GLOBAL_REGION),
        regions=("us-east-1",),
    )
    return diff_reports(before, after)


def test_sample_diff_has_every_category() -> None:
    d = sample_diff()
    assert (len(d.new_gaps), len(d.resolved), len(d.changed), len(d.out_of_scope)) == (2, 1, 1, 1)
    assert d.unchanged_failures == 1


def test_json_round_trips_with_version_and_counts() -> None:
    d = sample_diff()
    doc = json.loads(render_diff(d, "json"))

    assert doc["schema_version"] == DIFF_SCHEMA_VERSION
    assert doc["kind"] == "awsobs-diff"
    assert doc["summary"] == {
        "new_gaps": 2,
        "resolved": 1,
        "changed": 1,
        "out_of_scope": 1,
        "unchanged_failures": 1,
    }
    assert doc["old"]["started_at"] == T_OLD.isoformat()
    assert doc["new"] == {"started_at": T_NEW.isoformat(), "accounts": [ACCOUNT]}
    assert doc == d.to_dict()
    assert doc["resolved"][0]["old_status"] == "FAIL"
    assert doc["resolved"][0]["new_status"] == "PASS"
    skipped = doc["out_of_scope"][0]
    assert skipped["new_status"] is None
    assert skipped["reason_not_compared"] == "region eu-west-1 not scanned"
    gap = next(g for g in doc["new_gaps"] if g["check_id"] == MEM_AGENT)
    assert gap["suppressed"] is True
    assert gap["suppression_reason"] == "batch host, see JIRA-7"
    assert gap["old_status"] is None


def test_table_shows_sections_transitions_and_summary() -> None:
    text = render_diff(sample_diff(), "table")

    for section in ("New gaps (2)", "Resolved (1)", "Changed (1)", "Not compared (1)"):
        assert section in text
    assert "absent -> FAIL" in text
    assert "FAIL -> PASS" in text
    assert "FAIL -> UNKNOWN" in text
    assert "FAIL -> not scanned" in text
    assert "restapis/new1/stages/prod" in text  # ARN shortened to its resource part
    assert "[suppressed: batch host, see JIRA-7]" in text
    assert text.rstrip().splitlines()[-1] == summary_line(sample_diff())


def test_table_names_a_deleted_resource_gone() -> None:
    before = old(finding(MEM_AGENT, Status.FAIL, instance("i-1")))
    after = report(finding(MEM_AGENT, Status.PASS, instance("i-2")))
    assert "FAIL -> gone" in render_diff(diff_reports(before, after), "table")


@pytest.mark.parametrize("width", [165, 200])
def test_table_wraps_long_messages_to_the_width(width: int) -> None:
    long = "word " * 80
    wide = stage("abcdefghij", "production-v2-with-a-long-name", region="ap-southeast-2")
    before = old(finding(EXEC_LOGS, Status.UNKNOWN, wide, region="ap-southeast-2"))
    after = report(
        finding(EXEC_LOGS, Status.NOT_APPLICABLE, wide, region="ap-southeast-2", message=long),
        finding(EXEC_LOGS, Status.FAIL, stage("a"), message=long),
        regions=("ap-southeast-2", "us-east-1"),
    )
    text = render_diff(diff_reports(before, after), "table", width=width)
    assert "UNKNOWN -> NOT_APPLICABLE" in text
    assert max(len(line) for line in text.splitlines() if "word" in line) <= width


def test_table_copes_with_empty_messages() -> None:
    d = diff_reports(old(), report(finding(EXEC_LOGS, Status.FAIL, stage("a"), message="")))
    assert "absent -> FAIL" in render_diff(d, "table", width=120)


def test_summary_line_counts_every_category() -> None:
    line = summary_line(sample_diff())
    assert line.startswith("Diff: 2 new gaps, 1 resolved, 1 changed, 1 still failing")
    assert "1 not compared" in line
    assert f"old scan {T_OLD.isoformat()}" in line
    assert f"new scan {T_NEW.isoformat()}" in line
    assert "\n" not in line


def test_summary_line_mentions_a_change_of_accounts() -> None:
    before = old(accounts=(ACCOUNT, OTHER_ACCOUNT))
    line = summary_line(diff_reports(before, report()))
    assert f"accounts {ACCOUNT}, {OTHER_ACCOUNT} -> {ACCOUNT}" in line


def test_no_changes_in_every_format() -> None:
    f = finding(TRAILS, Status.FAIL, "trail/main", region=GLOBAL_REGION)
    d = diff_reports(old(f), report(f))

    assert summary_line(d).startswith("Diff: no changes, 1 still failing")
    assert render_diff(d, "table") == summary_line(d) + "\n"
    md = render_diff(d, "markdown")
    assert "no changes" in md
    assert "###" not in md and "|" not in md
    assert json.loads(render_diff(d, "json"))["summary"]["new_gaps"] == 0
    assert d.exit_code(Severity.INFO) == 0


def test_markdown_has_sections_and_collapses_the_minor_ones() -> None:
    md = render_diff(sample_diff(), "markdown")

    assert md.startswith("## awsobs diff\n")
    assert "### New gaps (2)" in md
    assert "### Resolved (1)" in md
    assert "<summary>Changed (1)</summary>" in md
    assert "<summary>Not compared (1)</summary>" in md
    assert md.count("<details>") == md.count("</details>") == 2
    assert "FAIL -&gt; PASS" in md  # '>' neutralised like any cell text
    assert "and 0 more" not in md


def test_markdown_escapes_pipes_and_html() -> None:
    message = "stage | has <script>alert(1)</script> & a\nnewline"
    d = diff_reports(old(), report(finding(EXEC_LOGS, Status.FAIL, stage("a"), message=message)))
    md = render_diff(d, "markdown")

    row = next(line for line in md.splitlines() if "alert" in line)
    assert "stage \\| has &lt;script&gt;alert(1)&lt;/script&gt; &amp; a newline" in row
    assert "<script>" not in md
    # every row of the table has as many unescaped cell separators as the header
    header = next(line for line in md.splitlines() if line.startswith("| Severity"))
    assert row.replace("\\|", "").count("|") == header.count("|")


def test_markdown_caps_rows_per_section() -> None:
    gaps = [finding(EXEC_LOGS, Status.FAIL, stage(f"api{i:03d}")) for i in range(200)]
    md = render_diff(diff_reports(old(), report(*gaps)), "markdown")

    assert "### New gaps (200)" in md
    assert f"... and {200 - MARKDOWN_MAX_ROWS} more" in md
    assert md.count("absent -&gt; FAIL") == MARKDOWN_MAX_ROWS
    assert len(md) <= MARKDOWN_MAX_CHARS


def test_markdown_shrinks_to_fit_a_github_comment() -> None:
    long = "x" * 2000
    before = [finding(ACCESS_LOGS, Status.FAIL, stage(f"old{i}") + long) for i in range(300)]
    after = [
        finding(EXEC_LOGS, Status.FAIL, stage(f"api{i}") + long, message=long) for i in range(300)
    ]
    after += [finding(ACCESS_LOGS, Status.PASS, stage(f"old{i}") + long) for i in range(300)]
    md = render_diff(diff_reports(old(*before), report(*after)), "markdown")

    assert len(md) <= MARKDOWN_MAX_CHARS
    assert "### New gaps (300)" in md
    assert "### Resolved (300)" in md
    assert "more" in md


def test_render_diff_rejects_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="sarif"):
        render_diff(sample_diff(), "sarif")
