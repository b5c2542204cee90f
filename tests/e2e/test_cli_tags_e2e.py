"""`awsobs scan --tag KEY=VALUE` and a suppression by tag in awsobs.toml, end to end: the
command in a subprocess against the moto server over HTTP (conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from helpers import awsobs

SCAN = (
    "scan",
    "--regions",
    "us-east-1",
    "--checks",
    "logs.retention_defined,cloudtrail.trail_logging",
)


def _groups(session: boto3.Session) -> None:
    logs = session.client("logs")
    logs.create_log_group(logGroupName="/app/sandbox", tags={"env": "sandbox"})
    logs.create_log_group(logGroupName="/app/prod", tags={"env": "prod"})
    logs.create_log_group(logGroupName="/app/untagged")


def test_tag_flag_and_tag_suppression_from_the_config_file(
    session: boto3.Session, tmp_path: Path
) -> None:
    _groups(session)
    (tmp_path / "awsobs.toml").write_text(
        '[[suppressions]]\ncheck = "logs.retention_defined"\n'
        'reason = "sandbox logs are disposable"\ntags = {env = "sandbox"}\n'
    )
    report = tmp_path / "report.json"
    shown = awsobs(*SCAN, "--output", f"json:{report}", cwd=tmp_path)
    assert shown.returncode == 1, shown.stderr
    doc = json.loads(report.read_text())
    quiet = {
        f["resource_id"].split(":log-group:")[-1].removesuffix(":*"): f["suppressed"]
        for f in doc["findings"]
        if f["check_id"] == "logs.retention_defined"
    }
    assert quiet == {"/app/sandbox": True, "/app/prod": False, "/app/untagged": False}
    assert "sandbox logs are disposable" in shown.stdout  # the suppressed section
    assert doc["scan"]["api_calls_by_operation"]["resourcegroupstaggingapi:GetResources"] == 1

    only = awsobs(*SCAN, "--tag", "env=prod", "--output", f"json:{report}", cwd=tmp_path)
    assert only.returncode == 1, only.stderr
    doc = json.loads(report.read_text())
    ids = sorted(f["resource_id"].removesuffix(":*") for f in doc["findings"])
    assert [i for i in ids if ":log-group:" in i] == [
        "arn:aws:logs:us-east-1:123456789012:log-group:/app/prod"
    ]
    assert any(f["resource_type"] == "AWS::Region" for f in doc["findings"])
    assert doc["scan"]["tag_filter"] == {"env": "prod"}
    assert "| only resources tagged env=prod" in only.stdout


def test_a_malformed_tag_flag_is_one_line_and_exit_2(endpoint: str, tmp_path: Path) -> None:
    result = awsobs(*SCAN, "--tag", "env", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "awsobs: error: --tag 'env': expected KEY=VALUE (e.g. --tag env=prod)\n"
    )
