"""The trail's S3 bucket: is access to the audit log itself logged? (controls.md §1)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.session import global_region
from awsobs.checks._shared import bucket_region
from awsobs.checks.cloudtrail.readers import Trail, all_trails, listing_gaps
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

BUCKET = "AWS::S3::Bucket"


@check(
    id="cloudtrail.bucket_access_logging",
    title="Each trail bucket has S3 server access logging",
    severity=Severity.LOW,
    signal=Signal.AUDIT,
    resource_types=("AWS::S3::Bucket",),
    scope=Scope.ACCOUNT,
    permissions=[
        "cloudtrail:DescribeTrails",
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetBucketLogging",
    ],
    remediation=(
        "aws s3api put-bucket-logging --bucket <trail-bucket> --bucket-logging-status "
        '\'{"LoggingEnabled":{"TargetBucket":"<log-bucket>","TargetPrefix":"<trail-bucket>/"}}\''
    ),
)
def bucket_access_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per trail bucket (CIS v1.4 3.6, v3.0/v5.0 3.4; Security Hub CloudTrail.7). PASS
    when the bucket has server access logging (`LoggingEnabled.TargetBucket`), so reads and deletes
    of the audit log are themselves recorded. A bucket owned by another account (a central
    log-archive bucket, typical for organization trails) cannot be inspected from here:
    UNKNOWN, check it in the account that owns it.
    """
    listing = all_trails(ctx)
    yield from listing_gaps(ctx, listing)
    by_bucket: dict[str, list[Trail]] = {}
    for t in listing.trails:
        if t.bucket:
            by_bucket.setdefault(t.bucket, []).append(t)
    home = global_region(ctx.partition)  # S3's account-wide calls: ListBuckets, GetBucketLocation
    owned: set[str] | None
    try:
        owned = {b["Name"] for b in ctx.call("s3", "ListBuckets", home).get("Buckets", ())}
    except AwsError:
        owned = None  # fall back to asking each bucket; its own error will say why

    def one(bucket: str) -> Finding:
        trails = by_bucket[bucket]
        arn = f"arn:{ctx.partition}:s3:::{bucket}"
        evidence: dict[str, Any] = {"bucket": bucket, "trails": [t.arn for t in trails]}
        names = ", ".join(t.label for t in trails)
        if owned is not None and bucket not in owned:
            return ctx.unknown(
                BUCKET,
                arn,
                f"bucket '{bucket}' of {names} is not in this account (a central log-archive "
                "bucket?): check its access logging in the account that owns it",
                region=trails[0].home_region,
                evidence=evidence,
            )
        try:
            region = bucket_region(
                ctx.call("s3", "GetBucketLocation", home, Bucket=bucket).get("LocationConstraint")
            )
            status = ctx.call("s3", "GetBucketLogging", region, Bucket=bucket)
        except AwsError as err:
            if err.kind is ErrorKind.NOT_FOUND:
                return ctx.failed(
                    BUCKET,
                    arn,
                    f"bucket '{bucket}' of {names} does not exist",
                    region=trails[0].home_region,
                    evidence=evidence,
                    remediation="Point the trail at an existing bucket: aws cloudtrail "
                    "update-trail --name <trail> --s3-bucket-name <bucket>",
                )
            return ctx.unknown_from(
                err,
                BUCKET,
                arn,
                f"could not read bucket '{bucket}'",
                region=trails[0].home_region,
                evidence=evidence,
            )
        target = (status.get("LoggingEnabled") or {}).get("TargetBucket")
        evidence["target_bucket"] = target
        if target:
            prefix = (status.get("LoggingEnabled") or {}).get("TargetPrefix") or ""
            return ctx.passed(
                BUCKET,
                arn,
                f"access to trail bucket '{bucket}' is logged to s3://{target}/{prefix}",
                region=region,
                evidence=evidence,
            )
        return ctx.failed(
            BUCKET,
            arn,
            f"trail bucket '{bucket}' ({names}) has no server access logging: "
            "reads and deletions of the audit log leave no record",
            region=region,
            evidence=evidence,
            remediation=(
                f"aws s3api put-bucket-logging --bucket {bucket} --bucket-logging-status "
                f'\'{{"LoggingEnabled":{{"TargetBucket":"<log-bucket>","TargetPrefix":"{bucket}/"}}}}\''
            ),
        )

    yield from ctx.map(one, sorted(by_bucket))
