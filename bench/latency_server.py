"""A moto server on 127.0.0.1 that sleeps before answering each request, and counts them.

Real AWS answers in tens of milliseconds; in-process moto answers in about one. Without
the added latency a benchmark measures moto's CPU time, not how well the scanner overlaps
its requests. The request counter is the server's own view, to check the scanner's count.

    with latency_server(latency_s=0.05) as server:
        ...  # point clients at server.url; server.requests counts what arrived

With `tls=True` it serves HTTPS with a certificate for 127.0.0.1 made at start
(certs.py); clients verify it against `server.ca_bundle`: botocore's default CA bundle
(certifi's) with the server's CA added, as large as the one a scan of AWS loads. Each
connection's TLS handshake runs in that connection's own thread (werkzeug's would run them one after
another in the accepting thread), and the server counts connections and handshakes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import ssl
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from botocore.httpsession import get_cert_path
from certs import make_certificates
from moto.moto_api._internal import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server

from awsobs.demo.moto_ext import (
    install_alarm_extensions,
    install_ssm_extension,
    reset_alarm_extensions,
    reset_ssm,
)

try:
    # moto 5.2.5 and later: werkzeug's handler, keeping headers with underscores (S3 object
    # metadata) that werkzeug drops; none of the scan's requests carries one.
    from moto.moto_server.werkzeug_app import MotoRequestHandler as BaseHandler
except ImportError:  # moto 5.1.0-5.2.4 (pyproject allows >=5.1) serve with werkzeug's own
    BaseHandler = WSGIRequestHandler  # type: ignore[misc,assignment]

HOST = "127.0.0.1"


class QuietHandler(BaseHandler):
    """moto's request handler without werkzeug's one access-log line per request; on a
    TLS socket it completes the handshake first, and counts the connection either way."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass

    def handle(self) -> None:
        middleware: LatencyMiddleware = self.server.app  # type: ignore[assignment]
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):  # e.g. a client that does not trust our CA
                middleware.connection(None, failed=True)
                return
            middleware.connection(self.connection.version())
        else:
            middleware.connection(None)
        super().handle()


class LatencyMiddleware:
    """WSGI middleware: count the request (by signing service), sleep, then call moto.

    Also keeps the largest number of requests seen in progress at once (`max_in_flight`),
    and counts each distinct request (credentials, region, service, method, path, query,
    body digest) to find any sent twice (`duplicates()`).
    """

    def __init__(self, app: Any, latency_s: float) -> None:
        self.app = app
        self.latency_s = latency_s  # may be changed between phases (seed fast, scan slow)
        self.by_service: Counter[str] = Counter()
        self.by_request: Counter[tuple[str, ...]] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.connections = 0  # accepted since the last reset
        self.tls_versions: Counter[str] = Counter()  # handshakes done, by protocol version
        self.failed_handshakes = 0
        self._lock = threading.Lock()

    def connection(self, tls_version: str | None, *, failed: bool = False) -> None:
        with self._lock:
            self.connections += 1
            if tls_version:
                self.tls_versions[tls_version] += 1
            self.failed_handshakes += failed

    def connection_counts(self) -> dict[str, Any]:
        """Connections accepted since the last reset, and the TLS handshakes among them."""
        with self._lock:
            return {
                "connections": self.connections,
                "tls_handshakes": dict(self.tls_versions),
                "failed_handshakes": self.failed_handshakes,
            }

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        key, region, service = _credential(environ.get("HTTP_AUTHORIZATION", ""))
        body = b""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if length:
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
        request = (
            key,
            region,
            service,
            _operation(environ, body),
            environ.get("REQUEST_METHOD", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            hashlib.sha1(body).hexdigest(),
        )
        with self._lock:
            self.by_service[service] += 1
            self.by_request[request] += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.latency_s > 0:
                time.sleep(self.latency_s)
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self.in_flight -= 1

    @property
    def requests(self) -> int:
        with self._lock:
            return sum(self.by_service.values())

    def reset_count(self) -> None:
        with self._lock:
            self.by_service.clear()
            self.by_request.clear()
            self.max_in_flight = self.in_flight
            self.connections = 0
            self.tls_versions.clear()
            self.failed_handshakes = 0

    def by_operation(self) -> Counter[str]:
        """Requests since the last reset by `service:operation` (signing service)."""
        with self._lock:
            out: Counter[str] = Counter()
            for k, n in self.by_request.items():
                out[f"{k[2]}:{k[3]}"] += n
            return out

    def duplicates(self) -> list[dict[str, Any]]:
        """Requests received more than once since the last reset (same credentials too)."""
        with self._lock:
            repeated = [(k, n) for k, n in self.by_request.items() if n > 1]
        return [
            {
                "region": k[1],
                "operation": f"{k[2]}:{k[3]}",
                "path": k[5],
                "query": k[6],
                "times": n,
            }
            for k, n in repeated
        ]


def _credential(auth: str) -> tuple[str, str, str]:
    """(key, region, service) of `AWS4-HMAC-SHA256 Credential=key/date/region/service/...`."""
    try:
        parts = auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")
        return parts[0], parts[2], parts[3]
    except IndexError:
        return "", "", "unsigned"


def _operation(environ: dict[str, Any], body: bytes) -> str:
    """The operation name where the request carries it (JSON target, query Action), else
    the method and path (REST protocols)."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    for form in (environ.get("QUERY_STRING", ""), body[:4096].decode("latin-1")):
        action = parse_qs(form).get("Action")
        if action:
            return action[0]
    return f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}"


class LatencyServer:
    """What `latency_server()` yields: the endpoint URL and the request counter."""

    def __init__(
        self, url: str, middleware: LatencyMiddleware, ca_bundle: Path | None = None
    ) -> None:
        self.url = url
        self.middleware = middleware
        self.ca_bundle = ca_bundle  # the CA to verify the server with (TLS only)

    @property
    def tls(self) -> bool:
        return self.ca_bundle is not None

    def connections(self) -> dict[str, Any]:
        return self.middleware.connection_counts()

    @property
    def requests(self) -> int:
        return self.middleware.requests

    @property
    def max_in_flight(self) -> int:
        return self.middleware.max_in_flight

    def reset_count(self) -> None:
        self.middleware.reset_count()

    def duplicates(self) -> list[dict[str, Any]]:
        return self.middleware.duplicates()

    def by_operation(self) -> Counter[str]:
        return self.middleware.by_operation()

    def set_latency(self, seconds: float) -> None:
        self.middleware.latency_s = seconds


@contextlib.contextmanager
def latency_server(latency_s: float = 0.05, *, tls: bool = False) -> Iterator[LatencyServer]:
    """Serve an empty moto account on a free port of 127.0.0.1 (threaded), then stop;
    over HTTPS with a certificate made for the occasion if `tls`.

    moto keeps its state in module globals, so the account is reset on entry and exit:
    each server starts empty even though all servers share the process.
    """
    moto_api_backend.reset()
    install_ssm_extension()  # moto lacks the SSM reads the EC2 checks make
    install_alarm_extensions()  # ... and listing S3 metrics configurations
    _install_xray_filter()  # ... and X-Ray trace summaries filtered to a service
    reset_ssm()
    reset_alarm_extensions()
    middleware = LatencyMiddleware(DomainDispatcherApplication(create_backend_app), latency_s)
    server = make_server(HOST, 0, middleware, threaded=True, request_handler=QuietHandler)
    with contextlib.ExitStack() as stack:
        ca_bundle = None
        if tls:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="awsobs-tls-")))
            certs = make_certificates(tmp, HOST)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certs.chain, certs.key)
            # werkzeug's ssl_context= would handshake in the accepting thread; here each
            # connection's handler thread does (QuietHandler.handle). werkzeug reads
            # server.ssl_context for wsgi.url_scheme.
            server.socket = context.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
            server.ssl_context = context
            # What clients trust: botocore's default bundle (certifi's public CAs) and this
            # server's CA, as an AWS_CA_BUNDLE made for a TLS-inspecting proxy is: loading
            # it costs what loading botocore's default does (the bench CA alone: nothing).
            ca_bundle = tmp / "bundle.pem"
            public = Path(get_cert_path(True)).read_bytes()
            ca_bundle.write_bytes(public.rstrip(b"\n") + b"\n" + certs.ca_bundle.read_bytes())
        thread = threading.Thread(target=server.serve_forever, name="latency-moto", daemon=True)
        thread.start()
        scheme = "https" if tls else "http"
        try:
            yield LatencyServer(f"{scheme}://{HOST}:{server.server_port}", middleware, ca_bundle)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            moto_api_backend.reset()
            reset_ssm()
            reset_alarm_extensions()


def _install_xray_filter() -> None:
    """moto answers any X-Ray FilterExpression with a 500; the X-Ray delivery checks send
    one. Absent from an awsobs older than those checks, which sends none."""
    try:
        from awsobs.demo.moto_delivery import install_xray_filter_extension
    except ImportError:
        return
    install_xray_filter_extension()
