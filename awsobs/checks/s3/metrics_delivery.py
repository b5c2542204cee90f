"""S3: do the buckets with request metrics really publish them?

The companion of `s3.request_metrics_enabled` (docs/design.md, "Delivery checks"): that
check reads the bucket's request-metrics configurations; this one asks CloudWatch
whether `AWS/S3 AllRequests` arrived for one of them in the last 3 hours. S3 publishes
request metrics only while requests are made ("only reported if there are requests"),
so their absence is not a delivery failure: this check PASSes or is NOT_APPLICABLE,
never FAIL. Same bucket scope and options as `s3.request_metrics_enabled`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import attempt
from awsobs.checks.s3.readers import (
    BUCKET,
    SCOPE_OPTIONS,
    SCOPE_PERMISSIONS,
    Bucket,
    metrics_configs,
    scoped_buckets,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

LIST_METRICS = "cloudwatch:ListMetrics"
METRIC = "AllRequests"


def requested_filters(ctx: Context, region: str) -> frozenset[tuple[str, str]]:
    """(BucketName, FilterId) of every `AWS/S3 AllRequests` metric of `region` with data
    in the last 3 hours: one ListMetrics (`RecentlyActive=PT3H`) per region, shared
    (raises `AwsError`)."""

    def build(narrow: Context) -> frozenset[tuple[str, str]]:
        listed = narrow.call(
            "cloudwatch",
            "ListMetrics",
            region,
            Namespace="AWS/S3",
            MetricName=METRIC,
            RecentlyActive="PT3H",
        )
        found = set()
        for metric in listed.get("Metrics", ()):
            dims = {d.get("Name"): d.get("Value") for d in metric.get("Dimensions", ())}
            if dims.get("BucketName") and dims.get("FilterId"):
                found.add((str(dims["BucketName"]), str(dims["FilterId"])))
        return frozenset(found)

    return ctx.shared(f"s3.requested_filters:{region}", (LIST_METRICS,), build)


@check(
    id="s3.request_metrics_reporting",
    title="Buckets with request metrics have recent AllRequests data",
    severity=Severity.LOW,
    signal=Signal.METRICS,
    resource_types=(BUCKET,),
    permissions=[*SCOPE_PERMISSIONS, "s3:GetMetricsConfiguration", LIST_METRICS],
    remediation="None needed when the bucket served no requests; otherwise check the "
    "configuration's filter (aws s3api list-bucket-metrics-configurations)",
    options=SCOPE_OPTIONS,
)
def request_metrics_reporting(ctx: Context) -> Iterator[Finding]:
    """One finding per bucket in scope, resource id its ARN. Judged only where
    `s3.request_metrics_enabled` passes (a request-metrics configuration exists); a
    bucket without one is NOT_APPLICABLE. PASS when `AWS/S3 AllRequests` has data in the
    last 3 hours for the bucket under one of its configurations' ids (`BucketName`,
    `FilterId`; ListMetrics `RecentlyActive=PT3H`, one listing per region, the only
    window AWS offers, so no option). Otherwise NOT_APPLICABLE, "no requests in the last
    3 h": S3 publishes request metrics only when requests are made, so an idle bucket
    and a broken pipeline look the same, and this is never FAIL. UNKNOWN, naming the
    failed read, when the bucket scope, its configurations or the metrics cannot be read.
    """
    judged: list[tuple[Bucket, tuple[Mapping[str, Any], ...]]] = []
    for item in scoped_buckets(ctx):
        if isinstance(item, Finding):
            yield item
            continue
        try:
            configs = metrics_configs(ctx, item)
        except AwsError as err:
            what = f"could not read the metrics configurations of '{item.name}'"
            yield ctx.unknown_from(err, BUCKET, item.arn, what)
            continue
        if not configs:
            text = (
                f"bucket '{item.name}' has no request-metrics configuration: not "
                "configured, see s3.request_metrics_enabled"
            )
            yield ctx.not_applicable(BUCKET, item.arn, text, evidence={"bucket": item.name})
            continue
        judged.append((item, configs))
    if not judged:
        return
    seen = attempt(lambda: requested_filters(ctx, ctx.region))
    for b, configs in judged:
        ids = [str(c.get("Id")) for c in configs]
        evidence: dict[str, Any] = {"bucket": b.name, "filter_ids": ids, "metric": METRIC}
        evidence["recently_active"] = "PT3H"
        if isinstance(seen, AwsError):
            what = f"could not list the request metrics of '{b.name}'"
            yield ctx.unknown_from(seen, BUCKET, b.arn, what, evidence=evidence)
            continue
        active = [i for i in ids if (b.name, i) in seen]
        evidence["reporting_filter_ids"] = active
        if active:
            text = (
                f"bucket '{b.name}': requests seen in the last 3 h (AWS/S3 {METRIC}, "
                f"FilterId {', '.join(active)})"
            )
            yield ctx.passed(BUCKET, b.arn, text, evidence=evidence)
        else:
            text = (
                f"bucket '{b.name}': no requests in the last 3 h (no AWS/S3 {METRIC} for "
                f"FilterId {', '.join(ids)}); S3 publishes request metrics only when "
                "requests are made, so no data was expected"
            )
            yield ctx.not_applicable(BUCKET, b.arn, text, evidence=evidence)
