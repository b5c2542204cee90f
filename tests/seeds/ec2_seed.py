"""Seed EC2 set-ups in moto: instances, instance roles, agent metrics, SSM data."""

from __future__ import annotations

import json
from typing import Any

import boto3
from helpers import ACCOUNT

from awsobs.demo.moto_ext import ssm_association, ssm_inventory, ssm_managed

LINUX = ("mem_used_percent", "disk_used_percent")
WINDOWS = ("Memory % Committed Bytes In Use", "LogicalDisk % Free Space")


def instance(
    session: boto3.Session,
    name: str = "web",
    *,
    profile: str | None = None,
    monitoring: bool = False,
    region: str = "us-east-1",
    stopped: bool = False,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Launch one instance; returns {"id", "dns", "arn"}."""
    ec2 = session.client("ec2", region_name=region)
    kwargs: dict[str, Any] = {"Monitoring": {"Enabled": monitoring}}
    if profile:
        kwargs["IamInstanceProfile"] = {"Name": profile}
    all_tags = {"Name": name, **(tags or {})}
    launched = ec2.run_instances(
        ImageId="ami-12345678",
        MinCount=1,
        MaxCount=1,
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": [{"Key": k, "Value": v} for k, v in all_tags.items()],
            }
        ],
        **kwargs,
    )["Instances"][0]
    if stopped:
        ec2.stop_instances(InstanceIds=[launched["InstanceId"]])
    iid = launched["InstanceId"]
    return {
        "id": iid,
        "dns": launched["PrivateDnsName"],
        "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:instance/{iid}",
    }


def metrics(
    session: boto3.Session,
    value: str,
    names: tuple[str, ...] = LINUX,
    *,
    dimension: str = "InstanceId",
    namespace: str = "CWAgent",
    region: str = "us-east-1",
) -> None:
    """Publish agent metrics with `dimension` = `value` (an instance id or a host name)."""
    cw = session.client("cloudwatch", region_name=region)
    for name in names:
        cw.put_metric_data(
            Namespace=namespace,
            MetricData=[
                {
                    "MetricName": name,
                    "Dimensions": [{"Name": dimension, "Value": value}],
                    "Value": 1.0,
                }
            ],
        )


def profile(
    session: boto3.Session,
    name: str,
    *,
    inline: list[dict[str, Any]] | None = None,
    managed: list[str] | None = None,
    customer: list[dict[str, Any]] | None = None,
) -> str:
    """An instance profile and its role with inline statements, attached managed policy
    ARNs, and/or a customer managed policy made of `customer` statements."""
    iam = session.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"}))
    if inline:
        iam.put_role_policy(
            RoleName=name,
            PolicyName=f"{name}-inline",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": inline}),
        )
    for arn in managed or ():
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    if customer:
        arn = iam.create_policy(
            PolicyName=f"{name}-policy",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": customer}),
        )["Policy"]["Arn"]
        iam.attach_role_policy(RoleName=name, PolicyArn=arn)
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
    return name


def allow(*actions: str) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": list(actions), "Resource": "*"}


def seed_every_ec2_read(session: boto3.Session) -> None:
    """An account on which every EC2 check makes every read it declares (needs the SSM
    extension installed)."""
    profile(
        session,
        "agent-role",
        inline=[allow("cloudwatch:PutMetricData")],
        customer=[allow("logs:PutLogEvents")],
    )
    good = instance(session, "good", profile="agent-role", monitoring=True)
    silent = instance(session, "silent", profile="agent-role")
    metrics(session, good["id"])
    for i in (good, silent):
        ssm_managed(ACCOUNT, "us-east-1", i["id"])
    ssm_inventory(ACCOUNT, "us-east-1", silent["id"], [{"Name": "nginx", "Version": "1"}])
    ssm_association(
        ACCOUNT,
        "us-east-1",
        "AWS-ConfigureAWSPackage",
        [{"Key": "tag:Name", "Values": ["other"]}],
        {"action": ["Install"], "name": ["AmazonCloudWatchAgent"]},
    )
