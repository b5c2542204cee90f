"""Retries: throttling gets the whole budget (8 attempts), any other failure 4 attempts.

A local HTTP server answers sts:GetCallerIdentity with the failure under test and counts
the attempts that reach it. Throttling tests take botocore's waiting out (its backoff
sleep and adaptive mode's send-rate limiter: 37 s for 8 throttled attempts), so that they
count attempts in a fraction of a second; the 5xx tests keep botocore's real backoff.
"""

from __future__ import annotations

import http.server
import socket
import time
from collections.abc import Iterator
from typing import Any, ClassVar

import boto3
import botocore.retries.adaptive
import botocore.retries.standard
import botocore.retryhandler
import pytest
from helpers import THROTTLED, local_endpoint

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.gateway import Gateway

IDENTITY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/scanner</Arn>"
    b"<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
)


class _Server(http.server.BaseHTTPRequestHandler):
    """Answers each POST with the next entry of `script` (the last one repeats):
    an HTTP status (500, 503), "throttle" (400 Throttling), "ok" (the caller's identity)
    or "close" (the connection closed without an answer)."""

    script: ClassVar[list[Any]] = [500]
    requests = 0

    def do_POST(self) -> None:
        cls = type(self)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        answer = cls.script[min(cls.requests, len(cls.script) - 1)]
        cls.requests += 1
        if answer == "close":
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, body = {"throttle": (400, THROTTLED), "ok": (200, IDENTITY)}.get(
            answer, (answer, b"")
        )
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Server]]:
    """AWS_ENDPOINT_URL at a local server of its own; set `.script` before the read."""
    handler = type("Handler", (_Server,), {"requests": 0, "script": [500]})
    with local_endpoint(handler, monkeypatch):
        yield handler


@pytest.fixture
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's backoff and adaptive rate limiting, without the waiting."""
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0.0
    )
    monkeypatch.setattr(
        botocore.retries.adaptive.ClientRateLimiter,
        "on_sending_request",
        lambda self, request, **kw: None,
    )
    # Legacy mode has a backoff of its own: rand() * 2 ** (attempt - 1) seconds, so the 9th
    # of 10 throttled attempts alone could wait 256 s.
    monkeypatch.setattr(botocore.retryhandler, "delay_exponential", lambda *a, **kw: 0.0)


def _read() -> AwsError:
    """GetCallerIdentity through a fresh gateway; the error it ends with."""
    with pytest.raises(AwsError) as err:
        Gateway(boto3.Session(region_name="us-east-1")).call(
            "sts", "GetCallerIdentity", "us-east-1"
        )
    return err.value


@pytest.mark.parametrize("status", [500, 503])
def test_a_read_that_keeps_answering_5xx_gives_up_after_4_attempts(
    server: type[_Server], status: int
) -> None:
    server.script = [status]
    started = time.monotonic()
    error = _read()
    took = time.monotonic() - started
    assert server.requests == 4  # 3 retries, not the 7 of the throttling budget
    assert error.kind is ErrorKind.ERROR
    assert took < 5, f"{took:.1f} s"  # botocore's real backoff: about 0.4 s


def test_a_connection_closed_without_an_answer_is_retried_3_times(server: type[_Server]) -> None:
    server.script = ["close"]
    _read()
    assert server.requests == 4


def test_throttling_keeps_the_whole_budget_of_8_attempts(
    server: type[_Server], no_waiting: None
) -> None:
    server.script = ["throttle"]
    error = _read()
    assert server.requests == 8
    assert error.kind is ErrorKind.THROTTLED


def test_throttling_does_not_use_up_the_5xx_retries(
    server: type[_Server], no_waiting: None
) -> None:
    # 3 throttled attempts, then 5xx: still 4 attempts for the 5xx (7 in all).
    server.script = ["throttle", "throttle", "throttle", 500]
    _read()
    assert server.requests == 7


def test_a_read_that_answers_on_its_4th_attempt_succeeds(server: type[_Server]) -> None:
    server.script = [500, 503, 500, "ok"]
    who = Gateway(boto3.Session(region_name="us-east-1")).call(
        "sts", "GetCallerIdentity", "us-east-1"
    )
    assert who["Account"] == "123456789012"
    assert server.requests == 4


@pytest.mark.parametrize("mode", ["standard", "adaptive", "legacy"])
def test_users_retry_budget_is_for_throttling_and_5xx_stay_capped(
    server: type[_Server], no_waiting: None, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("AWS_RETRY_MODE", mode)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "10")
    server.script = ["throttle"]
    _read()
    assert server.requests == 10
    server.requests, server.script = 0, [500]
    _read()
    assert server.requests == 4


def test_a_users_lower_budget_wins_over_the_cap(
    server: type[_Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    _read()
    assert server.requests == 2
