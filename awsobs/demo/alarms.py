"""The demo account's alarms: some that will reach someone, some that never will.

us-east-1: a confirmed topic `oncall` and a topic `nobody` whose one subscription was never
confirmed. The REST API's `prod` stage has a 5XXError alarm to `oncall`, `dev` none; the
table `orders` has only a read-throttling alarm, to `nobody`; bucket `demo-web-assets`
has request metrics and a 5xxErrors alarm, `demo-uploads` neither; instance `web-1` has a
status-check alarm, `web-2` only an old CPU alarm whose actions were disabled.
eu-west-1: the function `checkout` has Errors and Throttles alarms to a confirmed topic.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import boto3

from awsobs.demo.moto_ext import sns_pending

ACCOUNT = "123456789012"


def seed_alarms(session: boto3.Session) -> None:
    """Create the alarms, topics and buckets described in the module docstring."""
    east, eu = "us-east-1", "eu-west-1"
    oncall = topic(session, "oncall", east)
    nobody = topic(session, "nobody", east, confirmed=False)
    metric_alarm(session, east, "shop-prod-5xx", "AWS/ApiGateway", "5XXError",
           {"ApiName": "shop", "Stage": "prod"}, [oncall])  # fmt: skip
    metric_alarm(session, east, "orders-read-throttles", "AWS/DynamoDB", "ReadThrottleEvents",
           {"TableName": "orders"}, [nobody])  # fmt: skip
    s3 = session.client("s3", region_name=east)
    for name in ("demo-web-assets", "demo-uploads"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_metrics_configuration(
        Bucket="demo-web-assets", Id="EntireBucket", MetricsConfiguration={"Id": "EntireBucket"}
    )
    metric_alarm(session, east, "web-assets-5xx", "AWS/S3", "5xxErrors",
           {"BucketName": "demo-web-assets", "FilterId": "EntireBucket"}, [oncall])  # fmt: skip
    ids = _instance_ids(session, east)
    ec2_metrics(session, east, ids.values())
    metric_alarm(session, east, "web-1-status", "AWS/EC2", "StatusCheckFailed",
           {"InstanceId": ids["web-1"]}, [oncall])  # fmt: skip
    metric_alarm(session, east, "web-2-cpu", "AWS/EC2", "CPUUtilization",
           {"InstanceId": ids["web-2"]}, [oncall], enabled=False)  # fmt: skip
    checkout = topic(session, "checkout-oncall", eu)
    for metric in ("Errors", "Throttles"):
        metric_alarm(session, eu, f"checkout-{metric.lower()}", "AWS/Lambda", metric,
               {"FunctionName": "checkout"}, [checkout])  # fmt: skip


def topic(session: boto3.Session, name: str, region: str, *, confirmed: bool = True) -> str:
    """An SNS topic with one email subscription, left pending unless `confirmed`."""
    sns = session.client("sns", region_name=region)
    arn = str(sns.create_topic(Name=name)["TopicArn"])
    endpoint = f"{name}@example.com"
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=endpoint)
    if not confirmed:
        sns_pending(arn, endpoint)
    return arn


def metric_alarm(
    session: boto3.Session,
    region: str,
    name: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    actions: list[str],
    *,
    enabled: bool = True,
    ok_actions: list[str] | None = None,
) -> None:
    """A Sum >= 1 over 5 minutes alarm on one metric (the shape CIS recommends)."""
    session.client("cloudwatch", region_name=region).put_metric_alarm(
        AlarmName=name,
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=actions,
        OKActions=ok_actions or [],
        ActionsEnabled=enabled,
    )


def ec2_metrics(session: boto3.Session, region: str, instances: Iterable[str]) -> None:
    """What EC2 publishes for every running instance (moto publishes nothing by itself):
    without it an alarm on an instance metric looks stale."""
    cloudwatch = session.client("cloudwatch", region_name=region)
    for instance in instances:
        dims = [{"Name": "InstanceId", "Value": instance}]
        cloudwatch.put_metric_data(
            Namespace="AWS/EC2",
            MetricData=[
                {"MetricName": "CPUUtilization", "Dimensions": dims, "Value": 3.0},
                {"MetricName": "StatusCheckFailed", "Dimensions": dims, "Value": 0.0},
            ],
        )


def _instance_ids(session: boto3.Session, region: str) -> dict[str, str]:
    found: dict[str, str] = {}
    ec2: Any = session.client("ec2", region_name=region)
    for r in ec2.describe_instances()["Reservations"]:
        for i in r["Instances"]:
            tags = {t["Key"]: t["Value"] for t in i.get("Tags", ())}
            found[tags.get("Name", i["InstanceId"])] = i["InstanceId"]
    return found
