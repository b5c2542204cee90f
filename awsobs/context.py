"""What a check sees: `Context` reads AWS through the gateway and builds findings.

A check never holds a boto3 client; it asks `ctx.call(...)`, which is memoized across the
whole scan, so ten checks asking for the same trail status cost one request.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, TypeVar

from awsobs.aws.errors import AwsError, ReadOnlyViolation
from awsobs.aws.gateway import Gateway
from awsobs.aws.iam import iam_action
from awsobs.model import GLOBAL_REGION, CheckMeta, Finding, Status
from awsobs.once import OnceMap

T = TypeVar("T")
R = TypeVar("R")

ACCOUNT_RESOURCE = "AWS::::Account"
REGION_RESOURCE = "AWS::Region"

_local = threading.local()


@dataclass
class ScanState:
    """What all checks of one scan of one account share (engine-internal)."""

    gateway: Gateway
    account_id: str
    partition: str
    regions: tuple[str, ...]  # scanned and enabled
    now: dt.datetime
    executor: Executor
    max_workers: int
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    shared: OnceMap = field(default_factory=OnceMap)
    disabled: tuple[str, ...] = ()  # named by the user, not enabled for the account


class Context:
    """The handle one check run gets: where it runs, how to read AWS, how to report."""

    def __init__(self, state: ScanState, meta: CheckMeta, region: str | None) -> None:
        self._state = state
        self.meta = meta
        self._region = region

    # -- where ------------------------------------------------------------------------

    @property
    def region(self) -> str:
        """The region a region-scoped check runs in, a plain `str`. An account-scoped check
        has none: it names the region of each read (`ctx.call(..., region=r)`), and asking
        for `ctx.region` is a bug (ValueError)."""
        if self._region is None:
            raise ValueError(f"{self.meta.id} is account-scoped: pass region= instead")
        return self._region

    @property
    def account_id(self) -> str:
        return self._state.account_id

    @property
    def partition(self) -> str:
        return self._state.partition

    @property
    def regions(self) -> tuple[str, ...]:
        """Every region this scan covers (enabled ones only)."""
        return self._state.regions

    @property
    def disabled_regions(self) -> tuple[str, ...]:
        """Regions the user asked for that are not enabled for the account (never read)."""
        return self._state.disabled

    @property
    def now(self) -> dt.datetime:
        """Scan start time (UTC), so every check judges freshness against the same clock."""
        return self._state.now

    def option(self, name: str) -> Any:
        """A tunable value of this check: the user's setting, else the declared default."""
        if name not in self.meta.options:
            raise KeyError(f"check {self.meta.id} declares no option {name!r}")
        return self._state.options.get(self.meta.id, {}).get(name, self.meta.options[name])

    # -- reading AWS ------------------------------------------------------------------

    def call(
        self,
        service: str,
        operation: str,
        region: str | None = None,
        *,
        max_items: int | None = None,
        **params: Any,
    ) -> Any:
        """`operation` in `region` (default: this run's region); raises `AwsError`.

        Every page is read, unless `max_items=N` asks for at most N items: a "newest
        stream" or "newest key" read with a page size of N is then one request
        (`Gateway.call`; the answer carries `NextToken` when more items exist).

        Only the IAM actions the check declares in `permissions` can be read: anything
        else raises `ReadOnlyViolation` (an `AwsError` of kind UNDECLARED) before a
        request is built or a memoized answer is handed out, so what a check can see is
        what its declaration (and `awsobs policy`) says."""
        where = region or self._region
        if where is None:
            raise ValueError(f"{self.meta.id}: account-scoped checks must pass region=")
        self._require((iam_action(service, operation),), where)
        return self._state.gateway.call(service, operation, where, max_items=max_items, **params)

    def _require(self, actions: Iterable[str], region: str) -> None:
        missing = [a for a in actions if a not in self.meta.permissions]
        if missing:
            service, _, operation = missing[0].partition(":")
            raise ReadOnlyViolation(
                service,
                operation,
                region,
                f"awsobs refused {missing[0]}: check {self.meta.id} does not declare it "
                "in its permissions",
                undeclared=True,
            )

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`[fn(x) for x in items]`, run concurrently; the first exception is re-raised.

        The calling thread works through the items too, so a map never waits on a queue
        slot and cannot deadlock however the pool is loaded. Nested maps run inline.
        """
        todo = list(items)
        if len(todo) < 2 or getattr(_local, "in_map", False):
            return [fn(x) for x in todo]
        results: list[Any] = [None] * len(todo)
        errors: list[BaseException | None] = [None] * len(todo)
        done = [threading.Event() for _ in todo]
        cursor = iter(range(len(todo)))
        lock = threading.Lock()

        def work() -> None:
            outer = getattr(_local, "in_map", False)
            _local.in_map = True
            try:
                while True:
                    with lock:
                        i = next(cursor, None)
                    if i is None:
                        return
                    try:
                        results[i] = fn(todo[i])
                    except BaseException as exc:
                        errors[i] = exc
                    finally:
                        done[i].set()
            finally:
                _local.in_map = outer

        for _ in range(min(len(todo) - 1, self._state.max_workers)):
            self._state.executor.submit(work)
        work()
        for event in done:
            event.wait()
        for exc in errors:
            if exc is not None:
                raise exc
        return results

    def listing(
        self, noun: str, read: Callable[[], Iterable[T]], *, none: str | None = None
    ) -> tuple[tuple[T, ...], Finding | None]:
        """This region's items of one kind, or the one finding that stands in for the
        region instead: UNKNOWN (`could not list <noun>`, naming the read) when `read()`
        raises `AwsError`, NOT_APPLICABLE (`none`, else `no <noun> in <region>`) when there
        is nothing to judge. Every region-scoped check opens this way."""
        try:
            items = tuple(read())
        except AwsError as err:
            return (), self.unknown_from(err, *self.region_resource(), f"could not list {noun}")
        if not items:
            text = none or f"no {noun} in {self.region}"
            return (), self.not_applicable(*self.region_resource(), text)
        return items, None

    def shared(self, key: str, needs: Iterable[str], build: Callable[[Context], T]) -> T:
        """A value derived once per scan and shared by all checks (computed by the first asker).

        `needs` are the IAM actions `build` reads with. Every asker must declare them (else
        `ReadOnlyViolation`, UNDECLARED), and `build` gets a context limited to exactly
        them, so the value is the same whichever check happens to ask first. The value
        must be immutable; an exception is cached and re-raised like a value.
        """
        actions = tuple(needs)
        self._require(actions, self._region or GLOBAL_REGION)
        narrow = replace(self.meta, permissions=actions)
        return self._state.shared.get(
            key, lambda: build(Context(self._state, narrow, self._region))
        )

    # -- reporting --------------------------------------------------------------------

    def finding(
        self,
        status: Status,
        resource_type: str,
        resource_id: str,
        message: str,
        *,
        evidence: Mapping[str, Any] | None = None,
        region: str | None = None,
        remediation: str | None = None,
    ) -> Finding:
        """A finding of this check; region defaults to this run's region (or `global`)."""
        meta = self.meta
        return Finding(
            check_id=meta.id,
            title=meta.title,
            severity=meta.severity,
            status=status,
            account_id=self.account_id,
            region=region or self._region or GLOBAL_REGION,
            resource_type=resource_type,
            resource_id=resource_id,
            message=message,
            evidence=MappingProxyType(dict(evidence or {})),
            remediation=remediation or meta.remediation,
        )

    def passed(self, resource_type: str, resource_id: str, message: str, **kw: Any) -> Finding:
        return self.finding(Status.PASS, resource_type, resource_id, message, **kw)

    def failed(self, resource_type: str, resource_id: str, message: str, **kw: Any) -> Finding:
        return self.finding(Status.FAIL, resource_type, resource_id, message, **kw)

    def unknown(self, resource_type: str, resource_id: str, message: str, **kw: Any) -> Finding:
        return self.finding(Status.UNKNOWN, resource_type, resource_id, message, **kw)

    def not_applicable(
        self, resource_type: str, resource_id: str, message: str, **kw: Any
    ) -> Finding:
        return self.finding(Status.NOT_APPLICABLE, resource_type, resource_id, message, **kw)

    def unknown_from(
        self,
        err: AwsError,
        resource_type: str,
        resource_id: str,
        what: str = "could not read the data",
        **kw: Any,
    ) -> Finding:
        """UNKNOWN because an AWS read failed; the message names the denied action."""
        evidence = dict(kw.pop("evidence", None) or {})
        evidence["error"] = error_evidence(err)
        return self.unknown(
            resource_type, resource_id, f"{what}: {err.describe()}", evidence=evidence, **kw
        )

    def region_resource(self, region: str | None = None) -> tuple[str, str]:
        """(resource_type, resource_id) for a finding about a whole region."""
        return REGION_RESOURCE, region or self._region or GLOBAL_REGION

    def account_resource(self) -> tuple[str, str]:
        """(resource_type, resource_id) for a finding about the whole account."""
        return ACCOUNT_RESOURCE, self.account_id


def error_evidence(err: AwsError) -> dict[str, str]:
    """The parts of an AWS error worth keeping in a finding's evidence."""
    return {
        "kind": err.kind.value,
        "action": err.action,
        "code": err.code,
        "region": err.region,
    }
