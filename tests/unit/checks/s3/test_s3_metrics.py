"""S3 request metrics and 5xx alarms, with the bucket scope (log targets out by default).

moto accepts bucket metrics configurations but never lists them: the `alarm_ext`
fixture keeps and lists them (awsobs/demo/moto_ext.py).
"""

from __future__ import annotations

import boto3
import pytest
from alarm_seed import alarm, topic
from helpers import bucket, findings, only, run, trail
from logging_seed import access_logs

from awsobs import Status

ENABLED = "s3.request_metrics_enabled"
ALARMS = "s3.error_alarms"


def arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def metrics_config(session: boto3.Session, name: str, config_id: str, prefix: str = "") -> None:
    config: dict = {"Id": config_id}
    if prefix:
        config["Filter"] = {"Prefix": prefix}
    session.client("s3").put_bucket_metrics_configuration(
        Bucket=name, Id=config_id, MetricsConfiguration=config
    )


def by_bucket(report, check_id):  # type: ignore[no-untyped-def]
    return {f.resource_id: f for f in findings(report, check_id)}


def test_request_metrics_whole_filtered_and_none(aws: boto3.Session, alarm_ext: None) -> None:
    for name in ("whole", "filtered", "none"):
        bucket(aws, name)
    metrics_config(aws, "whole", "EntireBucket")
    metrics_config(aws, "filtered", "images", prefix="img/")
    got = by_bucket(run(aws, [ENABLED]), ENABLED)
    assert got[arn("whole")].status is Status.PASS
    assert "for the whole bucket (FilterId EntireBucket)" in got[arn("whole")].message
    assert got[arn("filtered")].status is Status.PASS
    assert "filtered subsets only (FilterId images)" in got[arn("filtered")].message
    assert got[arn("none")].status is Status.FAIL
    assert "4xxErrors and 5xxErrors do not exist" in got[arn("none")].message
    assert "--bucket none" in got[arn("none")].remediation


def test_log_targets_are_out_of_scope(aws: boto3.Session, alarm_ext: None) -> None:
    bucket(aws, "web")
    bucket(aws, "access-logs")
    access_logs(aws, "web", "access-logs", prefix="web/")
    trail(aws, "main")  # its bucket main-logs receives CloudTrail logs
    got = by_bucket(run(aws, [ENABLED]), ENABLED)
    assert got[arn("web")].status is Status.FAIL
    assert got[arn("access-logs")].status is Status.NOT_APPLICABLE
    assert "receives server access logs of bucket 'web'" in got[arn("access-logs")].message
    assert got[arn("main-logs")].status is Status.NOT_APPLICABLE
    assert "CloudTrail logs of trail 'main'" in got[arn("main-logs")].message


@pytest.mark.parametrize(
    ("options", "judged"),
    [
        pytest.param({"buckets": ["web-*"]}, {"web-a", "web-b"}, id="name-globs"),
        pytest.param({"exclude_buckets": ["*-b"]}, {"web-a", "api"}, id="exclude"),
        pytest.param({"bucket_tag": "traffic=public"}, {"api"}, id="tag-with-value"),
        pytest.param({"bucket_tag": "traffic"}, {"api", "web-b"}, id="tag-key"),
    ],
)
def test_scope_options(aws: boto3.Session, alarm_ext: None, options: dict, judged: set) -> None:
    for name in ("web-a", "web-b", "api"):
        bucket(aws, name)
    s3 = aws.client("s3")
    s3.put_bucket_tagging(Bucket="api", Tagging={"TagSet": [{"Key": "traffic", "Value": "public"}]})
    s3.put_bucket_tagging(Bucket="web-b", Tagging={"TagSet": [{"Key": "traffic", "Value": "cdn"}]})
    got = by_bucket(run(aws, [ENABLED], options=options), ENABLED)
    assert {
        k.removeprefix("arn:aws:s3:::")
        for k, f in got.items()
        if f.status is not Status.NOT_APPLICABLE
    } == judged
    out = next(f for f in got.values() if f.status is Status.NOT_APPLICABLE)
    assert "out of scope" in out.message


def test_error_alarm_needs_a_configured_filter_id(aws: boto3.Session, alarm_ext: None) -> None:
    oncall = topic(aws)
    for name in ("good", "mismatch", "unmetered"):
        bucket(aws, name)
    metrics_config(aws, "good", "EntireBucket")
    metrics_config(aws, "mismatch", "all-requests")
    for name in ("good", "mismatch", "unmetered"):  # all on FilterId EntireBucket
        dims = {"BucketName": name, "FilterId": "EntireBucket"}
        alarm(aws, f"{name}-5xx", "AWS/S3", "5xxErrors", dims, actions=[oncall])
    got = by_bucket(run(aws, [ALARMS]), ALARMS)
    assert got[arn("good")].status is Status.PASS
    mismatch = got[arn("mismatch")]
    assert mismatch.status is Status.FAIL
    assert (
        "alarm 'mismatch-5xx' uses FilterId 'EntireBucket', not one of the bucket's metrics "
        "configurations: it can never fire"
    ) in mismatch.message
    assert mismatch.evidence["filter_ids"] == ["all-requests"]
    unmetered = got[arn("unmetered")]
    assert unmetered.status is Status.FAIL and "has no request metrics" in unmetered.message


def test_no_buckets_in_region_is_not_applicable(aws: boto3.Session, alarm_ext: None) -> None:
    bucket(aws, "elsewhere", region="eu-west-1")
    assert only(run(aws, [ENABLED, ALARMS]), ALARMS).status is Status.NOT_APPLICABLE
    report = run(aws, [ENABLED], regions=["eu-west-1"])
    assert only(report, ENABLED).resource_id == arn("elsewhere")
