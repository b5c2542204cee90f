"""The demo account's logs, flow logs, AWS Config and tracing (issue: the rest of the
observability picture), one good and one bad case of each where the demo has room.

eu-west-1 is the well-run region: its CloudTrail log group keeps a year, the default VPC
has a flow log of ALL traffic to CloudWatch Logs (kept 400 days), AWS Config records every
type and IAM and delivers, and the `checkout` function's log group keeps 14 days.
us-east-1 is not: the API's access-log group keeps 7 days (too short for audit data), a
debug log group never expires, the default VPC has only an ACCEPT flow log to S3, and the
Config recorder was stopped. us-west-2 has nothing.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

ACCOUNT = "123456789012"


def seed_logging(session: boto3.Session) -> None:
    """Create the resources above (after the trails, the API and the function exist)."""
    _retention(session)
    _flow_logs(session)
    _config(session, "eu-west-1", start=True)
    _config(session, "us-east-1", start=False)


def _retention(session: boto3.Session) -> None:
    eu = session.client("logs", region_name="eu-west-1")
    eu.put_retention_policy(logGroupName="/aws/cloudtrail/audit-trail", retentionInDays=365)
    eu.create_log_group(logGroupName="/aws/lambda/checkout")
    eu.put_retention_policy(logGroupName="/aws/lambda/checkout", retentionInDays=14)
    us = session.client("logs", region_name="us-east-1")
    us.put_retention_policy(logGroupName="/aws/apigateway/shop-access", retentionInDays=7)
    us.create_log_group(logGroupName="/app/debug")  # never expires


def _default_vpc(session: boto3.Session, region: str) -> str:
    ec2 = session.client("ec2", region_name=region)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


def _flow_logs(session: boto3.Session) -> None:
    role = session.client("iam").create_role(
        RoleName="demo-flow-logs",
        AssumeRolePolicyDocument=json.dumps(_trust("vpc-flow-logs.amazonaws.com")),
    )["Role"]["Arn"]
    logs = session.client("logs", region_name="eu-west-1")
    logs.create_log_group(logGroupName="/vpc/flow-logs")
    logs.put_retention_policy(logGroupName="/vpc/flow-logs", retentionInDays=400)
    session.client("ec2", region_name="eu-west-1").create_flow_logs(
        ResourceIds=[_default_vpc(session, "eu-west-1")],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/vpc/flow-logs",
        DeliverLogsPermissionArn=role,
    )
    session.client("s3", region_name="us-east-1").create_bucket(Bucket="demo-flow-logs")
    session.client("ec2", region_name="us-east-1").create_flow_logs(
        ResourceIds=[_default_vpc(session, "us-east-1")],
        ResourceType="VPC",
        TrafficType="ACCEPT",  # accepted traffic only: rejected probes go unseen
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::demo-flow-logs",
    )


def _config(session: boto3.Session, region: str, *, start: bool) -> None:
    s3 = session.client("s3", region_name=region)
    bucket = f"demo-config-{region}"
    where: Any = {} if region == "us-east-1" else {"LocationConstraint": region}
    s3.create_bucket(Bucket=bucket, **({"CreateBucketConfiguration": where} if where else {}))
    config = session.client("config", region_name=region)
    config.put_configuration_recorder(
        ConfigurationRecorder={
            "name": "default",
            "roleARN": f"arn:aws:iam::{ACCOUNT}:role/aws-config",
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
        }
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    if start:
        config.start_configuration_recorder(ConfigurationRecorderName="default")


def _trust(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }
