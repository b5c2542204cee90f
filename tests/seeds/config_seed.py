"""AWS Config seeding for the tests: recorders, delivery channels, and the one read moto lacks.

moto 5 keeps configuration recorders and delivery channels but raises NotImplementedError
for DescribeDeliveryChannelStatus; awsobs/demo/moto_ext.py answers it (every delivery
`Success`; failures are scripted with botocore's Stubber in the tests instead).
"""

from __future__ import annotations

from typing import Any

import boto3
from helpers import ACCOUNT, bucket

from awsobs.demo.moto_ext import install_config_extension

ROLE = f"arn:aws:iam::{ACCOUNT}:role/config-recorder"
ALL_AND_GLOBAL = {"allSupported": True, "includeGlobalResourceTypes": True}
ALL_REGIONAL = {"allSupported": True, "includeGlobalResourceTypes": False}


def install_delivery_status_extension() -> None:
    """Serve DescribeDeliveryChannelStatus from moto (awsobs/demo/moto_ext.py; idempotent)."""
    install_config_extension()


def exclusion(*types: str) -> dict[str, Any]:
    """A recording group of all types but `types` (EXCLUSION_BY_RESOURCE_TYPES)."""
    return {
        "allSupported": False,
        "includeGlobalResourceTypes": False,
        "exclusionByResourceTypes": {"resourceTypes": list(types)},
        "recordingStrategy": {"useOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
    }


def inclusion(*types: str) -> dict[str, Any]:
    """A recording group of only `types` (INCLUSION_BY_RESOURCE_TYPES)."""
    return {
        "allSupported": False,
        "includeGlobalResourceTypes": False,
        "resourceTypes": list(types),
        "recordingStrategy": {"useOnly": "INCLUSION_BY_RESOURCE_TYPES"},
    }


def recorder(
    session: boto3.Session,
    region: str = "us-east-1",
    *,
    group: dict[str, Any] | None = None,
    channel: bool = True,
    start: bool = True,
    name: str = "default",
) -> None:
    """A configuration recorder (all types and global IAM by default), its delivery channel
    to a new bucket, started. moto refuses to start a recorder without a channel."""
    config = session.client("config", region_name=region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": name,
            "roleARN": ROLE,
            "recordingGroup": ALL_AND_GLOBAL if group is None else group,
        }
    )
    if channel:
        name_of_bucket = f"config-{region}"
        bucket(session, name_of_bucket, region)
        config.put_delivery_channel(
            DeliveryChannel={"name": "default", "s3BucketName": name_of_bucket}
        )
    if start:
        config.start_configuration_recorder(ConfigurationRecorderName=name)


def seed_every_config_read(aws: boto3.Session) -> None:
    """us-east-1 records everything and global IAM; eu-west-1 records by exclusion. Both
    deliver, so every Config read of every check is made and nothing is UNKNOWN (the
    Lambda listing needs no seed: an empty one is NOT_APPLICABLE)."""
    install_delivery_status_extension()
    recorder(aws, "us-east-1")
    recorder(aws, "eu-west-1", group=exclusion("AWS::EC2::Volume"))
