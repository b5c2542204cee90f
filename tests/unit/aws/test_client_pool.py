"""One botocore client per service for every account and region (awsobs/aws/clients.py).

What a shared client must keep per account: the credentials each request is signed with,
and the retry state (standard retry quota, adaptive rate limiter), so that a throttled
account slows only itself. A local HTTP server answers sts:GetCallerIdentity, throttling
the requests signed by one access key, and records which key signed each attempt.
"""

from __future__ import annotations

import http.server
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

import boto3
import botocore.retries.bucket
import botocore.retries.standard
import pytest
from botocore.exceptions import NoCredentialsError
from helpers import THROTTLED, local_endpoint

from awsobs.aws.clients import ClientPool, record, sending, shared_session
from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.gateway import Gateway


def _identity(key: str) -> bytes:
    return (
        '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/{key}</Arn>"
        "<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
        "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
        "</GetCallerIdentityResponse>"
    ).encode()


class _Server(http.server.BaseHTTPRequestHandler):
    """Throttles every request signed by an access key in `throttled`; answers the others
    with an identity naming the key that signed them. Counts attempts per key."""

    throttled: ClassVar[set[str]] = set()
    seen: ClassVar[Counter[str]] = Counter()
    scopes: ClassVar[Counter[tuple[str, str]]] = Counter()  # (key, region signed for)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        auth = self.headers.get("Authorization", "")
        match = re.search(r"Credential=([^/]+)/\d+/([^/]+)/", auth)
        key, region = match.groups() if match else ("-", "-")
        type(self).seen[key] += 1
        type(self).scopes[key, region] += 1
        throttled = key in self.throttled or f"{key}@{region}" in self.throttled
        status, body = (400, THROTTLED) if throttled else (200, _identity(key))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Server]]:
    handler = type(
        "Handler", (_Server,), {"throttled": set(), "seen": Counter(), "scopes": Counter()}
    )
    # botocore's backoff, without the waiting (the adaptive limiter keeps its own state).
    monkeypatch.setattr(
        botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0.0
    )
    # ...and its rate limiter's token bucket, without the waiting: once throttled it would
    # hold each attempt for up to 2 s (0.5 requests a second). Whether the limiter turned
    # on is its own state, which the tests read.
    monkeypatch.setattr(botocore.retries.bucket.TokenBucket, "_sleep_amount", lambda self, n: 0.0)
    with local_endpoint(handler, monkeypatch):
        yield handler


def _account(key: str) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=key, aws_secret_access_key="secret", region_name="us-east-1"
    )


def _shared(*keys: str) -> tuple[ClientPool, list[Gateway]]:
    pool = ClientPool(shared_session(_account("BASE")), max_workers=8)
    return pool, [Gateway(_account(k), clients=pool) for k in keys]


def test_accounts_share_one_client_and_each_signs_as_itself(server: type[_Server]) -> None:
    pool, (a, b) = _shared("AKIDACCOUNTA", "AKIDACCOUNTB")
    for region in ("us-east-1", "eu-west-1"):
        assert a.call("sts", "GetCallerIdentity", region)["Arn"].endswith("/AKIDACCOUNTA")
        assert b.call("sts", "GetCallerIdentity", region)["Arn"].endswith("/AKIDACCOUNTB")
    assert a._client("sts", "us-east-1") is b._client("sts", "eu-west-1")
    assert len(pool._clients) == 1  # one sts client for both accounts and both regions
    assert server.seen == {"AKIDACCOUNTA": 2, "AKIDACCOUNTB": 2}  # never the base's key
    # ... and each request signed for the region it was sent to, not the client's first.
    assert server.scopes == {
        (key, region): 1
        for key in ("AKIDACCOUNTA", "AKIDACCOUNTB")
        for region in ("us-east-1", "eu-west-1")
    }
    assert a.api_calls == b.api_calls == 2  # each gateway counts its own requests


def test_accounts_signing_at_once_on_many_threads_keep_their_credentials(
    server: type[_Server],
) -> None:
    keys = [f"AKIDACCOUNT{i}" for i in range(6)]
    _, gateways = _shared(*keys)
    regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1"]

    def who(i: int) -> tuple[str, str]:
        gateway = gateways[i % len(keys)]
        arn = gateway.call("sts", "GetCallerIdentity", regions[i // len(keys)])["Arn"]
        return keys[i % len(keys)], arn

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(who, range(len(keys) * len(regions))))
    assert all(arn.endswith("/" + key) for key, arn in answers)
    assert server.seen == dict.fromkeys(keys, len(regions))


def test_a_pool_client_outside_a_gateway_call_signs_as_no_one(server: type[_Server]) -> None:
    pool, _ = _shared("AKIDACCOUNTA")
    client = pool.client("sts", "us-east-1")
    with pytest.raises(NoCredentialsError):
        client.get_caller_identity()
    assert not server.seen


def _limiter_on(gateway: Gateway, client: Any, region: str) -> bool:
    assert gateway.retries is not None
    with sending(gateway, region):
        (limiter,) = gateway.retries.handlers(client, "before-send")
    return bool(limiter.__self__._enabled)  # botocore's ClientRateLimiter state


def test_a_throttled_account_retries_alone(server: type[_Server]) -> None:
    """Account A is throttled: it gets its 8 attempts (botocore's own handler on the shared
    client never retries, or it would be more) and its rate limiter turns on; B, on the
    same client, sends once and its limiter stays off."""
    server.throttled = {"AKIDTHROTTLED"}
    _, (a, b) = _shared("AKIDTHROTTLED", "AKIDCALM")
    with pytest.raises(AwsError) as err:
        a.call("sts", "GetCallerIdentity", "us-east-1")
    assert err.value.kind is ErrorKind.THROTTLED
    b.call("sts", "GetCallerIdentity", "us-east-1")
    assert server.seen == {"AKIDTHROTTLED": 8, "AKIDCALM": 1}
    client = a._client("sts", "us-east-1")

    assert _limiter_on(a, client, "us-east-1") and not _limiter_on(b, client, "us-east-1")


def test_a_throttled_region_slows_only_itself(server: type[_Server]) -> None:
    """AWS throttles per region: the account's us-east-1 requests back off and turn its
    limiter on there; its eu-west-1 requests, on the same client, go once, limiter off."""
    server.throttled = {"AKIDACCOUNTA@us-east-1"}
    _, (a,) = _shared("AKIDACCOUNTA")
    with pytest.raises(AwsError):
        a.call("sts", "GetCallerIdentity", "us-east-1")
    a.call("sts", "GetCallerIdentity", "eu-west-1")
    assert server.scopes == {("AKIDACCOUNTA", "us-east-1"): 8, ("AKIDACCOUNTA", "eu-west-1"): 1}
    client = a._client("sts", "us-east-1")
    assert _limiter_on(a, client, "us-east-1") and not _limiter_on(a, client, "eu-west-1")


def test_legacy_mode_keeps_botocores_handler_on_the_shared_client(
    server: type[_Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Legacy retries keep no state per client: the shared client retries itself."""
    monkeypatch.setattr("botocore.retryhandler.delay_exponential", lambda *a, **kw: 0.0)
    monkeypatch.setenv("AWS_RETRY_MODE", "legacy")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "5")
    server.throttled = {"AKIDTHROTTLED"}
    _, (a, b) = _shared("AKIDTHROTTLED", "AKIDCALM")
    assert a.retries is None
    with pytest.raises(AwsError):
        a.call("sts", "GetCallerIdentity", "us-east-1")
    b.call("sts", "GetCallerIdentity", "us-east-1")
    assert server.seen == {"AKIDTHROTTLED": 5, "AKIDCALM": 1}


def test_botocore_registers_the_retry_handlers_awsobs_keeps_per_account(
    aws: boto3.Session,
) -> None:
    """A fence: awsobs makes each account's retry handlers with botocore's public
    `register_retry_handler` functions and dispatches the events they register. If botocore
    registers other events, or more handlers, this fails and clients.py must follow."""
    client = aws.client("dynamodb", region_name="us-east-1")
    events = [event for event, _ in record(client, "adaptive", 8)]
    assert sorted(events) == sorted(
        [
            "request-created.dynamodb",
            "after-call.dynamodb",
            "needs-retry.dynamodb",
            "before-send",
            "needs-retry",
        ]
    )
    assert [e for e, _ in record(client, "standard", 8)] == events[:3]


def test_the_users_own_clients_keep_their_credentials(server: type[_Server]) -> None:
    _, (a,) = _shared("AKIDACCOUNTA")
    a.call("sts", "GetCallerIdentity", "us-east-1")
    mine = _account("AKIDMINE").client("sts", region_name="us-east-1")
    assert mine.get_caller_identity()["Arn"].endswith("/AKIDMINE")
