"""awsobs/demo/moto_delivery.py: the moto extensions the delivery checks' tests and demo
stand on. Each is checked against moto's own API, with and without the extension."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from logging_seed import access_logs

from awsobs.demo.moto_delivery import (
    install_bucket_logging_format_extension,
    install_recently_active_extension,
    install_xray_filter_extension,
    set_flow_log_fields,
    set_key_last_modified,
    set_stream_ingestion,
    uninstall_bucket_logging_format_extension,
    uninstall_recently_active_extension,
    uninstall_xray_filter_extension,
)

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


# -- set_stream_ingestion ---------------------------------------------------------------------


def test_a_stream_can_have_last_ingested_in_the_past(aws: boto3.Session) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="g")
    now = dt.datetime.now(dt.UTC)
    for name in ("old", "new"):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
        event = {"timestamp": _ms(now) - 1000, "message": "x"}
        logs.put_log_events(logGroupName="g", logStreamName=name, logEvents=[event])
    nine_days = now - dt.timedelta(days=9)
    set_stream_ingestion(ACCOUNT, REGION, "g", "old", nine_days)
    streams = logs.describe_log_streams(logGroupName="g", orderBy="LastEventTime", descending=True)[
        "logStreams"
    ]
    assert [s["logStreamName"] for s in streams] == ["new", "old"]  # event time moved too
    old = streams[1]
    assert old["lastIngestionTime"] == _ms(nine_days)
    assert old["lastEventTimestamp"] <= old["lastIngestionTime"]
    assert streams[0]["lastIngestionTime"] > _ms(now - dt.timedelta(minutes=5))


def test_an_empty_stream_has_no_ingestion_time_to_set(aws: boto3.Session) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="empty")
    with pytest.raises(ValueError, match="PutLogEvents first"):
        set_stream_ingestion(ACCOUNT, REGION, "g", "empty", dt.datetime.now(dt.UTC))


# -- set_key_last_modified --------------------------------------------------------------------


def test_a_key_can_have_been_written_in_the_past(aws: boto3.Session) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="alb-logs")
    s3.put_object(Bucket="alb-logs", Key="a/1.log.gz", Body=b"")
    s3.put_object(Bucket="alb-logs", Key="a/2.log.gz", Body=b"")
    then = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3)
    set_key_last_modified(ACCOUNT, "alb-logs", "a/1.log.gz", then)
    listed = {
        o["Key"]: o["LastModified"] for o in s3.list_objects_v2(Bucket="alb-logs")["Contents"]
    }
    assert listed["a/1.log.gz"] == then
    assert listed["a/2.log.gz"] > then + dt.timedelta(days=2)


# -- X-Ray GetTraceSummaries with a service filter -------------------------------------------


@pytest.fixture
def xray_ext() -> Iterator[None]:
    install_xray_filter_extension()
    yield
    uninstall_xray_filter_extension()


def _segment(trace: int, name: str, origin: str) -> str:
    start = time.time() - 60
    trace_id = f"1-{int(start):08x}-{trace:024x}"
    doc = {"id": f"{trace:016x}", "trace_id": trace_id, "name": name, "origin": origin}
    return json.dumps({**doc, "start_time": start, "end_time": start + 1})


def _summaries(xray: Any, expression: str | None) -> Any:
    now = dt.datetime.now(dt.UTC)
    kw = {"FilterExpression": expression} if expression else {}
    return xray.get_trace_summaries(
        StartTime=now - dt.timedelta(hours=1), EndTime=now + dt.timedelta(minutes=1), **kw
    )


def _seed_traces(aws: boto3.Session) -> Any:
    xray = aws.client("xray")
    docs = [
        _segment(1, "orders", "AWS::Lambda::Function"),
        _segment(2, "orders", "AWS::Lambda::Function"),
        _segment(3, "shop/prod", "AWS::ApiGateway::Stage"),
    ]
    xray.put_trace_segments(TraceSegmentDocuments=docs)
    return xray


def test_trace_summaries_filtered_to_a_service(aws: boto3.Session, xray_ext: None) -> None:
    xray = _seed_traces(aws)
    fn = 'service(id(name: "orders", type: "AWS::Lambda::Function"))'
    found = _summaries(xray, fn)
    assert found["TracesProcessedCount"] == 2
    assert all(
        s["ServiceIds"] == [{"Name": "orders", "Type": "AWS::Lambda::Function"}]
        for s in found["TraceSummaries"]
    )
    assert _summaries(xray, 'service("shop/prod")')["TracesProcessedCount"] == 1
    wrong_type = 'service(id(name: "orders", type: "AWS::StepFunctions::StateMachine"))'
    assert _summaries(xray, wrong_type)["TracesProcessedCount"] == 0
    assert _summaries(xray, None)["TracesProcessedCount"] == 3  # unfiltered, as moto does


def test_other_filter_expressions_still_fail(aws: boto3.Session, xray_ext: None) -> None:
    xray = _seed_traces(aws)
    with pytest.raises(ClientError, match="InternalFailure"):
        _summaries(xray, "responsetime > 5")


def test_without_the_extension_moto_fails_any_filter(aws: boto3.Session) -> None:
    install_xray_filter_extension()
    uninstall_xray_filter_extension()  # back to plain moto
    xray = _seed_traces(aws)
    with pytest.raises(ClientError, match="InternalFailure"):
        _summaries(xray, 'service("orders")')


# -- ListMetrics RecentlyActive ----------------------------------------------------------------


@pytest.fixture
def recently_active() -> Iterator[None]:
    install_recently_active_extension()
    yield
    uninstall_recently_active_extension()


def _seed_metrics(aws: boto3.Session) -> Any:
    cw = aws.client("cloudwatch")
    now = dt.datetime.now(dt.UTC)
    for cluster, ago in (("busy", dt.timedelta(minutes=10)), ("idle", dt.timedelta(days=5))):
        datum = {
            "MetricName": "CpuUtilized",
            "Dimensions": [{"Name": "ClusterName", "Value": cluster}],
            "Value": 1.0,
            "Timestamp": now - ago,
        }
        cw.put_metric_data(Namespace="ECS/ContainerInsights", MetricData=[datum])
    return cw


def _clusters(cw: Any, **kw: str) -> set[str]:
    listed = cw.list_metrics(Namespace="ECS/ContainerInsights", **kw)
    return {m["Dimensions"][0]["Value"] for m in listed["Metrics"]}


def test_recently_active_lists_only_metrics_of_the_last_3_hours(
    aws: boto3.Session, recently_active: None
) -> None:
    cw = _seed_metrics(aws)
    assert _clusters(cw, RecentlyActive="PT3H") == {"busy"}
    assert _clusters(cw) == {"busy", "idle"}  # without it: two weeks, as in AWS
    assert _clusters(cw, RecentlyActive="PT3H", MetricName="CpuUtilized") == {"busy"}
    assert _clusters(cw, RecentlyActive="PT3H", MetricName="MemoryUtilized") == set()


def test_plain_moto_ignores_recently_active(aws: boto3.Session) -> None:
    install_recently_active_extension()
    uninstall_recently_active_extension()
    cw = _seed_metrics(aws)
    assert _clusters(cw, RecentlyActive="PT3H") == {"busy", "idle"}


# -- DescribeFlowLogs delivery fields ----------------------------------------------------------


def test_flow_log_destination_options_and_delivery_status(aws: boto3.Session) -> None:
    ec2 = aws.client("ec2")
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="flow-logs-bucket")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    created = ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs-bucket",  # moto rejects a prefix here
    )
    flow_log = created["FlowLogIds"][0]
    before = ec2.describe_flow_logs(FlowLogIds=[flow_log])["FlowLogs"][0]
    assert before["DeliverLogsStatus"] == "SUCCESS" and "DestinationOptions" not in before
    options = {"FileFormat": "parquet", "HiveCompatiblePartitions": True, "PerHourPartition": True}
    set_flow_log_fields(
        ACCOUNT,
        REGION,
        flow_log,
        destination_options=options,
        deliver_logs_status="FAILED",
        deliver_logs_error_message="Access error",
    )
    after = ec2.describe_flow_logs(FlowLogIds=[flow_log])["FlowLogs"][0]
    assert after["DestinationOptions"] == options
    assert after["DeliverLogsStatus"] == "FAILED"
    assert after["DeliverLogsErrorMessage"] == "Access error"


# -- GetBucketLogging TargetObjectKeyFormat ----------------------------------------------------


@pytest.fixture
def logging_format() -> Iterator[None]:
    install_bucket_logging_format_extension()
    yield
    uninstall_bucket_logging_format_extension()


def _logged(aws: boto3.Session, key_format: dict[str, Any] | None) -> Any:
    s3 = aws.client("s3")
    for name in ("source-bucket", "target-bucket"):
        s3.create_bucket(Bucket=name)
    access_logs(aws, "source-bucket", "target-bucket", "logs/")
    if key_format is not None:
        enabled = {"TargetBucket": "target-bucket", "TargetPrefix": "logs/"}
        enabled["TargetObjectKeyFormat"] = key_format
        s3.put_bucket_logging(
            Bucket="source-bucket", BucketLoggingStatus={"LoggingEnabled": enabled}
        )
    return s3.get_bucket_logging(Bucket="source-bucket")["LoggingEnabled"]


def test_bucket_logging_answers_a_partitioned_key_format(
    aws: boto3.Session, logging_format: None
) -> None:
    partitioned = {"PartitionedPrefix": {"PartitionDateSource": "DeliveryTime"}}
    enabled = _logged(aws, partitioned)
    assert enabled["TargetObjectKeyFormat"] == partitioned
    assert enabled["TargetBucket"] == "target-bucket" and enabled["TargetPrefix"] == "logs/"


def test_bucket_logging_answers_a_simple_key_format(
    aws: boto3.Session, logging_format: None
) -> None:
    assert _logged(aws, {"SimplePrefix": {}})["TargetObjectKeyFormat"] == {"SimplePrefix": {}}


def test_bucket_logging_without_a_format_is_as_before(
    aws: boto3.Session, logging_format: None
) -> None:
    assert "TargetObjectKeyFormat" not in _logged(aws, None)


def test_plain_moto_drops_the_key_format(aws: boto3.Session) -> None:
    install_bucket_logging_format_extension()
    uninstall_bucket_logging_format_extension()
    partitioned = {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}}
    assert "TargetObjectKeyFormat" not in _logged(aws, partitioned)
