"""awsobs/checks/_delivery.py: the reads and the verdict every delivery check stands on.

moto delivers no logs, so delivery is seeded with moto's own APIs (PutLogEvents,
PutObject, PutMetricData), and moved into the past with awsobs/demo/moto_delivery.py
(moto stamps "now" on ingestion and LastModified). Denials come from moto's IAM
enforcement, as from AWS. Each read has a fresh, a stale and an unreadable case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from helpers import ACCOUNT, restricted_session
from moto_ext import iam_enforced

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.gateway import Gateway
from awsobs.checks._delivery import (
    Busy,
    Unmeasured,
    attempt,
    newest_key,
    newest_key_by_day,
    newest_stream,
    served,
    traffic,
    verdict,
    window,
)
from awsobs.context import Context, ScanState
from awsobs.demo.moto_delivery import set_key_last_modified, set_stream_ingestion
from awsobs.model import CheckMeta, Finding, Severity, Status

REGION = "us-east-1"
READS = ("logs:DescribeLogStreams", "s3:ListBucket", "cloudwatch:GetMetricData")
STAGE = "AWS::ApiGateway::Stage"
NOW = dt.datetime(2030, 1, 2, 10, 0, 37, tzinfo=dt.UTC)  # S3 cases: a fixed clock
CAUSES = "the stage's log format was cleared; the role lost logs:PutLogEvents"


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(4) as executor:
        yield executor


def _ctx(
    session: boto3.Session,
    pool: ThreadPoolExecutor,
    *,
    now: dt.datetime | None = None,
    check: str = "test.delivered",
    max_age_hours: float | None = None,
) -> Context:
    meta = CheckMeta(
        id=check,
        title="delivered",
        severity=Severity.MEDIUM,
        permissions=READS,
        remediation="fix it",
        docs="",
        options={"max_age_hours": 24},
    )
    options = {check: {"max_age_hours": max_age_hours}} if max_age_hours is not None else {}
    state = ScanState(
        gateway=Gateway(session),
        account_id=ACCOUNT,
        partition="aws",
        regions=(REGION,),
        now=now or dt.datetime.now(dt.UTC),
        executor=pool,
        max_workers=4,
        options=options,
    )
    return Context(state, meta, REGION)


def _calls(ctx: Context) -> dict[str, int]:
    return ctx._state.gateway.calls_by_operation()


def _judge(ctx: Context, arrival: Any, traffic: Any = None, **kw: Any) -> Finding:
    return verdict(
        ctx,
        STAGE,
        "shop/prod",
        label="stage prod of REST API shop",
        destination=kw.pop("destination", "log group /aws/apigw/shop"),
        arrival=arrival,
        win=window(ctx),
        traffic=traffic,
        causes=CAUSES,
        **kw,
    )


def _denied(aws: boto3.Session, action: str) -> boto3.Session:
    return restricted_session(aws, ["logs:*", "s3:*", "cloudwatch:*"], deny=[action])


# -- the window -----------------------------------------------------------------------------


def test_the_window_is_taken_to_the_minute_from_the_option(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    win = window(_ctx(aws, pool, now=NOW))
    assert win.now == dt.datetime(2030, 1, 2, 10, 0, tzinfo=dt.UTC)
    assert win.start == dt.datetime(2030, 1, 1, 10, 0, tzinfo=dt.UTC)
    assert win.traffic_end == dt.datetime(2030, 1, 2, 9, 45, tzinfo=dt.UTC)
    tuned = window(_ctx(aws, pool, now=NOW, max_age_hours=2.5))
    assert tuned.start == dt.datetime(2030, 1, 2, 7, 30, tzinfo=dt.UTC)
    # a window shorter than the delivery delay could judge nothing: widened to it + 5 min
    short = window(_ctx(aws, pool, now=NOW, max_age_hours=0.1), grace=dt.timedelta(hours=3))
    assert short.max_age_hours == pytest.approx(3 + 5 / 60)
    assert short.evidence()["max_age_hours"] == short.max_age_hours


# -- newest_stream --------------------------------------------------------------------------


def _group(aws: boto3.Session, group: str, streams: dict[str, dt.datetime | None]) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=group)
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    for name, when in streams.items():
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=name,
            logEvents=[{"timestamp": stamp, "message": "GET /orders 200"}],
        )
        if when is not None:
            set_stream_ingestion(ACCOUNT, REGION, group, name, when)


def test_fresh_log_group_passes_with_one_request(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=9)
    _group(aws, "/aws/apigw/shop", {f"s{i}": old for i in range(4)} | {"live": None})
    ctx = _ctx(aws, pool)
    arrival = newest_stream(ctx, REGION, "/aws/apigw/shop")
    assert _calls(ctx) == {"logs:DescribeLogStreams": 1}  # not one per stream
    assert arrival.evidence["newest_stream"] == "live"
    found = _judge(ctx, arrival)
    assert found.status is Status.PASS
    assert "delivers to log group /aws/apigw/shop; last delivery" in found.message
    assert found.evidence["log_group"] == "/aws/apigw/shop"
    assert found.resource_id == "shop/prod"  # the source, not the destination


def test_stale_log_group_with_traffic_fails_naming_the_last_delivery(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    nine_days = dt.datetime.now(dt.UTC) - dt.timedelta(days=9, minutes=3)
    _group(aws, "/aws/apigw/shop", {"a": nine_days})
    _metric(aws, "shop", 12.0, dt.timedelta(hours=2))
    ctx = _ctx(aws, pool)
    win = window(ctx)
    arrival = newest_stream(ctx, REGION, "/aws/apigw/shop")
    assert arrival.last is not None and not win.fresh(arrival)
    batch = traffic(
        ctx, REGION, "AWS/ApiGateway", "Count", [_dims("shop")], win.start, win.traffic_end
    )
    found = _judge(ctx, arrival, batch.served(_dims("shop"), "requests"))
    assert found.status is Status.FAIL
    assert "served 12 requests since" in found.message
    assert "last delivery 9 days ago" in found.message
    assert f"usual causes: {CAUSES}" in found.message
    assert found.evidence["traffic"]["value"] == 12.0
    assert found.evidence["last_delivery"] == arrival.last.isoformat()


def test_stale_log_group_without_traffic_is_not_applicable(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    _group(aws, "/aws/apigw/shop", {"a": dt.datetime.now(dt.UTC) - dt.timedelta(days=3)})
    ctx = _ctx(aws, pool)
    win = window(ctx)
    batch = traffic(
        ctx, REGION, "AWS/ApiGateway", "Count", [_dims("shop")], win.start, win.traffic_end
    )
    found = _judge(
        ctx, newest_stream(ctx, REGION, "/aws/apigw/shop"), served(batch, _dims("shop"), "requests")
    )
    assert found.status is Status.NOT_APPLICABLE
    assert "served no requests since" in found.message
    assert "no delivery was expected; last delivery 3 days ago (" in found.message


def test_empty_and_deleted_log_groups(aws: boto3.Session, pool: ThreadPoolExecutor) -> None:
    aws.client("logs").create_log_group(logGroupName="/aws/apigw/empty")
    ctx = _ctx(aws, pool)
    empty = newest_stream(ctx, REGION, "/aws/apigw/empty")
    assert empty.last is None
    found = _judge(ctx, empty, Busy("a stage with traffic always logs"))
    assert (
        found.status is Status.FAIL
        and "though a stage with traffic always logs: no data at all;" in found.message
    )
    gone = attempt(lambda: newest_stream(ctx, REGION, "/aws/apigw/deleted"))
    assert isinstance(gone, AwsError) and gone.kind is ErrorKind.NOT_FOUND
    found = _judge(ctx, gone, destination="log group /aws/apigw/deleted")
    assert found.status is Status.FAIL
    assert found.message.endswith("delivers to log group /aws/apigw/deleted, which does not exist")


def test_unreadable_log_group_is_unknown_naming_the_read(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    _group(aws, "/aws/apigw/shop", {"a": None})
    scanner = _denied(aws, "logs:DescribeLogStreams")
    with iam_enforced():
        ctx = _ctx(scanner, pool)
        arrival = attempt(lambda: newest_stream(ctx, REGION, "/aws/apigw/shop"))
    found = _judge(ctx, arrival)
    assert found.status is Status.UNKNOWN
    assert "could not read log group /aws/apigw/shop" in found.message
    assert found.evidence["error"]["action"] == "logs:DescribeLogStreams"


# -- newest_key / newest_key_by_day ----------------------------------------------------------


def _keys(aws: boto3.Session, bucket: str, keys: dict[str, dt.datetime]) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket=bucket)
    for key, when in keys.items():
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
        set_key_last_modified(ACCOUNT, bucket, key, when)


def test_fresh_key_passes_with_one_listing(aws: boto3.Session, pool: ThreadPoolExecutor) -> None:
    hour = NOW - dt.timedelta(hours=1)
    _keys(
        aws, "alb-logs", {"p/a.log.gz": NOW - dt.timedelta(days=3), "p/b.log.gz": hour, "q/c": NOW}
    )
    ctx = _ctx(aws, pool, now=NOW)
    arrival = newest_key(ctx, REGION, "alb-logs", "p/")
    assert (
        arrival.last == hour.replace(microsecond=0)
        and arrival.evidence["newest_key"] == "p/b.log.gz"
    )
    assert _calls(ctx) == {"s3:ListObjectsV2": 1}
    found = _judge(ctx, arrival, destination=arrival.where)
    assert (
        found.status is Status.PASS and "s3://alb-logs/p/; last delivery 1 h ago" in found.message
    )


def test_stale_key_and_an_empty_prefix_fail_with_traffic(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    _keys(aws, "alb-logs", {"p/a.log.gz": NOW - dt.timedelta(days=3), "p/b.log.gz": NOW})
    ctx = _ctx(aws, pool, now=NOW)
    busy = Busy("the load balancer served requests")
    stale = newest_key(ctx, REGION, "alb-logs", "p/a")
    found = _judge(ctx, stale, busy, destination=stale.where)
    assert found.status is Status.FAIL and "last delivery 3 days ago" in found.message
    since = window(ctx).start
    after = newest_key(ctx, REGION, "alb-logs", "p/", "p/b.log.gz", since=since)
    assert after.last is None and after.evidence["start_after"] == "p/b.log.gz"
    found = _judge(ctx, after, busy, destination=after.where)
    assert found.status is Status.FAIL and "nothing since 2030-01-01 10:00 UTC" in found.message


def test_stale_key_without_a_traffic_signal_is_not_applicable_saying_so(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    _keys(aws, "sal-logs", {"logs/2029-12-20-00-00-00-X": NOW - dt.timedelta(days=13)})
    ctx = _ctx(aws, pool, now=NOW)
    arrival = newest_key(ctx, REGION, "sal-logs", "logs/")
    found = _judge(ctx, arrival, Unmeasured("the bucket publishes no request metrics"))
    assert found.status is Status.NOT_APPLICABLE
    assert "the bucket publishes no request metrics, so whether" in found.message
    assert found.evidence["traffic_signal"] == "none"


def test_missing_and_unreadable_buckets(aws: boto3.Session, pool: ThreadPoolExecutor) -> None:
    ctx = _ctx(aws, pool, now=NOW)
    gone = attempt(lambda: newest_key(ctx, REGION, "deleted-bucket", "p/"))
    assert _judge(ctx, gone, destination="s3://deleted-bucket/p/").status is Status.FAIL
    _keys(aws, "alb-logs", {"p/a": NOW})
    scanner = _denied(aws, "s3:ListBucket")
    with iam_enforced():
        ctx = _ctx(scanner, pool, now=NOW)
        denied = attempt(lambda: newest_key(ctx, REGION, "alb-logs", "p/"))
    found = _judge(ctx, denied, destination="s3://alb-logs/p/")
    assert found.status is Status.UNKNOWN
    assert "could not read s3://alb-logs/p/: access denied to s3:ListBucket" in found.message


def _day(day: dt.date) -> str:
    return f"AWSLogs/{ACCOUNT}/elasticloadbalancing/{REGION}/{day:%Y/%m/%d}/{ACCOUNT}_lb_"


def _after(prefix: str, since: dt.datetime) -> str:
    return f"{prefix}{since:%Y%m%dT%H%M}Z"


def test_by_day_reads_yesterday_only_when_today_is_empty(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    yesterday = NOW - dt.timedelta(hours=13)  # 2030-01-01 21:00
    early = NOW - dt.timedelta(hours=30)  # before the window
    _keys(
        aws,
        "alb-logs",
        {
            f"{_day(yesterday.date())}{yesterday:%Y%m%dT%H%M}Z_1.log.gz": yesterday,
            f"{_day(yesterday.date())}{early:%Y%m%dT%H%M}Z_0.log.gz": early,
        },
    )
    ctx = _ctx(aws, pool, now=NOW)
    win = window(ctx)
    found = newest_key_by_day(ctx, REGION, "alb-logs", _day, win, _after)
    assert found.last == yesterday.replace(microsecond=0)
    assert _calls(ctx) == {"s3:ListObjectsV2": 2}  # today (empty), then yesterday
    assert found.evidence["start_after"] == f"{_day(yesterday.date())}20300101T1000Z"
    # a delivery today: one listing
    aws.client("s3").put_object(Bucket="alb-logs", Key=f"{_day(NOW.date())}x", Body=b"")
    set_key_last_modified(ACCOUNT, "alb-logs", f"{_day(NOW.date())}x", NOW)
    ctx = _ctx(aws, pool, now=NOW)
    assert newest_key_by_day(ctx, REGION, "alb-logs", _day, window(ctx), _after).last is not None
    assert _calls(ctx) == {"s3:ListObjectsV2": 1}


def test_by_day_within_today_reads_today_only(aws: boto3.Session, pool: ThreadPoolExecutor) -> None:
    aws.client("s3").create_bucket(Bucket="alb-logs")
    ctx = _ctx(aws, pool, now=NOW, max_age_hours=3)  # 07:00 to 10:00: no midnight
    found = newest_key_by_day(ctx, REGION, "alb-logs", _day, window(ctx), _after)
    assert found.last is None and found.searched_since == window(ctx).start
    assert found.evidence["start_after"] == f"{_day(NOW.date())}20300102T0700Z"
    assert _calls(ctx) == {"s3:ListObjectsV2": 1}


# -- traffic --------------------------------------------------------------------------------


def _dims(api: str) -> dict[str, str]:
    return {"ApiName": api, "Stage": "prod"}


def _metric(
    aws: boto3.Session, api: str, value: float, ago: dt.timedelta, name: str = "Count"
) -> None:
    datum = {
        "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in _dims(api).items()],
        "Value": value,
        "Timestamp": dt.datetime.now(dt.UTC) - ago,
    }
    aws.client("cloudwatch").put_metric_data(Namespace="AWS/ApiGateway", MetricData=[datum])


def test_traffic_is_one_shared_read_per_region_and_namespace(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    _metric(aws, "shop", 5.0, dt.timedelta(hours=1))
    _metric(aws, "shop", 7.0, dt.timedelta(hours=3))
    _metric(aws, "shop", 100.0, dt.timedelta(days=3))  # before the window
    _metric(aws, "cart", 2.0, dt.timedelta(minutes=5))  # after traffic_end: not yet due
    sent: list[dict[str, Any]] = []
    ctx = _ctx(aws, pool)
    ctx._state.gateway._on_request = lambda s, op, r, params: sent.append(params)
    win = window(ctx)
    apis = [_dims("shop"), _dims("cart"), _dims("idle")]
    batch = traffic(ctx, REGION, "AWS/ApiGateway", "Count", apis, win.start, win.traffic_end)
    assert [batch.served(d, "requests").count for d in apis] == [12.0, 0.0, 0.0]
    assert _calls(ctx) == {"cloudwatch:GetMetricData": 1}
    assert len(sent[0]["MetricDataQueries"]) == 3
    assert sent[0]["StartTime"].second == 0 and sent[0]["EndTime"].second == 0
    # another check asking the same (any order) shares it: no second request
    again = traffic(ctx, REGION, "AWS/ApiGateway", "Count", apis[::-1], win.start, win.traffic_end)
    assert again is batch and _calls(ctx) == {"cloudwatch:GetMetricData": 1}
    # no stale destination: nothing to ask
    assert (
        traffic(ctx, REGION, "AWS/ApiGateway", "Count", [], win.start, win.traffic_end).totals == {}
    )
    assert _calls(ctx) == {"cloudwatch:GetMetricData": 1}


def test_traffic_sums_several_metrics_and_batches_500_queries(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    _metric(aws, "ws", 3.0, dt.timedelta(hours=1), name="ConnectCount")
    _metric(aws, "ws", 4.0, dt.timedelta(hours=1), name="MessageCount")
    ctx = _ctx(aws, pool)
    win = window(ctx)
    apis = [_dims("ws")] + [_dims(f"api{i}") for i in range(299)]  # 600 queries
    both = ("ConnectCount", "MessageCount")
    batch = traffic(ctx, REGION, "AWS/ApiGateway", both, apis, win.start, win.traffic_end)
    assert batch.served(_dims("ws"), "messages").count == 7.0
    assert batch.served(_dims("ws"), "messages").evidence["metric"] == "ConnectCount+MessageCount"
    assert _calls(ctx) == {"cloudwatch:GetMetricData": 2}


def test_unreadable_traffic_makes_a_stale_destination_unknown(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    _group(aws, "/aws/apigw/shop", {"a": dt.datetime.now(dt.UTC) - dt.timedelta(days=3)})
    scanner = _denied(aws, "cloudwatch:GetMetricData")
    with iam_enforced():
        ctx = _ctx(scanner, pool)
        win = window(ctx)
        arrival = newest_stream(ctx, REGION, "/aws/apigw/shop")
        batch = attempt(
            lambda: traffic(
                ctx, REGION, "AWS/ApiGateway", "Count", [_dims("shop")], win.start, win.traffic_end
            )
        )
    found = _judge(ctx, arrival, served(batch, _dims("shop"), "requests"))
    assert found.status is Status.UNKNOWN
    assert "received nothing in the last 24 h: last delivery 3 days ago (" in found.message
    assert found.evidence["error"]["action"] == "cloudwatch:GetMetricData"


def test_a_stale_destination_needs_a_traffic_answer(
    aws: boto3.Session, pool: ThreadPoolExecutor
) -> None:
    aws.client("logs").create_log_group(logGroupName="/aws/apigw/empty")
    ctx = _ctx(aws, pool)
    with pytest.raises(ValueError, match="traffic answer"):
        _judge(ctx, newest_stream(ctx, REGION, "/aws/apigw/empty"))
