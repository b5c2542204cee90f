"""`awsobs scan --compliance`, `awsobs compliance` and `merge --compliance`, end to end: the
command in a subprocess against the moto server over HTTP (conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from cloudtrail_seed import seed_mixed_account
from helpers import awsobs

from awsobs.compliance import get_benchmark
from awsobs.compliance.summary import mapped_checks, summarize
from awsobs.model import Report
from awsobs.registry import REGISTRY
from awsobs.report import render

REGIONS = ("--regions", "us-east-1,eu-west-1")
V30_CHECKS = {
    c for ids in mapped_checks(get_benchmark("cis-aws-3.0"), [c.meta for c in REGISTRY.all()])
    .values() for c in ids
}  # fmt: skip


def _rows(out: str) -> dict[str, list[str]]:
    """REQ -> the row's words, from the requirement table under `== CIS ...`."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("== CIS AWS Foundations"))
    rows = {}
    for line in lines[start + 4 :]:
        if not line.strip():
            break
        words = line.split()
        rows[words[0]] = words
    return rows


def test_scan_compliance_prints_the_requirement_table(
    session: boto3.Session, tmp_path: Path
) -> None:
    seed_mixed_account(session)
    target = tmp_path / "r.json"
    done = awsobs("scan", *REGIONS, "--compliance", "cis-aws-3.0", "--output", f"json:{target}")
    assert done.returncode == 1, done.stderr
    rows = _rows(done.stdout)
    assert list(rows)[:3] == ["3.1", "3.2", "3.3"] and len(rows) == 25
    assert rows["3.6"][1] == "NOT_COVERED" and rows["4.16"][1] == "NOT_COVERED"
    assert rows["3.2"][1] == "FAIL"  # the stopped legacy trail has no log file validation
    assert rows["4.1"][2] == "manual" and "cwalarm.unauthorized_api_calls~" in rows["4.1"]
    assert "CIS AWS Foundations Benchmark v3.0.0: " in done.stdout.splitlines()[-1]
    doc = json.loads(target.read_text())
    assert set(doc["scan"]["checks"]) == V30_CHECKS  # only the benchmark's checks ran
    comp = doc["compliance"]
    assert comp["framework"] == "cis-aws-3.0" and len(comp["requirements"]) == 25
    for req in comp["requirements"]:
        for i in req["findings"]:  # each index names a finding of one of its checks
            assert doc["findings"][i]["check_id"] in req["checks"]
            assert req["id"] in doc["findings"][i]["compliance"]["cis-aws-3.0"]
    assert sum(comp["summary"].values()) == 25


def test_compliance_with_checks_runs_the_intersection(
    session: boto3.Session, tmp_path: Path
) -> None:
    seed_mixed_account(session)
    target = tmp_path / "r.json"
    done = awsobs(
        "scan", *REGIONS, "--compliance", "cis-aws-1.4", "--checks", "cloudtrail.*",
        "--format", "json", "--output", f"markdown:{tmp_path / 'r.md'}",
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    assert all(c.startswith("cloudtrail.") for c in doc["scan"]["checks"])
    status = {r["id"]: r for r in doc["compliance"]["requirements"]}
    assert status["3.5"]["status"] == "NOT_ASSESSED"  # AWS Config's check was not selected
    assert status["3.5"]["checks_not_run"] == ["config.recorder_all_regions"]
    assert status["3.1"]["status"] in ("PASS", "FAIL")
    md = (tmp_path / "r.md").read_text()
    assert "### CIS AWS Foundations Benchmark v1.4.0" in md and "| 3.5 | **NOT_ASSESSED** |" in md
    target.write_text(done.stdout)
    merged = awsobs("merge", str(target), "--compliance", "cis-aws-1.4", "-q")
    assert "== CIS AWS Foundations Benchmark v1.4.0" in merged.stdout


def test_bad_compliance_input_is_one_line_and_exit_2(session: boto3.Session) -> None:
    for args, needle in (
        (("--compliance", "cis-9"), "unknown framework"),
        (("--compliance", "cis-aws-3.0", "--checks", "cloudtrail.s3_delivery"), "none of the"),
    ):
        done = awsobs("scan", *REGIONS, *args)
        assert done.returncode == 2 and done.stdout == ""
        assert len(done.stderr.strip().splitlines()) == 1 and needle in done.stderr


def test_awsobs_compliance_lists_the_frameworks_and_their_requirements() -> None:
    done = awsobs("compliance")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert [line.split()[0] for line in lines[2:]] == [
        "cis-aws-1.4", "cis-aws-3.0", "cis-aws-5.0", "aws-foundational-security-best-practices"
    ]  # fmt: skip
    assert "25/26" in lines[2]
    detail = json.loads(awsobs("compliance", "cis-aws-3.0", "--format", "json").stdout)
    (bench,) = detail
    rows = {r["id"]: r for r in bench["rows"]}
    assert rows["3.3"]["checks"] == ["config.recorder_all_regions"]
    assert rows["3.6"]["checks"] == [] and rows["3.6"]["not_covered"]
    bad = awsobs("compliance", "nist")
    assert bad.returncode == 2 and "unknown framework" in bad.stderr


def test_the_demo_with_compliance(demo_report: Report) -> None:
    """What `awsobs demo --compliance cis-aws-3.0` prints after the report (the session's
    demo scan, tests/conftest.py, instead of a second 15-second demo in a subprocess)."""
    summary = summarize(demo_report, get_benchmark("cis-aws-3.0"))
    rows = _rows(render(demo_report, "table", compliance=summary))
    assert len(rows) == 25
    # the demo's eu-west-1 trail passes and its us-east-1 one was stopped: 3.1 is judged
    assert rows["3.1"][1] in ("PASS", "FAIL") and rows["3.6"][1] == "NOT_COVERED"
    assert rows["3.3"][1] == "FAIL"  # us-east-1's recorder is stopped
