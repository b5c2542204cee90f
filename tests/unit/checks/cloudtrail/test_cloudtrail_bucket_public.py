"""cloudtrail.bucket_not_public: no trail bucket is public by policy or ACL, unless Block
Public Access (bucket or account level) overrides it.

moto serves every read: GetBucketPolicyStatus (NoSuchBucketPolicy without a policy, as
AWS), GetBucketAcl (canned ACLs give the AllUsers / AuthenticatedUsers grants), the
bucket's GetPublicAccessBlock and s3control's GetPublicAccessBlock
(NoSuchPublicAccessBlockConfiguration when unset). A bucket of another account comes
from tests/moto_ext.py `organization_trails_visible` (the management account's trail
and its bucket). Denied reads come from moto's IAM authorizer (`restricted_session` +
`iam_enforced`), except for the two Block Public Access reads: moto's authorizer
does not map them to s3:GetBucketPublicAccessBlock / s3:GetAccountPublicAccessBlock, so
`_deny` makes the gateway answer that one operation with AccessDenied.
"""

from __future__ import annotations

import boto3
import pytest
from helpers import (
    ACCOUNT,
    ORG_ACCOUNT,
    assume,
    bucket,
    findings,
    only,
    restricted_session,
    run,
    trail,
)
from moto_ext import iam_enforced, organization_trails_visible

import awsobs.checks.cloudtrail.bucket_public  # noqa: F401
from awsobs import Finding, Report, Status
from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.gateway import Gateway
from awsobs.demo.workflows import BLOCK_ALL, block_public_access, public_read_policy

CHECK = "cloudtrail.bucket_not_public"
ARN = "arn:aws:s3:::main-logs"
ALL_READS = ["cloudtrail:*", "s3:*", "ec2:DescribeRegions", "sts:GetCallerIdentity"]


def _deny(monkeypatch: pytest.MonkeyPatch, service: str, operation: str) -> None:
    """The gateway answers `service` `operation` with AccessDenied (moto cannot deny it)."""
    original = Gateway.call

    def call(self: Gateway, svc: str, op: str, region: str, **params: object) -> object:
        if (svc, op) == (service, operation):
            raise AwsError(ErrorKind.ACCESS_DENIED, svc, op, region, "AccessDenied", "denied")
        return original(self, svc, op, region, **params)

    monkeypatch.setattr(Gateway, "call", call)


def by_id(report: Report) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def _public_policy(aws: boto3.Session, name: str = "main-logs") -> None:
    aws.client("s3").put_bucket_policy(Bucket=name, Policy=public_read_policy(name))


def _account_block(aws: boto3.Session, **settings: bool) -> None:
    aws.client("s3control").put_public_access_block(
        AccountId=ACCOUNT, PublicAccessBlockConfiguration={**BLOCK_ALL, **settings}
    )


def test_a_private_bucket_passes_and_says_nothing_guards_it(aws: boto3.Session) -> None:
    """No policy (NoSuchBucketPolicy) and a private ACL: not public."""
    trail(aws, "main")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert f.resource_id == ARN
    assert f.resource_type == "AWS::S3::Bucket"
    assert f.message == (
        "trail bucket 'main-logs' (trail 'main') is not public by policy or ACL; no Block "
        "Public Access guards it against a later public policy or ACL"
    )
    assert f.evidence["policy_is_public"] is False
    assert f.evidence["public_acl_grants"] == []


def test_account_block_public_access_guards_it(aws: boto3.Session) -> None:
    trail(aws, "main")
    _account_block(aws)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert "Block Public Access (RestrictPublicBuckets, IgnorePublicAcls) guards it" in f.message


def test_a_public_bucket_policy_fails(aws: boto3.Session) -> None:
    trail(aws, "main")
    _public_policy(aws)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "trail bucket 'main-logs' (trail 'main') is public: its bucket policy is public" in (
        f.message
    )
    assert "anyone can read the account's audit log" in f.message
    assert f.remediation.startswith("aws s3api put-public-access-block --bucket main-logs ")


@pytest.mark.parametrize(
    ("acl", "grant"),
    [
        ("public-read", "everyone (AllUsers): READ"),
        ("authenticated-read", "every AWS account (AuthenticatedUsers): READ"),
    ],
)
def test_a_public_acl_fails_naming_the_grant(aws: boto3.Session, acl: str, grant: str) -> None:
    trail(aws, "main")
    aws.client("s3").put_bucket_acl(Bucket="main-logs", ACL=acl)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f"its ACL grants {grant}" in f.message


def test_block_public_access_overrides_a_public_policy_and_acl(aws: boto3.Session) -> None:
    """RestrictPublicBuckets neutralises a public policy, IgnorePublicAcls a public ACL,
    at the bucket's level or the account's."""
    trail(aws, "main")
    _public_policy(aws)
    aws.client("s3").put_bucket_acl(Bucket="main-logs", ACL="public-read")
    block_public_access(aws, "main-logs", "us-east-1")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS, f.message
    aws.client("s3").delete_public_access_block(Bucket="main-logs")
    _account_block(aws, IgnorePublicAcls=False)  # the ACL is exposed again
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "its ACL grants everyone (AllUsers): READ" in f.message
    assert "bucket policy" not in f.message


def test_a_deleted_trail_bucket_fails(aws: boto3.Session) -> None:
    """NoSuchBucket: the name is free for anyone to claim and receive the logs."""
    trail(aws, "main")
    aws.client("s3").delete_bucket(Bucket="main-logs")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "bucket 'main-logs' of trail 'main' does not exist" in f.message


def test_a_bucket_of_another_account_is_unknown_not_fail(aws: boto3.Session) -> None:
    with organization_trails_visible(status_readable=True):
        org = assume(aws, ORG_ACCOUNT)
        bucket(org, "org-archive")
        trail(
            org, "org-trail", multi_region=True, IsOrganizationTrail=True, bucket_name="org-archive"
        )
        _public_policy(org, "org-archive")
        f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == "arn:aws:s3:::org-archive"
    assert "is not in this account (a central log-archive bucket?)" in f.message


def test_no_trail_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.message == "no CloudTrail trail in the scanned regions"


@pytest.mark.parametrize(
    ("denied", "resource"),
    [
        ("cloudtrail:DescribeTrails", "us-east-1"),
        ("s3:GetBucketLocation", ARN),
        ("s3:GetBucketPolicyStatus", ARN),
        ("s3:GetBucketAcl", ARN),
    ],
)
def test_each_read_a_private_bucket_needs_is_unknown_when_denied(
    aws: boto3.Session, denied: str, resource: str
) -> None:
    trail(aws, "main")
    scanner = restricted_session(aws, ALL_READS, deny=[denied])
    with iam_enforced():
        got = by_id(run(scanner, [CHECK]))
    f = got[resource]
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == denied


@pytest.mark.parametrize(
    ("service", "operation", "level"),
    [("s3", "GetPublicAccessBlock", "bucket"), ("s3control", "GetPublicAccessBlock", "account")],
)
def test_a_guard_that_could_not_be_read_leaves_a_public_policy_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, service: str, operation: str, level: str
) -> None:
    trail(aws, "main")
    _public_policy(aws)
    if level == "bucket":
        block_public_access(aws, "main-logs", "us-east-1")
    else:
        _account_block(aws)
    _deny(monkeypatch, service, operation)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN, f.message
    action = f"s3:Get{'Bucket' if level == 'bucket' else 'Account'}PublicAccessBlock"
    assert f.evidence["error"]["action"] == action
    assert "whether trail bucket 'main-logs' is public by its policy could not be read" in (
        f.message
    )


def test_an_unlisted_account_leaves_its_block_public_access_open(aws: boto3.Session) -> None:
    """The account's settings apply to its own buckets: with ListBuckets denied, a public
    policy guarded only at the account level is UNKNOWN, naming ListBuckets."""
    trail(aws, "main")
    _public_policy(aws)
    _account_block(aws)
    scanner = restricted_session(aws, ALL_READS, deny=["s3:ListAllMyBuckets"])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN, f.message
    assert f.evidence["error"]["action"] == "s3:ListAllMyBuckets"


def test_a_guard_that_could_only_clear_a_private_bucket_does_not_matter(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    trail(aws, "main")
    _deny(monkeypatch, "s3control", "GetPublicAccessBlock")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert f.evidence["account_public_access_block"] is None
