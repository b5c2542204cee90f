"""S3: are request metrics on, and do 4xx/5xx alarms watch metrics that exist?

Semantics: controls.md §8. A bucket's `4xxErrors` and `5xxErrors` are published only for
a request-metrics configuration, under the dimension `FilterId` = that configuration's
id; an alarm on any other `FilterId` never gets data. Only buckets that serve traffic
matter: by default every bucket except log targets (buckets receiving server access
logs or CloudTrail logs; a bucket whose target status cannot be read is UNKNOWN, never
judged as if it served traffic), narrowed with the options `buckets` / `exclude_buckets` (name
globs) and `bucket_tag` (`key` or `key=value`), e.g. in awsobs.toml:

    [options]
    buckets = ["web-*", "api-*"]
    exclude_buckets = ["*-staging"]
    bucket_tag = "serves-traffic=true"

Each bucket is judged in its own region (where its metrics and alarms live).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.cloudwatch.coverage import ALARM_READS, Want, coverage_finding
from awsobs.checks.cloudwatch.readers import Need, alarm_index
from awsobs.checks.s3.readers import (
    BUCKET,
    SCOPE_OPTIONS,
    SCOPE_PERMISSIONS,
    metrics_configs,
    region_buckets,
    scoped_buckets,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


@check(
    id="s3.request_metrics_enabled",
    title="Buckets that serve traffic publish request metrics (4xxErrors, 5xxErrors)",
    severity=Severity.MEDIUM,
    signal=Signal.METRICS,
    resource_types=("AWS::S3::Bucket",),
    permissions=[*SCOPE_PERMISSIONS, "s3:GetMetricsConfiguration"],
    remediation="aws s3api put-bucket-metrics-configuration --bucket <bucket> --id "
    "EntireBucket --metrics-configuration Id=EntireBucket",
    options=SCOPE_OPTIONS,
)
def request_metrics_enabled(ctx: Context) -> Iterator[Finding]:
    """One finding per bucket in scope. PASS when the bucket has at least one request
    metrics configuration; the message says whether one covers the whole bucket (no
    filter) or only prefixes, tags or access points. Without one, S3 publishes no
    `4xxErrors`/`5xxErrors` (only the daily storage metrics), so no error alarm can fire.
    Request metrics are billed like custom metrics.
    """
    for item in scoped_buckets(ctx):
        if isinstance(item, Finding):
            yield item
            continue
        b = item
        try:
            configs = metrics_configs(ctx, b)
        except AwsError as err:
            yield ctx.unknown_from(
                err, BUCKET, b.arn, f"could not read the metrics configurations of '{b.name}'"
            )
            continue
        evidence = {"bucket": b.name, "metrics_configurations": list(configs)}
        whole = [c["Id"] for c in configs if not c.get("Filter")]
        if whole:
            yield ctx.passed(
                BUCKET,
                b.arn,
                f"bucket '{b.name}' publishes request metrics for "
                f"the whole bucket (FilterId {whole[0]})",
                evidence=evidence,
            )
        elif configs:
            ids = ", ".join(str(c["Id"]) for c in configs)
            yield ctx.passed(
                BUCKET,
                b.arn,
                f"bucket '{b.name}' publishes request metrics for "
                f"filtered subsets only (FilterId {ids})",
                evidence=evidence,
            )
        else:
            yield ctx.failed(
                BUCKET,
                b.arn,
                f"bucket '{b.name}' publishes no request metrics: 4xxErrors and "
                "5xxErrors do not exist for it, so no error alarm can fire",
                evidence=evidence,
                remediation=f"aws s3api put-bucket-metrics-configuration --bucket {b.name} "
                "--id EntireBucket --metrics-configuration Id=EntireBucket",
            )


@check(
    id="s3.error_alarms",
    title="Buckets that serve traffic have a 5xxErrors alarm that can fire and reach someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::S3::Bucket",),
    permissions=[*SCOPE_PERMISSIONS, "s3:GetMetricsConfiguration", *ALARM_READS],
    remediation="aws cloudwatch put-metric-alarm --alarm-name <name> --namespace AWS/S3 "
    "--metric-name 5xxErrors --dimensions Name=BucketName,Value=<bucket> "
    "Name=FilterId,Value=<metrics-configuration-id> --statistic Sum --period 300 "
    "--evaluation-periods 1 --threshold 1 --comparison-operator "
    "GreaterThanOrEqualToThreshold --alarm-actions <sns-topic-arn>",
    options=SCOPE_OPTIONS,
)
def error_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per bucket in scope. PASS when an alarm on `AWS/S3` `5xxErrors` with
    `BucketName` = the bucket and `FilterId` = one of its request-metrics configuration
    ids has actions enabled and a valid alarm action (`4xxErrors` is reported in the
    evidence). An alarm whose `FilterId` is not one of the bucket's configurations can
    never get data: FAIL, naming the FilterId. A bucket with no configuration at all
    FAILs too: no 4xx/5xx metric exists for any alarm to watch.
    """
    try:  # only to tell another bucket's alarm from a near miss; scoped_buckets reports errors
        known = {b.name for b in region_buckets(ctx)}
    except AwsError:
        known = set()
    for item in scoped_buckets(ctx):
        if isinstance(item, Finding):
            yield item
            continue
        b = item
        try:
            configs = metrics_configs(ctx, b)
            index = alarm_index(ctx, ctx.region)
        except AwsError as err:
            yield ctx.unknown_from(err, BUCKET, b.arn, f"could not check bucket '{b.name}'")
            continue
        ids = frozenset(str(c["Id"]) for c in configs)
        evidence: dict[str, Any] = {"bucket": b.name, "filter_ids": sorted(ids)}
        if not ids:
            yield ctx.failed(
                BUCKET,
                b.arn,
                f"bucket '{b.name}' has no request metrics, so "
                "5xxErrors and 4xxErrors never exist: enable them first "
                "(s3.request_metrics_enabled)",
                evidence=evidence,
            )
            continue
        dims: tuple[dict[str, str | frozenset[str]], ...] = (
            {"BucketName": b.name, "FilterId": ids},
        )
        wants = [
            Want("5xxErrors", (Need("AWS/S3", ("5xxErrors",), dims),)),
            Want("4xxErrors", (Need("AWS/S3", ("4xxErrors",), dims),), required=False),
        ]
        dead = sorted(
            {
                f"alarm '{a.name}' uses FilterId '{m.dim('FilterId')}', not one of the bucket's "
                "metrics configurations: it can never fire"
                for a in index.alarms
                for m in a.metrics
                if m.namespace == "AWS/S3"
                and m.dim("BucketName") == b.name
                and m.dim("FilterId") not in ids
            }
        )
        evidence["alarms_that_can_never_fire"] = dead
        yield coverage_finding(
            ctx,
            index,
            BUCKET,
            b.arn,
            f"bucket '{b.name}'",
            wants,
            note="; " + "; ".join(dead) if dead else "",
            evidence=evidence,
            claimed=lambda m: m.dim("BucketName") in known,  # wrong FilterIds: see `dead`
        )
