"""Seed alarms, topics and metric filters in moto (in process or over HTTP)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import boto3
from helpers import ACCOUNT

from awsobs.checks.cwalarm.controls import CONTROLS, Control
from awsobs.demo import alarms as demo_alarms


def topic(
    session: boto3.Session,
    name: str = "oncall",
    *,
    confirmed: bool = True,
    region: str = "us-east-1",
) -> str:
    """An SNS topic with one email subscription (pending unless `confirmed`)."""
    return demo_alarms.topic(session, name, region, confirmed=confirmed)


def alarm(
    session: boto3.Session,
    name: str,
    namespace: str,
    metric: str,
    dims: dict[str, str] | None = None,
    *,
    actions: list[str] | None = None,
    ok_actions: list[str] | None = None,
    enabled: bool = True,
    region: str = "us-east-1",
) -> None:
    """A metric alarm; `actions` defaults to a confirmed topic named `oncall`."""
    if actions is None:
        actions = [f"arn:aws:sns:{region}:{ACCOUNT}:oncall"]
    demo_alarms.metric_alarm(
        session,
        region,
        name,
        namespace,
        metric,
        dims or {},
        actions,
        enabled=enabled,
        ok_actions=ok_actions,
    )


def math_alarm(
    session: boto3.Session,
    name: str,
    namespace: str,
    metrics: list[tuple[str, dict[str, str]]],
    actions: list[str],
    region: str = "us-east-1",
) -> None:
    """A metric-math alarm over `metrics` (name, dims): their sum."""
    queries: list[dict[str, Any]] = [
        {
            "Id": f"m{i}",
            "ReturnData": False,
            "MetricStat": {
                "Metric": {
                    "Namespace": namespace,
                    "MetricName": metric,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in d.items()],
                },
                "Period": 300,
                "Stat": "Sum",
            },
        }
        for i, (metric, d) in enumerate(metrics)
    ]
    expression = " + ".join(q["Id"] for q in queries)
    queries.append({"Id": "total", "Expression": expression, "ReturnData": True})
    session.client("cloudwatch", region_name=region).put_metric_alarm(
        AlarmName=name,
        Metrics=queries,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=actions,
    )


def composite(
    session: boto3.Session,
    name: str,
    children: list[str],
    actions: list[str],
    region: str = "us-east-1",
) -> None:
    rule = " OR ".join(f'ALARM("{c}")' for c in children)
    session.client("cloudwatch", region_name=region).put_composite_alarm(
        AlarmName=name, AlarmRule=rule, AlarmActions=actions
    )


def log_group(session: boto3.Session, name: str = "cloudtrail", region: str = "us-east-1") -> str:
    """A CloudWatch Logs group; returns its ARN (as a trail's CloudWatchLogsLogGroupArn)."""
    logs = session.client("logs", region_name=region)
    logs.create_log_group(logGroupName=name)
    return str(logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"])


def cis_chain(
    session: boto3.Session,
    group: str = "cloudtrail",
    controls: Sequence[Control] = CONTROLS,
    region: str = "us-east-1",
) -> None:
    """For each control: its CIS filter on `group` and an alarm notifying 'oncall'."""
    logs = session.client("logs", region_name=region)
    for c in controls:
        logs.put_metric_filter(
            logGroupName=group,
            filterName=c.id,
            filterPattern=c.pattern,
            metricTransformations=[
                {"metricName": c.id, "metricNamespace": "CISBenchmark", "metricValue": "1"}
            ],
        )
        alarm(session, f"cis-{c.id}", "CISBenchmark", c.id, region=region)


def seed_every_alarm_read(session: boto3.Session, *, trail_name: str, api: str) -> None:
    """Alarms that make every alarm check read all it declares (needs the `alarm_ext` fixture).

    Expects the REST API `api`, a v2 API, table 'orders', function 'checkout', a running
    instance and the trail `trail_name` (sending to log group 'cloudtrail') to exist.
    """
    topic(session)
    cis_chain(session)
    alarm(session, "api-5xx", "AWS/ApiGateway", "5XXError", {"ApiName": api})
    for v2 in session.client("apigatewayv2").get_apis()["Items"]:
        alarm(session, f"v2-{v2['Name']}-5xx", "AWS/ApiGateway", "5xx", {"ApiId": v2["ApiId"]})
    alarm(session, "orders-r", "AWS/DynamoDB", "ReadThrottleEvents", {"TableName": "orders"})
    alarm(session, "checkout-e", "AWS/Lambda", "Errors", {"FunctionName": "checkout"})
    reservations = session.client("ec2").describe_instances()["Reservations"]
    running = reservations[0]["Instances"][0]["InstanceId"]
    alarm(session, "status", "AWS/EC2", "StatusCheckFailed", {"InstanceId": running})
    alarm(session, "mem", "CWAgent", "mem_used_percent", {"InstanceId": running})
    s3 = session.client("s3")
    s3.create_bucket(Bucket="web")
    s3.put_bucket_tagging(Bucket="web", Tagging={"TagSet": [{"Key": "traffic", "Value": "x"}]})
    s3.put_bucket_metrics_configuration(
        Bucket="web", Id="EntireBucket", MetricsConfiguration={"Id": "EntireBucket"}
    )
    dims = {"BucketName": "web", "FilterId": "EntireBucket"}
    alarm(session, "web-5xx", "AWS/S3", "5xxErrors", dims)
