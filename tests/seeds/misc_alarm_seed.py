"""Seed issue 15's misc resources and alarms: every read their checks declare happens.

- apigw.*.client_error_alarms: a 4XXError alarm on the REST API 'shop' and a 4xx alarm on
  the HTTP API 'web' (both from seed_every_apigw_read), to the confirmed topic 'oncall'
  (seed_every_alarm_read): the alarm's topic is read.
- lambda.async_failure_destination: 'misc-thumbnails' may be invoked by S3 and has an
  on-failure destination (GetPolicy, then GetFunctionEventInvokeConfig); 'misc-ingest'
  may be invoked by SNS and has a dead-letter queue (GetPolicy only).
- cloudwatch.alarm_missing_data reads only DescribeAlarms (the alarms already seeded).
"""

from __future__ import annotations

import boto3
from alarm_seed import alarm
from helpers import ACCOUNT
from resources import lambda_function

from awsobs.demo.moto_misc import install_lambda_dlq_extension

QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:misc-failed-events"


def async_function(
    session: boto3.Session, name: str, principal: str, *, dlq: str | None = None
) -> str:
    """A function that `principal` (s3.amazonaws.com, ...) may invoke; with a DLQ if given."""
    arn = lambda_function(session, name)
    client = session.client("lambda")
    client.add_permission(
        FunctionName=name,
        StatementId=f"{name}-trigger",
        Action="lambda:InvokeFunction",
        Principal=principal,
    )
    if dlq:
        client.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": dlq})
    return arn


def seed_every_misc_alarm_read(session: boto3.Session) -> None:
    """Resources and alarms for the misc alarm checks (after the API Gateway and alarm seeds)."""
    install_lambda_dlq_extension()
    alarm(session, "misc-shop-4xx", "AWS/ApiGateway", "4XXError", {"ApiName": "shop"})
    for api in session.client("apigatewayv2").get_apis()["Items"]:
        if api["ProtocolType"] == "HTTP":
            dims = {"ApiId": api["ApiId"]}
            alarm(session, f"misc-{api['Name']}-4xx", "AWS/ApiGateway", "4xx", dims)
    async_function(session, "misc-thumbnails", "s3.amazonaws.com")
    session.client("lambda").put_function_event_invoke_config(
        FunctionName="misc-thumbnails", DestinationConfig={"OnFailure": {"Destination": QUEUE}}
    )
    async_function(session, "misc-ingest", "sns.amazonaws.com", dlq=QUEUE)
