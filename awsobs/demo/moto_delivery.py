"""moto extensions for the delivery checks (what moto 5.2 does not model), in process.

moto keeps some delivery facts but stamps them "now", and leaves others out:

- `set_stream_ingestion`: a log stream's `lastIngestionTime` is the time of PutLogEvents,
  and cannot be set through the API; this moves it (and its events) into the past.
- `set_key_last_modified`: an object's `LastModified` is the time of PutObject; likewise.
- `install_xray_filter_extension`: GetTraceSummaries answers any `FilterExpression` with
  an InternalFailure (500). The patch serves `service("name")` and
  `service(id(name: "name", type: "AWS::..."))`: the finished traces with a segment of
  that name (and origin). Any other expression still fails as before.
- `install_recently_active_extension`: ListMetrics accepts `RecentlyActive=PT3H` and
  ignores it; the patch lists only metrics with a datum in the last 3 hours.
- `set_flow_log_fields`: DescribeFlowLogs has no `DestinationOptions`, and a flow log to
  S3 is always `SUCCESS`; this sets them on moto's flow log.
- `install_bucket_logging_format_extension`: GetBucketLogging drops the
  `TargetObjectKeyFormat` PutBucketLogging stored; the patch answers it.
- `silence_server_access_logs`: moto delivers a bucket's server access logs at once, on
  every request (so a scan's own reads make them fresh); this stops it for one bucket.
- `set_cluster_running_tasks`: RunTask of a Fargate task leaves the cluster's
  `runningTasksCount` at 0 (moto counts only tasks placed on container instances); this
  sets it.
- `set_dbi_resource_id`: moto gives every DB instance the same `DbiResourceId`, which
  names its Enhanced Monitoring stream; this gives one its own.

The installs patch moto's classes (so a ThreadedMotoServer in the same process is served
too), are idempotent and have an `uninstall_*`. moto's modules are imported inside the
functions, as in moto_ext.py. Nothing here is used by `awsobs scan`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from moto.core.responses import ActionResult

_PARTITION = "aws"  # moto keys S3 backends by account, then partition
_ORIGINAL = "awsobs_original"


def _naive_utc(when: dt.datetime) -> dt.datetime:
    """moto keeps these times as naive UTC datetimes (its `utcnow()`)."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def _patch(owner: Any, name: str, replacement: Any) -> None:
    current = getattr(owner, name)
    if getattr(current, _ORIGINAL, None) is not None:
        return  # installed already
    setattr(replacement, _ORIGINAL, current)
    setattr(owner, name, replacement)


def _unpatch(owner: Any, name: str) -> None:
    original = getattr(getattr(owner, name), _ORIGINAL, None)
    if original is not None:
        setattr(owner, name, original)


# -- CloudWatch Logs: when a stream last ingested ------------------------------------------


def set_stream_ingestion(
    account: str, region: str, group: str, stream: str, when: dt.datetime
) -> None:
    """Make stream `stream` of `group` have last ingested data at `when` (UTC): its
    `lastIngestionTime`, and each event's ingestion time and timestamp, capped at `when`
    (so `lastEventTimestamp` stays at or before it, as in AWS). The stream needs an event
    (PutLogEvents) first: AWS and moto report neither time for an empty stream."""
    from moto.logs.models import logs_backends

    found = logs_backends[account][region].groups[group].streams[stream]
    if not found.events:
        raise ValueError(f"stream {stream} of {group} has no event: PutLogEvents first")
    found.last_ingestion_time = _naive_utc(when)
    ms = int(when.timestamp() * 1000)
    for event in found.events:
        event.ingestion_time = min(event.ingestion_time, ms)
        event.timestamp = min(event.timestamp, ms)


# -- S3: when a key was written ------------------------------------------------------------


def set_key_last_modified(account: str, bucket: str, key: str, when: dt.datetime) -> None:
    """Make object `key` of `bucket` last modified at `when` (UTC)."""
    from moto.s3.models import s3_backends

    found = s3_backends[account][_PARTITION].buckets[bucket].keys[key]
    found.last_modified = _naive_utc(when)


# -- X-Ray: GetTraceSummaries filtered to one service ---------------------------------------

_SERVICE = re.compile(
    r'^\s*service\(\s*(?:"(?P<plain>[^"]*)"'
    r'|id\(\s*name:\s*"(?P<name>[^"]*)"\s*(?:,\s*type:\s*"(?P<type>[^"]*)"\s*)?\))\s*\)\s*$'
)


def _service_filter(expression: str) -> tuple[str, str | None] | None:
    match = _SERVICE.match(expression)
    if match is None:
        return None
    if match["plain"] is not None:
        return match["plain"], None
    return match["name"], match["type"]


def install_xray_filter_extension() -> None:
    """Serve GetTraceSummaries with a `service(...)` FilterExpression (idempotent)."""
    from moto.xray.models import SegmentCollection

    def summary(self: Any, start_time: Any, end_time: Any, filter_expression: Any = None) -> Any:
        original = getattr(SegmentCollection.summary, _ORIGINAL)
        wanted = _service_filter(filter_expression) if filter_expression else None
        if wanted is None:  # no filter, or one this patch does not read: moto as before
            return original(self, start_time, end_time, filter_expression)
        name, kind = wanted
        result: dict[str, Any] = original(self, start_time, end_time, None)
        kept = []
        for found in result["TraceSummaries"]:
            segments = self._traces[found["Id"]]["segments"]
            if any(s.name == name and kind in (None, s.origin) for s in segments):
                kept.append({**found, "ServiceIds": [{"Name": name, "Type": kind}]})
        return {**result, "TraceSummaries": kept, "TracesProcessedCount": len(kept)}

    _patch(SegmentCollection, "summary", summary)


def uninstall_xray_filter_extension() -> None:
    from moto.xray.models import SegmentCollection

    _unpatch(SegmentCollection, "summary")


# -- CloudWatch: ListMetrics RecentlyActive -------------------------------------------------

RECENTLY_ACTIVE = dt.timedelta(hours=3)  # PT3H, the only value AWS accepts


def install_recently_active_extension() -> None:
    """Make ListMetrics with `RecentlyActive=PT3H` list only metrics with a datum in the
    last 3 hours (idempotent)."""
    from moto.cloudwatch.responses import CloudWatchResponse

    def list_metrics(self: Any) -> Any:
        original = getattr(CloudWatchResponse.list_metrics, _ORIGINAL)
        if self._get_param("RecentlyActive") is None or self._get_param("NextToken"):
            return original(self)
        backend = self.cloudwatch_backend
        cutoff = _naive_utc(dt.datetime.now(dt.UTC) - RECENTLY_ACTIVE)
        dimensions = self._get_params().get("Dimensions", [])
        listed: list[Any] = []
        for datum in backend.get_all_metrics():
            if _naive_utc(datum.timestamp) < cutoff:
                continue
            namespace, name = self._get_param("Namespace"), self._get_param("MetricName")
            if datum.filter(namespace, name, dimensions, already_present_metrics=listed):
                listed.append(datum)
        next_token, metrics = backend._get_paginated(listed)
        return ActionResult({"Metrics": metrics, "NextToken": next_token})

    _patch(CloudWatchResponse, "list_metrics", list_metrics)


def uninstall_recently_active_extension() -> None:
    from moto.cloudwatch.responses import CloudWatchResponse

    _unpatch(CloudWatchResponse, "list_metrics")


# -- EC2: flow log delivery fields -----------------------------------------------------------


def set_flow_log_fields(
    account: str,
    region: str,
    flow_log_id: str,
    *,
    destination_options: dict[str, Any] | None = None,
    deliver_logs_status: str | None = None,
    deliver_logs_error_message: str | None = None,
) -> None:
    """Set what DescribeFlowLogs answers for `flow_log_id`: `DestinationOptions`
    (`FileFormat`, `HiveCompatiblePartitions`, `PerHourPartition`), `DeliverLogsStatus`
    (`SUCCESS`, `FAILED`) and `DeliverLogsErrorMessage`. moto's answer is built from
    the flow log's attributes, so these are set there."""
    from moto.ec2.models import ec2_backends

    flow_log = ec2_backends[account][region].flow_logs[flow_log_id]
    if destination_options is not None:
        flow_log.destination_options = dict(destination_options)  # type: ignore[attr-defined]
    if deliver_logs_status is not None:
        flow_log.deliver_logs_status = deliver_logs_status
    if deliver_logs_error_message is not None:
        flow_log.deliver_logs_error_message = deliver_logs_error_message


# -- S3: GetBucketLogging TargetObjectKeyFormat ---------------------------------------------


def _key_format(stored: Any) -> dict[str, Any] | None:
    """PutBucketLogging's parsed `TargetObjectKeyFormat` (xmltodict) in the API's shape."""
    if not isinstance(stored, dict):
        return None
    if "PartitionedPrefix" in stored:
        partitioned = stored["PartitionedPrefix"] or {}
        source = partitioned.get("PartitionDateSource")
        return {"PartitionedPrefix": {"PartitionDateSource": source} if source else {}}
    if "SimplePrefix" in stored:
        return {"SimplePrefix": {}}
    return None


def install_bucket_logging_format_extension() -> None:
    """Make GetBucketLogging answer the `TargetObjectKeyFormat` that PutBucketLogging
    set (idempotent)."""
    from moto.s3.responses import S3Response

    def get_bucket_logging(self: Any) -> Any:
        original = getattr(S3Response.get_bucket_logging, _ORIGINAL)
        stored = self.backend.get_bucket_logging(self.bucket_name) or {}
        key_format = _key_format(stored.get("TargetObjectKeyFormat"))
        if key_format is None:
            return original(self)
        serialized = self.serialized

        def with_format(result: ActionResult) -> Any:
            # moto's answer, grants and all, plus the format it left out
            body: Any = result.result
            enabled = body.get("LoggingEnabled")
            if isinstance(enabled, dict):
                enabled["TargetObjectKeyFormat"] = key_format
            return serialized(result)

        self.serialized = with_format  # this request's response object only
        try:
            return original(self)
        finally:
            del self.serialized

    _patch(S3Response, "get_bucket_logging", get_bucket_logging)


def uninstall_bucket_logging_format_extension() -> None:
    from moto.s3.responses import S3Response

    _unpatch(S3Response, "get_bucket_logging")


# -- S3: moto's own server access log delivery ------------------------------------------------

_SILENT: set[tuple[str, str]] = set()  # (account, source bucket) whose logs moto drops


def silence_server_access_logs(account: str, bucket: str) -> None:
    """Stop moto delivering server access logs of `bucket` (a broken pipeline).

    moto writes a log file into the target bucket at once for every request to a bucket
    with logging on (`S3Backend.log_incoming_request`), so a scan's own reads would make
    every logged bucket fresh. The patch (idempotent) drops those files for the silenced
    buckets only; every other bucket is logged as moto does."""
    from moto.s3.models import S3Backend

    def log_incoming_request(self: Any, request: Any, bucket_name: str) -> None:
        if (self.account_id, bucket_name) in _SILENT:
            return
        getattr(S3Backend.log_incoming_request, _ORIGINAL)(self, request, bucket_name)

    _patch(S3Backend, "log_incoming_request", log_incoming_request)
    _SILENT.add((account, bucket))


def uninstall_silenced_server_access_logs() -> None:
    from moto.s3.models import S3Backend

    _SILENT.clear()
    _unpatch(S3Backend, "log_incoming_request")


# -- ECS: a cluster's running task count ------------------------------------------------------


def set_cluster_running_tasks(account: str, region: str, cluster: str, count: int) -> None:
    """Make DescribeClusters answer `runningTasksCount: count` for cluster `cluster`."""
    from moto.ecs.models import ecs_backends

    ecs_backends[account][region].clusters[cluster].running_tasks_count = count


# -- RDS: the resource id that names an instance's Enhanced Monitoring stream ---------------


def set_dbi_resource_id(account: str, region: str, instance: str, value: str) -> None:
    """Give DB instance `instance` the `DbiResourceId` `value`: moto gives every instance
    the same one, where AWS gives each its own (it names the instance's stream in the
    `RDSOSMetrics` log group)."""
    from moto.rds.models import rds_backends

    rds_backends[account][region].databases[instance].dbi_resource_id = value
