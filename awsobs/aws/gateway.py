"""The AWS gateway: every AWS read of a scan goes through `Gateway.call`.

What it guarantees, so checks don't have to:
- read-only by construction: an operation that is not a read is refused before a request
  is built, and so are reads that return secrets or object contents; fields that carry
  secrets beside metadata are dropped from each page as it arrives (readpolicy.py);
- one botocore client per (service, region), created lazily and shared by all threads;
- every read is made at most once per scan per (region, service, operation, parameters):
  concurrent askers wait for the one request in flight (single-flight), later askers get
  the memoized result or the memoized error;
- results are paginated to the end and frozen (read-only mappings and tuples), so cached
  data can't be changed by the check that received it;
- errors come back as `AwsError` values with a kind (denied, region, throttled, ...);
- every request (page) is counted per operation, for `scan.api_calls`;
- a read that fails other than by throttling is retried at most 3 times (retry_cap.py);
- after `cancel()`, or past the `deadline`, nothing more is sent.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.client
from botocore import xform_name
from botocore.config import Config
from botocore.model import OperationModel

from awsobs import __version__
from awsobs.aws.env_errors import profile_key, shown
from awsobs.aws.errors import AwsError, ReadOnlyViolation, classify
from awsobs.aws.iam import iam_action
from awsobs.aws.readpolicy import is_read, scrub_events
from awsobs.aws.retry_cap import OtherRetryCap
from awsobs.errors import ScanCancelled, ScanTimedOut, UsageError
from awsobs.once import OnceMap

log = logging.getLogger("awsobs.aws")


def is_allowed(service: str, operation: str) -> bool:
    """True for the operations the gateway may send (awsobs/aws/readpolicy.py)."""
    return is_read(service, operation)


def _refusal(service: str, operation: str, region: str) -> ReadOnlyViolation:
    action = iam_action(service, operation)
    return ReadOnlyViolation(
        service,
        operation,
        region,
        f"awsobs never sends {action}: it is not a read, or it returns secrets or content",
    )


def freeze(value: Any) -> Any:
    """Recursively make a parsed response read-only (dict -> mappingproxy, list -> tuple)."""
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


RequestHook = Callable[[str, str, str, Mapping[str, Any]], None]


def _is_address(url: str | None) -> bool:
    """Is the endpoint's host an IP address or localhost (not a name AWS prefixes)?"""
    host = urlsplit(url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _AddressOnly:
    """With an endpoint override to an address (a local moto, a proxy), send every
    request there: the endpoint rules of some services put a name in front of the host
    (s3control's `<account>.`), which turns the address into a name that resolves
    nowhere, or somewhere else."""

    def __init__(self, endpoint: str) -> None:
        self._netloc = urlsplit(endpoint).netloc

    def __call__(self, request: Any, **_: Any) -> None:
        url = urlsplit(request.url)
        if url.netloc != self._netloc and url.netloc.endswith("." + self._netloc):
            request.url = url._replace(netloc=self._netloc).geturl()


def _retries(session: boto3.Session) -> Any:
    """Adaptive mode with 8 attempts, unless the user configured retries themselves
    (AWS_RETRY_MODE / AWS_MAX_ATTEMPTS, or retry_mode / max_attempts in their profile).
    That is the budget of a throttled read; any other failure is retried at most 3 times
    within it (`retry_cap.OtherRetryCap`, registered on every gateway client).

    A value botocore would refuse (a mode other than legacy, standard or adaptive; a
    number of attempts that is not a whole number of at least 1) is a `UsageError` that
    names the variable, or the key, profile and file it came from."""
    profile = session._session.get_scoped_config()  # the botocore session's profile section

    def setting(variable: str, key: str) -> tuple[str, Any]:
        """(where the value came from, the value); the variable wins, as in botocore."""
        if os.environ.get(variable):
            return variable, os.environ[variable]
        return profile_key(session, key), profile.get(key)

    where, mode = setting("AWS_RETRY_MODE", "retry_mode")
    mode = mode or "adaptive"
    if mode not in ("legacy", "standard", "adaptive"):
        raise UsageError(f"{where} is {shown(mode)}, not one of legacy, standard, adaptive")
    where, attempts = setting("AWS_MAX_ATTEMPTS", "max_attempts")
    text = str(attempts or 8).strip()
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
        raise UsageError(f"{where} is {shown(attempts)}, not a whole number of at least 1")
    # total_max_attempts counts the first request, as AWS_MAX_ATTEMPTS does (the dict's
    # max_attempts would count retries only).
    return {"mode": mode, "total_max_attempts": int(text)}


# botocore builds a new client class (a Python method for every operation of the service:
# about 700 for EC2) each time it creates a client, and the scan's CPU time was mostly
# that. Within one Gateway, the clients of a service in every region can share one class:
# it depends only on the service model and the session's event handlers. botocore has no
# hook to hand it a class, so `_sharing_classes` puts a wrapper on ClientCreator only
# while a Gateway creates a client, and puts botocore's own method back when no Gateway
# is creating one: importing awsobs changes nothing in botocore, and between client
# creations the process has botocore as it came. While the wrapper is in place, a client
# another thread creates meanwhile gets botocore's own behaviour (a thread-local marks
# the Gateway's own creations), and each Gateway's cache lives as long as the Gateway.
_BUILDING = threading.local()
_CREATOR: Any = botocore.client.ClientCreator  # the stubs do not declare the private method
_PATCH_LOCK = threading.Lock()
_PATCH_USERS = 0
_ORIGINAL_CLIENT_CLASS: Any = None


def _shared_client_class(self: Any, service_name: str, service_model: Any) -> Any:
    original = _ORIGINAL_CLIENT_CLASS
    cache: dict[tuple[int, str, str], tuple[Any, Any]] | None = getattr(_BUILDING, "classes", None)
    if cache is None:
        return original(self, service_name, service_model)
    emitter = self._event_emitter
    key = (id(emitter), service_name, str(service_model.api_version))
    hit = cache.get(key)
    if hit is None or hit[0] is not emitter:
        hit = (emitter, original(self, service_name, service_model))
        cache[key] = hit
    return hit[1]


@contextlib.contextmanager
def _sharing_classes(cache: dict[tuple[int, str, str], tuple[Any, Any]]) -> Iterator[None]:
    """Within the block, clients this thread creates share `cache`'s client classes."""
    global _PATCH_USERS, _ORIGINAL_CLIENT_CLASS
    with _PATCH_LOCK:
        if _PATCH_USERS == 0:
            _ORIGINAL_CLIENT_CLASS = _CREATOR.__dict__["_create_client_class"]
            _CREATOR._create_client_class = _shared_client_class
        _PATCH_USERS += 1
    _BUILDING.classes = cache
    try:
        yield
    finally:
        _BUILDING.classes = None
        with _PATCH_LOCK:
            _PATCH_USERS -= 1
            if _PATCH_USERS == 0:
                _CREATOR._create_client_class = _ORIGINAL_CLIENT_CLASS


class Gateway:
    """Memoizing, single-flight, counting access to one AWS account's read APIs."""

    def __init__(
        self,
        session: boto3.Session,
        *,
        max_workers: int = 16,
        on_request: RequestHook | None = None,
        cancel: threading.Event | None = None,
        deadline: float | None = None,
    ) -> None:
        """`deadline`: a `time.monotonic()` value after which nothing more is sent: every
        later request and retry raises `ScanTimedOut` (the engine's `timeout`)."""
        self._session = session
        self._cancel = cancel or threading.Event()
        self._deadline = deadline
        self._config = Config(
            retries=_retries(session),
            max_pool_connections=max(10, max_workers + 4),
            connect_timeout=5,
            read_timeout=30,
            user_agent_extra=f"awsobs/{__version__}",
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._clients_lock = threading.Lock()
        self._client_classes: dict[tuple[int, str, str], tuple[Any, Any]] = {}
        self._memo = OnceMap()
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()
        self._on_request = on_request
        # Checks and their concurrent reads run on two pools; this keeps the requests in
        # flight at `max_workers` whatever the mix, as the --max-workers help promises.
        self._in_flight = threading.BoundedSemaphore(max_workers)
        self._retry_cap = OtherRetryCap()

    # -- public -----------------------------------------------------------------------

    def call(self, service: str, operation: str, region: str, **params: Any) -> Any:
        """Result of `operation` (all pages), frozen; raises `AwsError` on failure.

        `operation` is the API name (`DescribeTrails`), not the boto3 method name.
        """
        if not is_allowed(service, operation):
            raise _refusal(service, operation, region)
        key = (region, service, operation, json.dumps(params, sort_keys=True, default=str))
        return self._memo.get(key, lambda: self._fetch(service, operation, region, params))

    def cancel(self) -> None:
        """Send nothing more: every later request, and every retry of one in flight, raises
        `ScanCancelled` instead of going out (a retry already sleeping ends its sleep first)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def deadline(self) -> float | None:
        """The `time.monotonic()` value past which nothing is sent (None: no deadline)."""
        return self._deadline

    @property
    def timed_out(self) -> bool:
        """The deadline has passed: every request and retry from now on is refused."""
        return self._deadline is not None and time.monotonic() >= self._deadline

    @property
    def api_calls(self) -> int:
        """Requests sent so far (each page counts; retries of one page do not)."""
        with self._counts_lock:
            return sum(self._counts.values())

    def calls_by_operation(self) -> dict[str, int]:
        """`{"cloudtrail:DescribeTrails": 3, ...}` keyed by botocore service and operation."""
        with self._counts_lock:
            return dict(self._counts)

    # -- internals --------------------------------------------------------------------

    def _client(self, service: str, region: str) -> Any:
        with self._clients_lock:
            client = self._clients.get((service, region))
            if client is None:
                # boto3 Sessions are not thread-safe; client creation stays under the lock.
                session: Any = self._session  # service names are dynamic; stubs want literals
                with _sharing_classes(self._client_classes):
                    client = session.client(service, region_name=region, config=self._config)
                if _is_address(client.meta.endpoint_url):
                    client.meta.events.register(
                        "before-sign", _AddressOnly(client.meta.endpoint_url)
                    )
                client.meta.events.register("before-call", self._before_call)
                client.meta.events.register("before-send", self._before_send)
                event_name = client.meta.service_model.service_id.hyphenize()
                # First, so that its "no more" is the answer botocore's endpoint takes.
                client.meta.events.register_first(f"needs-retry.{event_name}", self._retry_cap)
                for event, handler in scrub_events(service, event_name):
                    client.meta.events.register(event, handler)
                self._clients[(service, region)] = client
            return client

    def _before_call(self, model: OperationModel, params: Any, context: Any, **_: Any) -> None:
        # Second line of defence: a client can never send a non-read, whoever holds it.
        service = model.service_model.service_name
        if not is_allowed(service, model.name):
            raise _refusal(service, model.name, "")
        with self._counts_lock:
            self._counts[f"{service}:{model.name}"] += 1

    def _before_send(self, **_: Any) -> None:
        # Each attempt, retries included, passes here: a cancelled or timed-out scan stops
        # retrying.
        self._refuse_if_stopped()

    def _refuse_if_stopped(self) -> None:
        if self._cancel.is_set():
            raise ScanCancelled()
        if self.timed_out:
            raise ScanTimedOut()

    def _fetch(self, service: str, operation: str, region: str, params: dict[str, Any]) -> Any:
        self._refuse_if_stopped()
        client = self._client(service, region)
        py_name = xform_name(operation)
        if not hasattr(client, py_name):
            raise ReadOnlyViolation(
                service, operation, region, f"{service} has no operation {operation}"
            )
        if self._on_request is not None:
            self._on_request(service, operation, region, params)
        log.debug("%s:%s %s %s", service, operation, region, params)
        try:
            with self._in_flight:
                if client.can_paginate(py_name):
                    result = client.get_paginator(py_name).paginate(**params).build_full_result()
                else:
                    result = getattr(client, py_name)(**params)
        except (ReadOnlyViolation, ScanCancelled):
            raise
        except Exception as exc:  # botocore's, or anything a transport or hook raises
            error = classify(exc, service, operation, region, client.meta.endpoint_url)
            log.debug("%s:%s %s -> %s", service, operation, region, error)
            raise error from None
        result.pop("ResponseMetadata", None)
        return freeze(result)


__all__ = ["AwsError", "Gateway", "freeze", "is_allowed"]
