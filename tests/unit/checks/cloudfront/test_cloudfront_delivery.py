"""cloudfront.access_logs_delivered: the newest standard (legacy) log file of each
distribution that logs to S3, gated by its `Requests` when stale.

moto delivers no log file: a delivery is a PutObject of a key named as CloudFront names
it (`<prefix><id>.YYYY-MM-DD-HH.<unique>.gz`), moved into the past with
`set_key_last_modified`; traffic is PutMetricData in AWS/CloudFront (us-east-1). moto
serves ListDistributions and GetDistributionConfig with the `Logging` block. Denied reads
are one operation denied by the replay gateway (tests/replay.py, over an empty recording,
every other read going to moto): with moto's IAM enforcement on, moto refuses every
CloudFront request, even an allowed one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from delivery_s3_seed import put_cloudfront_log, put_traffic, seed_cloudfront_delivery
from edge_seed import seed_every_edge_read
from helpers import bucket, findings, run
from replay import Recording, replaying

import awsobs.checks.cloudfront.delivery  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.checks.cloudfront.readers import legacy_bucket_name
from awsobs.demo.edge import distribution

CHECK = "cloudfront.access_logs_delivered"


def by_comment(report: Any) -> dict[str, Finding]:
    return {f.evidence.get("comment", f.resource_id): f for f in findings(report, CHECK)}


def counting(session: boto3.Session) -> tuple[Any, dict[str, int]]:
    calls: dict[str, int] = {}

    def hook(service: str, op: str, region: str, params: Any) -> None:
        calls[op] = calls.get(op, 0) + 1

    return scan(session, checks=[CHECK], regions=["us-east-1"], on_request=hook), calls


def _requests(aws: boto3.Session, dist_id: str, value: float) -> None:
    dims = {"DistributionId": dist_id, "Region": "Global"}
    put_traffic(aws, "AWS/CloudFront", "Requests", dims, value)


def test_legacy_bucket_names_drop_the_domain() -> None:
    assert legacy_bucket_name("cdn-logs.s3.amazonaws.com") == "cdn-logs"
    assert legacy_bucket_name("cdn-logs.s3.eu-west-1.amazonaws.com") == "cdn-logs"
    assert legacy_bucket_name("cdn-logs") == "cdn-logs"


def test_a_fresh_file_passes_with_one_listing_per_distribution(aws: boto3.Session) -> None:
    bucket(aws, "cdn-logs")
    shop, shop_arn = distribution(aws, "shop", legacy_bucket="cdn-logs")
    blog, _ = distribution(aws, "blog", legacy_bucket="cdn-logs")
    put_cloudfront_log(aws, "cdn-logs", "shop/", shop)
    put_cloudfront_log(aws, "cdn-logs", "blog/", blog)
    report, calls = counting(aws)
    got = by_comment(report)
    assert {n: f.status for n, f in got.items()} == {"shop": Status.PASS, "blog": Status.PASS}
    f = got["shop"]
    assert f.resource_id == shop_arn
    assert f.message.startswith(
        f"distribution {shop} ('shop') delivers to s3://cdn-logs/shop/{shop}.*; last delivery"
    )
    assert f.evidence["prefix"] == f"shop/{shop}."
    assert f.evidence["max_age_hours"] == 48
    assert calls["ListObjectsV2"] == 2  # one per distribution, whatever the window
    assert calls["GetBucketLocation"] == 1  # the shared bucket once
    assert "GetMetricData" not in calls


def test_stale_with_requests_fails_saying_nothing_since_the_window_start(
    aws: boto3.Session,
) -> None:
    bucket(aws, "cdn-logs")
    shop, _ = distribution(aws, "shop", legacy_bucket="cdn-logs")
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=5)
    put_cloudfront_log(aws, "cdn-logs", "shop/", shop, when=old)  # before the window
    _requests(aws, shop, 1200)
    report, calls = counting(aws)
    f = by_comment(report)["shop"]
    assert f.status is Status.FAIL
    assert f"distribution {shop} ('shop') served 1,200 requests since" in f.message
    assert "received nothing in the last 48 h: nothing since" in f.message
    assert "usual causes: the bucket's Object Ownership became 'bucket owner enforced'" in (
        f.message
    )
    assert f.evidence["traffic"]["dimensions"] == {"DistributionId": shop, "Region": "Global"}
    assert calls["ListObjectsV2"] == 1 and calls["GetMetricData"] == 1


def test_stale_without_requests_and_no_legacy_logging_are_not_applicable(
    aws: boto3.Session,
) -> None:
    bucket(aws, "cdn-logs")
    distribution(aws, "quiet", legacy_bucket="cdn-logs")
    distribution(aws, "nolog")
    got = by_comment(run(aws, ["cloudfront.access_logs_delivered"]))
    assert got["quiet"].status is Status.NOT_APPLICABLE
    assert "served no requests since" in got["quiet"].message
    assert got["nolog"].status is Status.NOT_APPLICABLE
    assert "see cloudfront.access_logs" in got["nolog"].message


def test_a_deleted_log_bucket_fails(aws: boto3.Session) -> None:
    dist, _ = distribution(aws, "shop", legacy_bucket="gone-logs")
    f = by_comment(run(aws, [CHECK]))["shop"]
    assert f.status is Status.FAIL
    assert f.message == (
        f"distribution {dist} ('shop') writes standard logs to bucket 'gone-logs', which "
        "does not exist"
    )


def test_no_distribution_is_not_applicable(aws: boto3.Session) -> None:
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("operation", "action"),
    [
        ("GetDistributionConfig", "cloudfront:GetDistributionConfig"),
        ("GetBucketLocation", "s3:GetBucketLocation"),
        ("ListObjectsV2", "s3:ListBucket"),
        ("GetMetricData", "cloudwatch:GetMetricData"),
    ],
)
def test_each_denied_read_is_unknown_naming_it(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, operation: str, action: str
) -> None:
    """The seed: `seed-legacy` logs to S3, has no file and served requests (FAIL)."""
    seed_every_edge_read(aws)
    seed_cloudfront_delivery(aws)
    assert by_comment(run(aws, [CHECK]))["seed-legacy"].status is Status.FAIL
    with replaying(monkeypatch, Recording(), deny=lambda key: key[2] == operation):
        got = by_comment(run(aws, [CHECK]))
    f = got["seed-legacy"]
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == action
    assert got["seed-v2"].status is (  # logs through v2 only: its config is all it reads
        Status.UNKNOWN if operation == "GetDistributionConfig" else Status.NOT_APPLICABLE
    )
