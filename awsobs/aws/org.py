"""AWS access for scans of many accounts: the organization's accounts, and a session in
each through an assumed role. Like the gateway, this is the only place these calls are
made; awsobs.accounts runs the scans.

- `organizations:ListAccounts` goes through the gateway: read-only, paginated, an error
  typed like any other read's.
- `sts:AssumeRole` cannot: it is not a read, so the gateway refuses it by construction.
  It is the one call awsobs makes outside the gateway, with its own STS client, and what
  it returns is credentials, handed to botocore through a credential provider, never
  kept or printed by awsobs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.gateway import Gateway
from awsobs.aws.network import unreachable
from awsobs.aws.session import DEFAULT_REGION, global_region, home_region
from awsobs.errors import AwsobsError, CredentialsError, EndpointUnreachable, UsageError

ORG_PERMISSIONS = ("organizations:ListAccounts",)
"""What `--org` reads in the management (or delegated administrator) account."""
ASSUME_PERMISSIONS = ("sts:AssumeRole",)
"""What scanning other accounts needs of the caller, on the role in each account."""

# boto3 Sessions are not thread-safe; account threads share the base session to make clients.
_BASE_LOCK = threading.Lock()


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


def list_org_accounts(
    session: boto3.Session, *, deadline: float | None = None
) -> list[AccountTarget]:
    """ACTIVE accounts of the caller's organization (organizations:ListAccounts through the
    gateway, all pages), by id. Past `deadline` (`time.monotonic()`), nothing is sent and
    `ScanTimedOut` is raised."""
    partition = session.get_partition_for_region(home_region(session))
    try:
        gateway = Gateway(session, deadline=deadline)
        listed = gateway.call("organizations", "ListAccounts", global_region(partition))
    except AwsError as err:
        if err.code == "AWSOrganizationsNotInUseException":
            raise UsageError("not in an organization: use --accounts") from None
        if err.kind is ErrorKind.ACCESS_DENIED:
            raise UsageError(
                f"organizations:ListAccounts denied ({err.code}): list accounts from the "
                "management account or a delegated administrator, or use --accounts"
            ) from None
        if err.kind is ErrorKind.CREDENTIALS:
            raise CredentialsError(f"organizations:ListAccounts failed: {err.describe()}") from None
        if err.kind is ErrorKind.UNREACHABLE:
            raise EndpointUnreachable(err.message) from None
        raise UsageError(f"organizations:ListAccounts failed: {err.code}: {err.message}") from None
    found = [
        AccountTarget(str(acct["Id"]), str(acct.get("Name", "")))
        for acct in listed.get("Accounts", ())
        if acct.get("State", acct.get("Status")) == "ACTIVE"
        and acct.get("Status", "ACTIVE") == "ACTIVE"
    ]
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
            network = unreachable(exc, sts.meta.endpoint_url)  # DNS, refused, proxy, TLS
            detail = network.describe("sts:AssumeRole") if network is not None else str(exc)
            raise AssumeRoleError(arn, type(exc).__name__, detail) from None
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
    # Credentials reach the session through its resolver (botocore's supported hook), first
    # in line, so no environment or profile credentials of the base can stand in.
    core.get_component("credential_provider").insert_before("env", _Assumed(credentials))
    return boto3.Session(botocore_session=core, region_name=region)


class _Assumed(CredentialProvider):
    """A credential provider that hands out one assumed role's refreshable credentials."""

    METHOD = "awsobs-assume-role"
    CANONICAL_NAME = "awsobs-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def _client_error(exc: ClientError) -> tuple[str, str]:
    error = exc.response.get("Error", {})
    return str(error.get("Code", "Unknown")), " ".join(str(error.get("Message", "")).split())
