"""Seed VPC flow logs and S3 server access logging in moto (vpc.flow_logs_enabled,
s3.server_access_logging)."""

from __future__ import annotations

import json

import boto3
from helpers import bucket, trail


def default_vpc(session: boto3.Session, region: str = "us-east-1") -> str:
    """The id of the default VPC moto creates in every region."""
    ec2 = session.client("ec2", region_name=region)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


def flow_log_to_s3(
    session: boto3.Session,
    resource_id: str,
    destination_bucket: str,
    *,
    traffic: str = "ALL",
    resource_type: str = "VPC",
    region: str = "us-east-1",
) -> str:
    """A flow log delivering to S3 (so it has no LogGroupName); returns its id."""
    ec2 = session.client("ec2", region_name=region)
    made = ec2.create_flow_logs(
        ResourceType=resource_type,
        ResourceIds=[resource_id],
        TrafficType=traffic,
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{destination_bucket}",
    )
    assert not made["Unsuccessful"], made["Unsuccessful"]
    return str(made["FlowLogIds"][0])


def access_logs(
    session: boto3.Session, source: str, target: str, prefix: str = "", region: str = "us-east-1"
) -> None:
    """Server access logs of `source` into `target` (with the policy S3 logging needs)."""
    s3 = session.client("s3", region_name=region)
    s3.put_bucket_policy(
        Bucket=target,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "logging.s3.amazonaws.com"},
                        "Action": "s3:PutObject",
                        "Resource": f"arn:aws:s3:::{target}/*",
                    }
                ],
            }
        ),
    )
    s3.put_bucket_logging(
        Bucket=source,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": prefix}},
    )


def seed_every_vpc_s3_read(aws: boto3.Session) -> None:
    """In us-east-1 and eu-west-1: a VPC flow log, a logged bucket, its log bucket; and a
    trail, so both checks make every read they declare, with no UNKNOWN."""
    for region, suffix in (("us-east-1", "use1"), ("eu-west-1", "euw1")):
        site, logs = f"site-{suffix}", f"access-logs-{suffix}"
        bucket(aws, site, region)
        bucket(aws, logs, region)
        access_logs(aws, site, logs, f"{site}/", region)
        flow_log_to_s3(aws, default_vpc(aws, region), logs, region=region)
    trail(aws, "vpc-s3-seed")  # its bucket vpc-s3-seed-logs receives CloudTrail logs
