"""Seed log groups and the audit sources that write to them (CloudTrail, VPC flow logs,
API Gateway access logs) plus a Lambda function, for the CloudWatch Logs retention checks."""

from __future__ import annotations

import json

import boto3
from apigw_seed import access, rest_api
from helpers import ACCOUNT, trail
from resources import lambda_function


def group(
    session: boto3.Session, name: str, days: int | None = None, region: str = "us-east-1"
) -> str:
    """A log group (with `days` retention, or never-expire); returns its ARN (no `:*`)."""
    logs = session.client("logs", region_name=region)
    logs.create_log_group(logGroupName=name)
    if days is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)
    return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}"


def flow_log(session: boto3.Session, log_group: str, region: str = "us-east-1") -> str:
    """A VPC with a flow log to CloudWatch Logs group `log_group`; returns the flow log id."""
    iam = session.client("iam")
    role_name = f"flow-logs-{region}"
    policy = {"Version": "2012-10-17", "Statement": []}
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=json.dumps(policy))
    ec2 = session.client("ec2", region_name=region)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    made = ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName=log_group,
        DeliverLogsPermissionArn=role["Role"]["Arn"],
    )
    return str(made["FlowLogIds"][0])


def seed_every_logs_read(aws: boto3.Session) -> None:
    """An account on which every logs-retention check makes every read it declares: a trail
    sending to CloudWatch Logs, a VPC flow log, a REST stage with access logs, a function."""
    trail_group = group(aws, "audit-trail-logs", 365)
    trail(aws, "audit-trail", CloudWatchLogsLogGroupArn=f"{trail_group}:*")
    group(aws, "audit-vpc-flow", 400)
    flow_log(aws, "audit-vpc-flow")
    api_group = group(aws, "/apigw/logs-api-access")
    rest_api(aws, "logs-api", {"prod": access(api_group)})
    lambda_function(aws, "logs-fn")
    group(aws, "/aws/lambda/logs-fn", 14)
