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

import contextlib
import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind, Undecided
from awsobs.aws.session import global_region
from awsobs.checks._shared import Exemptions
from awsobs.checks.cloudtrail.readers import all_trails
from awsobs.checks.cloudwatch.coverage import ALARM_READS, Want, coverage_finding
from awsobs.checks.cloudwatch.readers import Need, alarm_index
from awsobs.context import Context
from awsobs.model import Finding, Severity
from awsobs.registry import check

BUCKET = "AWS::S3::Bucket"
SCOPE_OPTIONS: dict[str, Any] = {"buckets": ["*"], "exclude_buckets": [], "bucket_tag": ""}
SCOPE_PERMISSIONS = [
    "s3:ListAllMyBuckets",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketTagging",
    "cloudtrail:DescribeTrails",
]


def bucket_region(location: object) -> str:
    """GetBucketLocation's answer as a region name (None means us-east-1, EU eu-west-1)."""
    if not location:
        return "us-east-1"
    return "eu-west-1" if location == "EU" else str(location)


@dataclass(frozen=True)
class Bucket:
    name: str
    arn: str
    in_scope: bool
    reason: str  # why it is out of scope (empty when in scope)
    undecided: Undecided | None = None  # its scope could not be read: UNKNOWN


def region_buckets(ctx: Context) -> list[Bucket] | AwsError:
    """This region's buckets with their scope; raises nothing, returns the listing error.

    A bucket is out of scope for a reason that was read (a log target, a name option, a
    missing tag); when what would decide it could not be read (its tags, the trails of
    some region, another bucket's logging), it is `undecided`, never silently in scope."""
    region = ctx.region
    assert region is not None
    home = global_region(ctx.partition)
    try:
        names = [str(b["Name"]) for b in ctx.call("s3", "ListBuckets", home).get("Buckets", ())]
        where = ctx.map(
            lambda n: bucket_region(
                ctx.call("s3", "GetBucketLocation", home, Bucket=n).get("LocationConstraint")
            ),
            names,
        )
    except AwsError as err:
        return err
    here = [n for n, r in zip(names, where, strict=True) if r == region]
    targets = log_targets(ctx, region, here)
    include = [str(p) for p in ctx.option("buckets")]
    exclude = [str(p) for p in ctx.option("exclude_buckets")]
    wanted_tag = str(ctx.option("bucket_tag"))
    if wanted_tag:  # read the tags of the candidates concurrently (memoized for below)
        ctx.map(
            lambda n: _tag_verdict(ctx, region, n, wanted_tag),
            [n for n in here if n not in targets.known],
        )
    found = []
    for name in sorted(here):
        arn = f"arn:{ctx.partition}:s3:::{name}"
        reason, undecided = "", None
        if name in targets.known:
            reason = f"it receives {targets.known[name]}"
        elif not any(fnmatch.fnmatchcase(name, p) for p in include):
            reason = f"its name matches none of the option buckets {include}"
        elif any(fnmatch.fnmatchcase(name, p) for p in exclude):
            reason = "its name matches the option exclude_buckets"
        else:
            tagged = _tag_verdict(ctx, region, name, wanted_tag) if wanted_tag else True
            if isinstance(tagged, Undecided):
                undecided = tagged
            elif not tagged:
                reason = f"it lacks the tag {wanted_tag} (option bucket_tag)"
            else:
                try:
                    targets.reason(name)
                except Undecided as err:
                    undecided = err
        found.append(Bucket(name, arn, not reason and undecided is None, reason, undecided))
    return found


def log_targets(
    ctx: Context,
    region: str,
    names: list[str],
    *,
    self_logging_exempts: bool = True,
    flow_logs: bool = False,
) -> Exemptions:
    """Which of `names` (this region's buckets) receive CloudTrail logs or another
    bucket's server access logs (with `flow_logs`, also VPC flow logs of any scanned
    region); a bucket that logs into itself counts only with `self_logging_exempts`.

    Open while a source could not be read: the trails of some scanned region (a trail's
    bucket may be in any region), the logging of one of `names` (a target is always in
    its source's region, so only this region's buckets can be one), a region's flow logs."""
    targets: dict[str, str] = {}
    listing = all_trails(ctx)
    for trail in listing.trails:
        if trail.bucket and trail.bucket in names:
            targets.setdefault(trail.bucket, f"CloudTrail logs of {trail.label}")
    open_: list[Undecided] = [
        Undecided(
            f"whether it receives CloudTrail logs is unknown (could not list trails in {where})",
            err,
        )
        for where, err in sorted(listing.errors.items())
    ]

    def logging(name: str) -> Mapping[str, Any] | AwsError:
        try:
            status: Mapping[str, Any] = ctx.call("s3", "GetBucketLogging", region, Bucket=name)
        except AwsError as err:
            return err
        return status

    for name, status in zip(names, ctx.map(logging, names), strict=True):
        if isinstance(status, AwsError):
            if status.kind is not ErrorKind.NOT_FOUND:  # a bucket deleted mid-scan logs nowhere
                open_.append(
                    Undecided(
                        "whether it receives server access logs is unknown (could not read "
                        f"the logging of bucket '{name}')",
                        status,
                    )
                )
            continue
        target = str((status.get("LoggingEnabled") or {}).get("TargetBucket") or "")
        if target in names and (self_logging_exempts or target != name):
            targets.setdefault(target, f"server access logs of bucket '{name}'")
    if flow_logs:
        flow_targets, flow_open = _flow_log_targets(ctx)
        for bucket, label in flow_targets.items():
            if bucket in names:
                targets.setdefault(bucket, label)
        open_ += flow_open
    return Exemptions(known=targets, open_sources=tuple(open_))


def _flow_log_targets(ctx: Context) -> tuple[dict[str, str], list[Undecided]]:
    """Buckets that receive VPC flow logs from any scanned region, and an open question
    for each region whose flow logs could not be listed."""
    targets: dict[str, str] = {}
    open_: list[Undecided] = []

    def listing(region: str) -> list[Mapping[str, Any]] | AwsError:
        try:
            return list(ctx.call("ec2", "DescribeFlowLogs", region).get("FlowLogs", ()))
        except AwsError as err:
            return err

    for region, answer in zip(ctx.regions, ctx.map(listing, ctx.regions), strict=True):
        if isinstance(answer, AwsError):
            why = f"could not list flow logs in {region}"
            open_.append(Undecided(f"whether it receives VPC flow logs is unknown ({why})", answer))
            continue
        for fl in answer:
            destination = str(fl.get("LogDestination") or "")
            if fl.get("LogDestinationType") == "s3" and destination.startswith("arn:"):
                bucket = destination.split(":::", 1)[-1].split("/", 1)[0]
                targets.setdefault(bucket, f"VPC flow logs ({fl.get('FlowLogId', '?')})")
    return targets, open_


def _tag_verdict(ctx: Context, region: str, bucket: str, wanted: str) -> bool | Undecided:
    """Has the bucket the tag `key` or `key=value`? `Undecided` when its tags are unreadable."""
    key, _, value = wanted.partition("=")
    try:
        tags = ctx.call("s3", "GetBucketTagging", region, Bucket=bucket).get("TagSet", ())
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:  # NoSuchTagSet: the bucket has no tags at all
            return False
        return Undecided(f"whether it has the tag {wanted} (option bucket_tag) is unknown", err)
    return any(t["Key"] == key and (not value or t["Value"] == value) for t in tags)


def metrics_configs(ctx: Context, bucket: Bucket) -> tuple[Mapping[str, Any], ...]:
    """The bucket's request-metrics configurations (raises `AwsError`)."""
    assert ctx.region is not None
    listed = ctx.call("s3", "ListBucketMetricsConfigurations", ctx.region, Bucket=bucket.name)
    return tuple(listed.get("MetricsConfigurationList") or ())


def _buckets(ctx: Context) -> Iterator[Finding | Bucket]:
    """In-scope buckets of the region, or findings for the rest."""
    found = region_buckets(ctx)
    if isinstance(found, AwsError):
        yield ctx.unknown_from(found, *ctx.region_resource(), "could not list buckets")
        return
    if not found:
        yield ctx.not_applicable(*ctx.region_resource(), f"no S3 buckets in {ctx.region}")
        return

    def prefetch(b: Bucket) -> None:  # concurrently; each bucket's outcome is memoized
        with contextlib.suppress(AwsError):
            metrics_configs(ctx, b)

    ctx.map(prefetch, [b for b in found if b.in_scope])
    for b in found:
        if b.undecided is not None:
            yield ctx.unknown_from(
                b.undecided, BUCKET, b.arn, f"bucket '{b.name}'", evidence={"bucket": b.name}
            )
        elif b.in_scope:
            yield b
        else:
            yield ctx.not_applicable(
                BUCKET,
                b.arn,
                f"bucket '{b.name}' is out of scope: {b.reason}",
                evidence={"bucket": b.name},
            )


@check(
    id="s3.request_metrics_enabled",
    title="Buckets that serve traffic publish request metrics (4xxErrors, 5xxErrors)",
    severity=Severity.MEDIUM,
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
    for item in _buckets(ctx):
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
    assert ctx.region is not None
    listed = region_buckets(ctx)
    known = {b.name for b in listed} if isinstance(listed, list) else set()
    for item in _buckets(ctx):
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
