"""A moto server on 127.0.0.1 that sleeps before answering each request, and counts them.

Real AWS answers in tens of milliseconds; in-process moto answers in about one. Without
the added latency a benchmark measures moto's CPU time, not how well the scanner overlaps
its requests. The request counter is the server's own view, to check the scanner's count.

    with latency_server(latency_s=0.05) as server:
        ...  # point clients at server.url; server.requests counts what arrived
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

from moto.moto_api._internal import moto_api_backend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from awsobs.demo.moto_ext import (
    install_alarm_extensions,
    install_ssm_extension,
    reset_alarm_extensions,
    reset_ssm,
)

HOST = "127.0.0.1"


class QuietHandler(MotoRequestHandler):
    """moto's request handler without werkzeug's one access-log line per request."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


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
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        key, service, region = _credential(environ.get("HTTP_AUTHORIZATION", ""))
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

    def __init__(self, url: str, middleware: LatencyMiddleware) -> None:
        self.url = url
        self.middleware = middleware

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

    def set_latency(self, seconds: float) -> None:
        self.middleware.latency_s = seconds


@contextlib.contextmanager
def latency_server(latency_s: float = 0.05) -> Iterator[LatencyServer]:
    """Serve an empty moto account on a free port of 127.0.0.1 (threaded), then stop.

    moto keeps its state in module globals, so the account is reset on entry and exit:
    each server starts empty even though all servers share the process.
    """
    moto_api_backend.reset()
    install_ssm_extension()  # moto lacks the SSM reads the EC2 checks make
    install_alarm_extensions()  # ... and listing S3 metrics configurations
    reset_ssm()
    reset_alarm_extensions()
    middleware = LatencyMiddleware(DomainDispatcherApplication(create_backend_app), latency_s)
    server = make_server(HOST, 0, middleware, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="latency-moto", daemon=True)
    thread.start()
    try:
        yield LatencyServer(f"http://{HOST}:{server.server_port}", middleware)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        moto_api_backend.reset()
        reset_ssm()
        reset_alarm_extensions()
