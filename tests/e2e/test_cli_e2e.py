"""The `awsobs` command end to end: a subprocess against a moto server over HTTP.

The server (conftest.py) listens on a free 127.0.0.1 port and is reset before each test;
`AWS_ENDPOINT_URL` points boto3 (in the CLI process and in the seeding code) at it.
The server runs in this process, so tests/moto_ext.py extensions apply to it.
"""

from __future__ import annotations

import http.server
import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
from cloudtrail_seed import LEGACY, MAIN, seed_mixed_account
from helpers import ACCOUNT, MGMT_ALL, awsobs, restricted_session, scan_json, trail, verdicts
from moto_ext import iam_enforced


def test_scan_json_gives_every_cloudtrail_verdict(session: boto3.Session) -> None:
    seed_mixed_account(session)
    code, doc = scan_json("--regions", "us-east-1,eu-west-1", "--checks", "cloudtrail.*")
    assert code == 1
    assert doc["schema_version"] == 1 and doc["tool"]["name"] == "awsobs"
    assert doc["scan"]["accounts"] == [ACCOUNT]
    assert doc["scan"]["regions"] == ["us-east-1", "eu-west-1"]
    assert len(doc["scan"]["checks"]) == 14
    assert {f["check_id"] for f in doc["findings"]} == set(doc["scan"]["checks"])
    got = verdicts(doc)
    expected = {
        ("cloudtrail.trail_logging", "us-east-1"): "PASS",
        ("cloudtrail.trail_logging", "eu-west-1"): "PASS",  # main's shadow covers it
        ("cloudtrail.multi_region", ACCOUNT): "PASS",
        ("cloudtrail.management_events_rw", MAIN): "PASS",
        ("cloudtrail.management_events_rw", LEGACY): "FAIL",  # stopped
        ("cloudtrail.s3_delivery", MAIN): "PASS",
        ("cloudtrail.s3_delivery", LEGACY): "FAIL",
        ("cloudtrail.log_file_validation", MAIN): "PASS",
        ("cloudtrail.log_file_validation", LEGACY): "FAIL",
        ("cloudtrail.kms_encryption", MAIN): "PASS",
        ("cloudtrail.kms_encryption", LEGACY): "FAIL",
        ("cloudtrail.cloudwatch_logs", MAIN): "PASS",
        ("cloudtrail.cloudwatch_logs", LEGACY): "FAIL",
        ("cloudtrail.bucket_access_logging", "arn:aws:s3:::main-logs"): "FAIL",
        ("cloudtrail.bucket_access_logging", "arn:aws:s3:::legacy-logs"): "FAIL",
        ("cloudtrail.s3_data_events_read", ACCOUNT): "PASS",
        ("cloudtrail.s3_data_events_write", ACCOUNT): "PASS",
        ("cloudtrail.dynamodb_data_events", "us-east-1"): "NOT_APPLICABLE",
        ("cloudtrail.dynamodb_data_events", "eu-west-1"): "NOT_APPLICABLE",
        ("cloudtrail.lambda_data_events", "us-east-1"): "NOT_APPLICABLE",
        ("cloudtrail.lambda_data_events", "eu-west-1"): "NOT_APPLICABLE",
        ("cloudtrail.insights", "us-east-1"): "FAIL",  # main has no Insights selectors
        ("cloudtrail.insights", "eu-west-1"): "FAIL",
        ("cloudtrail.bucket_not_public", "arn:aws:s3:::main-logs"): "PASS",
        ("cloudtrail.bucket_not_public", "arn:aws:s3:::legacy-logs"): "PASS",
    }
    assert got == expected
    assert doc["summary"] == {"PASS": 12, "FAIL": 9, "UNKNOWN": 0, "NOT_APPLICABLE": 4}
    # Two trails seen in two regions: one status and one selector read per trail.
    calls = doc["scan"]["api_calls_by_operation"]
    assert calls["cloudtrail:GetTrailStatus"] == 2
    assert calls["cloudtrail:GetEventSelectors"] == 2
    assert calls["cloudtrail:DescribeTrails"] == 2
    assert doc["scan"]["api_calls"] == sum(calls.values())


def test_clean_scan_exits_0(session: boto3.Session) -> None:
    trail(session, "main", multi_region=True, advanced=MGMT_ALL)
    code, doc = scan_json(
        "--regions",
        "us-east-1,eu-west-1",
        "--checks",
        "cloudtrail.trail_logging",
        "cloudtrail.multi_region",
    )
    assert code == 0 and doc["summary"]["FAIL"] == 0 and doc["summary"]["PASS"] == 3


def test_incomplete_scan_exits_3(session: boto3.Session) -> None:
    code, doc = scan_json("--regions", "ap-east-1", "--checks", "cloudtrail.trail_logging")
    assert code == 3
    assert [f["status"] for f in doc["findings"]] == ["UNKNOWN"]
    assert "not enabled" in doc["findings"][0]["message"]


@pytest.mark.parametrize(("fail_on", "code"), [("low", 1), ("medium", 1), ("high", 0), ("none", 0)])
def test_fail_on_threshold(session: boto3.Session, fail_on: str, code: int) -> None:
    trail(session, "main")  # no log file validation: a medium FAIL
    result = awsobs(
        "scan",
        "--regions",
        "us-east-1",
        "--checks",
        "cloudtrail.log_file_validation",
        "--fail-on",
        fail_on,
    )
    assert result.returncode == code, result.stderr


def test_access_denied_over_http_is_unknown_naming_the_action(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    trail(session, "main", multi_region=True)
    scanner = restricted_session(
        session,
        [
            "sts:GetCallerIdentity",
            "ec2:DescribeRegions",
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetTrailStatus",
        ],
        deny=["cloudtrail:GetEventSelectors"],
    )
    creds = scanner.get_credentials()
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": creds.access_key,
        "AWS_SECRET_ACCESS_KEY": creds.secret_key,
    }
    with iam_enforced():
        code, doc = scan_json(
            "--regions", "us-east-1", "--checks", "cloudtrail.multi_region", env=env
        )
    assert code == 3
    (f,) = doc["findings"]
    assert f["status"] == "UNKNOWN" and "cloudtrail:GetEventSelectors" in f["message"]
    assert f["evidence"]["error"]["kind"] == "access_denied"


def test_default_regions_are_the_enabled_ones(session: boto3.Session) -> None:
    code, doc = scan_json("--checks", "cloudtrail.trail_logging")
    regions = doc["scan"]["regions"]
    assert len(regions) == 24 and "us-east-1" in regions  # moto's enabled regions
    assert "ap-east-1" not in regions  # listed by DescribeRegions as not-opted-in
    assert code == 1  # no trail anywhere


def test_check_globs_and_exclusions(session: boto3.Session) -> None:
    _, doc = scan_json(
        "--regions",
        "us-east-1",
        "--checks",
        "cloudtrail.s3_*",
        "--exclude-checks",
        "cloudtrail.s3_delivery",
    )
    assert doc["scan"]["checks"] == [
        "cloudtrail.s3_data_events_read",
        "cloudtrail.s3_data_events_write",
    ]


def test_table_report_and_output_file(session: boto3.Session, tmp_path: Path) -> None:
    seed_mixed_account(session)
    table = awsobs("scan", "--regions", "us-east-1,eu-west-1", "--checks", "cloudtrail.*")
    assert table.returncode == 1
    out = table.stdout
    assert "cloudtrail.kms_encryption  [medium]" in out
    assert "trail/legacy" in out and "FAIL" in out
    assert "trail 'main' encrypts" not in out  # PASS hidden by default
    assert out.rstrip().splitlines()[-1].startswith("Summary: 12 PASS, 9 FAIL, 0 UNKNOWN")
    assert table.stderr == ""  # no progress: stderr is not a terminal
    shown = awsobs(
        "scan", "--regions", "us-east-1,eu-west-1", "--show-pass", "--checks", "cloudtrail.*"
    )
    assert "trail 'main' encrypts" in shown.stdout
    target = tmp_path / "report.json"
    written = awsobs("scan", "--regions", "us-east-1", "--format", "json", "--output", str(target))
    assert written.returncode == 1 and written.stdout == ""
    assert json.loads(target.read_text())["schema_version"] == 1


def test_progress_is_drawn_only_on_a_terminal(session: boto3.Session) -> None:
    leader, follower = pty.openpty()
    try:
        result = awsobs(
            "scan",
            "--regions",
            "us-east-1",
            "--checks",
            "cloudtrail.kms_encryption",
            "cloudtrail.trail_logging",
            stderr=follower,
            stdout=subprocess.PIPE,
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
    assert result.returncode == 1
    assert b"[1/2]" in drawn and b"[2/2]" in drawn


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "--checks", "cloudtrail.nope"], "no check matches 'cloudtrail.nope'"),
        (["scan", "--regions", "us-east-9"], "unknown region 'us-east-9'"),
        (["scan", "--profile", "nobody"], "unknown AWS profile 'nobody'"),
        (["scan", "--fail-on", "severe"], "invalid choice: 'severe'"),
        (["scan", "--max-workers", "0"], "at least 1"),
        (["scan", "--output", "/nonexistent/dir/r.json"], "does not exist"),
        (["explode"], "invalid choice: 'explode'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    session: boto3.Session, args: list[str], message: str
) -> None:
    result = awsobs(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("awsobs: error:") and message in lines[0]


def test_no_credentials_is_exit_2(endpoint: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ACCESS")}
    env.pop("AWS_SECRET_ACCESS_KEY", None)
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # never probe 169.254.169.254
    result = awsobs("scan", "--regions", "us-east-1", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "awsobs: error: no AWS credentials found: pass --profile, set AWS_PROFILE or "
        "AWS_ACCESS_KEY_ID, or run `aws configure` / `aws sso login`"
    )


class _StsError(http.server.BaseHTTPRequestHandler):
    """Answers every request as STS would for rejected credentials (moto never does)."""

    code = "ExpiredToken"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = (
            '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
            f"<Type>Sender</Type><Code>{self.code}</Code><Message>rejected</Message>"
            "</Error><RequestId>1</RequestId></ErrorResponse>"
        ).encode()
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ExpiredToken", "the AWS credentials have expired (ExpiredToken)"),
        ("InvalidClientTokenId", "AWS rejected the credentials (InvalidClientTokenId)"),
    ],
)
def test_rejected_credentials_are_exit_2(code: str, message: str) -> None:
    handler = type("Handler", (_StsError,), {"code": code})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {**os.environ, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{server.server_port}"}
        env["AWS_MAX_ATTEMPTS"] = "1"
        result = awsobs("scan", "--regions", "us-east-1", env=env)
    finally:
        server.shutdown()
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_checks_catalogue_and_version(session: boto3.Session) -> None:
    listed = json.loads(awsobs("checks", "--format", "json").stdout)
    assert "cloudtrail.multi_region" in {c["id"] for c in listed}
    assert all(c["permissions"] for c in listed)
    script = Path(sys.executable).parent / "awsobs"
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("awsobs ")
