"""Who we are and where we look: profile, caller identity and the account's regions.

Everything that can stop a scan from starting lives here, and fails with one line a
person can act on (`UsageError` or `CredentialsError`), never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ProfileNotFound

from awsobs.aws.env_errors import (
    NO_CREDENTIALS,
    check_session,
    credentials_error,
    environment_error,
    session_region,
    unknown_profile,
)
from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.gateway import Gateway
from awsobs.errors import CredentialsError, EndpointUnreachable, ScanCancelled, UsageError

DEFAULT_REGION = "us-east-1"
ENGINE_PERMISSIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions", "tag:GetResources")
"""What a scan reads beside the checks: who the caller is and which regions exist (every
scan, before any check: `resolve_identity`, `discover_regions`), and resource tags (only
with `--tag` or a suppression by tag: awsobs/aws/tagging.py). `awsobs policy` adds them to
the checks' own."""
_ENABLED = {"opt-in-not-required", "opted-in"}


def open_session(profile: str | None = None) -> boto3.Session:
    """A boto3 session for `profile` (None: boto3's default chain), its whole local set-up
    read and checked (`check_session`): a malformed config or credentials file, an unknown
    profile, a region or retry setting botocore would refuse, or a credential_process that
    fails is a one-line `UsageError` / `CredentialsError` here, before any work."""
    try:
        session = boto3.Session(profile_name=profile)
    except ProfileNotFound as err:
        name = profile if profile is not None else str(err.kwargs.get("profile", ""))
        raise UsageError(unknown_profile(name, from_flag=profile is not None)) from None
    except Exception as exc:
        error = environment_error(exc)
        if error is None:
            raise
        raise error from None
    check_session(session)
    return session


_GLOBAL_REGION = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def global_region(partition: str) -> str:
    """Where a partition's global services (IAM, S3's ListBuckets) are called."""
    return _GLOBAL_REGION.get(partition, "us-east-1")


def home_region(session: boto3.Session) -> str:
    """Region for account-wide calls (STS, DescribeRegions): the session's, else us-east-1.
    A session region botocore would refuse (`AWS_DEFAULT_REGION=' us-east-1'`) is a
    `UsageError` naming where it was set."""
    return session_region(session) or DEFAULT_REGION


@dataclass(frozen=True)
class Identity:
    """The caller, from sts:GetCallerIdentity."""

    account_id: str
    arn: str

    @property
    def partition(self) -> str:
        """`aws`, `aws-cn` or `aws-us-gov`, from the caller ARN."""
        parts = self.arn.split(":")
        return parts[1] if len(parts) > 1 and parts[1] else "aws"


def resolve_identity(gateway: Gateway, region: str) -> Identity:
    """Prove the credentials work; raise `CredentialsError` with the fix when they don't.

    GetCallerIdentity is a scan's first request, so botocore reads the local set-up here
    (the credential_process runs, the region is validated, when the session was not
    checked by `open_session`): what goes wrong before the request is sent is raised as
    the one-line `CredentialsError` or `UsageError` naming the cause, never an UNKNOWN."""
    try:
        who = gateway.call("sts", "GetCallerIdentity", region)
    except ScanCancelled:  # cancelled or timed out: not a credentials problem
        raise
    except AwsError as err:
        if err.kind is ErrorKind.UNREACHABLE:  # a network failure, not the credentials
            raise EndpointUnreachable(err.message) from None
        raise CredentialsError(_credentials_message(err)) from None
    except Exception as exc:  # raised by botocore while it made the client or credentials
        raise credentials_error(exc, _session_of(gateway)) from None
    return Identity(account_id=str(who["Account"]), arn=str(who["Arn"]))


def _session_of(gateway: Gateway) -> Any:
    return getattr(gateway, "_session", None)


_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired"}


def _credentials_message(err: AwsError) -> str:
    code = err.code
    if code == "NoCredentialsError":
        return NO_CREDENTIALS
    if code in {"UnauthorizedSSOTokenError", "SSOTokenLoadError", "TokenRetrievalError"}:
        return f"the AWS SSO session is missing or expired ({code}): run `aws sso login`"
    if code in _EXPIRED:
        return f"the AWS credentials have expired ({code}): refresh them and run again"
    if err.kind in (ErrorKind.CREDENTIALS, ErrorKind.REGION_UNAVAILABLE, ErrorKind.ACCESS_DENIED):
        return f"AWS rejected the credentials ({code}): {err.message}".strip()
    return f"could not verify the AWS credentials with sts:GetCallerIdentity: {code}: {err.message}"


@dataclass(frozen=True)
class Regions:
    """The account's regions: those it may use, and every name AWS knows."""

    enabled: tuple[str, ...]
    known: tuple[str, ...]
    listed: bool  # False when ec2:DescribeRegions was denied and botocore's list stood in


def discover_regions(
    gateway: Gateway, session: boto3.Session, region: str, partition: str
) -> Regions:
    """Enabled and known regions from ec2:DescribeRegions (AllRegions=True).

    Opted-out regions are known but not enabled. Without DescribeRegions, botocore's
    own region list is used to validate names, and nothing is known to be enabled.
    The read is memoized, so calling `prefetch_regions` first makes this free.

    Credentials that AWS rejects here (they expired since GetCallerIdentity accepted
    them) raise `CredentialsError`, with or without a region list: no check could read.
    """
    try:
        listed = prefetch_regions(gateway, region)
    except ScanCancelled:
        raise
    except AwsError as err:
        if err.kind is ErrorKind.CREDENTIALS:
            raise CredentialsError(_rejected_later(err)) from None
        known = tuple(sorted(session.get_available_regions("ec2", partition_name=partition)))
        return Regions(enabled=(), known=known, listed=False)
    except Exception as exc:  # botocore could not make the client (see resolve_identity)
        raise credentials_error(exc, _session_of(gateway)) from None
    rows = listed.get("Regions", ())
    known = tuple(sorted(r["RegionName"] for r in rows))
    enabled = tuple(sorted(r["RegionName"] for r in rows if r.get("OptInStatus", "") in _ENABLED))
    return Regions(enabled=enabled, known=known, listed=True)


def _rejected_later(err: AwsError) -> str:
    """Credentials rejected by a read after GetCallerIdentity accepted them."""
    if err.code in _EXPIRED:
        return (
            f"the AWS credentials have expired ({err.code} from {err.action}): "
            "refresh them and run again"
        )
    return f"AWS rejected the credentials ({err.code} from {err.action}): {err.message}".strip()


def prefetch_regions(gateway: Gateway, region: str) -> Any:
    """The raw ec2:DescribeRegions answer (raises `AwsError`); needs no caller identity."""
    return gateway.call("ec2", "DescribeRegions", region, AllRegions=True)


def choose_regions(requested: Iterable[str] | str | None, regions: Regions) -> tuple[str, ...]:
    """The regions to scan: the requested ones (validated), or all enabled ones.

    Only None (nothing requested) or "all" means every enabled region: a list or string
    that names no region (`[]`, `""`, `",,"`, `[" "]`) is a `UsageError`, so an empty
    variable in a CI job never widens a scan to the whole account.
    """
    given = [requested] if isinstance(requested, str) else list(requested or [])
    names = [n.strip() for raw in given for n in raw.split(",") if n.strip()]
    if requested is not None and not names:
        raise UsageError(
            f"regions {given!r} names no region (pass None or 'all' to scan every enabled region)"
        )
    if not names or names == ["all"]:
        if not regions.listed:
            raise UsageError(
                "cannot list the account's enabled regions (ec2:DescribeRegions failed); "
                "grant ec2:DescribeRegions or pass --regions"
            )
        return regions.enabled
    if "all" in names:
        raise UsageError("--regions: 'all' cannot be combined with region names")
    unknown = [n for n in names if n not in regions.known]
    if unknown:
        raise UsageError(
            f"unknown region {', '.join(repr(n) for n in unknown)} "
            f"(known: {', '.join(regions.known)})"
        )
    return tuple(dict.fromkeys(names))
