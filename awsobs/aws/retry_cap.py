"""At most 3 retries of a read that fails other than by throttling.

botocore has one retry budget for every kind of failure: awsobs's 8 attempts (adaptive
mode) are right for throttling, which clears if the client slows down, but a read that
keeps answering 5xx, or an endpoint that does not answer, is not helped by 7 retries, and
each can cost a read timeout. botocore has no per-error-class limit, so this is a
`needs-retry` handler, registered first on each gateway client, that says "no more" once
a request has failed for a non-throttling reason `MAX_OTHER_RETRIES + 1` times (5xx,
connection errors, timeouts, transient or modeled retryable codes). Throttling keeps
botocore's own decision and backoff, within the configured total of attempts; so does
every failure up to the cap. A user's AWS_MAX_ATTEMPTS / max_attempts stays the total
budget, so a lower one still wins.

Whether a failure is throttling is botocore's own verdict (`ThrottlingErrorDetector`, the
one its adaptive rate limiter and backoff use).
"""

from __future__ import annotations

from typing import Any

from botocore.retries.standard import RetryEventAdapter, ThrottlingErrorDetector

from awsobs.errors import ScanCancelled

MAX_OTHER_RETRIES = 3
"""Retries of a read that fails with a 5xx, a connection error or a timeout (4 attempts)."""

_COUNT = "awsobs_other_failures"  # kept in the request's context, shared by its attempts


class OtherRetryCap:
    """The `needs-retry` handler (see the module docstring).

    It returns False (stop: botocore's endpoint takes the first answer that is not None)
    after the cap, else None, so botocore's retry handler decides. The retry handler still
    runs after a stop and may take retry quota for it (14 of 500 tokens in standard and
    adaptive mode): fewer than the 4 further retries the cap saves would have taken."""

    def __init__(self, retries: int = MAX_OTHER_RETRIES) -> None:
        self._retries = retries
        self._throttling = ThrottlingErrorDetector(RetryEventAdapter())

    def __call__(self, **kwargs: Any) -> bool | None:
        caught = kwargs.get("caught_exception")
        if isinstance(caught, ScanCancelled):  # the scan stopped: never retry it
            return False
        if not _failed(kwargs.get("response"), caught):
            return None
        if self._throttling.is_throttling_error(**kwargs):
            return None
        context = kwargs["request_dict"]["context"]
        context[_COUNT] = failures = context.get(_COUNT, 0) + 1
        return False if failures > self._retries else None


def _failed(response: Any, caught: BaseException | None) -> bool:
    """An attempt that did not succeed: an exception, or an HTTP error status."""
    if caught is not None:
        return True
    if response is None:
        return False
    http_response, parsed = response
    return bool(http_response.status_code >= 400 or (parsed or {}).get("Error"))
