"""An organization in moto and the scan role: members to scan, and one whose role STS
refuses (moto's AssumeRole always succeeds)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from moto.sts.exceptions import STSClientError
from moto.sts.models import STSBackend

ROLE = "awsobs-scan"


def create_org(session: boto3.Session, n: int) -> list[str]:
    """An organization with `n` member accounts; returns the members' ids."""
    org = session.client("organizations")
    org.create_organization(FeatureSet="ALL")
    return [
        org.create_account(AccountName=f"member{i}", Email=f"m{i}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for i in range(n)
    ]


def deny_assume_role(monkeypatch: pytest.MonkeyPatch, account: str) -> str:
    """moto's AssumeRole always succeeds; make it refuse one account's role, as STS would."""
    denied = f"arn:aws:iam::{account}:role/{ROLE}"
    original = STSBackend.assume_role

    def assume_role(self: STSBackend, **kw: Any) -> Any:
        if kw["role_arn"] == denied:
            raise STSClientError(
                "AccessDenied", f"not authorized to perform sts:AssumeRole on {denied}"
            )
        return original(self, **kw)

    monkeypatch.setattr(STSBackend, "assume_role", assume_role)
    return denied
