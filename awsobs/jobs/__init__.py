"""Scan the accounts of one command in several worker processes, and merge them in memory.

One Python process scans with one GIL: botocore's client creation and response parsing
keep a scan of an organization CPU-bound, so a second core does not help it. With
`scan_accounts_in_processes(..., jobs=N)` the accounts are split over N worker processes,
each running `awsobs.accounts.scan_each_account` on its share, and the parent merges the
per-account reports, in the order of `accounts`, with `merge_reports`: the report is the
one `scan_accounts` gives in one process, finding for finding.

- Split: round robin over the accounts in their given order (the k-th of N gets accounts
  k, k+N, k+2N, ...), so the processes get as many accounts as one another to within one.
  `--shard`'s hash split is for machines that must agree on it without talking to each
  other; here one parent decides, and a hash would as often as not give three of four
  accounts to one process. N is capped at the number of accounts and at `max_workers`.
- Workers: multiprocessing's "spawn" start method (a fresh interpreter: the parent has
  threads, and fork with threads is unsafe). Each worker has a pipe of its own to the
  parent, for its task, its progress, its log records and its reports, so a worker
  that dies takes nothing but its own accounts with it. As with any "spawn" process, a
  script that calls this must guard its own top level with `if __name__ == "__main__"`.
- Credentials: a boto3 Session cannot cross a process boundary. The parent resolves the
  base session's credentials once (`get_frozen_credentials()`: an MFA prompt, an SSO
  token or a credential_process run once, not once per worker) and sends the keys with
  the profile name and region through the worker's pipe (memory only: never argv, the
  environment or a file; never printed). The worker builds its base session from them
  and the profile (for its region, endpoint and retry settings). The trade-off: those
  base credentials only sign sts:AssumeRole into each account (the assumed roles refresh
  themselves), but they do not refresh in the workers: credentials that expire during
  the scan fail the AssumeRole of accounts not yet started, which then report UNKNOWN
  ("could not assume role ..."), as an expired session does in one process. Other
  customisations of the base session (a botocore session of one's own, its event
  handlers) do not reach the workers; use `scan_accounts` for them.
- Budget: `max_workers` bounds the whole scan: each worker gets max_workers // N
  requests, and an account at most that many (`per_account_workers`, default 8).
- Checks: the workers import awsobs and its entry-point plugins, then the module of each
  selected check; a check only an interactive session or `__main__` defines, or one not
  in `awsobs.REGISTRY`, is a `UsageError` here (use `scan_accounts`). `on_request`
  cannot cross to another process and is refused too.
- Progress and logs: workers send `(account_id, Progress)` and their `awsobs` log records
  to the parent, which calls `progress` and logs them from the calling thread.
- Ctrl-C: workers ignore SIGINT (they are started with it ignored, and ignore it
  themselves), so only the parent sees it; on KeyboardInterrupt (or any exception) the
  parent terminates every worker, waits for them to go, and re-raises. A worker whose
  parent died stops itself.
- Timeout: one deadline for the whole call, taken before the workers start: each worker
  gets the seconds left when it is ready, so the processes' start-up counts against it.
  A worker that has not answered 2 s after the deadline is stopped, and its accounts get
  one UNKNOWN per check, "not scanned before the timeout", as in one process.
- A worker that dies (killed, out of memory) or fails with an unexpected exception does
  not lose its accounts silently: each gets one UNKNOWN per selected check naming the
  failure, and the report's errors say which accounts were not scanned, so the command
  exits 3 (or 1 for a FAIL elsewhere) with every other account's findings. An
  `AwsobsError` a worker raises (bad options, rejected credentials: the same for every
  worker) stops the scan and is raised here, as `scan_accounts` would raise it.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import multiprocessing
import pickle
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, cast

import boto3

from awsobs.accounts import (
    AccountProgress,
    _not_in_time,
    _unscanned,
    scan_accounts,
)
from awsobs.aws.org import AccountTarget
from awsobs.engine import check_timeout, validate_options
from awsobs.errors import AwsobsError, CredentialsError, UsageError
from awsobs.jobs import cores
from awsobs.jobs.cores import cpu_quota, usable_cores
from awsobs.jobs.worker import _Task
from awsobs.jobs.worker import run as _worker
from awsobs.merge import merge_reports
from awsobs.model import DEFAULT_MAX_WORKERS, Report
from awsobs.registry import REGISTRY, Check

__all__ = ["cpu_quota", "default_jobs", "scan_accounts_in_processes", "usable_cores"]

log = logging.getLogger("awsobs.jobs")

GRACE_S = 2.0
"""How long after the deadline a worker may take to send its reports before it is stopped
(its own account scans stop at the deadline, give or take a second for an AssumeRole)."""


ACCOUNTS_PER_JOB = 16
"""The default gives a worker process no fewer accounts than this: each process costs about
3 s of CPU of its own (interpreter, imports, botocore models and clients) and an account
about 0.35 s (bench/README.md, org10 and org50), so a process for fewer accounts costs
more than it can save; 2 processes for 11 accounts were 40% slower than one."""


def default_jobs(accounts: int) -> int:
    """`--jobs` when not given: one process per `ACCOUNTS_PER_JOB` accounts, at most the
    usable cores, at least one."""
    return max(1, min(cores.usable_cores(), accounts // ACCOUNTS_PER_JOB))


def scan_accounts_in_processes(
    base: boto3.Session,
    accounts: Sequence[AccountTarget],
    *,
    jobs: int,
    role_name: str,
    external_id: str | None = None,
    max_workers: int = DEFAULT_MAX_WORKERS,
    per_account_workers: int | None = None,
    progress: AccountProgress | None = None,
    partition: str = "aws",
    timeout: float | None = None,
    deadline: float | None = None,
    **scan_kwargs: Any,
) -> Report:
    """`awsobs.accounts.scan_accounts` in `jobs` worker processes (module docstring):
    the same arguments, the same report. `jobs=1`, or a single account, scans in this
    process. Raises `UsageError` for bad arguments before any process starts."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"jobs must be a whole number of at least 1, not {jobs!r}")
    common: dict[str, Any] = {
        "role_name": role_name,
        "external_id": external_id,
        "max_workers": max_workers,
        "per_account_workers": per_account_workers,
        "partition": partition,
        "timeout": timeout,
    }
    first: dict[str, AccountTarget] = {}
    for target in accounts:
        first.setdefault(target.account_id, target)
    unique = list(first.values())
    n = min(jobs, len(unique), max(max_workers, 1))
    if n <= 1:
        return scan_accounts(
            base, accounts, progress=progress, deadline=deadline, **common, **scan_kwargs
        )
    selected = _checked(base, max_workers, per_account_workers, timeout, scan_kwargs)
    if timeout is not None and deadline is None:
        deadline = time.monotonic() + timeout
    begun = dt.datetime.now(dt.UTC)
    task = _Task(
        accounts=(),
        common={**common, "max_workers": max_workers // n},
        scan_kwargs={**scan_kwargs, "checks": [c.id for c in selected], "exclude_checks": None},
        modules=tuple(dict.fromkeys(c.__module__ for c in selected)),
        credentials=_frozen(base),
        profile=base._session.get_config_variable("profile"),
        region=base.region_name,
        progress=progress is not None,
        log_level=logging.getLogger("awsobs").getEffectiveLevel(),
    )
    shards = [_Shard(k, unique[k::n]) for k in range(n)]
    reports: dict[str, Report] = {}

    def lost(shard: _Shard, why: str) -> None:
        for target in shard.accounts:
            reports[target.account_id] = _crashed(target.account_id, why, selected, scan_kwargs)

    live: dict[Connection, _Shard] = {}
    try:
        _start(shards)
        live = {s.conn: s for s in shards if s.conn is not None}
        while live:
            if deadline is not None and time.monotonic() >= deadline + GRACE_S:
                assert timeout is not None  # past the deadline: what still scans is stopped
                for shard in live.values():
                    for target in shard.accounts:
                        reports[target.account_id] = _not_in_time(
                            target.account_id, timeout, selected, begun, scan_kwargs
                        )
                break
            wait_s = None if deadline is None else max(0.0, deadline + GRACE_S - time.monotonic())
            for obj in wait(list(live), timeout=wait_s):
                conn = cast(Connection, obj)
                shard = live[conn]
                try:
                    message = conn.recv()
                except Exception as exc:  # EOF: the worker died; or a message cut short
                    del live[conn]
                    lost(shard, _death(shard, exc))
                    continue
                kind = message[0]
                if kind == "ready":
                    left = None if deadline is None else deadline - time.monotonic()
                    try:
                        conn.send(replace(task, accounts=tuple(shard.accounts), remaining=left))
                    except OSError as exc:  # it died since it said it was ready
                        del live[conn]
                        lost(shard, _death(shard, exc))
                elif kind == "progress" and progress is not None:
                    progress(message[1], message[2])
                elif kind == "log":
                    logging.getLogger(message[1]).log(message[2], "%s", message[3])
                elif kind == "done":  # a report per account, in the order they were sent
                    del live[conn]
                    for target, report in zip(shard.accounts, message[1], strict=True):
                        reports[target.account_id] = report
                elif kind == "failed":
                    del live[conn]
                    error = _raised(message[1])
                    if error is not None:
                        raise error
                    log.debug("worker %d failed:\n%s", shard.index + 1, message[1]["traceback"])
                    lost(shard, f"failed: {message[1]['type']}: {message[1]['message']}")
    except BaseException:  # Ctrl-C, an error a worker raised: stop them all, now
        _stop(shards)
        raise
    _stop(shards, patient=not live)  # all reports in: the workers are exiting by themselves
    return merge_reports([reports[a.account_id] for a in unique])


# -- the parent's side -------------------------------------------------------------------


@dataclass
class _Shard:
    index: int
    accounts: list[AccountTarget]
    process: BaseProcess | None = None
    conn: Connection | None = None
    _child: Connection | None = field(default=None, repr=False)


def _checked(
    base: boto3.Session,
    max_workers: int,
    per_account_workers: int | None,
    timeout: float | None,
    scan_kwargs: dict[str, Any],
) -> list[Check]:
    """What `scan_each_account` would refuse, refused before any process starts; plus
    what cannot cross to another process. Returns the selected checks."""
    if max_workers < 1:
        raise UsageError("--max-workers must be at least 1")
    if per_account_workers is not None and per_account_workers < 1:
        raise UsageError("per-account workers must be at least 1")
    check_timeout(timeout)
    for bad in ("session", "max_workers", "progress", "cancel", "clients"):
        if bad in scan_kwargs:
            raise UsageError(f"scan_accounts sets {bad} itself; do not pass it")
    if scan_kwargs.get("on_request") is not None:
        raise UsageError("on_request cannot reach worker processes: scan with jobs=1")
    selected = REGISTRY.select(scan_kwargs.get("checks"), scan_kwargs.get("exclude_checks"))
    validate_options(scan_kwargs.get("options") or {}, REGISTRY.all())
    for c in selected:
        if c.__module__ == "__main__" or REGISTRY.get(c.id) is not c:
            raise UsageError(
                f"check {c.id} is defined where worker processes cannot import it "
                "(__main__, or not in awsobs.REGISTRY): scan with jobs=1"
            )
    for key, value in scan_kwargs.items():
        if key in ("checks", "exclude_checks"):
            continue
        try:
            pickle.dumps(value)
        except Exception as exc:
            raise UsageError(f"{key} cannot be sent to worker processes ({exc})") from None
    if base.get_credentials() is None:
        raise CredentialsError(
            "no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, "
            "or run `aws configure` / `aws sso login`"
        )
    return selected


def _frozen(base: boto3.Session) -> tuple[str, str, str | None]:
    """The base session's current keys (resolved once here: one MFA or SSO prompt)."""
    credentials = base.get_credentials()
    assert credentials is not None  # _checked
    frozen = credentials.get_frozen_credentials()
    return str(frozen.access_key), str(frozen.secret_key), frozen.token


def _start(shards: list[_Shard]) -> None:
    """Start a worker per shard, SIGINT ignored while they start (when this is the main
    thread), so that a fresh interpreter never installs its KeyboardInterrupt handler."""
    ctx = multiprocessing.get_context("spawn")
    for shard in shards:
        shard.conn, shard._child = ctx.Pipe(duplex=True)
        shard.process = ctx.Process(
            target=_worker, args=(shard._child,), name=f"awsobs-jobs-{shard.index}", daemon=True
        )
    with _sigint_ignored():
        for shard in shards:
            assert shard.process is not None
            shard.process.start()
    for shard in shards:
        if shard._child is not None:
            shard._child.close()  # the worker's end: its death is then EOF here
            shard._child = None


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _stop(shards: list[_Shard], *, patient: bool = False) -> None:
    """Every worker gone: those still running are terminated (after `GRACE_S` to exit by
    themselves when `patient`: they sent their reports), then all are reaped."""
    running = [s.process for s in shards if s.process is not None]
    if patient:
        until = time.monotonic() + GRACE_S
        for process in running:
            process.join(timeout=max(0.0, until - time.monotonic()))
    for process in running:
        if process.is_alive():
            process.terminate()
    for process in running:
        process.join(timeout=2.0)
        if process.is_alive():
            process.kill()
            process.join(timeout=2.0)
    for shard in shards:
        for conn in (shard.conn, shard._child):
            if conn is not None:
                conn.close()
        shard.conn = shard._child = None


def _death(shard: _Shard, exc: Exception) -> str:
    """Why a worker's pipe closed before it sent its reports."""
    process = shard.process
    if process is not None:
        process.join(timeout=2.0)
    code = process.exitcode if process is not None else None
    if code is None or code == 0:
        return f"stopped answering ({type(exc).__name__})"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"exited with code {code}"


def _crashed(
    account_id: str, why: str, selected: list[Check], scan_kwargs: dict[str, Any]
) -> Report:
    """The report of an account whose worker process died or failed: UNKNOWN per check."""
    why = " ".join(why.split())
    return _unscanned(
        account_id,
        f"not scanned: its worker process {why}",
        {"worker": why},
        "scan again; if it happens again, scan with --jobs 1 (one process) to see the error",
        selected,
        dt.datetime.now(dt.UTC),
        scan_kwargs,
        errors=[f"account {account_id} not scanned: its worker process {why}"],
    )


def _raised(failure: dict[str, Any]) -> AwsobsError | None:
    """The `AwsobsError` a worker raised, rebuilt here; None for any other exception."""
    if not failure.get("awsobs"):
        return None
    try:
        cls = getattr(importlib.import_module(failure["module"]), failure["type"])
        error = cls(failure["message"])
    except Exception:
        return AwsobsError(failure["message"])
    return error if isinstance(error, AwsobsError) else AwsobsError(failure["message"])
