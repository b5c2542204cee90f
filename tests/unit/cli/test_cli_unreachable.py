"""A request that never reached AWS is said as such (issue 18, item 5): the endpoint and the
cause (DNS, refused, proxy, TLS, timeout), one line, exit 2, never "rejected credentials".

The command runs in a subprocess against 127.0.0.1 only: a port that refuses connections,
a plain-HTTP server that an `https://` endpoint handshakes with (a TLS failure), a proxy
port that refuses. DNS is exercised in process with `socket.getaddrinfo` failing, so no
name is ever looked up.
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator

import pytest
from botocore import exceptions as bce
from cli_env import SCAN, one_line_error
from helpers import awsobs

import awsobs.cli as cli
from awsobs.aws.errors import ErrorKind, classify
from awsobs.aws.network import redact_url, unreachable


@pytest.fixture
def plain_http() -> Iterator[int]:
    """A server on 127.0.0.1 that speaks HTTP only: a TLS client's handshake fails."""

    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def _no_retries(env: dict[str, str]) -> dict[str, str]:
    env["AWS_MAX_ATTEMPTS"] = "1"
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        env.pop(proxy, None)
    return env


def test_a_refused_connection_names_the_endpoint(env: dict[str, str]) -> None:
    line = one_line_error(
        awsobs(*SCAN, env=_no_retries(env)),
        f"could not reach the AWS endpoint {env['AWS_ENDPOINT_URL']}",
        "for sts:GetCallerIdentity: connection refused",
    )
    assert "rejected" not in line and "credentials" not in line


def test_a_tls_failure_is_not_a_credentials_problem(env: dict[str, str], plain_http: int) -> None:
    env = _no_retries(env)
    env["AWS_ENDPOINT_URL"] = f"https://127.0.0.1:{plain_http}"
    line = one_line_error(
        awsobs(*SCAN, env=env),
        f"could not reach the AWS endpoint https://127.0.0.1:{plain_http}",
        "TLS failed (",
        "AWS_CA_BUNDLE",
    )
    assert "rejected" not in line


def test_a_proxy_that_refuses_is_named_without_its_password(
    env: dict[str, str], plain_http: int, refused: str
) -> None:
    env = _no_retries(env)
    env["AWS_ENDPOINT_URL"] = f"https://127.0.0.1:{plain_http}"
    proxy_port = refused.rsplit(":", 1)[1].strip("/")
    env["HTTPS_PROXY"] = f"http://scanner:s3cr3t-pw@127.0.0.1:{proxy_port}"
    line = one_line_error(
        awsobs(*SCAN, env=env),
        "could not connect to the proxy http://",
        f"127.0.0.1:{proxy_port}",
        "HTTPS_PROXY",
    )
    assert "s3cr3t-pw" not in line and "scanner" not in line


def test_a_name_that_does_not_resolve_is_a_dns_failure(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in _no_retries(env).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://sts.awsobs-test.invalid:4566")

    def no_dns(*_: object, **__: object) -> None:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    assert cli.main(["scan", "--regions", "us-east-1", "--checks", "cloudtrail.trail_logging"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "awsobs: error: could not reach the AWS endpoint http://sts.awsobs-test.invalid:4566/ "
        "for sts:GetCallerIdentity: the host name does not resolve (DNS lookup failed)\n"
    )


# -- the causes, from botocore's exceptions as they arrive -----------------------------------


def _refused_error() -> Exception:
    return bce.EndpointConnectionError(
        endpoint_url="http://127.0.0.1:9/", error=ConnectionRefusedError(111, "Connection refused")
    )


@pytest.mark.parametrize(
    ("exc", "cause"),
    [
        (_refused_error(), "connection refused"),
        (
            bce.EndpointConnectionError(
                endpoint_url="https://logs.ap-east-9.amazonaws.com/",
                error=socket.gaierror(-2, "Name or service not known"),
            ),
            "the host name does not resolve (DNS lookup failed)",
        ),
        (
            bce.ConnectTimeoutError(endpoint_url="https://sts.amazonaws.com/"),
            "connect timeout",
        ),
        (bce.ReadTimeoutError(endpoint_url="https://sts.amazonaws.com/"), "read timeout"),
        (
            bce.ConnectionClosedError(endpoint_url="https://sts.amazonaws.com/"),
            "the connection closed before a response came",
        ),
        (
            bce.SSLError(
                endpoint_url="https://sts.amazonaws.com/",
                error=OSError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed"),
            ),
            "TLS failed ([SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed)",
        ),
    ],
)
def test_each_transport_failure_gets_its_cause(exc: Exception, cause: str) -> None:
    found = unreachable(exc)
    assert found is not None and cause in found.cause
    err = classify(exc, "logs", "DescribeLogGroups", "ap-east-9")
    assert err.kind is ErrorKind.UNREACHABLE
    # Mid-scan the same words become the UNKNOWN finding's message, with the action.
    assert "for logs:DescribeLogGroups: " in err.describe() and cause in err.describe()
    assert str(exc.kwargs["endpoint_url"]) in err.describe()  # type: ignore[attr-defined]


def test_a_proxy_failure_names_the_client_endpoint_and_hides_credentials() -> None:
    exc = bce.ProxyConnectionError(proxy_url="http://me:hunter2@proxy.corp:3128")
    err = classify(exc, "sts", "GetCallerIdentity", "us-east-1", "https://sts.amazonaws.com")
    assert err.kind is ErrorKind.UNREACHABLE
    assert err.describe().startswith("could not reach the AWS endpoint https://sts.amazonaws.com")
    assert "http://***@proxy.corp:3128" in err.describe() and "hunter2" not in err.describe()


def test_answers_from_aws_are_not_network_failures() -> None:
    assert unreachable(bce.NoCredentialsError()) is None
    assert unreachable(ValueError("x")) is None
    assert redact_url("http://proxy:8080") == "http://proxy:8080"
    assert redact_url("http://u:p@proxy:8080/x") == "http://***@proxy:8080/x"
