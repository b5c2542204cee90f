"""s3.server_access_logs_delivered: the newest server access log file of each bucket
that `s3.server_access_logging` passes, gated by AllRequests when the bucket has request
metrics, and NOT_APPLICABLE saying so when it has none.

moto does deliver server access logs, at once, for every request to a logged bucket (a
scan's own reads included), in the simple format: a stale or broken pipeline is made
with `silence_server_access_logs`, and a delivery is a PutObject of a key named as S3
names it, moved into the past with `set_key_last_modified`; traffic is PutMetricData in
AWS/S3.
moto drops `TargetObjectKeyFormat` from GetBucketLogging, so the partitioned case
installs `install_bucket_logging_format_extension` (awsobs/demo/moto_delivery.py).
Denied reads are one operation denied by the replay gateway (tests/replay.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from delivery_s3_seed import (
    put_key,
    put_traffic,
    request_metrics,
    sal_log_key,
    seed_sal_delivery,
)
from helpers import ACCOUNT, bucket, findings, run
from logging_seed import access_logs, seed_every_vpc_s3_read
from replay import Recording, replaying

import awsobs.checks.s3.delivery  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.moto_delivery import (
    install_bucket_logging_format_extension,
    silence_server_access_logs,
    uninstall_bucket_logging_format_extension,
    uninstall_silenced_server_access_logs,
)

CHECK = "s3.server_access_logs_delivered"
REGION = "us-east-1"
NOW = dt.datetime.now
pytestmark = pytest.mark.usefixtures("alarm_ext")  # moto keeps request-metrics configs


def by_bucket(report: Any) -> dict[str, Finding]:
    return {f.resource_id.removeprefix("arn:aws:s3:::"): f for f in findings(report, CHECK)}


@pytest.fixture(autouse=True)
def _moto_delivers_again() -> Iterator[None]:
    yield
    uninstall_silenced_server_access_logs()


def silent(*names: str) -> None:
    for name in names:
        silence_server_access_logs(ACCOUNT, name)


def counting(session: boto3.Session) -> tuple[Any, dict[str, int]]:
    calls: dict[str, int] = {}

    def hook(service: str, op: str, region: str, params: Any) -> None:
        calls[op] = calls.get(op, 0) + 1

    return scan(session, checks=[CHECK], regions=[REGION], on_request=hook), calls


def logged(
    aws: boto3.Session, name: str, target: str = "sal-logs", prefix: str | None = None
) -> None:
    for b in (name, target):
        if b not in {x["Name"] for x in aws.client("s3").list_buckets()["Buckets"]}:
            bucket(aws, b)
    access_logs(aws, name, target, f"{name}/" if prefix is None else prefix)


@pytest.fixture
def key_format() -> Iterator[None]:
    install_bucket_logging_format_extension()
    yield
    uninstall_bucket_logging_format_extension()


def test_a_fresh_file_passes_and_a_shared_prefix_is_read_once(aws: boto3.Session) -> None:
    logged(aws, "shop")
    logged(aws, "alpha", prefix="shared/")
    logged(aws, "beta", prefix="shared/")
    put_key(aws, "sal-logs", sal_log_key("shop/", NOW(dt.UTC)), None)
    put_key(aws, "sal-logs", sal_log_key("shared/", NOW(dt.UTC)), None)
    report, calls = counting(aws)
    got = by_bucket(report)
    assert {n: f.status for n, f in got.items() if n != "sal-logs"} == dict.fromkeys(
        ("shop", "alpha", "beta"), Status.PASS
    )
    assert got["sal-logs"].status is Status.NOT_APPLICABLE  # the target: a log target
    f = got["shop"]
    assert f.resource_id == "arn:aws:s3:::shop"
    assert f.message.startswith("bucket 'shop' delivers to s3://sal-logs/shop/; last delivery")
    assert f.evidence["key_format"] == "simple"
    assert got["alpha"].evidence["shared_with"] == ["beta"]
    assert calls["ListObjectsV2"] == 2  # shop/ and shared/ (once for both buckets)
    assert "GetMetricData" not in calls and "ListBucketMetricsConfigurations" not in calls


def test_stale_with_requests_fails_naming_the_window_and_the_causes(aws: boto3.Session) -> None:
    silent("shop")
    logged(aws, "shop")
    put_key(aws, "sal-logs", sal_log_key("shop/", NOW(dt.UTC)), NOW(dt.UTC) - dt.timedelta(days=4))
    request_metrics(aws, "shop")
    put_traffic(
        aws, "AWS/S3", "AllRequests", {"BucketName": "shop", "FilterId": "EntireBucket"}, 42
    )
    report, calls = counting(aws)
    f = by_bucket(report)["shop"]
    assert f.status is Status.FAIL
    assert "bucket 'shop' served 42 requests since" in f.message
    assert "s3://sal-logs/shop/ received nothing in the last 24 h" in f.message
    assert "usual causes: the target bucket's policy no longer lets" in f.message
    assert f.evidence["traffic"]["dimensions"] == {"BucketName": "shop", "FilterId": "EntireBucket"}
    assert calls["ListObjectsV2"] == 1 and calls["GetMetricData"] == 1


def test_stale_without_requests_or_without_request_metrics_is_not_applicable(
    aws: boto3.Session,
) -> None:
    silent("quiet", "dark")
    logged(aws, "quiet")
    request_metrics(aws, "quiet")
    logged(aws, "dark")  # no request-metrics configuration: no traffic signal
    bucket(aws, "plain")  # no logging at all
    got = by_bucket(run(aws, [CHECK]))
    assert got["quiet"].status is Status.NOT_APPLICABLE
    assert "bucket 'quiet' served no requests since" in got["quiet"].message
    dark = got["dark"]
    assert dark.status is Status.NOT_APPLICABLE
    assert "the bucket has no request-metrics configuration, so S3 publishes no AllRequests" in (
        dark.message
    )
    assert "whether bucket 'dark' served anything that should have been delivered is unknown" in (
        dark.message
    )
    assert dark.evidence["traffic_signal"] == "none"
    assert got["plain"].status is Status.NOT_APPLICABLE
    assert "see s3.server_access_logging" in got["plain"].message


def test_partitioned_keys_are_read_in_the_source_bucket_directory(
    aws: boto3.Session, key_format: None
) -> None:
    logged(aws, "shop", prefix="sal/")
    aws.client("s3").put_bucket_logging(
        Bucket="shop",
        BucketLoggingStatus={
            "LoggingEnabled": {
                "TargetBucket": "sal-logs",
                "TargetPrefix": "sal/",
                "TargetObjectKeyFormat": {
                    "PartitionedPrefix": {"PartitionDateSource": "EventTime"}
                },
            }
        },
    )
    silent("shop")  # moto writes simple keys only; the partitioned one is put here
    partition = f"{ACCOUNT}/{REGION}/shop/"
    put_key(aws, "sal-logs", sal_log_key("sal/", NOW(dt.UTC), partition=partition), None)
    f = by_bucket(run(aws, [CHECK]))["shop"]
    assert f.status is Status.PASS, f.message
    assert f.evidence["key_format"] == "partitioned"
    assert f.evidence["partition_date_source"] == "EventTime"
    assert f.evidence["prefix"] == f"sal/{partition}"
    assert f.message.startswith(f"bucket 'shop' delivers to s3://sal-logs/sal/{partition};")


def test_a_deleted_target_fails(aws: boto3.Session) -> None:
    logged(aws, "shop", target="gone")
    aws.client("s3").delete_bucket_policy(Bucket="gone")
    aws.client("s3").delete_bucket(Bucket="gone")
    f = by_bucket(run(aws, [CHECK]))["shop"]
    assert f.status is Status.FAIL
    assert "which does not exist" in f.message


@pytest.mark.parametrize(
    ("operation", "action", "expected"),
    [
        ("GetBucketLogging", "s3:GetBucketLogging", {"seed-sal-fresh", "seed-sal-busy"}),
        ("ListObjectsV2", "s3:ListBucket", {"seed-sal-fresh", "seed-sal-busy", "site-use1"}),
        ("ListBucketMetricsConfigurations", "s3:GetMetricsConfiguration", {"seed-sal-busy"}),
        ("GetMetricData", "cloudwatch:GetMetricData", {"seed-sal-busy"}),
    ],
)
def test_each_denied_read_is_unknown_naming_it(
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    operation: str,
    action: str,
    expected: set[str],
) -> None:
    """The seed: seed-sal-fresh fresh, seed-sal-busy stale with traffic, site-use1 fresh
    (moto delivered). Denied by the replay gateway (tests/replay.py, over an empty
    recording): moto's IAM authorizer does not see the request-metrics listing, which
    awsobs/demo/moto_ext.py serves."""
    seed_every_vpc_s3_read(aws)
    seed_sal_delivery(aws)
    base = by_bucket(run(aws, [CHECK]))
    assert base["seed-sal-fresh"].status is Status.PASS
    assert base["seed-sal-busy"].status is Status.FAIL
    assert base["site-use1"].status is Status.PASS
    with replaying(monkeypatch, Recording(), deny=lambda key: key[2] == operation):
        got = by_bucket(run(aws, [CHECK]))
    unknown = {n for n, f in got.items() if f.status is Status.UNKNOWN}
    assert all(got[n].evidence["error"]["action"] == action for n in unknown)
    assert expected <= unknown
    for name, f in base.items():
        assert got[name].status in (f.status, Status.UNKNOWN)
