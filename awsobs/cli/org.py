"""The command line for many accounts: `scan --org | --accounts`, `--shard K/N`, `merge`.

`--profile` alone scans one account. `--org` lists the organization's active accounts
from the management (or delegated administrator) account and assumes `--role-name` in
each; `--accounts` takes an explicit list. `--shard K/N` keeps a stable 1/N of them, so
a CI matrix, a Kubernetes Indexed Job or an AWS Batch array job can split the work, and
`awsobs merge` puts the shard reports back together. `--jobs N` scans them in N worker
processes on this machine (default: one per usable core, at most one per account) and
merges their reports in memory (awsobs/jobs/).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

from awsobs.errors import ScanTimedOut, StartTimedOut, UsageError

JOBS_HELP = (
    "scan the accounts in N worker processes, merged into one report (default: one per 16 "
    "accounts, at most the usable cores; 1: in this process)"
)
SHARD_HELP = (
    "scan only shard K of N (0-based, stable by account id): K from the scheduler's index, "
    "e.g. GitHub strategy.job-index, JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX"
)


def add_account_flags(p: argparse.ArgumentParser) -> None:
    """The flags that turn `scan` into a scan of several accounts."""
    group = p.add_argument_group("several accounts")
    which = group.add_mutually_exclusive_group()
    which.add_argument(
        "--org",
        action="store_true",
        help="scan every ACTIVE account of the organization (organizations:ListAccounts)",
    )
    which.add_argument(
        "--accounts", metavar="ID,ID", help="scan these accounts (12-digit ids, comma-separated)"
    )
    group.add_argument(
        "--role-name",
        metavar="NAME",
        help="role to assume in each account (required with --org or --accounts)",
    )
    group.add_argument("--external-id", metavar="X", help="external id for sts:AssumeRole")
    group.add_argument("--shard", metavar="K/N", help=SHARD_HELP)
    group.add_argument(
        "--account-workers",
        type=int,
        metavar="N",
        help="concurrent requests per account (default: 8, at most --max-workers); "
        "--max-workers bounds the whole scan",
    )
    group.add_argument("--jobs", type=jobs_value, metavar="N", help=JOBS_HELP)


def jobs_value(text: str) -> int:
    """--jobs's value: a whole number of at least 1."""
    try:
        value = int(text, 10)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return value


def many_accounts(args: argparse.Namespace) -> bool:
    """Whether the flags ask for a scan of several accounts; checks they make sense."""
    several = bool(args.org or args.accounts)
    if not several:
        for flag, value in (
            ("--role-name", args.role_name),
            ("--external-id", args.external_id),
            ("--shard", args.shard),
            ("--account-workers", args.account_workers),
            ("--jobs", args.jobs),
        ):
            if value is not None:
                raise UsageError(f"{flag} needs --org or --accounts")
        return False
    if not args.role_name:
        raise UsageError("--org and --accounts need --role-name (the role to assume in each)")
    if args.account_workers is not None and args.account_workers < 1:
        raise UsageError("--account-workers must be at least 1")
    return True


def scan_many(
    args: argparse.Namespace, session: Any, scan_kwargs: dict[str, Any], progress: Any
) -> Any:
    """List (or take) the accounts, keep this shard, and scan them (in `args.jobs`
    processes: the flag's, else the config file's, else `default_jobs`); returns a Report."""
    from awsobs.accounts import list_org_accounts, parse_accounts, parse_shard, shard
    from awsobs.jobs import default_jobs, scan_accounts_in_processes

    where = parse_shard(args.shard) if args.shard else None  # bad K/N before any request
    timeout = scan_kwargs.get("timeout")
    deadline = None if timeout is None else time.monotonic() + timeout  # the whole command's
    if args.org:
        targets = _org_accounts(list_org_accounts, session, deadline, timeout)
    else:
        targets = parse_accounts(args.accounts)
    if not targets:
        raise UsageError("no account to scan")
    if where is not None:
        targets = shard(targets, *where)
        if not targets:  # a matrix job with nothing to do: an empty report merges cleanly
            return _empty_report(scan_kwargs)
    jobs = args.jobs or default_jobs(len({t.account_id for t in targets}))
    return scan_accounts_in_processes(
        session,
        targets,
        jobs=jobs,
        role_name=args.role_name,
        external_id=args.external_id,
        per_account_workers=args.account_workers,
        progress=(lambda account, p: progress(p)) if progress is not None else None,
        deadline=deadline,
        **scan_kwargs,
    )


def _org_accounts(
    list_accounts: Callable[..., Any], session: Any, deadline: float | None, timeout: Any
) -> Any:
    """The organization's accounts, listed before the deadline: the listing runs on a
    thread of its own, so that a read that hangs cannot hold the command past it."""
    if deadline is None:
        return list_accounts(session)
    listed: Future[Any] = Future()

    def work() -> None:
        try:
            listed.set_result(list_accounts(session, deadline=deadline))
        except BaseException as exc:
            listed.set_exception(exc)

    threading.Thread(target=work, name="awsobs-org", daemon=True).start()
    try:
        return listed.result(timeout=max(0.0, deadline - time.monotonic()))
    except (FuturesTimeout, ScanTimedOut):
        from awsobs.engine import seconds

        raise StartTimedOut(
            f"the {seconds(timeout)} s timeout passed before the organization's accounts "
            "were listed (organizations:ListAccounts): nothing was scanned (raise --timeout)"
        ) from None


def _empty_report(scan_kwargs: dict[str, Any]) -> Any:
    """The report of a shard that holds no account: no finding, the checks it would run."""
    import datetime as dt

    from awsobs.model import Report
    from awsobs.registry import REGISTRY

    checks = REGISTRY.select(scan_kwargs.get("checks"), scan_kwargs.get("exclude_checks"))
    now = dt.datetime.now(dt.UTC)
    return Report.of(
        (), started_at=now, finished_at=now, accounts=(), regions=(), checks=[c.id for c in checks]
    )


def add_merge_command(
    sub: Any, add_report_flags: Callable[[argparse.ArgumentParser], None], run: Callable[..., int]
) -> None:
    """`awsobs merge A.json B.json ...`: one report from shard reports."""
    p = sub.add_parser("merge", help="merge JSON reports (shards of one scan) into one report")
    p.add_argument("reports", nargs="+", metavar="REPORT.json", help="JSON reports to merge")
    add_report_flags(p)
    p.set_defaults(func=run)


def merged_report(paths: list[str]) -> Any:
    """The Report that `paths` (JSON reports) make together."""
    from awsobs.merge import merge_reports
    from awsobs.report_io import load_report, report_from_dict

    return merge_reports([report_from_dict(load_report(p), p) for p in paths])
