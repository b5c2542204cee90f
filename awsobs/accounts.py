"""Scan many accounts: pick them (a list, an organization, a shard), assume a role in each,
scan each with `awsobs.engine.scan` and merge the reports into one. The AWS calls this
takes (the organization's accounts, the assumed roles) are in awsobs/aws/org.py.

An account whose role cannot be assumed is not dropped: it gets one UNKNOWN finding per
selected check naming the role, so a multi-account report never looks cleaner than it is.
So does an account that the timeout (one deadline for every account) left unscanned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

import boto3

from awsobs import gcfreeze
from awsobs.aws.clients import ClientPool, shared_session
from awsobs.aws.org import (
    AccountTarget,
    AssumeRoleError,
    assumed_session,
    list_org_accounts,
    role_arn,
)
from awsobs.engine import (
    Progress,
    check_timeout,
    scan,
    seconds,
    timeout_evidence,
    validate_options,
)
from awsobs.errors import (
    CredentialsError,
    EndpointUnreachable,
    StartTimedOut,
    UsageError,
)
from awsobs.merge import merge_reports
from awsobs.model import DEFAULT_MAX_WORKERS, GLOBAL_REGION, Finding, Report, Status
from awsobs.registry import REGISTRY, Check
from awsobs.suppress import Suppression, apply_suppressions

__all__ = [
    "AccountProgress",
    "AccountTarget",
    "AssumeRoleError",
    "assumed_session",
    "list_org_accounts",
    "parse_accounts",
    "parse_shard",
    "scan_accounts",
    "scan_each_account",
    "shard",
]

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")

AccountProgress = Callable[[str, Progress], None]
"""Called as `progress(account_id, Progress)` from the scanning threads (not thread-bound)."""


def parse_accounts(text: str) -> list[AccountTarget]:
    """Account ids separated by commas and/or spaces; duplicates dropped, order kept."""
    ids = [part for part in re.split(r"[\s,]+", text) if part]
    if not ids:
        raise UsageError("--accounts: no account id given (expected 12-digit ids, comma-separated)")
    bad = [i for i in ids if not _ACCOUNT_ID.match(i)]
    if bad:
        raise UsageError(
            f"--accounts: {', '.join(repr(b) for b in bad)} is not a 12-digit account id"
        )
    return [AccountTarget(i) for i in dict.fromkeys(ids)]


def parse_shard(text: str) -> tuple[int, int]:
    """'K/N' -> (K, N), 0-based like GitHub's strategy.job-index or JOB_COMPLETION_INDEX."""
    match = _SHARD.match(text)
    if not match:
        raise UsageError(f"--shard: expected K/N such as 0/4 (0-based), got {text!r}")
    k, n = int(match.group(1)), int(match.group(2))
    if n < 1 or k >= n:
        raise UsageError(f"--shard: K must be 0 to N-1 and N at least 1 (0-based), got {text!r}")
    return k, n


def shard_of(account_id: str, n: int) -> int:
    """The shard (0..n-1) of an account: a hash of its id alone, so it never moves when
    other accounts are added or the list is reordered."""
    return int(hashlib.sha256(account_id.encode()).hexdigest(), 16) % n


def shard(accounts: Iterable[AccountTarget], k: int, n: int) -> list[AccountTarget]:
    """The accounts of shard `k` of `n`, in their given order."""
    if n < 1 or not 0 <= k < n:
        raise UsageError(f"--shard: K must be 0 to N-1 and N at least 1, got {k}/{n}")
    return [a for a in accounts if shard_of(a.account_id, n) == k]


def scan_accounts(
    base: boto3.Session,
    accounts: Sequence[AccountTarget],
    *,
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
    """Scan every account through `role_name` and merge the reports (`merge_reports`).

    At most `max_workers` AWS requests are in flight: each account scan gets
    `per_account_workers` (default 8; never above max_workers) and max_workers // that many
    accounts run at once, so one throttled account only slows its own workers.
    `scan_kwargs` go to `awsobs.scan` (regions, checks, exclude_checks, options, ...).
    Every account's scan sends through one pool of botocore clients, one per service (S3:
    per region), each request signed with that account's credentials and retried under its
    own retry quota and rate limiter, per region (awsobs/aws/clients.py).
    `timeout` bounds the whole call, every account sharing one deadline (`deadline`, a
    `time.monotonic()` value, when the caller's clock started earlier): an account not
    scanned by then gets one UNKNOWN per check, "not scanned before the timeout".
    Raises `UsageError` for bad options before any account is touched.
    `awsobs.jobs.scan_accounts_in_processes` splits the accounts over worker processes.
    """
    return merge_reports(
        scan_each_account(
            base,
            accounts,
            role_name=role_name,
            external_id=external_id,
            max_workers=max_workers,
            per_account_workers=per_account_workers,
            progress=progress,
            partition=partition,
            timeout=timeout,
            deadline=deadline,
            **scan_kwargs,
        )
    )


@gcfreeze.during
def scan_each_account(
    base: boto3.Session,
    accounts: Sequence[AccountTarget],
    *,
    role_name: str,
    external_id: str | None = None,
    max_workers: int = DEFAULT_MAX_WORKERS,
    per_account_workers: int | None = None,
    progress: AccountProgress | None = None,
    partition: str = "aws",
    timeout: float | None = None,
    deadline: float | None = None,
    **scan_kwargs: Any,
) -> list[Report]:
    """`scan_accounts` without the merge: one report per account, in the order of
    `accounts` (duplicates dropped), so that accounts scanned in other processes
    (`awsobs.jobs`) merge into exactly the report one process gives."""
    if max_workers < 1:
        raise UsageError("--max-workers must be at least 1")
    if per_account_workers is not None and per_account_workers < 1:
        raise UsageError("per-account workers must be at least 1")
    per_account = min(per_account_workers or 8, max_workers)
    check_timeout(timeout)
    if timeout is not None and deadline is None:
        deadline = time.monotonic() + timeout
    if not accounts:
        raise UsageError("no accounts to scan")
    for bad in ("session", "max_workers", "progress", "cancel", "clients"):
        if bad in scan_kwargs:
            raise UsageError(f"scan_accounts sets {bad} itself; do not pass it")
    selected = REGISTRY.select(scan_kwargs.get("checks"), scan_kwargs.get("exclude_checks"))
    validate_options(scan_kwargs.get("options") or {}, REGISTRY.all())
    if base.get_credentials() is None:
        raise CredentialsError(
            "no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, "
            "or run `aws configure` / `aws sso login`"
        )

    def late(target: AccountTarget, started: dt.datetime) -> Report:
        assert timeout is not None
        return _not_in_time(target.account_id, timeout, selected, started, scan_kwargs)

    def one(target: AccountTarget) -> Report:
        started = dt.datetime.now(dt.UTC)
        if deadline is not None and time.monotonic() >= deadline:
            return late(target, started)
        arn = role_arn(target.account_id, role_name, partition)
        forward = _forwarder(progress, target.account_id)
        try:
            session = assumed_session(
                base, target.account_id, role_name, external_id=external_id, partition=partition
            )
            return scan(
                session,
                max_workers=per_account,
                progress=forward,
                cancel=stop,
                timeout=timeout,
                deadline=deadline,
                clients=clients,
                **scan_kwargs,
            )
        except AssumeRoleError as err:
            why = f"{err.code}: {err.detail}"
        except CredentialsError as err:
            why = f"credentials rejected: {err}"
        except EndpointUnreachable as err:  # the network, not the account's credentials
            why = str(err)
        except StartTimedOut:
            return late(target, started)
        return _unreachable(target.account_id, arn, why, selected, started, scan_kwargs)

    clients = ClientPool(shared_session(base), max_workers=max_workers)
    unique: dict[str, AccountTarget] = {}
    for target in accounts:
        unique.setdefault(target.account_id, target)
    stop = threading.Event()  # Ctrl-C or a UsageError: every account scan stops sending
    pool = ThreadPoolExecutor(max(1, max_workers // per_account), "awsobs-account")
    begun = dt.datetime.now(dt.UTC)
    futures = {a: pool.submit(one, a) for a in unique.values()}
    reports: list[Report] = []
    try:
        for target, fut in futures.items():
            # Each scan keeps the deadline itself; the second of grace is for an
            # sts:AssumeRole in flight, which no deadline stops.
            wait_s = None if deadline is None else max(0.0, deadline + 1.0 - time.monotonic())
            try:
                reports.append(fut.result(timeout=wait_s))
            except FuturesTimeout:
                reports.append(late(target, begun))
    except BaseException:  # do not wait for the others: they may be in retry sleeps
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    timed_out = deadline is not None and time.monotonic() >= deadline
    pool.shutdown(wait=not timed_out, cancel_futures=timed_out)
    return reports


def _forwarder(
    progress: AccountProgress | None, account_id: str
) -> Callable[[Progress], None] | None:
    """The engine's per-account progress callback, tagged with the account id."""
    if progress is None:
        return None
    callback = progress
    return lambda p: callback(account_id, p)


def _unreachable(
    account_id: str,
    arn: str,
    why: str,
    selected: list[Check],
    started: dt.datetime,
    scan_kwargs: dict[str, Any],
) -> Report:
    """The report of an account we could not get into: one UNKNOWN per selected check."""
    return _unscanned(
        account_id,
        " ".join(f"could not assume role {arn}: {why}".split()),
        {"role_arn": arn, "error": why},
        (
            f"create {arn} with a trust policy for the scanning principal and the "
            "awsobs read permissions (`awsobs policy`), or leave the account out"
        ),
        selected,
        started,
        scan_kwargs,
    )


def _not_in_time(
    account_id: str,
    timeout: float,
    selected: list[Check],
    started: dt.datetime,
    scan_kwargs: dict[str, Any],
) -> Report:
    """The report of an account the timeout left unscanned: one UNKNOWN per check."""
    return _unscanned(
        account_id,
        f"not scanned before the timeout ({seconds(timeout)} s)",
        {"timeout_s": timeout_evidence(timeout)},
        "raise --timeout, or scan fewer accounts per run (--shard)",
        selected,
        started,
        scan_kwargs,
        errors=[
            f"scan stopped at the {seconds(timeout)} s timeout: account {account_id} not scanned"
        ],
    )


def _unscanned(
    account_id: str,
    message: str,
    evidence: dict[str, Any],
    remediation: str,
    selected: list[Check],
    started: dt.datetime,
    scan_kwargs: dict[str, Any],
    errors: Iterable[str] = (),
) -> Report:
    """The report of an account that was not scanned: one UNKNOWN per selected check."""
    findings = [
        Finding(
            check_id=c.id,
            title=c.meta.title,
            severity=c.meta.severity,
            status=Status.UNKNOWN,
            account_id=account_id,
            region=GLOBAL_REGION,
            resource_type="AWS::::Account",
            resource_id=account_id,
            message=message,
            evidence=evidence,
            remediation=remediation,
        )
        for c in selected
    ]
    ran = [c.id for c in selected]
    entries: Sequence[Suppression] = scan_kwargs.get("suppressions") or ()
    findings, notes = apply_suppressions(findings, entries, started.date(), checks=ran)
    return Report.of(
        findings,
        started_at=started,
        accounts=(account_id,),
        regions=_requested_regions(scan_kwargs.get("regions")),
        checks=ran,
        errors=errors,
        suppression_notes=notes,
        tag_filter=scan_kwargs.get("tags") or {},  # so the merged report keeps the filter
    )


def _requested_regions(regions: Iterable[str] | str | None) -> tuple[str, ...]:
    """The explicitly requested region names ('all' or none: unknown, so empty)."""
    names = [regions] if isinstance(regions, str) else list(regions or [])
    names = [n.strip() for raw in names for n in raw.split(",") if n.strip()]
    return () if not names or "all" in names else tuple(dict.fromkeys(names))
