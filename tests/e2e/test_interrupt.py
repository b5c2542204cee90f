"""Ctrl-C is prompt: even while every request is being retried after throttling.

The endpoint here answers sts:GetCallerIdentity, refuses ec2:DescribeRegions (so the scan
falls back to botocore's region list, as with a missing permission) and throttles every
other request, which botocore retries with exponential backoff of up to 20 s. Before
this, the pools waited for those retry loops: 64 s from Ctrl-C to exit here (74 s in the
issue's account).
"""

from __future__ import annotations

import http.server
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from helpers import new_session

from awsobs import scan
from awsobs.errors import ScanCancelled

IDENTITY = (
    '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/scanner</Arn>"
    "<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)
DENIED = (
    "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>denied</Message>"
    "</Error></Errors><RequestID>1</RequestID></Response>"
)

THROTTLED_JSON = '{"__type": "ThrottlingException", "message": "Rate exceeded"}'
THROTTLED_XML = (
    "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
    "<Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>"
)


class _Throttling(http.server.BaseHTTPRequestHandler):
    retried = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if b"Action=GetCallerIdentity" in body:
            self._answer(200, IDENTITY)
        elif b"Action=DescribeRegions" in body:
            self._answer(403, DENIED)
        else:
            type(self).retried += 1
            self._answer(400, THROTTLED_JSON if self._json() else THROTTLED_XML)

    def _json(self) -> bool:
        return bool(self.headers.get("X-Amz-Target")) or "json" in (
            self.headers.get("Content-Type") or ""
        )

    do_GET = do_POST

    def _answer(self, status: int, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def throttling() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    server.daemon_threads = True
    _Throttling.retried = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _wait_for_retries(count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while _Throttling.retried < count:
        assert time.monotonic() < deadline, "the scan never got to its retries"
        time.sleep(0.05)


def test_ctrl_c_during_retries_exits_130_within_2_s_and_writes_nothing(
    throttling: str, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    out.mkdir()
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": throttling,
        "AWS_MAX_ATTEMPTS": "10",
        "AWS_RETRY_MODE": "standard",
    }
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "awsobs", "scan", "--regions", "us-east-1,eu-west-1"),
            *("--output", f"json:{out / 'r.json'}", "--output", f"sarif:{out / 'r.sarif'}"),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_retries(24)  # requests are now sleeping between attempts
        time.sleep(0.5)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        proc.kill()
    assert proc.returncode == 130, stderr
    assert took < 2.0, f"{took:.1f} s from Ctrl-C to exit"
    assert stderr.strip().splitlines()[-1] == "awsobs: interrupted"
    assert "Traceback" not in stderr
    assert list(out.iterdir()) == [], "no report, and no half-written temporary file"
    assert stdout == ""


def test_cancel_stops_a_library_scan_promptly(
    throttling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", throttling)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "10")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")  # adaptive would also hold requests back
    session: boto3.Session = new_session(region_name="us-east-1")
    cancel = threading.Event()
    cancelled_at: list[float] = []

    def later() -> None:
        _wait_for_retries(8)  # the first requests are throttled and backing off
        time.sleep(0.5)
        cancelled_at.append(time.monotonic())
        cancel.set()

    timer = threading.Thread(target=later)
    timer.start()
    with pytest.raises(ScanCancelled):
        scan(session, regions=["us-east-1"], cancel=cancel)
    stopped = time.monotonic()
    timer.join()
    assert stopped - cancelled_at[0] < 1.0
