"""A moto server on 127.0.0.1 that sleeps before answering each request, and counts them.

Real AWS answers in tens of milliseconds; in-process moto answers in about one. Without
the added latency a benchmark measures moto's CPU time, not how well the scanner overlaps
its requests. The request counter is the server's own view, to check the scanner's count.

    with latency_server(latency_s=0.05) as server:
        ...  # point clients at server.url; server.requests counts what arrived
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from moto.moto_api._internal import moto_api_backend
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

from awsobs.demo_moto import (
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

    Also keeps the largest number of requests seen in progress at once (`max_in_flight`).
    """

    def __init__(self, app: Any, latency_s: float) -> None:
        self.app = app
        self.latency_s = latency_s  # may be changed between phases (seed fast, scan slow)
        self.by_service: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        service = _signing_service(environ.get("HTTP_AUTHORIZATION", ""))
        with self._lock:
            self.by_service[service] += 1
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
            self.max_in_flight = self.in_flight


def _signing_service(auth: str) -> str:
    """`cloudtrail` from `AWS4-HMAC-SHA256 Credential=key/date/region/cloudtrail/aws4_request`."""
    try:
        return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")[3]
    except IndexError:
        return "unsigned"


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
