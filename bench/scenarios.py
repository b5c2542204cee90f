"""Accounts to benchmark against, seeded over HTTP into a (latency) moto server.

- `small`: 2 trails (one stopped), resources in 3 regions, like `awsobs demo`.
- `large`: what a real account looks like: 6 trails (a multi-region one with advanced
  selectors, single-region ones in 5 regions, one of them stopped), 40 DynamoDB tables
  and 40 Lambda functions spread over 6 regions, 6 S3 buckets, about 140 alarms (half the
  tables and functions, most instances, the 15 CIS controls) notifying a topic per region.

Each seeder returns a `Manifest` of what it created, from which `run.py` derives how
many requests a scan should need. Seeding goes through boto3 like any client would;
only the CloudWatch Logs delivery time of a trail (which moto never reports) is set on
the in-process moto backend.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
from alarm_seeding import AlarmSeeding

from awsobs.demo import ACCOUNT
from awsobs.demo_moto import set_trail_status_fields, ssm_inventory, ssm_managed

HOME = "us-east-1"
SIX_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1")


@dataclass
class Manifest:
    """What a scenario created: trails (name -> home, multi-region, bucket) and resources."""

    trails: dict[str, tuple[str, bool, str]] = field(default_factory=dict)
    buckets: dict[str, str] = field(default_factory=dict)  # name -> region
    tables: dict[str, int] = field(default_factory=dict)  # region -> count
    functions: dict[str, int] = field(default_factory=dict)
    rest_apis: dict[str, int] = field(default_factory=dict)  # region -> count
    v2_apis: dict[str, int] = field(default_factory=dict)
    log_destinations: set[str] = field(default_factory=set)  # access-log groups (ARNs)
    instances: dict[str, int] = field(default_factory=dict)  # region -> running instances
    silent_instances: dict[str, int] = field(default_factory=dict)  # managed, agent silent
    alarms: dict[str, int] = field(default_factory=dict)  # region -> metric alarms
    alarm_metrics: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # (ns, name)
    topics: set[str] = field(default_factory=set)  # regions with an alarm topic
    metric_filter_groups: set[str] = field(default_factory=set)  # regions with CIS filters
    app_buckets: set[str] = field(default_factory=set)  # buckets the S3 checks judge


class Seeder(AlarmSeeding):
    """boto3 clients (fake credentials) on the endpoint, and the resources they created."""

    def __init__(self, endpoint: str) -> None:
        self.session = boto3.Session(
            aws_access_key_id="bench", aws_secret_access_key="bench", region_name=HOME
        )
        self.endpoint = endpoint
        self.manifest = Manifest()
        self._clients: dict[tuple[str, str], Any] = {}
        self._role: str | None = None

    def client(self, service: str, region: str = HOME) -> Any:
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(
                service, region_name=region, endpoint_url=self.endpoint
            )
        return self._clients[key]

    def bucket(
        self, name: str, region: str = HOME, *, log_to: str | None = None, log_target: bool = False
    ) -> None:
        """A bucket; `log_target` lets S3 deliver access logs to it, `log_to` sends its own."""
        s3 = self.client("s3", region)
        where: Any = {"LocationConstraint": region}
        s3.create_bucket(
            Bucket=name, **({} if region == HOME else {"CreateBucketConfiguration": where})
        )
        if log_target:
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps(_log_delivery_policy(name)))
        if log_to:
            status: Any = {"LoggingEnabled": {"TargetBucket": log_to, "TargetPrefix": f"{name}/"}}
            s3.put_bucket_logging(Bucket=name, BucketLoggingStatus=status)
        self.manifest.buckets[name] = region

    def trail(
        self,
        name: str,
        region: str,
        bucket: str,
        *,
        multi_region: bool = False,
        selectors: dict[str, Any] | None = None,
        logging: bool = True,
        **extra: Any,
    ) -> None:
        ct = self.client("cloudtrail", region)
        ct.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region, **extra)
        if selectors:
            ct.put_event_selectors(TrailName=name, **selectors)
        ct.start_logging(Name=name)
        if not logging:
            ct.stop_logging(Name=name)
        self.manifest.trails[name] = (region, multi_region, bucket)

    def tables(self, region: str, count: int, prefix: str = "table") -> list[str]:
        ddb = self.client("dynamodb", region)
        names = [f"{prefix}-{region}-{i:02d}" for i in range(count)]
        for name in names:
            ddb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        self.manifest.tables[region] = self.manifest.tables.get(region, 0) + count
        return names

    def functions(self, region: str, count: int, prefix: str = "fn") -> list[str]:
        fn = self.client("lambda", region)
        names = [f"{prefix}-{region}-{i:02d}" for i in range(count)]
        for name in names:
            fn.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=self._lambda_role(),
                Handler="handler.handle",
                Code={"ZipFile": _handler_zip()},
                Environment={"Variables": {"STAGE": "bench"}},
            )
        self.manifest.functions[region] = self.manifest.functions.get(region, 0) + count
        return names

    def _lambda_role(self) -> str:
        if self._role is not None:
            return self._role
        role = self.client("iam").create_role(
            RoleName="bench-lambda",
            AssumeRolePolicyDocument=json.dumps(_trust("lambda.amazonaws.com")),
        )
        self._role = str(role["Role"]["Arn"])
        return self._role

    def apis(self, region: str, role: str) -> None:
        """In `region`: the account's CloudWatch role, two REST APIs (stage prod logs
        everything, stage dev nothing), an HTTP API with access logs, a WebSocket API."""
        gw = self.client("apigateway", region)
        gw.update_account(
            patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
        )
        group = self.log_group(region, f"/aws/apigateway/{region}").removesuffix(":*")
        ops = [
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": group},
            {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
        ]
        for name in ("orders", "users"):
            api = gw.create_rest_api(name=f"{name}-{region}")["id"]
            root = gw.get_resources(restApiId=api)["items"][0]["id"]
            gw.put_method(
                restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE"
            )
            gw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
            deployment = gw.create_deployment(restApiId=api)["id"]
            for stage in ("prod", "dev"):
                gw.create_stage(restApiId=api, stageName=stage, deploymentId=deployment)
            gw.update_stage(restApiId=api, stageName="prod", patchOperations=ops)
        v2 = self.client("apigatewayv2", region)
        web = v2.create_api(Name=f"web-{region}", ProtocolType="HTTP")["ApiId"]
        v2.create_stage(
            ApiId=web,
            StageName="$default",
            AccessLogSettings={"DestinationArn": group, "Format": "$context.requestId"},
        )
        chat = v2.create_api(
            Name=f"chat-{region}",
            ProtocolType="WEBSOCKET",
            RouteSelectionExpression="$request.body.action",
        )["ApiId"]
        v2.create_stage(ApiId=chat, StageName="prod", DefaultRouteSettings={"LoggingLevel": "INFO"})
        self.manifest.rest_apis[region] = self.manifest.rest_apis.get(region, 0) + 2
        self.manifest.v2_apis[region] = self.manifest.v2_apis.get(region, 0) + 2
        self.manifest.log_destinations.add(group)

    def instances(self, region: str, profile: str) -> None:
        """Five running instances: three report agent metrics, one has the agent installed
        (SSM inventory) but silent, one has no agent, no SSM and no instance profile."""
        ec2 = self.client("ec2", region)
        cw = self.client("cloudwatch", region)
        topic = self.topic(region)
        for n in range(5):
            kwargs: Any = {} if n == 4 else {"IamInstanceProfile": {"Name": profile}}
            iid = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, **kwargs)[
                "Instances"
            ][0]["InstanceId"]
            if n < 3:
                for name in ("mem_used_percent", "disk_used_percent"):
                    dims = [{"Name": "InstanceId", "Value": iid}]
                    cw.put_metric_data(
                        Namespace="CWAgent",
                        MetricData=[{"MetricName": name, "Dimensions": dims, "Value": 1.0}],
                    )
            if n < 4:
                ssm_managed(ACCOUNT, region, iid)
            if n == 3:
                ssm_inventory(
                    ACCOUNT, region, iid, [{"Name": "amazon-cloudwatch-agent", "Version": "1"}]
                )
            if n < 3:
                self.alarm(region, "AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, topic)
                self.alarm(region, "CWAgent", "mem_used_percent", {"InstanceId": iid}, topic)
        self.manifest.instances[region] = self.manifest.instances.get(region, 0) + 5
        self.manifest.silent_instances[region] = self.manifest.silent_instances.get(region, 0) + 1

    def log_group(self, region: str, name: str) -> str:
        logs = self.client("logs", region)
        logs.create_log_group(logGroupName=name)
        return str(logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"])


@cache
def _trust(service: str) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _handler_zip() -> bytes:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("handler.py", "def handle(event, context):\n    return {}\n")
    return code.getvalue()


def _log_delivery_policy(bucket: str) -> dict[str, Any]:
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    return {"Version": "2012-10-17", "Statement": [statement]}


def _advanced(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"Name": name, "FieldSelectors": list(fields)}


def _eq(field_name: str, *values: str) -> dict[str, Any]:
    return {"Field": field_name, "Equals": list(values)}


def seed_small(endpoint: str) -> Manifest:
    """2 trails: a stopped one in us-east-1, a healthy one in eu-west-1; 3 regions of resources."""
    s = Seeder(endpoint)
    s.bucket("bench-legacy-logs")
    s.bucket("bench-access-logs", "eu-west-1", log_target=True)
    s.bucket("bench-audit-logs", "eu-west-1", log_to="bench-access-logs")
    s.trail("legacy-trail", HOME, "bench-legacy-logs", logging=False)
    group = s.log_group("eu-west-1", "/aws/cloudtrail/audit-trail")
    s.trail(
        "audit-trail",
        "eu-west-1",
        "bench-audit-logs",
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=group,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-cloudwatch",
    )
    set_trail_status_fields(
        ACCOUNT, "eu-west-1", "audit-trail", LatestCloudWatchLogsDeliveryTime=int(time.time())
    )
    for region, tables, functions in (
        ("us-east-1", 2, 1),
        ("eu-west-1", 1, 2),
        ("us-west-2", 1, 1),
    ):
        s.tables(region, tables)
        s.functions(region, functions)
    return s.manifest


def seed_large(endpoint: str) -> Manifest:
    """6 trails, 40 tables and 40 functions over 6 regions, 6 buckets, and 12 APIs
    (REST, HTTP, WebSocket) and 15 instances in 3 regions (module docstring)."""
    s = Seeder(endpoint)
    s.bucket("bench-access-logs", log_target=True)
    s.bucket("bench-org-trail-logs", log_to="bench-access-logs")
    s.bucket("bench-legacy-logs")
    s.bucket("bench-eu-access-logs", "eu-west-1", log_target=True)
    s.bucket("bench-eu-trail-logs", "eu-west-1", log_to="bench-eu-access-logs")
    s.bucket("bench-regional-trail-logs", "us-east-2")
    s.app_bucket("bench-web-assets", metrics=True, alarm=True)
    s.app_bucket("bench-uploads", metrics=False, alarm=False)

    tables = {r: s.tables(r, 7 if i < 4 else 6) for i, r in enumerate(SIX_REGIONS)}
    for i, region in enumerate(SIX_REGIONS):
        functions = s.functions(region, 7 if i < 4 else 6)
        s.resource_alarms(region, tables[region], functions)
    apigw_role = s.client("iam").create_role(
        RoleName="bench-apigateway",
        AssumeRolePolicyDocument=json.dumps(_trust("apigateway.amazonaws.com")),
    )["Role"]["Arn"]
    for region in ("us-east-1", "eu-west-1", "ap-southeast-1"):
        s.apis(region, apigw_role)
    iam = s.client("iam")
    iam.create_role(
        RoleName="bench-agent", AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com"))
    )
    iam.put_role_policy(
        RoleName="bench-agent",
        PolicyName="agent",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Resource": "*",
                        "Action": ["cloudwatch:PutMetricData", "logs:PutLogEvents"],
                    }
                ],
            }
        ),
    )
    iam.create_instance_profile(InstanceProfileName="bench-agent")
    iam.add_role_to_instance_profile(InstanceProfileName="bench-agent", RoleName="bench-agent")
    for region in ("us-east-1", "eu-west-1", "ap-southeast-1"):
        s.instances(region, "bench-agent")

    key = s.client("kms").create_key()["KeyMetadata"]["Arn"]
    group = s.log_group(HOME, "/aws/cloudtrail/org-audit")
    s.trail(
        "org-audit",
        HOME,
        "bench-org-trail-logs",
        multi_region=True,
        EnableLogFileValidation=True,
        KmsKeyId=key,
        CloudWatchLogsLogGroupArn=group,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-cloudwatch",
        selectors={
            "AdvancedEventSelectors": [
                _advanced("Management events", _eq("eventCategory", "Management")),
                _advanced(
                    "S3 writes",
                    _eq("eventCategory", "Data"),
                    _eq("resources.type", "AWS::S3::Object"),
                    _eq("readOnly", "false"),
                ),
                _advanced(
                    "Lambda invocations",
                    _eq("eventCategory", "Data"),
                    _eq("resources.type", "AWS::Lambda::Function"),
                ),
            ]
        },
    )
    set_trail_status_fields(
        ACCOUNT, HOME, "org-audit", LatestCloudWatchLogsDeliveryTime=int(time.time())
    )
    s.cis_alarms(group)
    s.trail(
        "legacy-trail",
        HOME,
        "bench-legacy-logs",
        logging=False,
        selectors={"EventSelectors": [{"ReadWriteType": "ReadOnly"}]},
    )
    eu_arns = [f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{n}" for n in tables["eu-west-1"][:3]]
    s.trail(
        "eu-app-trail",
        "eu-west-1",
        "bench-eu-trail-logs",
        EnableLogFileValidation=True,
        selectors={
            "AdvancedEventSelectors": [
                _advanced("Management events", _eq("eventCategory", "Management")),
                _advanced(
                    "Order tables",
                    _eq("eventCategory", "Data"),
                    _eq("resources.type", "AWS::DynamoDB::Table"),
                    _eq("resources.ARN", *eu_arns),
                ),
            ]
        },
    )
    ddb_all = [{"Type": "AWS::DynamoDB::Table", "Values": ["arn:aws:dynamodb"]}]
    s.trail(
        "eu-central-data",
        "eu-central-1",
        "bench-regional-trail-logs",
        selectors={"EventSelectors": [{"ReadWriteType": "All", "DataResources": ddb_all}]},
    )
    s.trail("apac-trail", "ap-southeast-1", "bench-regional-trail-logs")
    lambda_all = [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]
    s.trail(
        "us-west-2-lambda",
        "us-west-2",
        "bench-regional-trail-logs",
        CloudWatchLogsLogGroupArn=s.log_group("us-west-2", "/aws/cloudtrail/us-west-2"),
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-cloudwatch",
        selectors={"EventSelectors": [{"ReadWriteType": "All", "DataResources": lambda_all}]},
    )
    return s.manifest


SCENARIOS: dict[str, Callable[[str], Manifest]] = {"small": seed_small, "large": seed_large}
