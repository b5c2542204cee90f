"""s3_delivery, cloudwatch_logs, log_file_validation, kms_encryption, bucket_access_logging.

moto never reports delivery errors or CloudWatch Logs delivery, and stamps
LatestDeliveryTime with "now": those fields are set with moto_ext.set_trail_status_fields.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from helpers import ACCOUNT, ORG_ACCOUNT, assume, bucket, findings, only, restricted_session, run
from helpers import trail as make_trail
from moto_ext import iam_enforced, organization_trails_visible, set_trail_status_fields

from awsobs import Status, UsageError

DELIVERY = "cloudtrail.s3_delivery"
CWL = "cloudtrail.cloudwatch_logs"
VALIDATION = "cloudtrail.log_file_validation"
KMS = "cloudtrail.kms_encryption"
ACCESS_LOGS = "cloudtrail.bucket_access_logging"
READS = [
    "sts:GetCallerIdentity",
    "ec2:DescribeRegions",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "s3:ListAllMyBuckets",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
]


def hours_ago(hours: float) -> int:
    return int((dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours)).timestamp())


def log_group(session: boto3.Session, name: str = "/aws/cloudtrail/main") -> str:
    logs = session.client("logs")
    logs.create_log_group(logGroupName=name)
    arn: str = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"]
    return arn


# -- cloudtrail.s3_delivery ---------------------------------------------------------------


def test_logging_trail_that_delivered_recently_passes(aws: boto3.Session) -> None:
    make_trail(aws, "main")
    f = only(run(aws, [DELIVERY]), DELIVERY)
    assert f.status is Status.PASS
    assert "s3://main-logs/" in f.message
    assert f.evidence["s3_bucket"] == "main-logs"


def test_delivery_error_fails_and_quotes_it(aws: boto3.Session) -> None:
    make_trail(aws, "main")
    set_trail_status_fields(ACCOUNT, "us-east-1", "main", LatestDeliveryError="AccessDenied")
    f = only(run(aws, [DELIVERY]), DELIVERY)
    assert f.status is Status.FAIL
    assert "cannot deliver to s3://main-logs/: AccessDenied" in f.message
    assert f.evidence["latest_delivery_error"] == "AccessDenied"


def test_stale_delivery_fails_even_while_logging(aws: boto3.Session) -> None:
    make_trail(aws, "main")
    set_trail_status_fields(ACCOUNT, "us-east-1", "main", LatestDeliveryTime=hours_ago(72))
    f = only(run(aws, [DELIVERY]), DELIVERY)
    assert f.status is Status.FAIL
    assert "3 days ago" in f.message and "more than 24 h" in f.message


def test_delivery_age_threshold_is_an_option(aws: boto3.Session) -> None:
    make_trail(aws, "main")
    set_trail_status_fields(ACCOUNT, "us-east-1", "main", LatestDeliveryTime=hours_ago(5))
    assert only(run(aws, [DELIVERY]), DELIVERY).status is Status.PASS
    strict = run(aws, [DELIVERY], options={DELIVERY: {"max_age_hours": 2}})
    assert only(strict, DELIVERY).status is Status.FAIL
    with pytest.raises(UsageError, match="no option 'max_age'"):
        run(aws, [DELIVERY], options={DELIVERY: {"max_age": 2}})


def test_stopped_trail_delivers_nothing(aws: boto3.Session) -> None:
    make_trail(aws, "main", logging=False)
    f = only(run(aws, [DELIVERY]), DELIVERY)
    assert f.status is Status.FAIL and "is not logging" in f.message
    assert "start-logging" in f.remediation


def test_delivery_unknown_when_status_denied(aws: boto3.Session) -> None:
    make_trail(aws, "main")
    scanner = restricted_session(aws, READS, deny=["cloudtrail:GetTrailStatus"])
    with iam_enforced():
        f = only(run(scanner, [DELIVERY]), DELIVERY)
    assert f.status is Status.UNKNOWN and "cloudtrail:GetTrailStatus" in f.message


@pytest.mark.parametrize("check_id", [DELIVERY, CWL, VALIDATION, KMS, ACCESS_LOGS])
def test_no_trail_is_not_applicable(aws: boto3.Session, check_id: str) -> None:
    f = only(run(aws, [check_id]), check_id)
    assert f.status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("check_id", [DELIVERY, VALIDATION, KMS])
def test_unlistable_region_is_unknown(aws: boto3.Session, check_id: str) -> None:
    scanner = restricted_session(aws, READS, deny=["cloudtrail:DescribeTrails"])
    with iam_enforced():
        f = only(run(scanner, [check_id]), check_id)
    assert f.status is Status.UNKNOWN and "cloudtrail:DescribeTrails" in f.message


# -- cloudtrail.cloudwatch_logs -----------------------------------------------------------


def test_trail_without_log_group_fails(aws: boto3.Session) -> None:
    make_trail(aws, "main")
    f = only(run(aws, [CWL]), CWL)
    assert f.status is Status.FAIL and "does not send events to CloudWatch Logs" in f.message


def test_log_group_set_but_never_delivered_fails(aws: boto3.Session) -> None:
    # The ARN stays set when the log group is deleted or the role is broken.
    make_trail(
        aws,
        "main",
        CloudWatchLogsLogGroupArn=log_group(aws),
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ct",
    )
    f = only(run(aws, [CWL]), CWL)
    assert f.status is Status.FAIL and "has never delivered" in f.message


@pytest.mark.parametrize(
    ("fields", "status", "text"),
    [
        ({"LatestCloudWatchLogsDeliveryTime": hours_ago(1)}, Status.PASS, "1 h ago"),
        ({"LatestCloudWatchLogsDeliveryTime": hours_ago(30)}, Status.FAIL, "more than 24 h"),
        (
            {
                "LatestCloudWatchLogsDeliveryTime": hours_ago(1),
                "LatestCloudWatchLogsDeliveryError": "Access denied for CloudWatchLogsRoleArn",
            },
            Status.FAIL,
            "cannot deliver to log group /aws/cloudtrail/main",
        ),
    ],
)
def test_cloudwatch_delivery_freshness(
    aws: boto3.Session, fields: dict, status: Status, text: str
) -> None:
    make_trail(aws, "main", CloudWatchLogsLogGroupArn=log_group(aws))
    set_trail_status_fields(ACCOUNT, "us-east-1", "main", **fields)
    f = only(run(aws, [CWL]), CWL)
    assert f.status is status and text in f.message


def test_cloudwatch_unknown_when_status_denied(aws: boto3.Session) -> None:
    make_trail(aws, "main", CloudWatchLogsLogGroupArn=log_group(aws))
    scanner = restricted_session(aws, READS, deny=["cloudtrail:GetTrailStatus"])
    with iam_enforced():
        f = only(run(scanner, [CWL]), CWL)
    assert f.status is Status.UNKNOWN and "cloudtrail:GetTrailStatus" in f.message


# -- cloudtrail.log_file_validation / kms_encryption --------------------------------------


def test_validation_and_kms_per_trail(aws: boto3.Session) -> None:
    key = aws.client("kms").create_key()["KeyMetadata"]["Arn"]
    good = make_trail(aws, "good", multi_region=True, EnableLogFileValidation=True, KmsKeyId=key)
    bare = make_trail(aws, "bare", region="eu-west-1")
    report = run(aws, [VALIDATION, KMS], regions=("us-east-1", "eu-west-1", "us-west-2"))
    for check_id in (VALIDATION, KMS):
        got = {f.resource_id: f.status for f in findings(report, check_id)}
        # One finding per trail, however many regions show the multi-region trail.
        assert got == {good: Status.PASS, bare: Status.FAIL}
    kms_fail = next(f for f in findings(report, KMS) if f.resource_id == bare)
    assert "SSE-S3 only" in kms_fail.message and bare in kms_fail.remediation


# -- cloudtrail.bucket_access_logging -----------------------------------------------------


def _enable_access_logging(session: boto3.Session, source: str) -> None:
    bucket(session, "access-logs")
    s3 = session.client("s3")
    s3.put_bucket_policy(
        Bucket="access-logs",
        Policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
        '{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject",'
        '"Resource":"arn:aws:s3:::access-logs/*"}]}',
    )
    s3.put_bucket_logging(
        Bucket=source,
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "access-logs", "TargetPrefix": "x/"}
        },
    )


def test_bucket_access_logging_pass_and_fail(aws: boto3.Session) -> None:
    make_trail(aws, "logged")
    make_trail(aws, "unlogged", region="eu-west-1")
    _enable_access_logging(aws, "logged-logs")
    report = run(aws, [ACCESS_LOGS], regions=("us-east-1", "eu-west-1"))
    got = {f.resource_id: (f.status, f.region) for f in findings(report, ACCESS_LOGS)}
    assert got == {
        "arn:aws:s3:::logged-logs": (Status.PASS, "us-east-1"),
        "arn:aws:s3:::unlogged-logs": (Status.FAIL, "eu-west-1"),
    }
    fail = next(f for f in findings(report, ACCESS_LOGS) if f.status is Status.FAIL)
    assert "put-bucket-logging --bucket unlogged-logs" in fail.remediation


def test_shared_bucket_is_one_finding(aws: boto3.Session) -> None:
    make_trail(aws, "one", bucket_name="shared-trail-logs")
    make_trail(aws, "two", bucket_name="shared-trail-logs")
    f = only(run(aws, [ACCESS_LOGS]), ACCESS_LOGS)
    assert "trail 'one', trail 'two'" in f.message


def test_bucket_in_another_account_is_unknown(aws: boto3.Session) -> None:
    with organization_trails_visible():
        make_trail(
            assume(aws, ORG_ACCOUNT),
            "org-trail",
            multi_region=True,
            IsOrganizationTrail=True,
            bucket_name="org-archive",
        )
        f = only(run(aws, [ACCESS_LOGS]), ACCESS_LOGS)
    assert f.status is Status.UNKNOWN
    assert "not in this account" in f.message


def test_bucket_logging_unknown_when_denied(aws: boto3.Session) -> None:
    make_trail(aws, "main")
    scanner = restricted_session(aws, READS, deny=["s3:GetBucketLogging"])
    with iam_enforced():
        f = only(run(scanner, [ACCESS_LOGS]), ACCESS_LOGS)
    assert f.status is Status.UNKNOWN and "s3:GetBucketLogging" in f.message
