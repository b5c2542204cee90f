"""examples/github-actions-fix.yml: the scheduled job that opens a pull request with the
code `awsobs fix` writes. It parses, asks only for the permissions it uses, its awsobs
command is one the CLI accepts, and its scan step, run by bash against a moto server,
writes the files the pull request step adds: the same files on a second run (no churn),
and none when the scan could not be completed."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from helpers import REPO

from awsobs.cli import build_parser

WORKFLOW = REPO / "examples" / "github-actions-fix.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return doc


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"]["fix"]["steps"]
    return found


def named(workflow: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in steps(workflow) if s.get("name") == name]
    return found


def test_it_may_push_a_branch_and_open_a_pull_request_and_nothing_more(
    workflow: dict[str, Any],
) -> None:
    assert workflow["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
        "id-token": "write",
    }
    (pr,) = [s for s in steps(workflow) if s.get("uses", "").startswith("peter-evans/")]
    assert pr["with"]["add-paths"] == "awsobs-fix/**"
    assert pr["with"]["body-path"] == "awsobs-fix/REPORT.md"


def scan_script(workflow: dict[str, Any]) -> str:
    script: str = named(workflow, "Scan and write the fixes")["run"]
    return script


def test_its_awsobs_command_is_one_the_cli_has(workflow: dict[str, Any]) -> None:
    joined = scan_script(workflow).replace("\\\n", " ")
    (line,) = [ln.strip() for ln in joined.splitlines() if ln.strip().startswith("awsobs ")]
    args = build_parser().parse_args(shlex.split(line.split(">")[0])[1:])
    assert args.command == "scan"
    assert sorted(f for f, _ in map(lambda v: v.split(":", 1), args.fix_output)) == [
        "cloudformation",
        "sh",
        "terraform",
    ]


def run_step(script: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env={
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def files(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_scan_step_writes_what_the_pull_request_adds(
    workflow: dict[str, Any], session: boto3.Session, tmp_path: Path
) -> None:
    (tmp_path / "awsobs.toml").write_text(
        'regions = ["us-east-1"]\nchecks = ["cloudtrail.multi_region", "logs.retention_defined"]\n'
    )
    session.client("logs").create_log_group(logGroupName="/app/forever")
    done = run_step(scan_script(workflow), tmp_path)
    assert done.returncode == 0, done.stderr  # exit 1 (gaps) is what the job is for
    first = files(tmp_path / "awsobs-fix")
    assert sorted(first) == [
        "REPORT.md",
        "awsobs-fix.sh",
        "cloudformation/awsobs-fix-123456789012-us-east-1.yaml",
        "terraform/awsobs-fix.tf",
    ]
    assert "/app/forever" in first["awsobs-fix.sh"] and "awsobs-trail" in first["awsobs-fix.sh"]
    assert "## awsobs: 2 gaps in account" in first["REPORT.md"]

    again = run_step(scan_script(workflow), tmp_path)
    assert again.returncode == 0, again.stderr
    code = {k: v for k, v in files(tmp_path / "awsobs-fix").items() if k != "REPORT.md"}
    assert code == {k: v for k, v in first.items() if k != "REPORT.md"}  # no churn


def test_no_pull_request_from_a_scan_that_could_not_run(
    workflow: dict[str, Any], tmp_path: Path, refused: str
) -> None:
    done = run_step(scan_script(workflow), tmp_path, AWS_ENDPOINT_URL=refused)
    assert done.returncode == 2, done.stderr
    assert "::error::awsobs scan exited 2" in done.stdout
    assert not (tmp_path / "awsobs-fix" / "awsobs-fix.sh").exists()
