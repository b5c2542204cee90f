"""`awsobs demo`: scan a simulated account (moto, in process) seeded with typical gaps.

The account has, in us-east-1, a single-region trail that was stopped, whose bucket has no
access logging, a DynamoDB table, a REST API with a well-configured `prod` stage and a
bare `dev` stage, and two instances: `web-1` runs the CloudWatch Agent (memory and disk
metrics, a role that may send them, SSM online), `web-2` has no agent and a role that may
only talk to SSM; in eu-west-1 a well-configured single-region trail and a Lambda function; and
nothing at all in us-west-2. Nothing records data events. Alarms: see alarms.py; log
retention, flow logs and AWS Config: see logs.py. Log delivery (the `prod` stage's access
logs arrive; HTTP API `payments` logs nowhere for 9 days while it serves requests): see
delivery_apps.py.
No request leaves the process: credentials are fake and endpoint settings are cleared.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

import boto3
from moto import mock_aws

from awsobs.demo.alarms import seed_alarms
from awsobs.demo.alarms_data import seed_alarms_data
from awsobs.demo.alarms_lbcdn import seed_alarms_lbcdn
from awsobs.demo.alarms_misc import seed_alarms_misc
from awsobs.demo.alarms_queues import seed_alarms_queues
from awsobs.demo.containers import seed_containers
from awsobs.demo.delivery_apps import seed_delivery_apps
from awsobs.demo.edge import seed_edge
from awsobs.demo.elb import seed_elb
from awsobs.demo.logs import seed_logging
from awsobs.demo.moto_delivery import (
    install_xray_filter_extension,
    uninstall_xray_filter_extension,
)
from awsobs.demo.moto_ext import (
    install_alarm_extensions,
    install_config_extension,
    install_ssm_extension,
    install_trail_status_extension,
    reset_alarm_extensions,
    reset_ssm,
    set_trail_status_fields,
    ssm_inventory,
    ssm_managed,
)
from awsobs.demo.rds import seed_rds
from awsobs.demo.workflows import seed_workflows
from awsobs.engine import ProgressCallback, scan
from awsobs.model import Report

DEMO_REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
ACCOUNT = "123456789012"


def run_demo(
    progress: ProgressCallback | None = None, checks: Sequence[str] | None = None
) -> Report:
    """Seed the simulated account, scan it (every check, or `checks`) and return the report."""
    with demo_account() as session:
        return scan(session, regions=DEMO_REGIONS, checks=checks, progress=progress)


@contextlib.contextmanager
def demo_account() -> Iterator[boto3.Session]:
    """The simulated account, seeded, for as long as the block runs (the `awsobs fix` closed
    loop scans it, changes it and scans it again)."""
    with _isolated_environment(), mock_aws(), demo_extensions():
        session = boto3.Session(
            aws_access_key_id="demo", aws_secret_access_key="demo", region_name="us-east-1"
        )
        seed(session)
        yield session


@contextlib.contextmanager
def demo_extensions() -> Iterator[None]:
    """The moto extensions the demo's resources need (awsobs/demo/moto_*.py), installed in
    this process: for mock_aws, and for a moto server running in this process."""
    install_trail_status_extension()
    install_ssm_extension()
    install_alarm_extensions()
    install_config_extension()
    install_xray_filter_extension()  # moto answers any X-Ray filter with a 500
    reset_ssm()
    reset_alarm_extensions()
    try:
        yield
    finally:
        uninstall_xray_filter_extension()


@contextlib.contextmanager
def _isolated_environment() -> Iterator[None]:
    """No profile, config file or custom endpoint of the user's can leak into the demo."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"  # 5,000 AMIs per region: 0.6 s saved
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def seed(session: boto3.Session) -> None:
    """Create the demo account's resources (see module docstring)."""
    _legacy_trail(session)
    _audit_trail(session)
    dynamodb = session.client("dynamodb", region_name="us-east-1")
    dynamodb.create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    _function(session, "eu-west-1", "checkout")
    _rest_api(session, "us-east-1")
    _instances(session, "us-east-1")
    seed_alarms(session)
    seed_logging(session)
    seed_elb(session)
    seed_edge(session)
    seed_containers(session)
    seed_rds(session)
    seed_workflows(session)
    seed_alarms_lbcdn(session)
    seed_alarms_data(session)
    seed_alarms_queues(session)
    seed_alarms_misc(session)
    seed_delivery_apps(session)


def _legacy_trail(session: boto3.Session) -> None:
    s3 = session.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="demo-legacy-trail-logs")
    trail = session.client("cloudtrail", region_name="us-east-1")
    trail.create_trail(Name="legacy-trail", S3BucketName="demo-legacy-trail-logs")
    trail.start_logging(Name="legacy-trail")
    trail.stop_logging(Name="legacy-trail")


def _audit_trail(session: boto3.Session) -> None:
    region = "eu-west-1"
    s3 = session.client("s3", region_name=region)
    where: Any = {"LocationConstraint": region}
    s3.create_bucket(Bucket="demo-audit-trail-logs", CreateBucketConfiguration=where)
    s3.create_bucket(Bucket="demo-access-logs", CreateBucketConfiguration=where)
    s3.put_bucket_policy(Bucket="demo-access-logs", Policy=json.dumps(_log_delivery_policy()))
    s3.put_bucket_logging(
        Bucket="demo-audit-trail-logs",
        BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": "demo-access-logs", "TargetPrefix": "audit/"}
        },
    )
    key = session.client("kms", region_name=region).create_key()["KeyMetadata"]["Arn"]
    logs = session.client("logs", region_name=region)
    logs.create_log_group(logGroupName="/aws/cloudtrail/audit-trail")
    group = logs.describe_log_groups(logGroupNamePrefix="/aws/cloudtrail/audit-trail")
    trail = session.client("cloudtrail", region_name=region)
    trail.create_trail(
        Name="audit-trail",
        S3BucketName="demo-audit-trail-logs",
        EnableLogFileValidation=True,
        KmsKeyId=key,
        CloudWatchLogsLogGroupArn=group["logGroups"][0]["arn"],
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-cloudwatch",
    )
    trail.put_event_selectors(
        TrailName="audit-trail",
        AdvancedEventSelectors=[
            {
                "Name": "All management events",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
            }
        ],
    )
    trail.start_logging(Name="audit-trail")
    now = int(dt.datetime.now(dt.UTC).timestamp())
    set_trail_status_fields(ACCOUNT, region, "audit-trail", LatestCloudWatchLogsDeliveryTime=now)


def _log_delivery_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": "arn:aws:s3:::demo-access-logs/*",
            }
        ],
    }


def _rest_api(session: boto3.Session, region: str) -> None:
    """REST API 'shop': stage prod logs everything and traces; stage dev has nothing."""
    role = session.client("iam").create_role(
        RoleName="apigateway-cloudwatch",
        AssumeRolePolicyDocument=json.dumps(_trust("apigateway.amazonaws.com")),
    )["Role"]["Arn"]
    api_gw = session.client("apigateway", region_name=region)
    api_gw.update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
    )
    logs = session.client("logs", region_name=region)
    logs.create_log_group(logGroupName="/aws/apigateway/shop-access")
    group = logs.describe_log_groups(logGroupNamePrefix="/aws/apigateway/shop-access")
    api = api_gw.create_rest_api(name="shop")["id"]
    root = api_gw.get_resources(restApiId=api)["items"][0]["id"]
    api_gw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    api_gw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = api_gw.create_deployment(restApiId=api)["id"]
    api_gw.create_stage(restApiId=api, stageName="prod", deploymentId=deployment)
    api_gw.create_stage(restApiId=api, stageName="dev", deploymentId=deployment)
    destination = group["logGroups"][0]["arn"].removesuffix(":*")
    api_gw.update_stage(
        restApiId=api,
        stageName="prod",
        patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {"op": "replace", "path": "/tracingEnabled", "value": "true"},
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": destination},
            {
                "op": "replace",
                "path": "/accessLogSettings/format",
                "value": "$context.requestId $context.identity.sourceIp $context.status",
            },
        ],
    )


def _instances(session: boto3.Session, region: str) -> None:
    """web-1 reports agent metrics; web-2's role may only talk to SSM and it has no agent."""
    _instance_role(session, "web-agent", ["cloudwatch:PutMetricData", "logs:PutLogEvents"])
    _instance_role(session, "web-ssm-only", ["ssm:UpdateInstanceInformation", "ssmmessages:*"])
    ec2: Any = session.client("ec2", region_name=region)
    launched = {}
    for name, profile, monitoring in (
        ("web-1", "web-agent", True),
        ("web-2", "web-ssm-only", False),
    ):
        launched[name] = ec2.run_instances(
            ImageId="ami-12345678",
            MinCount=1,
            MaxCount=1,
            IamInstanceProfile={"Name": profile},
            Monitoring={"Enabled": monitoring},
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}
            ],
        )["Instances"][0]["InstanceId"]
    metrics = session.client("cloudwatch", region_name=region)
    for metric in ("mem_used_percent", "disk_used_percent"):
        metrics.put_metric_data(
            Namespace="CWAgent",
            MetricData=[
                {
                    "MetricName": metric,
                    "Dimensions": [{"Name": "InstanceId", "Value": launched["web-1"]}],
                    "Value": 42.0,
                }
            ],
        )
    for name in ("web-1", "web-2"):
        ssm_managed(ACCOUNT, region, launched[name])
    ssm_inventory(ACCOUNT, region, launched["web-2"], [{"Name": "nginx", "Version": "1.24"}])


def _instance_role(session: boto3.Session, name: str, actions: list[str]) -> None:
    """An instance profile whose role has an inline policy allowing `actions`."""
    iam = session.client("iam")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com")))
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    iam.put_role_policy(
        RoleName=name,
        PolicyName="inline",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    iam.create_instance_profile(InstanceProfileName=name)
    iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)


def _trust(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def _function(session: boto3.Session, region: str, name: str) -> None:
    role = session.client("iam").create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps(_trust("lambda.amazonaws.com")),
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("handler.py", "def handle(event, context):\n    return {}\n")
    session.client("lambda", region_name=region).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": code.getvalue()},
    )
