"""A mixed CloudTrail set-up for the end-to-end tests: a good multi-region trail and a
stopped classic one in eu-west-1."""

from __future__ import annotations

import datetime as dt

import boto3
from helpers import ACCOUNT, MGMT_ALL, trail
from moto_ext import set_trail_status_fields

CT = "arn:aws:cloudtrail:{region}:" + ACCOUNT + ":trail/{name}"
MAIN = CT.format(region="us-east-1", name="main")
LEGACY = CT.format(region="eu-west-1", name="legacy")


def seed_mixed_account(session: boto3.Session) -> None:
    """A good multi-region trail (advanced selectors) and a stopped classic one in eu-west-1."""
    key = session.client("kms").create_key()["KeyMetadata"]["Arn"]
    logs = session.client("logs")
    logs.create_log_group(logGroupName="/ct/main")
    group = logs.describe_log_groups(logGroupNamePrefix="/ct/main")["logGroups"][0]["arn"]
    s3_all = {
        "Name": "s3",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        ],
    }
    trail(
        session,
        "main",
        multi_region=True,
        advanced=[*MGMT_ALL, s3_all],
        EnableLogFileValidation=True,
        KmsKeyId=key,
        CloudWatchLogsLogGroupArn=group,
    )
    now = int(dt.datetime.now(dt.UTC).timestamp())
    set_trail_status_fields(ACCOUNT, "us-east-1", "main", LatestCloudWatchLogsDeliveryTime=now)
    trail(
        session,
        "legacy",
        region="eu-west-1",
        logging=False,
        selectors=[{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}],
    )
