"""The config file: awsobs.toml, [tool.awsobs] in pyproject.toml, --config; flags win."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from ec2_seed import instance, metrics
from helpers import awsobs, scan_json, trail

from awsobs.cli.config_file import Config, load_config


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_awsobs_toml_sets_scan_defaults(session: boto3.Session, tmp_path: Path) -> None:
    trail(session, "main")  # no log file validation: a medium FAIL
    write(
        tmp_path / "awsobs.toml",
        """
regions = ["us-east-1", "eu-west-1"]
checks = ["cloudtrail.log_file_validation", "cloudtrail.kms_encryption"]
fail_on = "high"
""",
    )
    code, doc = scan_json(cwd=tmp_path)
    assert doc["scan"]["regions"] == ["us-east-1", "eu-west-1"]
    assert doc["scan"]["checks"] == ["cloudtrail.log_file_validation", "cloudtrail.kms_encryption"]
    assert code == 0  # medium FAILs are below fail_on = "high"
    # A flag on the command line wins over the file.
    code, doc = scan_json("--regions", "us-east-1", "--fail-on", "medium", cwd=tmp_path)
    assert doc["scan"]["regions"] == ["us-east-1"] and code == 1


def test_pyproject_tool_table_and_explicit_config(session: boto3.Session, tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        """
[project]
name = "infra"

[tool.awsobs]
regions = "us-east-1"
checks = ["cloudtrail.trail_logging"]
""",
    )
    _, doc = scan_json(cwd=tmp_path)
    assert doc["scan"]["checks"] == ["cloudtrail.trail_logging"]
    other = write(tmp_path / "ci.toml", 'checks = ["cloudtrail.multi_region"]\nregions = "all"\n')
    _, doc = scan_json("--config", str(other), cwd=tmp_path)
    assert doc["scan"]["checks"] == ["cloudtrail.multi_region"]


def test_options_reach_the_checks(session: boto3.Session, tmp_path: Path) -> None:
    i = instance(session)
    metrics(session, i["id"], namespace="Acme/Agent")
    trail(session, "main")
    write(
        tmp_path / "awsobs.toml",
        """
regions = ["us-east-1"]
checks = ["ec2.cwagent_metrics", "cloudtrail.s3_delivery"]

[options]
cwagent_namespace = "Acme/Agent"

[options."cloudtrail.s3_delivery"]
max_age_hours = 6
""",
    )
    _, doc = scan_json(cwd=tmp_path)
    by_check = {f["check_id"]: f for f in doc["findings"]}
    assert by_check["ec2.cwagent_metrics"]["status"] == "PASS"
    assert by_check["ec2.cwagent_metrics"]["evidence"]["namespace"] == "Acme/Agent"
    assert by_check["cloudtrail.s3_delivery"]["evidence"]["max_age_hours"] == 6
    # --cwagent-namespace on the command line wins.
    _, doc = scan_json("--cwagent-namespace", "CWAgent", cwd=tmp_path)
    assert {f["check_id"]: f["status"] for f in doc["findings"]}["ec2.cwagent_metrics"] == "FAIL"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            'regions = ["us-east-1"\nchecks = []\n', "awsobs.toml: invalid TOML:", id="invalid-toml"
        ),
        pytest.param(
            'regions = ["us-east-1"]\n\ncolour = "blue"\n',
            "awsobs.toml:3: colour is not a setting",
            id="unknown-key",
        ),
        pytest.param(
            'fail_on = "severe"\n', "awsobs.toml:1: fail_on must be one of", id="bad-value"
        ),
        pytest.param(
            'checks = "cloudtrail.*"\n',
            "awsobs.toml:1: checks must be a list of strings",
            id="wrong-type",
        ),
        pytest.param(
            '[options]\ncolour = "blue"\n',
            "awsobs.toml:2: unknown option 'colour'",
            id="unknown-option",
        ),
        pytest.param(
            '[options."cloudtrail.s3_delivery"]\nmax_age_hours = "soon"\n',
            "awsobs.toml:2: option cloudtrail.s3_delivery.max_age_hours must be a number",
            id="option-type",
        ),
        pytest.param(
            '[options."s3.nope"]\nbuckets = []\n',
            "awsobs.toml:1: options given for unknown check 's3.nope'",
            id="unknown-check",
        ),
        pytest.param(
            "[options]\nbucket_tag = 1\n",
            "awsobs.toml:2: option s3.request_metrics_enabled.bucket_tag must be a string",
            id="option-type-string",
        ),
    ],
)
def test_bad_config_is_one_line_and_exit_2(
    session: boto3.Session, tmp_path: Path, text: str, message: str
) -> None:
    write(tmp_path / "awsobs.toml", text)
    result = awsobs("scan", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("awsobs: error:"), result.stderr
    assert message in lines[0]


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    write(tmp_path / "awsobs.toml", 'regions = ["us-east-1"]\nfail_on = \n')
    result = awsobs("scan", cwd=tmp_path)
    assert result.returncode == 2 and "(at line 2" in result.stderr


def test_missing_config_file_is_exit_2(tmp_path: Path) -> None:
    result = awsobs("scan", "--config", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"awsobs: error: config file {tmp_path / 'nope.toml'} does not exist"
    )


def test_no_config_anywhere_is_empty(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_config(cwd=tmp_path) == Config()
