"""Seeding helpers for the bench scenarios: a `Seeder` (boto3 clients on the bench
endpoint, in one moto account) and the `Manifest` of what it created.

Seeding goes through boto3 like any client would; only what moto cannot be told over
HTTP (a trail's CloudWatch Logs delivery time, SSM's view of instances) is set on the
in-process moto backends, for the Seeder's account.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import boto3
from alarm_seeding import AlarmSeeding
from stack_seeding import StackSeeding

from awsobs.demo import ACCOUNT
from awsobs.demo.moto_ext import ssm_inventory, ssm_managed

HOME = "us-east-1"
SIX_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1")


@dataclass
class Manifest:
    """What a scenario created: trails (name -> home, multi-region, bucket) and resources."""

    trails: dict[str, tuple[str, bool, str]] = field(default_factory=dict)
    stopped_trails: set[str] = field(default_factory=set)  # names of trails not logging
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
    load_balancers: dict[str, int] = field(default_factory=dict)  # region -> ALBs
    ecs_services: dict[str, int] = field(default_factory=dict)  # region -> cluster + service
    db_instances: dict[str, int] = field(default_factory=dict)  # region -> RDS instances
    state_machines: dict[str, int] = field(default_factory=dict)  # region -> state machines
    queues: dict[str, int] = field(default_factory=dict)  # region -> SQS queues (DLQs too)
    dead_letter_queues: dict[str, int] = field(default_factory=dict)  # region -> DLQs
    distributions: int = 0  # CloudFront (global)
    async_functions: dict[str, int] = field(default_factory=dict)  # invoked by SNS


class Seeder(AlarmSeeding, StackSeeding):
    """boto3 clients (fake credentials) on the endpoint, and the resources they created."""

    def __init__(
        self,
        endpoint: str,
        session: boto3.Session | None = None,
        account: str = ACCOUNT,
        credentials: dict[str, str] | None = None,
    ) -> None:
        self.session = session or boto3.Session(
            aws_access_key_id="bench", aws_secret_access_key="bench", region_name=HOME
        )
        self.endpoint = endpoint
        self.account = account  # moto account the credentials map to
        # sts:AssumeRole's Credentials for `account`, if not the session's own: a session
        # (its parsed service models) then serves many accounts
        self.credentials = credentials
        self.manifest = Manifest()
        self._clients: dict[tuple[str, str], Any] = {}
        self._role: str | None = None

    def client(self, service: str, region: str = HOME) -> Any:
        key = (service, region)
        if key not in self._clients:
            keys: dict[str, str] = {}
            if self.credentials:
                keys = {
                    "aws_access_key_id": self.credentials["AccessKeyId"],
                    "aws_secret_access_key": self.credentials["SecretAccessKey"],
                    "aws_session_token": self.credentials["SessionToken"],
                }
            self._clients[key] = self.session.client(
                service, region_name=region, endpoint_url=self.endpoint, **keys
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
            self.manifest.stopped_trails.add(name)
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

    def apis(
        self, region: str, role: str, *, rest: int = 2, http: int = 1, websocket: int = 1
    ) -> None:
        """In `region`: the account's CloudWatch role, `rest` REST APIs (stage prod logs
        everything, stage dev nothing), `http` HTTP APIs with access logs and `websocket`
        WebSocket APIs with execution logs. The defaults are the `large` scenario's."""
        gw = self.client("apigateway", region)
        if region not in self.manifest.rest_apis and region not in self.manifest.v2_apis:
            gw.update_account(
                patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
            )
        group = f"arn:aws:logs:{region}:{self.account}:log-group:/aws/apigateway/{region}"
        if group not in self.manifest.log_destinations:
            self.log_group(region, f"/aws/apigateway/{region}")
        ops = [
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": group},
            {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"},
        ]
        have_rest = self.manifest.rest_apis.get(region, 0)
        have_v2 = self.manifest.v2_apis.get(region, 0)
        for n in range(have_rest, have_rest + rest):
            name = ("orders", "users")[n] if n < 2 else f"svc{n:02d}"
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
        for n in range(have_v2, have_v2 + http):
            web = v2.create_api(Name=f"web{n:02d}-{region}", ProtocolType="HTTP")["ApiId"]
            v2.create_stage(
                ApiId=web,
                StageName="$default",
                AccessLogSettings={"DestinationArn": group, "Format": "$context.requestId"},
            )
        for n in range(have_v2 + http, have_v2 + http + websocket):
            chat = v2.create_api(
                Name=f"chat{n:02d}-{region}",
                ProtocolType="WEBSOCKET",
                RouteSelectionExpression="$request.body.action",
            )["ApiId"]
            v2.create_stage(
                ApiId=chat, StageName="prod", DefaultRouteSettings={"LoggingLevel": "INFO"}
            )
        self.manifest.rest_apis[region] = have_rest + rest
        self.manifest.v2_apis[region] = have_v2 + http + websocket
        self.manifest.log_destinations.add(group)

    def instances(self, region: str, profile: str, kinds: str = "RRRSB") -> None:
        """One running instance per letter of `kinds`: R reports agent metrics (and has a
        status-check and a memory alarm), S has the agent installed (SSM inventory) but
        silent, B has no agent, no SSM and no instance profile. The default is `large`'s."""
        ec2 = self.client("ec2", region)
        cw = self.client("cloudwatch", region)
        topic = self.topic(region) if "R" in kinds else ""
        for kind in kinds:
            kwargs: Any = {} if kind == "B" else {"IamInstanceProfile": {"Name": profile}}
            iid = ec2.run_instances(ImageId="ami-12345678", MinCount=1, MaxCount=1, **kwargs)[
                "Instances"
            ][0]["InstanceId"]
            if kind == "R":
                for name in ("mem_used_percent", "disk_used_percent"):
                    dims = [{"Name": "InstanceId", "Value": iid}]
                    cw.put_metric_data(
                        Namespace="CWAgent",
                        MetricData=[{"MetricName": name, "Dimensions": dims, "Value": 1.0}],
                    )
            if kind != "B":
                ssm_managed(self.account, region, iid)
            if kind == "S":
                ssm_inventory(
                    self.account, region, iid, [{"Name": "amazon-cloudwatch-agent", "Version": "1"}]
                )
            if kind == "R":
                self.alarm(region, "AWS/EC2", "StatusCheckFailed", {"InstanceId": iid}, topic)
                self.alarm(region, "CWAgent", "mem_used_percent", {"InstanceId": iid}, topic)
        m = self.manifest
        m.instances[region] = m.instances.get(region, 0) + len(kinds)
        m.silent_instances[region] = m.silent_instances.get(region, 0) + kinds.count("S")

    def agent_profile(self, name: str = "bench-agent") -> str:
        """An EC2 role with an inline agent policy, and its instance profile."""
        iam = self.client("iam")
        iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com"))
        )
        statement = {
            "Effect": "Allow",
            "Resource": "*",
            "Action": ["cloudwatch:PutMetricData", "logs:PutLogEvents"],
        }
        iam.put_role_policy(
            RoleName=name,
            PolicyName="agent",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )
        iam.create_instance_profile(InstanceProfileName=name)
        iam.add_role_to_instance_profile(InstanceProfileName=name, RoleName=name)
        return name

    def apigateway_role(self, name: str = "bench-apigateway") -> str:
        role = self.client("iam").create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(_trust("apigateway.amazonaws.com")),
        )
        return str(role["Role"]["Arn"])

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
