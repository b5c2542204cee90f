"""The scheduled-CI workflow end to end, over a moto server: every report format from one
scan, suppressions from awsobs.toml, `awsobs diff` between two seeded states, and
`scan --baseline` gating on new gaps only."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
from cloudtrail_seed import LEGACY, seed_mixed_account
from helpers import ACCOUNT, DATA, awsobs, trail

SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
VALIDATION = "cloudtrail.log_file_validation"
TRAIL = "arn:aws:cloudtrail:{region}:" + ACCOUNT + ":trail/{name}"


def test_one_scan_writes_every_format_and_each_validates(
    session: boto3.Session, tmp_path: Path
) -> None:
    seed_mixed_account(session)
    (tmp_path / "awsobs.toml").write_text(
        '[[suppressions]]\ncheck = "cloudtrail.kms_encryption"\nresource = "*:trail/legacy"\n'
        'reason = "legacy trail is retired in Q1"\nexpires = 2099-12-31\n',
        encoding="utf-8",
    )
    out = {fmt: tmp_path / "reports" / f"awsobs.{fmt}" for fmt in ("sarif", "junit", "md", "csv")}
    (tmp_path / "reports").mkdir()
    fmts = {"sarif": "sarif", "junit": "junit", "md": "markdown", "csv": "csv"}
    outputs = [f"--output={fmts[k]}:{p}" for k, p in out.items()]
    result = awsobs(
        "scan",
        "--regions",
        "us-east-1,eu-west-1,ap-east-1",  # ap-east-1 is not enabled: UNKNOWN findings
        "--checks",
        "cloudtrail.*",
        "--format",
        "json",
        *outputs,
        "--output",
        f"json:{tmp_path / 'reports' / 'awsobs.json'}",
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    assert (
        json.loads((tmp_path / "reports" / "awsobs.json").read_text())["findings"]
        == (doc["findings"])
    )
    written = [*out.items(), ("json", tmp_path / "reports" / "awsobs.json")]
    assert sorted(result.stderr.splitlines()) == sorted(
        f"awsobs: wrote {fmts.get(k, k)} report to {p}" for k, p in written
    )
    findings = doc["findings"]
    status = Counter((f["status"], f["suppressed"]) for f in findings)
    assert status[("FAIL", True)] == 1 and status[("UNKNOWN", False)] > 0
    (waived,) = [f for f in findings if f["suppressed"]]
    assert waived["resource_id"] == LEGACY and waived["suppression_reason"].startswith("legacy")

    # SARIF: valid 2.1.0; one result per FAIL (the waived one carries a suppression);
    # UNKNOWNs are notifications; fingerprints unique per finding.
    sarif = json.loads(out["sarif"].read_text())
    jsonschema.validate(sarif, SCHEMA)
    (run,) = sarif["runs"]
    fails = [f for f in findings if f["status"] == "FAIL"]
    assert len(run["results"]) == len(fails)
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert [r["suppressions"][0]["justification"] for r in suppressed] == [
        waived["suppression_reason"]
    ]
    prints = {r["partialFingerprints"]["awsobs/v1"] for r in run["results"]}
    assert len(prints) == len(fails)
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == status[("UNKNOWN", False)]
    assert all("ap-east-1" in n["message"]["text"] for n in notes)
    assert {r["ruleId"] for r in run["results"]} <= {
        rule["id"] for rule in run["tool"]["driver"]["rules"]
    }

    # JUnit: one testcase per finding; FAIL failure, UNKNOWN error, N/A and waived skipped.
    root = ET.parse(out["junit"]).getroot()
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    assert len(cases) == len(findings)
    kinds = Counter(
        next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "pass")
        for case in cases
    )
    assert kinds == {
        "failure": status[("FAIL", False)],
        "error": status[("UNKNOWN", False)],
        "skipped": status[("NOT_APPLICABLE", False)] + status[("FAIL", True)],
        "pass": status[("PASS", False)],
    }
    assert int(root.get("tests", "0")) == len(findings)
    assert int(root.get("failures", "0")) == status[("FAIL", False)]
    skipped_messages = [s.get("message", "") for s in root.iter("skipped")]
    assert "suppressed: legacy trail is retired in Q1" in skipped_messages

    # Markdown: a summary a PR comment can hold.
    md = out["md"].read_text()
    gaps = status[("FAIL", False)]
    assert md.startswith(f"## awsobs: {gaps} gaps in account {ACCOUNT}")
    assert "### Gaps" in md and "Could not check (UNKNOWN)" in md and "Suppressed (1)" in md

    # CSV: one row per finding, same order and verdicts as the JSON.
    rows = list(csv.DictReader(io.StringIO(out["csv"].read_text(), newline="")))
    assert [(r["check_id"], r["resource_id"], r["status"]) for r in rows] == [
        (f["check_id"], f["resource_id"], f["status"]) for f in findings
    ]


def test_sarif_fingerprints_are_stable_across_runs(session: boto3.Session, tmp_path: Path) -> None:
    seed_mixed_account(session)
    prints = []
    for name in ("one", "two"):
        target = tmp_path / f"{name}.sarif"
        awsobs("scan", "--regions", "us-east-1", "--checks", "cloudtrail.*", "--output",
               f"sarif:{target}", "-q")  # fmt: skip
        results = json.loads(target.read_text())["runs"][0]["results"]
        prints.append(sorted(r["partialFingerprints"]["awsobs/v1"] for r in results))
    assert prints[0] and prints[0] == prints[1]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output", "sarif:"], "no path after 'sarif:'"),
        (["--output", "sarf:x.sarif"], "unknown format 'sarf' (formats: table, json, sarif"),
        (["--output", "{tmp}/missing/x.sarif"], "directory {tmp}/missing does not exist"),
        (["--output", "junit:{tmp}"], "it is a directory"),
        (["--output", "a.json", "--output", "json:a.json"], "is given twice"),
        (["--baseline", "{tmp}/nothing.json"], "no such report file"),
    ],
)
def test_bad_destinations_fail_before_the_scan(
    endpoint: str, tmp_path: Path, argv: list[str], message: str
) -> None:
    argv = [a.format(tmp=tmp_path) for a in argv]
    result = awsobs("scan", "--regions", "us-east-1", *argv, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("awsobs: error: ") and message.format(tmp=tmp_path) in line


# -- diff and baseline between two seeded states ---------------------------------------------


def _state_one(session: boto3.Session) -> None:
    """alpha: validated (PASS); bravo, charlie: not (FAIL); echo in eu-west-1: not (FAIL)."""
    trail(session, "alpha", EnableLogFileValidation=True)
    trail(session, "bravo")
    trail(session, "charlie")
    trail(session, "echo", region="eu-west-1")


def _state_two(session: boto3.Session) -> None:
    """bravo fixed, charlie deleted, alpha regressed, delta added without validation."""
    ct = session.client("cloudtrail", region_name="us-east-1")
    ct.update_trail(Name="bravo", EnableLogFileValidation=True)
    ct.delete_trail(Name="charlie")
    ct.update_trail(Name="alpha", EnableLogFileValidation=False)
    trail(session, "delta")


def _scan(path: Path, regions: str, *extra: str) -> Any:
    result = awsobs(
        "scan", "--regions", regions, "--checks", VALIDATION, "--output", f"json:{path}", "-q",
        *extra,
    )  # fmt: skip
    return result


def test_diff_reports_exactly_the_changes_between_two_states(
    session: boto3.Session, tmp_path: Path
) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    _state_one(session)
    assert _scan(old, "us-east-1,eu-west-1").returncode == 1
    _state_two(session)
    assert _scan(new, "us-east-1").returncode == 1  # narrower: eu-west-1 left out

    result = awsobs("diff", str(old), str(new), "--format", "json")
    assert result.returncode == 1, result.stderr
    diff = json.loads(result.stdout)

    def keys(category: str) -> list[tuple[str, str | None, str | None]]:
        return [(c["resource_id"], c["old_status"], c["new_status"]) for c in diff[category]]

    t = TRAIL.format
    assert keys("new_gaps") == [
        (t(region="us-east-1", name="alpha"), "PASS", "FAIL"),
        (t(region="us-east-1", name="delta"), None, "FAIL"),
    ]
    assert keys("resolved") == [
        (t(region="us-east-1", name="bravo"), "FAIL", "PASS"),
        (t(region="us-east-1", name="charlie"), "FAIL", None),  # deleted, and the scan looked
    ]
    assert keys("changed") == []
    assert keys("out_of_scope") == [(t(region="eu-west-1", name="echo"), "FAIL", None)]
    assert diff["out_of_scope"][0]["reason_not_compared"] == "region eu-west-1 not scanned"
    assert diff["summary"]["unchanged_failures"] == 0

    table = awsobs("diff", str(old), str(new))
    assert "New gaps (2)" in table.stdout and "PASS -> FAIL" in table.stdout
    assert table.stdout.rstrip().splitlines()[-1].startswith("Diff: 2 new gaps, 2 resolved")
    md_path = tmp_path / "diff.md"
    md = awsobs("diff", str(old), str(new), "--format", "markdown", "--output", str(md_path))
    assert md.stdout == "" and md_path.read_text().startswith("## awsobs diff")
    # Regressions below the threshold do not fail the job; the same report twice has none.
    assert awsobs("diff", str(old), str(new), "--fail-on", "high").returncode == 0
    same = awsobs("diff", str(new), str(new))
    assert same.returncode == 0 and same.stdout.startswith("Diff: no changes, 2 still failing")


def test_scan_with_baseline_fails_only_on_new_gaps(session: boto3.Session, tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    _state_one(session)
    _scan(old, "us-east-1")
    # Nothing changed: FAILs exist, but none is new, so the job passes.
    again = awsobs("scan", "--regions", "us-east-1", "--checks", VALIDATION, "--baseline",
                   str(old), "--format", "json")  # fmt: skip
    assert again.returncode == 0, again.stderr
    doc = json.loads(again.stdout)
    assert doc["summary"]["FAIL"] == 2 and doc["baseline"]["summary"]["new_gaps"] == 0
    assert "Diff: no changes, 2 still failing" in again.stderr

    _state_two(session)
    regressed = awsobs("scan", "--regions", "us-east-1", "--checks", VALIDATION, "--baseline",
                       str(old))  # fmt: skip
    assert regressed.returncode == 1
    assert "New gaps (2)" in regressed.stdout and "Resolved (2)" in regressed.stdout
    # A new gap that awsobs.toml waives does not fail the job either.
    (tmp_path / "awsobs.toml").write_text(
        f'[[suppressions]]\ncheck = "{VALIDATION}"\nresource = "*:trail/[ad]*"\nreason = "x"\n'
    )
    waived = awsobs("scan", "--regions", "us-east-1", "--checks", VALIDATION, "--baseline",
                    str(old), cwd=tmp_path)  # fmt: skip
    assert waived.returncode == 0, waived.stdout
    # An unreadable region makes the scan incomplete: exit 3, even with no new gap.
    partial = awsobs("scan", "--regions", "us-east-1,ap-east-1", "--checks", VALIDATION,
                     "cloudtrail.trail_logging", "--baseline", str(old), cwd=tmp_path)  # fmt: skip
    assert partial.returncode == 3, partial.stdout
    assert "UNKNOWN" in partial.stdout and "[suppressed: x]" in partial.stdout


def test_diff_of_a_file_that_is_not_a_report_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"findings": [}')
    result = awsobs("diff", str(bad), str(bad))
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"awsobs: error: {bad}: invalid JSON at line 1")


def test_output_values_name_a_format_or_a_path() -> None:
    from awsobs.cli.output import Destination, destinations, parse_output

    assert parse_output("SARIF:out/a.sarif", "table") == Destination("sarif", "out/a.sarif")
    assert parse_output("report.txt", "json") == Destination("json", "report.txt")
    assert parse_output("./odd:name.json", "json") == Destination("json", "./odd:name.json")
    assert parse_output("C:/reports/a.json", "json") == Destination("json", "C:/reports/a.json")
    # stdout keeps --format unless a plain path took it
    assert destinations(["junit:a.xml"], "table") == [
        Destination("table"),
        Destination("junit", "a.xml"),
    ]
    assert destinations(["a.txt", "junit:a.xml"], "table") == [
        Destination("table", "a.txt"),
        Destination("junit", "a.xml"),
    ]
