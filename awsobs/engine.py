"""`scan()`: pick checks, run them over the account's regions on a thread pool, collect a Report.

A check that raises becomes an UNKNOWN finding ("internal error in <check>") and the scan
goes on; an AWS read that fails becomes UNKNOWN naming the denied action. With a `timeout`,
what did not finish by then becomes UNKNOWN ("not read before the timeout") and the rest
of the report is whole. Only problems that stop the scan from starting (bad arguments,
credentials, a timeout that passes before the account is identified) raise `AwsobsError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

import boto3

from awsobs import gcfreeze
from awsobs.aws.clients import ClientPool
from awsobs.aws.errors import AwsError
from awsobs.aws.gateway import Gateway, RequestHook
from awsobs.aws.session import (
    Identity,
    choose_regions,
    discover_regions,
    home_region,
    open_session,
    prefetch_regions,
    resolve_identity,
)
from awsobs.aws.tagging import check_tags, filter_by_tags, start_reading
from awsobs.context import Context, ScanState
from awsobs.errors import ScanCancelled, ScanTimedOut, StartTimedOut, UsageError
from awsobs.model import DEFAULT_MAX_WORKERS, Finding, Report, Scope
from awsobs.registry import REGISTRY, Check
from awsobs.suppress import Suppression, apply_suppressions

log = logging.getLogger("awsobs")


@dataclass(frozen=True)
class Progress:
    """One unit of work finished: `done` of `total` (check x region) units."""

    done: int
    total: int
    check_id: str
    region: str


ProgressCallback = Callable[[Progress], None]


@gcfreeze.during
def scan(
    session: boto3.Session | None = None,
    *,
    regions: Iterable[str] | str | None = None,
    checks: Iterable[str | Check] | None = None,
    exclude_checks: Iterable[str] | None = None,
    max_workers: int = DEFAULT_MAX_WORKERS,
    options: Mapping[str, Any] | None = None,
    progress: ProgressCallback | None = None,
    on_request: RequestHook | None = None,
    suppressions: Sequence[Suppression] = (),
    cancel: threading.Event | None = None,
    tags: Mapping[str, str] | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
    clients: ClientPool | None = None,
) -> Report:
    """Scan one AWS account read-only and return every finding.

    - `session`: a boto3 Session (default: boto3's credential chain).
    - `regions`: names, a comma-separated string or "all" (default: every enabled region).
    - `checks` / `exclude_checks`: ids or globs (`cloudtrail.*`), or Check objects.
    - `options`: tunables, per check (`{"cloudtrail.s3_delivery": {"max_age_hours": 12}}`)
      or by name for every check that declares it (`{"cwagent_namespace": "MyAgent"}`).
    - `progress`: called after each (check, region) unit; the library itself never prints.
    - `on_request(service, operation, region, params)`: called before each AWS read is sent.
    - `suppressions`: accepted gaps (`awsobs.suppress.Suppression`); matching FAIL and
      UNKNOWN findings are marked suppressed and do not count for the exit code.
    - `tags`: report per-resource findings only for resources carrying every one of these
      tags (`{"env": "prod"}`; values may be globs); account and region findings stay.
      Tags (tag:GetResources, once per region) are read only for this or for suppressions
      that name tags, and never change a verdict (awsobs/aws/tagging.py).
    - `cancel`: set this event from any thread to stop the scan: nothing more is sent and
      `scan` raises `ScanCancelled` within a fraction of a second. Ctrl-C (KeyboardInterrupt)
      stops it the same way and is re-raised.
    - `timeout`: seconds the whole scan may take. Then nothing more is sent, `scan` stops
      waiting (it returns within a fraction of a second, even with a read in flight), and
      every (check, region) that did not finish is one UNKNOWN finding "not read before
      the timeout"; `report.errors` says how many. `deadline`: the `time.monotonic()`
      value the timeout ends at, when several scans share one (`scan_accounts`); default
      now + `timeout`.
    - `clients`: botocore clients shared with other scans (`scan_accounts` passes one pool
      for every account; awsobs/aws/clients.py); default: the scan's own, from `session`.

    Raises `UsageError` / `CredentialsError` (both `AwsobsError`) when it cannot start,
    `StartTimedOut` when the timeout passes before the account is identified.
    """
    started = dt.datetime.now(dt.UTC)
    if max_workers < 1:
        raise UsageError("--max-workers must be at least 1")
    check_timeout(timeout)
    if timeout is not None and deadline is None:
        deadline = time.monotonic() + timeout
    selected = REGISTRY.select(checks, exclude_checks)
    tag_filter = check_tags(tags)
    need_tags = bool(tag_filter) or any(s.tags for s in suppressions)
    opts = validate_options(options or {}, REGISTRY.all())
    # boto3's default chain, its local set-up checked: a broken ~/.aws/config or a failing
    # credential_process is a one-line UsageError / CredentialsError, not botocore's own.
    session = session or open_session()
    gateway = Gateway(
        session,
        max_workers=max_workers,
        on_request=on_request,
        cancel=cancel,
        deadline=deadline,
        clients=clients,
    )
    home = home_region(session)
    with _pool(2, "awsobs-start", gateway) as start:
        # Independent reads at start-up: list regions while the credentials are verified.
        # The answer (or error) is memoized; discover_regions below picks it up. Both run
        # on the pool, so that a timeout is kept even if one of them hangs.
        listing = start.submit(prefetch_regions, gateway, home)
        who = start.submit(resolve_identity, gateway, home)
        _in_time(who, gateway, timeout, "the account was identified (sts:GetCallerIdentity)")
        identity = who.result()
        _in_time(listing, gateway, timeout, "its regions were listed (ec2:DescribeRegions)")
    known = discover_regions(gateway, session, home, identity.partition)
    scanned = choose_regions(regions, known)
    disabled = {r for r in scanned if known.listed and r not in known.enabled}

    units: list[tuple[Check, str | None]] = []
    for chk in selected:
        if chk.meta.scope is Scope.REGION:
            units.extend((chk, r) for r in scanned)
        else:
            units.append((chk, None))

    findings: list[Finding] = []
    with (
        _pool(max_workers, "awsobs-check", gateway) as pool,
        _pool(max_workers, "awsobs-io", gateway) as io_pool,
    ):
        state = ScanState(
            gateway=gateway,
            account_id=identity.account_id,
            partition=identity.partition,
            regions=tuple(r for r in scanned if r not in disabled),
            disabled=tuple(r for r in scanned if r in disabled),
            now=started,
            executor=io_pool,
            max_workers=max_workers,
            options=opts,
        )
        tag_reads = start_reading(gateway, state.regions, io_pool) if need_tags else None
        pending: dict[Future[list[Finding]], tuple[Check, str | None]] = {
            pool.submit(_run_unit, state, chk, region, region in disabled): (chk, region)
            for chk, region in units
        }
        done_count = 0
        unfinished: list[tuple[Check, str | None]] = []
        while pending and not gateway.timed_out:
            # A short timeout, so that `cancel` set from another thread is seen promptly.
            finished, _ = wait(pending, timeout=_tick(deadline), return_when=FIRST_COMPLETED)
            if gateway.cancelled:
                raise ScanCancelled()
            for fut in finished:
                chk, region = pending.pop(fut)
                try:
                    findings.extend(fut.result())
                except ScanTimedOut:  # a read it needed was refused: the deadline passed
                    unfinished.append((chk, region))
                    continue
                done_count += 1
                if progress is not None:
                    progress(Progress(done_count, len(units), chk.id, region or "global"))
        # Past the deadline: the units still running are not waited for (nor is the pool).
        unfinished.extend(pending.values())
        findings.extend(_not_read_in_time(state, chk, r, timeout) for chk, r in unfinished)

        index = tag_reads.index(deadline) if tag_reads is not None else None
    if index is not None and tag_filter:
        findings = filter_by_tags(findings, tag_filter, index)
    findings, notes = apply_suppressions(
        findings, suppressions, started.date(), checks=[c.id for c in selected], tags=index
    )
    return Report.of(
        findings,
        started_at=started,
        accounts=(identity.account_id,),
        regions=scanned,
        checks=[c.id for c in selected],
        api_calls=gateway.api_calls,
        api_calls_by_operation=gateway.calls_by_operation(),
        errors=[*REGISTRY.plugin_errors, *_timeout_note(timeout, unfinished, units, identity)],
        suppression_notes=notes,
        tag_filter=tag_filter,
    )


def check_timeout(timeout: float | None) -> None:
    """A timeout is a positive, finite number of seconds (or None: no timeout)."""
    if timeout is None:
        return
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise UsageError(f"--timeout must be a positive number of seconds, not {timeout!r}")


def seconds(timeout: float) -> str:
    """30 -> "30", 2.5 -> "2.5": the timeout as the user wrote it."""
    return f"{timeout:g}"


def timeout_evidence(timeout: float) -> int | float:
    """The timeout for a finding's evidence: a whole number stays whole in the JSON."""
    return int(timeout) if float(timeout).is_integer() else timeout


def _tick(deadline: float | None) -> float:
    """How long to wait for a unit before looking at `cancel` and the deadline again."""
    if deadline is None:
        return 0.2
    return max(0.0, min(0.2, deadline - time.monotonic()))


def _in_time(step: Future[Any], gateway: Gateway, timeout: float | None, what: str) -> None:
    """Wait for a start-up read, up to the deadline; `StartTimedOut` if it is not done."""
    deadline = gateway.deadline
    wait([step], timeout=None if deadline is None else max(0.0, deadline - time.monotonic()))
    if not step.done() or isinstance(step.exception(), ScanTimedOut):
        assert timeout is not None
        raise StartTimedOut(
            f"the {seconds(timeout)} s timeout passed before {what}: nothing was scanned "
            "(raise --timeout)"
        )


def _not_read_in_time(
    state: ScanState, chk: Check, region: str | None, timeout: float | None
) -> Finding:
    """The one UNKNOWN of a (check, region) unit that did not finish before the timeout."""
    assert timeout is not None
    ctx = Context(state, chk.meta, region)
    where = ctx.region_resource() if region else ctx.account_resource()
    return ctx.unknown(
        *where,
        f"not read before the timeout ({seconds(timeout)} s)",
        evidence={"timeout_s": timeout_evidence(timeout)},
    )


def _timeout_note(
    timeout: float | None,
    unfinished: list[tuple[Check, str | None]],
    units: list[tuple[Check, str | None]],
    identity: Identity,
) -> list[str]:
    """The report's error line of a scan the timeout cut short (none when all finished)."""
    if timeout is None or not unfinished:
        return []
    return [
        f"scan stopped at the {seconds(timeout)} s timeout: {len(unfinished)} of "
        f"{len(units)} checks x regions unfinished (account {identity.account_id})"
    ]


@contextlib.contextmanager
def _pool(workers: int, name: str, gateway: Gateway) -> Iterator[ThreadPoolExecutor]:
    """A thread pool for one scan. When the scan stops early (Ctrl-C, `cancel`, an error,
    the timeout), the gateway sends nothing more and the pool is not waited for: its
    threads may be in botocore's retry sleeps for up to 20 s, or in a slow read, and they
    end on their own."""
    pool = ThreadPoolExecutor(workers, thread_name_prefix=name)
    try:
        yield pool
    except BaseException:
        gateway.cancel()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=not gateway.timed_out, cancel_futures=gateway.timed_out)


def _not_enabled(ctx: Context, region: str) -> Finding:
    """The answer of every check for a region the user named that is not enabled."""
    return ctx.unknown(
        *ctx.region_resource(region),
        f"region {region} is not enabled for this account (opt-in region): "
        "enable it, or leave it out of --regions",
        region=region,
        evidence={"region_enabled": False},
    )


def _run_unit(state: ScanState, chk: Check, region: str | None, disabled: bool) -> list[Finding]:
    """Run one check in one region (or account-wide); never raises.

    Every check answers for every region named: a region that is not enabled gets one
    UNKNOWN per check, from region- and account-scoped checks alike."""
    ctx = Context(state, chk.meta, region)
    if disabled:
        assert region is not None
        return [_not_enabled(ctx, region)]
    if region is None:
        return [_not_enabled(ctx, r) for r in state.disabled] + _run_check(ctx, chk, None)
    return _run_check(ctx, chk, region)


def _run_check(ctx: Context, chk: Check, region: str | None) -> list[Finding]:
    where = ctx.region_resource() if region else ctx.account_resource()
    try:
        out = list(chk(ctx))
    except ScanCancelled:  # cancelled or timed out: the unit did not finish, no verdict
        raise
    except AwsError as err:
        return [ctx.unknown_from(err, *where, what=f"{chk.id} could not read AWS")]
    except Exception as exc:
        log.debug("check %s failed in %s", chk.id, region or "global", exc_info=True)
        return [ctx.unknown(*where, f"internal error in {chk.id}: {type(exc).__name__}: {exc}")]
    wrong = [f for f in out if not isinstance(f, Finding) or f.check_id != chk.id]
    if wrong:
        return [ctx.unknown(*where, f"internal error in {chk.id}: it returned foreign results")]
    if not out:
        return [ctx.unknown(*where, f"internal error in {chk.id}: it returned no finding")]
    return out


class OptionError(UsageError):
    """A bad option; `key` is the option name (or check id) at fault, for file positions."""

    def __init__(self, message: str, key: str) -> None:
        super().__init__(message)
        self.key = key


def validate_options(
    options: Mapping[str, Any], available: list[Check]
) -> dict[str, dict[str, Any]]:
    """Per-check option values. A top-level name (`{"cwagent_namespace": "X"}`) applies to
    every check that declares it; a check id maps to that check's own values. Raises
    `OptionError` for an unknown option or check, or a value of the wrong type."""
    declared = {c.id: c.meta.options for c in available}
    result: dict[str, dict[str, Any]] = {}

    def put(check_id: str, name: str, value: Any) -> None:
        default = declared[check_id][name]
        where = f"option {check_id}.{name}"
        if type(default) in (int, float) and not isinstance(value, int | float):
            raise OptionError(f"{where} must be a number, got {value!r}", name)
        if isinstance(default, str) and not isinstance(value, str):
            raise OptionError(f"{where} must be a string, got {value!r}", name)
        if isinstance(default, list) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise OptionError(f"{where} must be a list of strings, got {value!r}", name)
        result.setdefault(check_id, {})[name] = value

    for name, value in options.items():
        if isinstance(value, Mapping):
            continue
        owners = [check_id for check_id, opts in declared.items() if name in opts]
        if not owners:
            raise OptionError(f"unknown option '{name}' (no check declares it)", name)
        for check_id in owners:
            put(check_id, name, value)
    for check_id, values in options.items():
        if not isinstance(values, Mapping):
            continue
        if check_id not in declared:
            raise OptionError(f"options given for unknown check '{check_id}'", check_id)
        for name, value in values.items():
            if name not in declared[check_id]:
                known = ", ".join(sorted(declared[check_id])) or "none"
                raise OptionError(
                    f"check '{check_id}' has no option '{name}' (options: {known})", name
                )
            put(check_id, name, value)
    return result
