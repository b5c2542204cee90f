"""scan(timeout=...): what did not finish is UNKNOWN, the rest of the report is whole.

A test check that waits on an event stands for a read that hangs: the scan must not wait
for it, and every other (check, region) keeps its own findings. The timeouts leave the
start-up (identity, regions) time to finish on a loaded machine: the `warm` fixture scans
once first, since the first scan of a process parses the service models (over 1 s).
"""

from __future__ import annotations

import http.server
import math
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from helpers import ACCOUNT, check_args, findings, only, trail

from awsobs import Context, Finding, Status, UsageError, scan
from awsobs.aws.gateway import Gateway
from awsobs.errors import ScanTimedOut, StartTimedOut
from awsobs.registry import check


@pytest.fixture
def hang(aws: boto3.Session) -> Iterator[threading.Event]:
    """Set to let the hanging checks go (at the end of the test, after the scan); the
    account has been scanned once, so the service models are loaded."""
    scan(aws, regions=["us-east-1"], checks=["cloudtrail.multi_region"])
    release = threading.Event()
    yield release
    release.set()


def _hanging_in(region: str, release: threading.Event, **kw: Any) -> Any:
    """A check that passes at once, except in `region`, where it waits for `release`."""

    def run(ctx: Context) -> Iterator[Finding]:
        if ctx.region == region:
            release.wait(30)
        ctx.call("s3", "ListBuckets", region="us-east-1")
        yield ctx.passed(*ctx.region_resource(), "read in time")

    return check(**check_args(id="test.hangs", **kw))(run)


def test_a_unit_past_the_timeout_is_unknown_and_the_rest_is_whole(
    aws: boto3.Session, hang: threading.Event
) -> None:
    trail(aws, "main", multi_region=True)
    hangs = _hanging_in("eu-west-1", hang)
    started = time.monotonic()
    report = scan(
        aws,
        regions=["us-east-1", "eu-west-1"],
        checks=[hangs, "cloudtrail.trail_logging", "cloudtrail.multi_region"],
        timeout=2,
    )
    took = time.monotonic() - started
    assert took < 3.0, f"{took:.1f} s: the scan waited for the hanging unit"
    late = {f.region: f for f in findings(report, "test.hangs")}
    assert late["us-east-1"].status is Status.PASS
    assert late["us-east-1"].message == "read in time"
    stuck = late["eu-west-1"]
    assert stuck.status is Status.UNKNOWN
    assert stuck.message == "not read before the timeout (2 s)"
    assert dict(stuck.evidence) == {"timeout_s": 2}
    assert (stuck.resource_type, stuck.resource_id) == ("AWS::Region", "eu-west-1")
    # The units that finished are whole: every region judged, nothing else UNKNOWN.
    assert {f.region: f.status for f in findings(report, "cloudtrail.trail_logging")} == {
        "us-east-1": Status.PASS,
        "eu-west-1": Status.PASS,
    }
    assert only(report, "cloudtrail.multi_region").status is Status.PASS
    assert report.summary() == {"PASS": 4, "FAIL": 0, "UNKNOWN": 1, "NOT_APPLICABLE": 0}
    assert report.errors == (
        f"scan stopped at the 2 s timeout: 1 of 5 checks x regions unfinished (account {ACCOUNT})",
    )
    assert report.api_calls_by_operation["cloudtrail:DescribeTrails"] == 2
    assert report.exit_code() == 3


def test_an_account_wide_unit_past_the_timeout_is_unknown_for_the_account(
    aws: boto3.Session, hang: threading.Event
) -> None:
    @check(**check_args(id="test.account_hangs", scope="account"))
    def hangs(ctx: Context) -> Iterator[Finding]:
        hang.wait(30)
        yield ctx.passed(*ctx.account_resource(), "never")

    report = scan(aws, regions=["us-east-1"], checks=[hangs], timeout=1.5)
    stuck = only(report, "test.account_hangs")
    assert (stuck.status, stuck.region, stuck.resource_type, stuck.resource_id) == (
        Status.UNKNOWN,
        "global",
        "AWS::::Account",
        ACCOUNT,
    )
    assert stuck.message == "not read before the timeout (1.5 s)"
    assert dict(stuck.evidence) == {"timeout_s": 1.5}


def test_a_scan_that_finishes_in_time_has_no_timeout_note(aws: boto3.Session) -> None:
    report = scan(aws, regions=["us-east-1"], checks=["cloudtrail.trail_logging"], timeout=60)
    assert report.errors == ()
    assert only(report, "cloudtrail.trail_logging").status is Status.FAIL  # no trail


def test_a_fail_beside_a_timed_out_unit_still_exits_1(
    aws: boto3.Session, hang: threading.Event
) -> None:
    hangs = _hanging_in("us-east-1", hang)
    report = scan(aws, regions=["us-east-1"], checks=[hangs, "cloudtrail.trail_logging"], timeout=2)
    assert only(report, "cloudtrail.trail_logging").status is Status.FAIL
    assert only(report, "test.hangs").status is Status.UNKNOWN
    assert report.exit_code() == 1
    assert report.exit_code(None) == 3


@pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf, "30", True])
def test_a_timeout_that_is_not_a_positive_number_is_a_usage_error(
    aws: boto3.Session, bad: Any
) -> None:
    with pytest.raises(UsageError, match="--timeout must be a positive number of seconds"):
        scan(aws, regions=["us-east-1"], timeout=bad)


def test_the_gateway_sends_nothing_past_its_deadline(aws: boto3.Session) -> None:
    sent: list[str] = []
    gw = Gateway(aws, deadline=time.monotonic() - 0.01, on_request=lambda *a: sent.append(a[1]))
    assert gw.timed_out
    with pytest.raises(ScanTimedOut):
        gw.call("cloudtrail", "DescribeTrails", "us-east-1")
    assert sent == [] and gw.api_calls == 0


class _Slow(http.server.BaseHTTPRequestHandler):
    """Answers every request with a 500, after `delay` seconds."""

    delay = 0.3
    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        time.sleep(self.delay)
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def slow(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Slow]]:
    handler = type("Handler", (_Slow,), {"requests": 0, "delay": 0.3})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{httpd.server_port}")
    yield handler
    httpd.shutdown()


def test_a_retry_after_the_deadline_is_not_sent(slow: type[_Slow]) -> None:
    # Each attempt takes 0.3 s: of the 4 the 5xx cap allows, those after 0.6 s are refused.
    gw = Gateway(boto3.Session(region_name="us-east-1"), deadline=time.monotonic() + 60)
    gw._client("sts", "us-east-1")  # made first: on a busy machine that alone took 0.6 s
    gw._deadline = time.monotonic() + 0.6
    with pytest.raises(ScanTimedOut):
        gw.call("sts", "GetCallerIdentity", "us-east-1")
    assert 1 <= slow.requests < 4


def test_a_timeout_before_the_account_is_identified_raises(slow: type[_Slow]) -> None:
    slow.delay = 10
    started = time.monotonic()
    with pytest.raises(StartTimedOut) as err:
        scan(boto3.Session(region_name="us-east-1"), regions=["us-east-1"], timeout=0.5)
    # Not the server's 10 s; the margin is for a loaded CI machine, where loading the
    # first clients' models alone took over a second (1.55 s measured, twice).
    assert time.monotonic() - started < 3
    assert str(err.value) == (
        "the 0.5 s timeout passed before the account was identified (sts:GetCallerIdentity): "
        "nothing was scanned (raise --timeout)"
    )
