"""Seed the application log pipelines of issue 20 (WP1) in moto: every read the checks
apigw.access_logs_delivered, lambda.logs_delivered and stepfunctions.logs_delivered
declare happens, with no UNKNOWN, and each has a fresh and a stale-with-traffic case.

us-east-1 (beside apigw_seed.py's, workflows_seed.py's and seed_all.py's resources):
- `/apigw/access` (REST `shop/prod` and WebSocket `chat/prod` share it) received data
  minutes ago (PASS); HTTP API `orders`, stage `live`, logs to `/apigw/orders-access`,
  silent 9 days while its `Count` shows requests (FAIL: DescribeLogStreams, GetMetricData).
- functions `seed-fresh` (its group written an hour ago, PASS) and `seed-silent` (group
  silent 9 days, invoked: FAIL); seed_all.py's `checkout` has no group and no invocation.
- state machine `seed-flow` (ALL, workflows_seed.py) logged minutes ago (PASS);
  `seed-silent` logs at ERROR to a group silent 9 days while executions failed (FAIL).

moto delivers nothing: PutLogEvents moved into the past (awsobs/demo/moto_delivery.py)
and PutMetricData, through the demo's helpers (awsobs/demo/delivery_apps.py).
"""

from __future__ import annotations

import datetime as dt

import boto3
from apigw_seed import log_group, v2_access, v2_api
from resources import lambda_function

from awsobs.demo.delivery_apps import deliver, publish
from awsobs.demo.workflows import log_group_arn, state_machine

REGION = "us-east-1"
SILENT = dt.timedelta(days=9)
RECENT = dt.timedelta(minutes=10)


def seed_every_delivery_apps_read(session: boto3.Session) -> None:
    """Fresh and silent access-log, function and state machine log groups (see above).
    Run after seed_every_apigw_read and seed_every_workflows_read."""
    deliver(session, REGION, "/apigw/access", ago=RECENT)
    api = v2_api(
        session, "orders", "HTTP", {"live": v2_access(log_group(session, "/apigw/orders-access"))}
    )
    deliver(session, REGION, "/apigw/orders-access", ago=SILENT)
    publish(session, REGION, "AWS/ApiGateway", "Count", {"ApiId": api, "Stage": "live"}, 40.0)

    lambda_function(session, "seed-fresh")
    deliver(session, REGION, "/aws/lambda/seed-fresh", ago=dt.timedelta(hours=1))
    lambda_function(session, "seed-silent")
    deliver(session, REGION, "/aws/lambda/seed-silent", ago=SILENT)
    publish(session, REGION, "AWS/Lambda", "Invocations", {"FunctionName": "seed-silent"}, 12.0)

    deliver(session, REGION, "/aws/vendedlogs/states/seed-flow", ago=RECENT)
    group = log_group_arn(session, "/aws/vendedlogs/states/seed-silent", REGION)
    machine = state_machine(session, "seed-silent", REGION, level="ERROR", log_group=group)
    deliver(session, REGION, "/aws/vendedlogs/states/seed-silent", ago=SILENT)
    dims = {"StateMachineArn": machine}
    publish(session, REGION, "AWS/States", "ExecutionsFailed", dims, 2.0)
