"""The trail's S3 bucket: can anyone on the internet read the audit log? (CIS v1.4
3.3, dropped from v3.0; Security Hub CloudTrail.6.) A public trail bucket hands every visitor the
account's record of who did what, from where, with which keys.

Reads, per distinct trail bucket: GetBucketLocation (shared with
`cloudtrail.bucket_access_logging` and S3's readers), then in the bucket's region
GetBucketPolicyStatus, GetPublicAccessBlock and GetBucketAcl; once per scan: ListBuckets
(shared) to tell this account's buckets from another account's, and the account's Block
Public Access (s3control GetPublicAccessBlock).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.session import global_region
from awsobs.checks._shared import bucket_region
from awsobs.checks.cloudtrail.readers import Trail, all_trails, listing_gaps
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

BUCKET = "AWS::S3::Bucket"
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "everyone (AllUsers)",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": (
        "every AWS account (AuthenticatedUsers)"
    ),
}
_BLOCK_ALL = (
    "aws s3api put-public-access-block --bucket {bucket} --public-access-block-configuration "
    "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true"
)


@dataclass(frozen=True)
class Read:
    """One read's answer: a value (None: AWS has no such configuration), or its error."""

    value: Any = None
    error: AwsError | None = None


def _read(ctx: Context, service: str, op: str, region: str, absent: str, **kw: Any) -> Read:
    """`op`, with the error code `absent` meaning "not configured" (value None)."""
    try:
        return Read(ctx.call(service, op, region, **kw))
    except AwsError as err:
        if err.code == absent:
            return Read(None)
        return Read(error=err)


def _block(read: Read) -> Read:
    """A GetPublicAccessBlock answer as its four settings (all False when none is set)."""
    if read.error is not None:
        return read
    conf: Mapping[str, Any] = (read.value or {}).get("PublicAccessBlockConfiguration") or {}
    keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return Read({k: conf.get(k) is True for k in keys})


def _guard(setting: str, bucket: Read, account: Read) -> tuple[bool | None, AwsError | None]:
    """Is `setting` on at the bucket or the account level? (None, the error) when neither
    is known to be on and a level could not be read. `account` carries ListBuckets' error
    when the bucket is not known to be this account's (the account's settings apply to
    its own buckets only)."""
    levels = (bucket, account)
    if any(r.error is None and r.value[setting] for r in levels):
        return True, None
    failed = [r.error for r in levels if r.error is not None]
    return (None, failed[0]) if failed else (False, None)


def _exposure(public: bool | None, guard: tuple[bool | None, AwsError | None]) -> bool | None:
    """Is the bucket exposed by one route (policy or ACL)? None: unknown."""
    if public is False or guard[0] is True:
        return False
    if public is None:
        return None
    return True if guard[0] is False else None


def _acl_grants(acl: Mapping[str, Any]) -> list[str]:
    """'<grantee>: <permission>' for each ACL grant to a public group."""
    out = []
    for grant in acl.get("Grants") or ():
        uri = (grant.get("Grantee") or {}).get("URI")
        if uri in PUBLIC_GROUPS:
            out.append(f"{PUBLIC_GROUPS[uri]}: {grant.get('Permission')}")
    return out


@check(
    id="cloudtrail.bucket_not_public",
    title="No trail's S3 bucket is public",
    severity=Severity.HIGH,
    signal=Signal.AUDIT,
    resource_types=("AWS::S3::Bucket",),
    scope=Scope.ACCOUNT,
    permissions=[
        "cloudtrail:DescribeTrails",
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketPolicyStatus",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetBucketAcl",
        "s3:GetAccountPublicAccessBlock",
    ],
    remediation=_BLOCK_ALL.format(bucket="<trail-bucket>"),
)
def bucket_not_public(ctx: Context) -> Iterator[Finding]:
    """One finding per trail bucket, resource id the bucket ARN. HIGH: a public audit
    bucket lets anyone read who did what in the account.

    The bucket is public by policy when GetBucketPolicyStatus says `IsPublic` (a bucket
    with no policy answers NoSuchBucketPolicy: not public by policy) and neither the
    bucket's nor the account's Block Public Access has `RestrictPublicBuckets`; it is
    public by ACL when GetBucketAcl grants anything to AllUsers or AuthenticatedUsers and
    neither level has `IgnorePublicAcls` (NoSuchPublicAccessBlockConfiguration: that
    level sets nothing). The account's settings count only for a bucket listed by this
    account's ListBuckets.

    PASS when it is public neither way; the message says whether Block Public Access
    guards it against a later change. FAIL when it is public (the message names the
    policy or the grants), and when the bucket does not exist (NoSuchBucket): anyone may
    create a bucket of that name and, with a policy letting CloudTrail write, receive
    the trail's log files.

    UNKNOWN when the bucket is not in this account's ListBuckets (a central log-archive
    bucket of another account, typical of organization trails: check it there), when a
    read the verdict needs failed (naming it; a read that could only have cleared a
    bucket already known public, or exposed one already known guarded, does not matter),
    and when a region's trails cannot be listed. NOT_APPLICABLE when the scanned regions
    have no trail. Object ACLs are not read (`IgnorePublicAcls` covers them).
    """
    listing = all_trails(ctx)
    yield from listing_gaps(ctx, listing)
    by_bucket: dict[str, list[Trail]] = {}
    for t in listing.trails:
        if t.bucket:
            by_bucket.setdefault(t.bucket, []).append(t)
    if not by_bucket:
        return
    home = global_region(ctx.partition)
    owned: set[str] | None
    unlisted: AwsError | None = None
    try:
        owned = {b["Name"] for b in ctx.call("s3", "ListBuckets", home).get("Buckets", ())}
    except AwsError as err:
        owned, unlisted = None, err  # each bucket's own reads then say what they can
    account_block = _block(
        _read(
            ctx,
            "s3control",
            "GetPublicAccessBlock",
            home,
            "NoSuchPublicAccessBlockConfiguration",
            AccountId=ctx.account_id,
        )
    )

    # the account's Block Public Access applies to its own buckets: with ListBuckets
    # unread, whether it applies is open (ListBuckets' error stands for it)
    applies = account_block if unlisted is None else Read(error=unlisted)

    def one(bucket: str) -> Finding:
        return _judge(ctx, bucket, by_bucket[bucket], owned, applies)

    yield from ctx.map(one, sorted(by_bucket))


def _judge(
    ctx: Context, bucket: str, trails: list[Trail], owned: set[str] | None, applies: Read
) -> Finding:
    arn = f"arn:{ctx.partition}:s3:::{bucket}"
    names = ", ".join(t.label for t in trails)
    evidence: dict[str, Any] = {"bucket": bucket, "trails": [t.arn for t in trails]}
    where = trails[0].home_region
    home = global_region(ctx.partition)
    failed: AwsError | None = None
    location: Any = None
    try:  # NoSuchBucket tells a deleted bucket from another account's (AccessDenied)
        location = ctx.call("s3", "GetBucketLocation", home, Bucket=bucket)
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            return ctx.failed(
                BUCKET,
                arn,
                f"bucket '{bucket}' of {names} does not exist: anyone who creates a bucket "
                "of that name can receive this trail's log files",
                region=where,
                evidence=evidence,
                remediation="Point the trail at a bucket of yours: aws cloudtrail "
                "update-trail --name <trail> --s3-bucket-name <bucket>",
            )
        failed = err
    if owned is not None and bucket not in owned:
        return ctx.unknown(
            BUCKET,
            arn,
            f"bucket '{bucket}' of {names} is not in this account (a central log-archive "
            "bucket?): check whether it is public in the account that owns it",
            region=where,
            evidence=evidence,
        )
    if failed is not None:
        return ctx.unknown_from(
            failed,
            BUCKET,
            arn,
            f"could not read bucket '{bucket}'",
            region=where,
            evidence=evidence,
        )
    region = bucket_region(location.get("LocationConstraint"))
    policy = _read(ctx, "s3", "GetBucketPolicyStatus", region, "NoSuchBucketPolicy", Bucket=bucket)
    acl = _read(ctx, "s3", "GetBucketAcl", region, "", Bucket=bucket)
    block = _block(
        _read(
            ctx,
            "s3",
            "GetPublicAccessBlock",
            region,
            "NoSuchPublicAccessBlockConfiguration",
            Bucket=bucket,
        )
    )
    policy_public = (
        None
        if policy.error
        else bool(((policy.value or {}).get("PolicyStatus") or {}).get("IsPublic"))
    )
    grants = None if acl.error else _acl_grants(acl.value or {})
    restrict = _guard("RestrictPublicBuckets", block, applies)
    ignore = _guard("IgnorePublicAcls", block, applies)
    by_policy = _exposure(policy_public, restrict)
    by_acl = _exposure(None if grants is None else bool(grants), ignore)
    evidence.update(
        bucket_region=region,
        policy_is_public=policy_public,
        public_acl_grants=grants,
        bucket_public_access_block=block.value,
        account_public_access_block=applies.value,
    )
    reasons = []
    if by_policy:
        reasons.append("its bucket policy is public (GetBucketPolicyStatus IsPublic)")
    if by_acl:
        reasons.append(f"its ACL grants {'; '.join(grants or [])}")
    if reasons:
        return ctx.failed(
            BUCKET,
            arn,
            f"trail bucket '{bucket}' ({names}) is public: {' and '.join(reasons)}, and no "
            "Block Public Access setting overrides it: anyone can read the account's audit log",
            region=region,
            evidence=evidence,
            remediation=_BLOCK_ALL.format(bucket=bucket)
            + " (and remove the public statements or grants)",
        )
    if by_policy is None or by_acl is None:
        route, missing = (
            ("policy", policy.error or restrict[1])
            if by_policy is None
            else ("ACL", acl.error or ignore[1])
        )
        assert missing is not None
        return ctx.unknown_from(
            missing,
            BUCKET,
            arn,
            f"whether trail bucket '{bucket}' is public by its {route} could not be read",
            region=region,
            evidence=evidence,
        )
    guarded = restrict[0] is True and ignore[0] is True
    note = (
        "Block Public Access (RestrictPublicBuckets, IgnorePublicAcls) guards it"
        if guarded
        else "no Block Public Access guards it against a later public policy or ACL"
    )
    return ctx.passed(
        BUCKET,
        arn,
        f"trail bucket '{bucket}' ({names}) is not public by policy or ACL; {note}",
        region=region,
        evidence=evidence,
    )
