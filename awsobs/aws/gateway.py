"""The AWS gateway: every AWS read of a scan goes through `Gateway.call`.

What it guarantees, so checks don't have to:
- read-only by construction: an operation that is not a read is refused before a request
  is built, and so are reads that return secrets or object contents; fields that carry
  secrets beside metadata are dropped from each page as it arrives (readpolicy.py);
- one botocore client per service (S3: per region), created lazily and shared by all
  threads, and with `scan_accounts` by every account (clients.py: credentials and retry
  state stay the account's own, per region);
- every read is made at most once per scan per (region, service, operation, parameters):
  concurrent askers wait for the one request in flight (single-flight), later askers get
  the memoized result or the memoized error;
- results are paginated to the end and frozen (read-only mappings and tuples), so cached
  data can't be changed by the check that received it; `max_items=N` asks for at most N
  items instead (botocore's PaginationConfig MaxItems), so a first-page read is one request;
- errors come back as `AwsError` values with a kind (denied, region, throttled, ...);
- every request (page) is counted per operation, for `scan.api_calls`;
- a read that fails other than by throttling is retried at most 3 times (retry_cap.py);
- after `cancel()`, or past the `deadline`, nothing more is sent.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import boto3
from botocore import xform_name

from awsobs.aws.clients import (
    AccountRetries,
    ClientPool,
    last_url,
    refusal,
    sending,
)
from awsobs.aws.errors import AwsError, ReadOnlyViolation, classify
from awsobs.aws.readpolicy import is_read
from awsobs.aws.retry_cap import OtherRetryCap
from awsobs.errors import ScanCancelled, ScanTimedOut
from awsobs.once import OnceMap

log = logging.getLogger("awsobs.aws")


def is_allowed(service: str, operation: str) -> bool:
    """True for the operations the gateway may send (awsobs/aws/readpolicy.py)."""
    return is_read(service, operation)


def freeze(value: Any) -> Any:
    """Recursively make a parsed response read-only (dict -> mappingproxy, list -> tuple)."""
    if isinstance(value, dict):
        return MappingProxyType({k: freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    return value


RequestHook = Callable[[str, str, str, Mapping[str, Any]], None]


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
        clients: ClientPool | None = None,
    ) -> None:
        """`deadline`: a `time.monotonic()` value after which nothing more is sent: every
        later request and retry raises `ScanTimedOut` (the engine's `timeout`).
        `clients`: a pool shared with other accounts' gateways (`scan_accounts`), whose
        clients sign with this gateway's session credentials; default: a pool of its own,
        made from `session`."""
        self._session = session
        self._cancel = cancel or threading.Event()
        self._deadline = deadline
        self._pool = clients or ClientPool(session, max_workers=max_workers)
        self._shared = clients is not None
        self._account_credentials: Any = None
        self._credentials_lock = threading.Lock()
        self._memo = OnceMap()
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()
        self._on_request = on_request
        # Checks and their concurrent reads run on two pools; this keeps the requests in
        # flight at `max_workers` whatever the mix, as the --max-workers help promises.
        self._in_flight = threading.BoundedSemaphore(max_workers)
        self._retry_cap = OtherRetryCap()
        self._retries = self._pool.account_retries()

    # -- public -----------------------------------------------------------------------

    def call(
        self,
        service: str,
        operation: str,
        region: str,
        *,
        max_items: int | None = None,
        **params: Any,
    ) -> Any:
        """Result of `operation` (all pages), frozen; raises `AwsError` on failure.

        `operation` is the API name (`DescribeTrails`), not the boto3 method name.

        `max_items=N` stops paginating once N items are read (botocore's `PaginationConfig`
        `MaxItems`): with a page size of at least N (`limit`, `MaxKeys`) that is one request,
        and the answer then carries `NextToken` when more items exist. It is part of the
        memo key, so a first-page read and a full read are two reads. An operation that
        does not paginate ignores it (it is one request anyway).
        """
        if not is_allowed(service, operation):
            raise refusal(service, operation, region)
        if "PaginationConfig" in params:
            raise ValueError(
                "Gateway.call pages itself: pass max_items= instead of PaginationConfig"
            )
        if max_items is not None:
            if max_items < 1:
                raise ValueError(f"max_items must be at least 1, not {max_items}")
            params = {**params, "PaginationConfig": {"MaxItems": max_items}}
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

    # -- what the pool's clients ask of the gateway sending through them (clients.Sender)

    def credentials(self) -> Any:
        """This account's credentials, for a shared pool's clients (None: the pool's own)."""
        if not self._shared:
            return None
        with self._credentials_lock:
            if self._account_credentials is None:
                self._account_credentials = self._session.get_credentials()
            return self._account_credentials

    @property
    def retries(self) -> AccountRetries | None:
        return self._retries

    def count(self, service: str, operation: str) -> None:
        with self._counts_lock:
            self._counts[f"{service}:{operation}"] += 1

    def before_send(self) -> None:
        # Each attempt, retries included, passes here: a cancelled or timed-out scan stops
        # retrying.
        self._refuse_if_stopped()

    def cap_retries(self, **kwargs: Any) -> bool | None:
        return self._retry_cap(**kwargs)

    # -- internals --------------------------------------------------------------------

    def _client(self, service: str, region: str) -> Any:
        return self._pool.client(service, region)

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
            with self._in_flight, sending(self, region):
                if client.can_paginate(py_name):
                    result = client.get_paginator(py_name).paginate(**params).build_full_result()
                else:
                    plain = {k: v for k, v in params.items() if k != "PaginationConfig"}
                    result = getattr(client, py_name)(**plain)
        except (ReadOnlyViolation, ScanCancelled):
            raise
        except Exception as exc:  # botocore's, or anything a transport or hook raises
            error = classify(
                exc, service, operation, region, last_url() or client.meta.endpoint_url
            )
            log.debug("%s:%s %s -> %s", service, operation, region, error)
            raise error from None
        result.pop("ResponseMetadata", None)
        return freeze(result)


__all__ = ["AwsError", "Gateway", "freeze", "is_allowed"]
