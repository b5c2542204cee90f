"""s3.request_metrics_reporting: recent AllRequests for a bucket's request-metrics
configuration PASSes; none is NOT_APPLICABLE ("no requests"), never FAIL.

moto accepts bucket metrics configurations but never lists them: the `alarm_ext`
fixture keeps and lists them (awsobs/demo/moto_ext.py). moto publishes no S3 request
metrics: AllRequests is put with PutMetricData, and ListMetrics' `RecentlyActive=PT3H`
(ignored by moto) is served by awsobs/demo/moto_delivery.py's extension. Denials are
scripted with botocore's Stubber (helpers.stub_error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import boto3
import pytest
from delivery_metrics_seed import put_datum
from helpers import bucket, findings, only, run, stub_error
from test_s3_metrics import arn, metrics_config

import awsobs.checks.s3.metrics_delivery  # noqa: F401  (registers the check)
from awsobs import Status
from awsobs.demo.moto_delivery import (
    install_recently_active_extension,
    uninstall_recently_active_extension,
)

CHECK = "s3.request_metrics_reporting"


@pytest.fixture(autouse=True)
def recently_active() -> Iterator[None]:
    install_recently_active_extension()
    yield
    uninstall_recently_active_extension()


def _requests(aws: boto3.Session, name: str, filter_id: str, ago: dt.timedelta) -> None:
    dims = {"BucketName": name, "FilterId": filter_id}
    put_datum(aws, "AWS/S3", "AllRequests", dims, ago, 30.0)


def test_recent_requests_pass_and_none_is_not_applicable(
    aws: boto3.Session, alarm_ext: None
) -> None:
    for name in ("busy", "quiet", "plain"):
        bucket(aws, name)
    metrics_config(aws, "busy", "EntireBucket")
    metrics_config(aws, "busy", "images", prefix="img/")
    metrics_config(aws, "quiet", "EntireBucket")
    _requests(aws, "busy", "images", dt.timedelta(minutes=30))
    _requests(aws, "quiet", "EntireBucket", dt.timedelta(hours=5))  # before the 3 h
    _requests(aws, "plain", "EntireBucket", dt.timedelta(minutes=5))  # no configuration
    report = run(aws, [CHECK])
    got = {f.resource_id: f for f in findings(report, CHECK)}
    assert got[arn("busy")].status is Status.PASS
    assert "requests seen in the last 3 h (AWS/S3 AllRequests, FilterId images)" in (
        got[arn("busy")].message
    )
    assert got[arn("busy")].evidence["reporting_filter_ids"] == ["images"]
    assert got[arn("quiet")].status is Status.NOT_APPLICABLE
    assert "no requests in the last 3 h" in got[arn("quiet")].message
    assert got[arn("plain")].status is Status.NOT_APPLICABLE
    assert "not configured, see s3.request_metrics_enabled" in got[arn("plain")].message
    assert report.api_calls_by_operation["cloudwatch:ListMetrics"] == 1  # once per region


def test_no_configured_bucket_reads_no_metrics(aws: boto3.Session, alarm_ext: None) -> None:
    bucket(aws, "plain")
    report = run(aws, [CHECK])
    assert only(report, CHECK).status is Status.NOT_APPLICABLE
    assert "cloudwatch:ListMetrics" not in report.api_calls_by_operation


@pytest.mark.parametrize(
    ("service", "method", "action"),
    [
        ("s3", "list_buckets", "s3:ListAllMyBuckets"),
        ("cloudwatch", "list_metrics", "cloudwatch:ListMetrics"),
    ],
)
def test_each_denied_read_is_unknown(
    aws: boto3.Session,
    alarm_ext: None,
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    method: str,
    action: str,
) -> None:
    bucket(aws, "busy")
    metrics_config(aws, "busy", "EntireBucket")
    stub_error(monkeypatch, service, method, "AccessDenied")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert action in f.message
