"""Scan many accounts: pick them (a list, an organization, a shard), assume a role in each,
scan each with `awsobs.engine.scan` and merge the reports into one.

An account whose role cannot be assumed is not dropped: it gets one UNKNOWN finding per
selected check naming the role, so a multi-account report never looks cleaner than it is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from awsobs.aws.session import DEFAULT_REGION, global_region, home_region
from awsobs.config import DEFAULT_MAX_WORKERS
from awsobs.engine import Progress, scan, validate_options
from awsobs.errors import AwsobsError, CredentialsError, UsageError
from awsobs.merge import merge_reports
from awsobs.model import GLOBAL_REGION, Finding, Report, Status
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
    "shard",
]

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
# boto3 Sessions are not thread-safe; account threads share the base session to make clients.
_BASE_LOCK = threading.Lock()

AccountProgress = Callable[[str, Progress], None]
"""Called as `progress(account_id, Progress)` from the scanning threads (not thread-bound)."""


@dataclass(frozen=True)
class AccountTarget:
    """One account to scan; `name` is informational (from Organizations), never matched."""

    account_id: str
    name: str = ""


class AssumeRoleError(AwsobsError):
    """sts:AssumeRole into one account failed; `scan_accounts` turns it into UNKNOWNs."""

    def __init__(self, role_arn: str, code: str, message: str) -> None:
        super().__init__(f"could not assume role {role_arn}: {code}: {message}".strip())
        self.role_arn = role_arn
        self.code = code
        self.detail = message


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


def list_org_accounts(session: boto3.Session) -> list[AccountTarget]:
    """ACTIVE accounts of the caller's organization (organizations:ListAccounts), by id."""
    partition = session.get_partition_for_region(home_region(session))
    client = session.client("organizations", region_name=global_region(partition))
    found: list[AccountTarget] = []
    try:
        for page in client.get_paginator("list_accounts").paginate():
            for acct in page.get("Accounts", []):
                state = acct.get("State", acct.get("Status"))
                if state == "ACTIVE" and acct.get("Status", "ACTIVE") == "ACTIVE":
                    found.append(AccountTarget(str(acct["Id"]), str(acct.get("Name", ""))))
    except ClientError as exc:
        code, message = _client_error(exc)
        if code == "AWSOrganizationsNotInUseException":
            raise UsageError("not in an organization: use --accounts") from None
        if code in {"AccessDenied", "AccessDeniedException"}:
            raise UsageError(
                f"organizations:ListAccounts denied ({code}): list accounts from the management "
                "account or a delegated administrator, or use --accounts"
            ) from None
        raise UsageError(f"organizations:ListAccounts failed: {code}: {message}") from None
    except BotoCoreError as exc:
        raise CredentialsError(f"organizations:ListAccounts failed: {exc}") from None
    return sorted(found, key=lambda a: a.account_id)


def role_arn(account_id: str, role_name: str, partition: str = "aws") -> str:
    """arn:{partition}:iam::{account}:role/{name}; `role_name` may carry a path ("ops/scan")."""
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


def assumed_session(
    base: boto3.Session,
    account_id: str,
    role_name: str,
    *,
    external_id: str | None = None,
    partition: str = "aws",
    session_name: str = "awsobs",
) -> boto3.Session:
    """A session in `account_id` through sts:AssumeRole, re-assumed before the credentials
    expire (so a scan that outlasts them goes on). The first AssumeRole happens now, so a
    role that cannot be assumed raises `AssumeRoleError` here."""
    arn = role_arn(account_id, role_name, partition)
    region = base.region_name or DEFAULT_REGION
    with _BASE_LOCK:
        sts = base.client("sts", region_name=region)
        loader = base._session.get_component("data_loader")
    params: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": session_name[:64]}
    if external_id:
        params["ExternalId"] = external_id

    def fetch() -> dict[str, str]:
        try:
            creds = sts.assume_role(**params)["Credentials"]
        except ClientError as exc:
            raise AssumeRoleError(arn, *_client_error(exc)) from None
        except BotoCoreError as exc:
            raise AssumeRoleError(arn, type(exc).__name__, str(exc)) from None
        expiry = creds["Expiration"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": expiry.isoformat() if hasattr(expiry, "isoformat") else str(expiry),
        }

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method="sts-assume-role"
    )
    core = botocore.session.get_session()
    # Share the base session's parsed service models: one parse for every account.
    core.register_component("data_loader", loader)
    # botocore has no public setter for refreshable credentials; this is the usual idiom.
    core._credentials = credentials  # type: ignore[attr-defined]
    return boto3.Session(botocore_session=core, region_name=region)


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
    **scan_kwargs: Any,
) -> Report:
    """Scan every account through `role_name` and merge the reports (`merge_reports`).

    At most `max_workers` AWS requests are in flight: each account scan gets
    `per_account_workers` (default 8; never above max_workers) and max_workers // that many
    accounts run at once, so one throttled account only slows its own workers.
    `scan_kwargs` go to `awsobs.scan` (regions, checks, exclude_checks, options, ...).
    Raises `UsageError` for bad options before any account is touched.
    """
    if max_workers < 1:
        raise UsageError("--max-workers must be at least 1")
    if per_account_workers is not None and per_account_workers < 1:
        raise UsageError("per-account workers must be at least 1")
    per_account = min(per_account_workers or 8, max_workers)
    if not accounts:
        raise UsageError("no accounts to scan")
    for bad in ("session", "max_workers", "progress"):
        if bad in scan_kwargs:
            raise UsageError(f"scan_accounts sets {bad} itself; do not pass it")
    selected = REGISTRY.select(scan_kwargs.get("checks"), scan_kwargs.get("exclude_checks"))
    validate_options(scan_kwargs.get("options") or {}, REGISTRY.all())
    if base.get_credentials() is None:
        raise CredentialsError(
            "no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, "
            "or run `aws configure` / `aws sso login`"
        )

    def one(target: AccountTarget) -> Report:
        started = dt.datetime.now(dt.UTC)
        arn = role_arn(target.account_id, role_name, partition)
        forward = _forwarder(progress, target.account_id)
        try:
            session = assumed_session(
                base, target.account_id, role_name, external_id=external_id, partition=partition
            )
            return scan(
                session, max_workers=per_account, progress=forward, cancel=stop, **scan_kwargs
            )
        except AssumeRoleError as err:
            why = f"{err.code}: {err.detail}"
        except CredentialsError as err:
            why = f"credentials rejected: {err}"
        return _unreachable(target.account_id, arn, why, selected, started, scan_kwargs)

    unique: dict[str, AccountTarget] = {}
    for target in accounts:
        unique.setdefault(target.account_id, target)
    stop = threading.Event()  # Ctrl-C or a UsageError: every account scan stops sending
    pool = ThreadPoolExecutor(max(1, max_workers // per_account), "awsobs-account")
    futures = [pool.submit(one, a) for a in unique.values()]
    try:
        reports = [fut.result() for fut in futures]
    except BaseException:  # do not wait for the others: they may be in retry sleeps
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return merge_reports(reports)


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
    message = " ".join(f"could not assume role {arn}: {why}".split())
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
            evidence={"role_arn": arn, "error": why},
            remediation=(
                f"create {arn} with a trust policy for the scanning principal and the "
                "awsobs read permissions (`awsobs policy`), or leave the account out"
            ),
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
        suppression_notes=notes,
    )


def _requested_regions(regions: Iterable[str] | str | None) -> tuple[str, ...]:
    """The explicitly requested region names ('all' or none: unknown, so empty)."""
    names = [regions] if isinstance(regions, str) else list(regions or [])
    names = [n.strip() for raw in names for n in raw.split(",") if n.strip()]
    return () if not names or "all" in names else tuple(dict.fromkeys(names))


def _client_error(exc: ClientError) -> tuple[str, str]:
    error = exc.response.get("Error", {})
    return str(error.get("Code", "Unknown")), " ".join(str(error.get("Message", "")).split())
