"""Seed the metric and trace pipelines in moto (issue 20, WP4) so that every read the
`*.xray_traces_received` and `*_reporting` checks declare happens, with no UNKNOWN.

moto delivers nothing: traces are put with PutTraceSegments (the X-Ray filter of
awsobs/demo/moto_delivery.py serves `service(id(...))`, which moto answers with a 500),
and traffic and Container Insights metrics with PutMetricData (ListMetrics'
`RecentlyActive`, ignored by moto, is served by the same module). Each check gets a
fresh case and a stale case with traffic, so the traffic read (GetMetricData) is sent
too.

The helpers `put_trace` and `put_datum` are shared with the unit tests.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Mapping

import boto3

from awsobs.demo.moto_delivery import (
    install_recently_active_extension,
    install_xray_filter_extension,
    set_cluster_running_tasks,
)

_TRACE_IDS = itertools.count(1)


def put_trace(
    session: boto3.Session,
    name: str,
    origin: str,
    ago: dt.timedelta,
    region: str = "us-east-1",
) -> str:
    """A finished one-segment trace through the service node `name` (of type `origin`,
    e.g. `AWS::Lambda::Function`) that started `ago` before now; returns its id."""
    start = dt.datetime.now(dt.UTC) - ago
    n = next(_TRACE_IDS)
    trace_id = f"1-{int(start.timestamp()):08x}-{n:024x}"
    segment = {
        "id": f"{n:016x}",
        "trace_id": trace_id,
        "name": name,
        "origin": origin,
        "start_time": start.timestamp(),
        "end_time": start.timestamp() + 0.5,
    }
    xray = session.client("xray", region_name=region)
    xray.put_trace_segments(TraceSegmentDocuments=[json.dumps(segment)])
    return trace_id


def put_datum(
    session: boto3.Session,
    namespace: str,
    metric: str,
    dimensions: Mapping[str, str],
    ago: dt.timedelta,
    value: float = 1.0,
    region: str = "us-east-1",
) -> None:
    """One datum of `metric` with `dimensions`, `ago` before now (PutMetricData)."""
    datum = {
        "MetricName": metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
        "Value": value,
        "Timestamp": dt.datetime.now(dt.UTC) - ago,
    }
    session.client("cloudwatch", region_name=region).put_metric_data(
        Namespace=namespace, MetricData=[datum]
    )


SEED_REGION = "us-east-1"
_MINUTES = dt.timedelta(minutes=1)


def _traced_sources(session: boto3.Session) -> None:
    """Per X-Ray check: a source with a trace 10 minutes ago (PASS) and one whose last
    trace is 2 hours old while it served traffic 20 minutes ago (FAIL, GetMetricData)."""
    from apigw_seed import rest_api
    from resources import lambda_function

    from awsobs.demo.workflows import state_machine

    old, recent = dt.timedelta(hours=2), 10 * _MINUTES
    for name, ago in (("traced-fresh", recent), ("traced-silent", old)):
        lambda_function(session, name, tracing="Active")
        put_trace(session, name, "AWS::Lambda::Function", ago)
    put_datum(
        session, "AWS/Lambda", "Invocations", {"FunctionName": "traced-silent"}, 20 * _MINUTES
    )
    rest_api(session, "traced-api", {"live": [], "quiet": []}, SEED_REGION, tracingEnabled=True)
    put_trace(session, "traced-api/live", "AWS::ApiGateway::Stage", recent)
    put_trace(session, "traced-api/quiet", "AWS::ApiGateway::Stage", old)
    dims = {"ApiName": "traced-api", "Stage": "quiet"}
    put_datum(session, "AWS/ApiGateway", "Count", dims, 20 * _MINUTES)
    machine = "AWS::StepFunctions::StateMachine"
    state_machine(session, "traced-flow", SEED_REGION, tracing=True)
    put_trace(session, "traced-flow", machine, recent)
    silent = state_machine(session, "traced-silent-flow", SEED_REGION, tracing=True)
    put_trace(session, "traced-silent-flow", machine, old)
    dims = {"StateMachineArn": silent}
    put_datum(session, "AWS/States", "ExecutionsStarted", dims, 20 * _MINUTES)


def _insights_clusters(session: boto3.Session) -> None:
    """Container Insights on, tasks running: one cluster with a recent CpuUtilized datum
    (PASS), one without (FAIL). moto counts no Fargate task, so the counts are set."""
    from helpers import ACCOUNT

    from awsobs.demo.containers import ecs_cluster

    for name in ("ci-fresh", "ci-silent"):
        ecs_cluster(session, name, "enabled", SEED_REGION)
        set_cluster_running_tasks(ACCOUNT, SEED_REGION, name, 2)
    dims = {"ClusterName": "ci-fresh"}
    put_datum(session, "ECS/ContainerInsights", "CpuUtilized", dims, 5 * _MINUTES)


def seed_every_metrics_read(session: boto3.Session) -> None:
    """Traced sources with and without recent traces (with traffic); clusters with and
    without recent Container Insights metrics; a bucket with recent request metrics."""
    install_xray_filter_extension()
    install_recently_active_extension()
    _traced_sources(session)
    _insights_clusters(session)
    # alarm_seed's bucket `web` (tagged `traffic`, request metrics EntireBucket) was
    # requested 10 minutes ago: s3.request_metrics_reporting PASSes
    dims = {"BucketName": "web", "FilterId": "EntireBucket"}
    put_datum(session, "AWS/S3", "AllRequests", dims, 10 * _MINUTES, 30.0)
