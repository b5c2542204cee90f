"""`awsobs fix` as a user runs it: files written where asked, a summary on stderr, and one
clear line with exit 2 for every bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_env import one_line_error
from helpers import awsobs


@pytest.fixture
def report_file(demo_doc: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(demo_doc))
    return path


def test_terraform_to_a_directory(report_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = awsobs("fix", str(report_file), "--format", "terraform", "--output", f"{out}/")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["awsobs-fix.tf"]
    (line,) = result.stderr.splitlines()
    assert line.startswith("awsobs: fix: terraform (") and "of 133 FAIL finding(s)" in line
    assert result.stdout == ""


def test_the_script_to_stdout(report_file: Path) -> None:
    result = awsobs("fix", str(report_file), "--format", "sh", "--quiet")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("#!/bin/sh\n") and result.stderr == ""


def test_one_template_per_account_and_region(report_file: Path, tmp_path: Path) -> None:
    result = awsobs(
        "fix", str(report_file), "--format", "cloudformation", "--output", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.yaml")) == [
        "awsobs-fix-123456789012-us-east-1.yaml",
        "awsobs-fix-123456789012-us-west-2.yaml",
    ]


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["--format", "cloudformation"], ["2 files", "--output DIR"]),
        (["--format", "yaml"], ["--format", "yaml"]),
        (["--format", "sh", "--retention-days", "42"], ["42", "retention"]),
    ],
)
def test_bad_arguments(
    report_file: Path, env: dict[str, str], args: list[str], needles: list[str]
) -> None:
    one_line_error(awsobs("fix", str(report_file), *args, env=env), *needles)


def test_a_missing_or_broken_report(tmp_path: Path, env: dict[str, str]) -> None:
    one_line_error(awsobs("fix", str(tmp_path / "nope.json"), "--format", "sh", env=env), "nope")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    one_line_error(awsobs("fix", str(broken), "--format", "sh", env=env), "broken.json")


def test_scan_fix_output_is_checked_before_the_scan(env: dict[str, str]) -> None:
    """A typo fails at once, not after a scan of every region (this env's endpoint answers
    nothing: a scan that started would say so instead)."""
    for value, needle in (("cfn:out/", "FORMAT:PATH"), ("sh:", "no path")):
        one_line_error(awsobs("scan", "--fix-output", value, env=env), needle)
