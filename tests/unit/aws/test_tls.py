"""awsobs.aws.tls: the pool's clients load their CA bundle once, not at every new TLS
connection, and verify exactly as botocore does.

A real HTTPS server on 127.0.0.1 (certificates from bench/certs.py: a CA and a leaf for
the IP 127.0.0.1) answers sts:GetCallerIdentity and closes every connection, so that each
request is a new TLS handshake. `ssl.SSLContext.load_verify_locations` is counted.
"""

from __future__ import annotations

import http.server
import ssl
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config
from botocore.httpsession import URLLib3Session
from helpers import REPO

from awsobs.aws.clients import ClientPool
from awsobs.aws.tls import share_ca_bundle

IDENTITY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/t</Arn>"
    b"<UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    b"</GetCallerIdentityResponse>"
)


class _Identity(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(IDENTITY)))
        self.send_header("Connection", "close")  # every request: a new connection
        self.end_headers()
        self.wfile.write(IDENTITY)

    def log_message(self, *args: Any) -> None:
        pass


def _certificates(directory: Path) -> Any:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from certs import make_certificates  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "bench"))
    directory.mkdir()
    return make_certificates(directory)


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Any, Path]]:
    """(https URL, the server's certificates, a CA bundle that does not sign them)."""
    certs = _certificates(tmp_path / "good")
    other = _certificates(tmp_path / "other").ca_bundle
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Identity)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certs.chain, certs.key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"https://127.0.0.1:{httpd.server_port}", certs, other
    finally:
        httpd.shutdown()


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every CA file loaded into any SSL context, in order."""
    seen: list[str] = []
    original = ssl.SSLContext.load_verify_locations

    def counting(self: ssl.SSLContext, cafile: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append(str(cafile))
        return original(self, cafile, *args, **kwargs)

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", counting)
    return seen


def _sts(url: str, verify: Any, **config: Any) -> Any:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    return session.client("sts", endpoint_url=url, verify=verify, config=Config(**config))


def test_botocore_loads_the_bundle_at_every_connection_and_the_shared_context_once(
    tls_server: tuple[str, Any, Path], loads: list[str]
) -> None:
    url, certs, _ = tls_server
    plain = _sts(url, str(certs.ca_bundle))
    for _ in range(4):
        plain.get_caller_identity()
    # The premise: botocore's client, four connections, four loads of the same file.
    assert loads == [str(certs.ca_bundle)] * 4
    loads.clear()

    contexts: dict[str, ssl.SSLContext] = {}
    first, second = _sts(url, str(certs.ca_bundle)), _sts(url, str(certs.ca_bundle))
    assert share_ca_bundle(first, contexts) and share_ca_bundle(second, contexts)
    for _ in range(4):
        assert first.get_caller_identity()["Account"] == "123456789012"
        assert second.get_caller_identity()["Account"] == "123456789012"
    assert loads == [str(certs.ca_bundle)]  # once, for both clients and eight connections
    assert list(contexts) == [str(certs.ca_bundle)]


def test_a_certificate_the_bundle_does_not_sign_is_refused_as_before(
    tls_server: tuple[str, Any, Path],
) -> None:
    url, _, other = tls_server
    plain, shared = _sts(url, str(other)), _sts(url, str(other))
    assert share_ca_bundle(shared, {})
    for client in (plain, shared):
        with pytest.raises(botocore.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            client.get_caller_identity()


def test_a_certificate_for_another_host_is_refused_as_before(
    tls_server: tuple[str, Any, Path],
) -> None:
    url, certs, _ = tls_server
    by_name = url.replace("127.0.0.1", "localhost")  # the certificate names the IP only
    plain, shared = _sts(by_name, str(certs.ca_bundle)), _sts(by_name, str(certs.ca_bundle))
    assert share_ca_bundle(shared, {})
    for client in (plain, shared):
        with pytest.raises(botocore.exceptions.SSLError):
            client.get_caller_identity()


def test_left_alone_without_verification_behind_a_proxy_or_with_a_client_certificate(
    tls_server: tuple[str, Any, Path], tmp_path: Path
) -> None:
    url, certs, _ = tls_server
    assert not share_ca_bundle(_sts(url, False), {})
    proxied = _sts(url, str(certs.ca_bundle), proxies={"https": "http://127.0.0.1:9"})
    assert not share_ca_bundle(proxied, {})
    with_cert = _sts(url, str(certs.ca_bundle), client_cert=str(certs.chain))
    assert not share_ca_bundle(with_cert, {})
    missing = _sts(url, str(tmp_path / "no-such-bundle.pem"))
    assert not share_ca_bundle(missing, {})  # botocore's request says what is wrong
    with pytest.raises(botocore.exceptions.SSLError):
        missing.get_caller_identity()


def test_botocore_still_has_the_private_shape_it_relies_on() -> None:
    """The fence: if botocore renames these, share_ca_bundle silently does nothing, and
    this test says so."""
    client = _sts("https://sts.us-east-1.amazonaws.com", True)
    session = client._endpoint.http_session
    assert type(session) is URLLib3Session
    assert session._verify is True
    assert isinstance(session._manager.connection_pool_kw["ssl_context"], ssl.SSLContext)

    class Pool:
        cert_reqs: str | None = None
        ca_certs: str | None = None

    pool = Pool()
    session._setup_ssl_cert(pool, "https://sts.amazonaws.com/", True)
    assert pool.cert_reqs == "CERT_REQUIRED" and pool.ca_certs  # the per-connection path
    assert share_ca_bundle(client, {})


def test_the_pool_clients_share_one_loaded_context(
    tls_server: tuple[str, Any, Path], loads: list[str]
) -> None:
    _, certs, _ = tls_server
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    session._session.set_config_variable("ca_bundle", str(certs.ca_bundle))
    pool = ClientPool(session)
    clients = [pool.client(s, "us-east-1") for s in ("sts", "logs", "cloudwatch")]
    contexts = {
        id(c._endpoint.http_session._manager.connection_pool_kw["ssl_context"]) for c in clients
    }
    assert len(contexts) == 1
    assert loads == [str(certs.ca_bundle)]
