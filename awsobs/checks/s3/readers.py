"""S3 reads shared by the bucket checks: the region's buckets (ListBuckets once, then
GetBucketLocation per bucket), which of them are log targets (and so out of scope), the
`buckets` / `exclude_buckets` / `bucket_tag` scope options, and request-metrics
configurations. A bucket whose scope could not be read is `undecided`: UNKNOWN, never in
scope by default.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind, Undecided
from awsobs.aws.session import global_region
from awsobs.checks._shared import Exemptions, bucket_region
from awsobs.checks.cloudtrail.readers import all_trails
from awsobs.context import Context
from awsobs.model import Finding

BUCKET = "AWS::S3::Bucket"


SCOPE_OPTIONS: dict[str, Any] = {"buckets": ["*"], "exclude_buckets": [], "bucket_tag": ""}


SCOPE_PERMISSIONS = [
    "s3:ListAllMyBuckets",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketTagging",
    "cloudtrail:DescribeTrails",
]


@dataclass(frozen=True)
class Bucket:
    name: str
    arn: str
    in_scope: bool
    reason: str  # why it is out of scope (empty when in scope)
    undecided: Undecided | None = None  # its scope could not be read: UNKNOWN


def buckets_here(ctx: Context) -> list[str]:
    """Names of this region's buckets (raises `AwsError`)."""
    home = global_region(ctx.partition)
    names = [str(b["Name"]) for b in ctx.call("s3", "ListBuckets", home).get("Buckets", ())]
    where = ctx.map(
        lambda n: bucket_region(
            ctx.call("s3", "GetBucketLocation", home, Bucket=n).get("LocationConstraint")
        ),
        names,
    )
    return sorted(n for n, r in zip(names, where, strict=True) if r == ctx.region)


def region_buckets(ctx: Context) -> list[Bucket]:
    """This region's buckets with their scope; raises `AwsError` when they cannot be listed.

    A bucket is out of scope for a reason that was read (a log target, a name option, a
    missing tag); when what would decide it could not be read (its tags, the trails of
    some region, another bucket's logging), it is `undecided`, never silently in scope."""
    region = ctx.region
    here = buckets_here(ctx)
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
    listed = ctx.call("s3", "ListBucketMetricsConfigurations", ctx.region, Bucket=bucket.name)
    return tuple(listed.get("MetricsConfigurationList") or ())


SIMPLE = "simple"
PARTITIONED = "partitioned"


@dataclass(frozen=True)
class LogKeyFormat:
    """How S3 names a bucket's server access log files (`TargetObjectKeyFormat`).

    Simple (the default): `<TargetPrefix>YYYY-MM-DD-hh-mm-ss-<unique>`. Partitioned:
    `<TargetPrefix><account>/<region>/<bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<unique>`,
    dated by `EventTime` (the default; the file name's time is then 00-00-00) or
    `DeliveryTime`."""

    kind: str  # SIMPLE | PARTITIONED
    date_source: str = ""  # EventTime | DeliveryTime (partitioned only)

    def evidence(self) -> dict[str, Any]:
        return {"key_format": self.kind, "partition_date_source": self.date_source or None}


def logging_format(status: Mapping[str, Any]) -> LogKeyFormat:
    """GetBucketLogging's `LoggingEnabled.TargetObjectKeyFormat`, parsed; absent is simple."""
    enabled = status.get("LoggingEnabled") or {}
    key_format = enabled.get("TargetObjectKeyFormat") or {}
    if "PartitionedPrefix" in key_format:
        partitioned = key_format.get("PartitionedPrefix") or {}
        return LogKeyFormat(PARTITIONED, str(partitioned.get("PartitionDateSource") or "EventTime"))
    return LogKeyFormat(SIMPLE)


def scoped_buckets(ctx: Context) -> Iterator[Finding | Bucket]:
    """The region's buckets in the request-metrics checks' scope (their `buckets` /
    `exclude_buckets` options), each bucket's metrics configurations read side by side;
    for the rest, their findings: the listing's gap, UNKNOWN where the scope could not be
    decided, NOT_APPLICABLE out of scope."""
    none = f"no S3 buckets in {ctx.region}"
    found, gap = ctx.listing("buckets", lambda: region_buckets(ctx), none=none)
    if gap is not None:
        yield gap
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
            text = f"bucket '{b.name}' is out of scope: {b.reason}"
            yield ctx.not_applicable(BUCKET, b.arn, text, evidence={"bucket": b.name})
