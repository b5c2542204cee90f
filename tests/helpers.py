"""Helpers for tests: run a scan, pick findings, seed moto with trails and users."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import boto3

from awsobs import Finding, Report, Status, scan

ACCOUNT = "123456789012"
ORG_ACCOUNT = "111111111111"


def run(
    session: boto3.Session,
    checks: Iterable[str],
    regions: Iterable[str] = ("us-east-1",),
    **kw: Any,
) -> Report:
    return scan(session, checks=list(checks), regions=list(regions), **kw)


def findings(report: Report, check_id: str) -> list[Finding]:
    return [f for f in report.findings if f.check_id == check_id]


def only(report: Report, check_id: str) -> Finding:
    """The single finding of `check_id` (fails the test when there is not exactly one)."""
    found = findings(report, check_id)
    assert len(found) == 1, [f"{f.status} {f.resource_id} {f.message}" for f in found]
    return found[0]


def statuses(report: Report, check_id: str) -> dict[str, Status]:
    """resource_id -> status for one check."""
    return {f.resource_id: f.status for f in findings(report, check_id)}


def bucket(session: boto3.Session, name: str, region: str = "us-east-1") -> None:
    s3 = session.client("s3", region_name=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def trail(
    session: boto3.Session,
    name: str,
    region: str = "us-east-1",
    *,
    multi_region: bool = False,
    logging: bool = True,
    selectors: list[dict[str, Any]] | None = None,
    advanced: list[dict[str, Any]] | None = None,
    bucket_name: str | None = None,
    **extra: Any,
) -> str:
    """Create a trail (and its bucket); returns the trail ARN."""
    bucket_name = bucket_name or f"{name}-logs"
    s3 = session.client("s3", region_name=region)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket_name not in existing:
        bucket(session, bucket_name, region)
    ct = session.client("cloudtrail", region_name=region)
    arn: str = ct.create_trail(
        Name=name, S3BucketName=bucket_name, IsMultiRegionTrail=multi_region, **extra
    )["TrailARN"]
    if selectors is not None:
        ct.put_event_selectors(TrailName=name, EventSelectors=selectors)
    if advanced is not None:
        ct.put_event_selectors(TrailName=name, AdvancedEventSelectors=advanced)
    if logging:
        ct.start_logging(Name=name)
    return arn


MGMT_ALL = [
    {"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
]


def assume(session: boto3.Session, account: str) -> boto3.Session:
    """A session in another moto account (moto maps assumed-role credentials to it)."""
    creds = session.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/awsobs-test", RoleSessionName="awsobs-test"
    )["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def restricted_session(session: boto3.Session, allow: list[str], deny: list[str]) -> boto3.Session:
    """Credentials of an IAM user allowed `allow` and denied `deny` actions.

    Used with moto's IAM enforcement (`set_initial_no_auth_action_count`), so AccessDenied
    comes from moto's own authorizer, as it would from AWS.
    """
    iam = session.client("iam")
    iam.create_user(UserName="scanner")
    statements = [{"Effect": "Allow", "Action": allow, "Resource": "*"}]
    if deny:
        statements.append({"Effect": "Deny", "Action": deny, "Resource": "*"})
    iam.put_user_policy(
        UserName="scanner",
        PolicyName="scan",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    return boto3.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name="us-east-1",
    )
