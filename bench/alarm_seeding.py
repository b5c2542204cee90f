"""Alarms for the bench scenarios: topics, per-resource alarms, the CIS filter chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3

from awsobs.checks.cwalarm.controls import CONTROLS
from awsobs.demo.alarms import metric_alarm

if TYPE_CHECKING:
    from seeder import Manifest


class AlarmSeeding:
    """Mixed into `Seeder`: needs its `client()` and `manifest`."""

    manifest: Manifest
    session: boto3.Session  # clients reach the bench server through AWS_ENDPOINT_URL

    def client(self, service: str, region: str = "us-east-1") -> Any:  # Seeder.client
        raise NotImplementedError

    def topic(self, region: str) -> str:
        """The region's on-call topic with one (moto: confirmed) email subscription."""
        sns = self.client("sns", region)
        arn = str(sns.create_topic(Name="oncall")["TopicArn"])
        if not sns.list_subscriptions_by_topic(TopicArn=arn)["Subscriptions"]:
            sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="oncall@example.com")
            self.manifest.topics.add(region)
        return arn

    def alarm(
        self, region: str, namespace: str, metric: str, dims: dict[str, str], topic: str
    ) -> None:
        name = f"{metric}-{'-'.join(dims.values()) or 'all'}"
        clients: Any = _Clients(self)  # the Seeder's clients: its credentials, one per region
        metric_alarm(clients, region, name, namespace, metric, dims, [topic])
        self.manifest.alarms[region] = self.manifest.alarms.get(region, 0) + 1
        self.manifest.alarm_metrics.setdefault(region, set()).add((namespace, metric))

    def resource_alarms(self, region: str, tables: list[str], functions: list[str]) -> None:
        """Throttling alarms on half the tables, error alarms on half the functions."""
        topic = self.topic(region)
        for name in tables[::2]:
            for metric in ("ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"):
                self.alarm(region, "AWS/DynamoDB", metric, {"TableName": name}, topic)
        for name in functions[::2]:
            for metric in ("Errors", "Throttles"):
                self.alarm(region, "AWS/Lambda", metric, {"FunctionName": name}, topic)

    def cis_alarms(self, group_arn: str) -> None:
        """The CIS metric filters and alarms on a trail's log group, for every control."""
        region = group_arn.split(":")[3]
        group = group_arn.split(":log-group:", 1)[1].removesuffix(":*")
        topic = self.topic(region)
        logs = self.client("logs", region)
        for c in CONTROLS:
            transform = {"metricName": c.id, "metricNamespace": "CISBenchmark", "metricValue": "1"}
            logs.put_metric_filter(
                logGroupName=group,
                filterName=c.id,
                filterPattern=c.pattern,
                metricTransformations=[transform],
            )
            self.alarm(region, "CISBenchmark", c.id, {}, topic)
        self.manifest.metric_filter_groups.add(region)

    def app_bucket(self, name: str, *, metrics: bool, alarm: bool) -> None:
        """A bucket that serves traffic (in us-east-1), with request metrics and an alarm."""
        s3 = self.client("s3")
        s3.create_bucket(Bucket=name)
        if metrics:
            s3.put_bucket_metrics_configuration(
                Bucket=name, Id="EntireBucket", MetricsConfiguration={"Id": "EntireBucket"}
            )
        if alarm:
            dims = {"BucketName": name, "FilterId": "EntireBucket"}
            self.alarm("us-east-1", "AWS/S3", "5xxErrors", dims, self.topic("us-east-1"))
        self.manifest.buckets[name] = "us-east-1"
        self.manifest.app_buckets.add(name)


class _Clients:
    """What `metric_alarm` needs of a boto3 Session (`client(service, region_name=)`), from
    the Seeder's own clients: an org scenario seeds with a member's assumed credentials
    on a session shared between members, and the clients are created once per region."""

    def __init__(self, seeder: AlarmSeeding) -> None:
        self.seeder = seeder

    def client(self, service: str, region_name: str = "us-east-1") -> Any:
        return self.seeder.client(service, region_name)
