"""The demo account's alarms for issue 15 (misc): a good and a bad case of each check.

us-east-1:
- REST API `shop`: `prod` has a 4XXError alarm to `oncall` (PASS), `dev` none (FAIL).
- HTTP API `storefront`: stage `live` has a 4xx alarm on ApiId + Stage (PASS); `beta`'s
  alarm is keyed by ApiName, a dimension HTTP APIs never publish (FAIL, near miss).
- Lambda functions: `resize-images` may be invoked by S3 and keeps no failed event
  (FAIL); `order-events` (EventBridge) has an on-failure destination and `mail-bounces`
  (SNS) a dead-letter queue (PASS); `report-api` has no asynchronous trigger (N/A).
- Alarm `web-1-memory` watches the agent's mem_used_percent of `web-1` with
  TreatMissingData=notBreaching (FAIL: it stays OK if the instance dies);
  `web-1-disk` treats missing data as breaching (PASS), `resize-images-errors` is an
  error count with breaching (PASS, with a note: it fires on silence).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3

from awsobs.demo.alarms import metric_alarm, topic
from awsobs.demo.moto_misc import install_lambda_dlq_extension

ACCOUNT = "123456789012"
EAST = "us-east-1"


def seed_alarms_misc(session: boto3.Session) -> None:
    """Create the demo's misc resources and alarms (see the module docstring)."""
    install_lambda_dlq_extension()
    oncall = f"arn:aws:sns:{EAST}:{ACCOUNT}:oncall"  # confirmed, from alarms.py
    metric_alarm(session, EAST, "shop-prod-4xx", "AWS/ApiGateway", "4XXError",
                 {"ApiName": "shop", "Stage": "prod"}, [oncall])  # fmt: skip
    _http_api(session, oncall)
    _functions(session)
    _missing_data_alarms(session, oncall)


def _http_api(session: boto3.Session, oncall: str) -> None:
    client = session.client("apigatewayv2", region_name=EAST)
    api = client.create_api(Name="storefront", ProtocolType="HTTP")["ApiId"]
    for stage in ("live", "beta"):
        client.create_stage(ApiId=api, StageName=stage)
    metric_alarm(session, EAST, "storefront-live-4xx", "AWS/ApiGateway", "4xx",
                 {"ApiId": api, "Stage": "live"}, [oncall])  # fmt: skip
    metric_alarm(session, EAST, "storefront-beta-4xx", "AWS/ApiGateway", "4xx",
                 {"ApiName": "storefront", "Stage": "beta"}, [oncall])  # fmt: skip


def _function(session: boto3.Session, name: str, **extra: Any) -> None:
    role = session.client("iam").create_role(
        RoleName=f"{name}-role",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("handler.py", "def handle(event, context):\n    return {}\n")
    session.client("lambda", region_name=EAST).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handle",
        Code={"ZipFile": code.getvalue()},
        **extra,
    )


def _grant(session: boto3.Session, name: str, principal: str, source: str) -> None:
    session.client("lambda", region_name=EAST).add_permission(
        FunctionName=name,
        StatementId=f"{name}-invoke",
        Action="lambda:InvokeFunction",
        Principal=principal,
        SourceArn=source,
    )


def _functions(session: boto3.Session) -> None:
    failures = topic(session, "async-failures", EAST)
    _function(session, "resize-images")
    _grant(session, "resize-images", "s3.amazonaws.com", "arn:aws:s3:::demo-uploads")
    _function(session, "order-events")
    rule = f"arn:aws:events:{EAST}:{ACCOUNT}:rule/order-placed"
    _grant(session, "order-events", "events.amazonaws.com", rule)
    session.client("lambda", region_name=EAST).put_function_event_invoke_config(
        FunctionName="order-events", DestinationConfig={"OnFailure": {"Destination": failures}}
    )
    _function(session, "mail-bounces", DeadLetterConfig={"TargetArn": failures})
    bounces = f"arn:aws:sns:{EAST}:{ACCOUNT}:mail-bounces"
    _grant(session, "mail-bounces", "sns.amazonaws.com", bounces)
    _function(session, "report-api")
    api = f"arn:aws:execute-api:{EAST}:{ACCOUNT}:abc123/*/GET/report"
    _grant(session, "report-api", "apigateway.amazonaws.com", api)


def _missing_data_alarms(session: boto3.Session, oncall: str) -> None:
    ec2: Any = session.client("ec2", region_name=EAST)
    web1 = next(
        i["InstanceId"]
        for r in ec2.describe_instances()["Reservations"]
        for i in r["Instances"]
        if {"Key": "Name", "Value": "web-1"} in i.get("Tags", ())
    )
    cloudwatch = session.client("cloudwatch", region_name=EAST)
    for name, metric, treat in (
        ("web-1-memory", "mem_used_percent", "notBreaching"),
        ("web-1-disk", "disk_used_percent", "breaching"),
    ):
        cloudwatch.put_metric_alarm(
            AlarmName=name,
            Namespace="CWAgent",
            MetricName=metric,
            Dimensions=[{"Name": "InstanceId", "Value": web1}],
            Statistic="Average",
            Period=300,
            EvaluationPeriods=2,
            Threshold=90,
            ComparisonOperator="GreaterThanThreshold",
            AlarmActions=[oncall],
            TreatMissingData=treat,
        )
    cloudwatch.put_metric_alarm(
        AlarmName="resize-images-errors",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=[{"Name": "FunctionName", "Value": "resize-images"}],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[oncall],
        TreatMissingData="breaching",
    )
