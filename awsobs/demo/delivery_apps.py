"""The demo's application log pipelines (issue 20): one delivering, one configured and silent.

us-east-1:
- REST API `shop`, stage `prod` (awsobs/demo/__init__.py): its access-log group
  `/aws/apigateway/shop-access` received a request a few minutes ago
  (`apigw.access_logs_delivered` PASS).
- HTTP API `payments`, stage `v1`: access logs to `/aws/apigateway/payments-access`, which
  last received data 9 days ago, while AWS/ApiGateway `Count` shows 1,250 requests in
  the last day (FAIL, naming the last delivery).

moto delivers nothing: delivery is seeded with PutLogEvents and moved into the past with
awsobs/demo/moto_delivery.py, traffic with PutMetricData. The helpers here are shared
with the tests' seeds (tests/seeds/delivery_apps_seed.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import boto3

from awsobs.demo.moto_delivery import set_stream_ingestion

ACCOUNT = "123456789012"
EAST = "us-east-1"


def deliver(
    session: boto3.Session,
    region: str,
    group: str,
    stream: str = "delivery",
    *,
    ago: dt.timedelta | None = None,
    account: str = ACCOUNT,
) -> None:
    """Write one event to `stream` of `group` (both created as needed); with `ago`, make
    the stream's last ingestion that long ago (moto stamps PutLogEvents "now")."""
    logs = session.client("logs", region_name=region)
    existing = logs.describe_log_groups(logGroupNamePrefix=group).get("logGroups", [])
    if not any(g["logGroupName"] == group for g in existing):
        logs.create_log_group(logGroupName=group)
    streams = logs.describe_log_streams(logGroupName=group, logStreamNamePrefix=stream)
    if not any(s["logStreamName"] == stream for s in streams.get("logStreams", [])):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    logs.put_log_events(
        logGroupName=group,
        logStreamName=stream,
        logEvents=[{"timestamp": stamp, "message": "GET / 200"}],
    )
    if ago is not None:
        set_stream_ingestion(account, region, group, stream, dt.datetime.now(dt.UTC) - ago)


def publish(
    session: boto3.Session,
    region: str,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, str],
    value: float,
    *,
    ago: dt.timedelta = dt.timedelta(hours=2),
) -> None:
    """One datum of `metric` (a request count) `ago` before now."""
    session.client("cloudwatch", region_name=region).put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
                "Timestamp": dt.datetime.now(dt.UTC) - ago,
                "Value": value,
            }
        ],
    )


def seed_delivery_apps(session: boto3.Session) -> None:
    """Create the demo's delivering and silent access-log pipelines (see the docstring)."""
    deliver(session, EAST, "/aws/apigateway/shop-access", "prod", ago=dt.timedelta(minutes=7))
    group = "/aws/apigateway/payments-access"
    deliver(session, EAST, group, "v1", ago=dt.timedelta(days=9, hours=3))
    api = session.client("apigatewayv2", region_name=EAST).create_api(
        Name="payments", ProtocolType="HTTP"
    )["ApiId"]
    session.client("apigatewayv2", region_name=EAST).create_stage(
        ApiId=api,
        StageName="v1",
        AccessLogSettings={
            "DestinationArn": f"arn:aws:logs:{EAST}:{ACCOUNT}:log-group:{group}",
            "Format": "$context.requestId $context.identity.sourceIp $context.status",
        },
    )
    publish(session, EAST, "AWS/ApiGateway", "Count", {"ApiId": api, "Stage": "v1"}, 1250.0)
