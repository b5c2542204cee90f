"""Record one real scan against moto, then replay it with chosen reads denied.

A full scan of the seeded account takes seconds against moto; a replay serves every
answer from the recording and takes a few tens of milliseconds, so every read of every
check can be denied in turn (tests/unit/checks/test_denied_reads.py). Reads a replay makes
that the recording lacks (a check reading something else because another read failed) go
to moto as usual, and are listed in `Replay.unrecorded`.

The recording sits under the gateway's memo: `Gateway._fetch` is what is replaced, so
memoization, single flight, the read-only rules and every check's declared-permission
rule work as in a real scan.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from awsobs import Report, scan
from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.gateway import Gateway
from awsobs.aws.iam import iam_action

Key = tuple[str, str, str, str]  # region, service, operation, params as sorted JSON
Deny = Callable[[Key], bool]


def key_of(service: str, operation: str, region: str, params: dict[str, Any]) -> Key:
    return (region, service, operation, json.dumps(params, sort_keys=True, default=str))


def action_of(key: Key) -> str:
    return iam_action(key[1], key[2])


def denied(key: Key) -> AwsError:
    """What AWS answers a read the caller's policy does not allow."""
    region, service, operation, _ = key
    return AwsError(
        ErrorKind.ACCESS_DENIED,
        service,
        operation,
        region,
        "AccessDenied",
        f"not authorized to perform {action_of(key)}",
    )


@dataclass
class Recording:
    """Every answer (or error) the gateway fetched during one scan, by memo key."""

    answers: dict[Key, Any] = field(default_factory=dict)

    def keys(self) -> list[Key]:
        """The reads that succeeded, in a stable order."""
        return sorted(k for k, v in self.answers.items() if not isinstance(v, BaseException))


@dataclass
class Replay:
    """What one replayed scan sent: every request (recorded or not) by key."""

    sent: list[Key] = field(default_factory=list)
    unrecorded: list[Key] = field(default_factory=list)


@contextlib.contextmanager
def recording(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recording]:
    """While active, every fetch goes to moto and its outcome is recorded."""
    rec = Recording()
    original = Gateway._fetch

    def fetch(self: Gateway, service: str, operation: str, region: str, params: Any) -> Any:
        key = key_of(service, operation, region, params)
        try:
            result = original(self, service, operation, region, params)
        except AwsError as err:
            rec.answers[key] = err
            raise
        rec.answers[key] = result
        return result

    with monkeypatch.context() as m:
        m.setattr(Gateway, "_fetch", fetch)
        yield rec


@contextlib.contextmanager
def replaying(
    monkeypatch: pytest.MonkeyPatch, rec: Recording, deny: Deny = lambda _: False
) -> Iterator[Replay]:
    """While active, fetches are answered from `rec`; `deny(key)` makes a read AccessDenied."""
    out = Replay()
    original = Gateway._fetch

    def fetch(self: Gateway, service: str, operation: str, region: str, params: Any) -> Any:
        key = key_of(service, operation, region, params)
        out.sent.append(key)
        if self._on_request is not None:
            self._on_request(service, operation, region, params)
        if deny(key):
            raise denied(key)
        if key not in rec.answers:
            out.unrecorded.append(key)
            return original(self, service, operation, region, params)
        answer = rec.answers[key]
        if isinstance(answer, BaseException):
            raise answer
        return answer

    with monkeypatch.context() as m:
        m.setattr(Gateway, "_fetch", fetch)
        yield out


def run_scan(session: boto3.Session, **kw: Any) -> Report:
    return scan(session, **kw)
