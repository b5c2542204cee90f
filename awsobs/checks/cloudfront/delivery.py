"""CloudFront standard logs (legacy) delivered: did a log file reach the bucket?

`cloudfront.access_logs` passes a distribution whose `Logging` names a bucket; a bucket
whose ACLs were disabled since (legacy logging writes through the `awslogsdelivery`
account's ACL grant), a bucket policy or KMS key that refuses it, or a deleted bucket
leaves that PASS standing while nothing arrives. This companion looks for the newest file.

CloudFront writes legacy log files flat under the prefix, named `<prefix><distribution
id>.YYYY-MM-DD-HH.<unique id>.gz` (the hour of the requests, UTC), best effort and up to
24 hours late, and only for hours with requests. So: one ListObjectsV2 (keys only, first
page) with `Prefix=<prefix><id>.` and `StartAfter=<prefix><id>.<window start's hour>`,
whatever the window; GetBucketLocation first (shared with `elb.access_logs` and the S3
checks), since the bucket may be in any region. A stale destination is judged by the
distribution's AWS/CloudFront `Requests` (`DistributionId`, `Region=Global`, us-east-1),
up to 3 hours before now.

Standard logging v2 (CloudWatch Logs vended delivery) and real-time logs are not judged
here: a distribution logging only that way is NOT_APPLICABLE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.aws.session import global_region
from awsobs.checks._delivery import (
    GET_METRIC_DATA,
    LIST_BUCKET,
    Arrival,
    Window,
    attempt,
    newest_key,
    served,
    traffic,
    verdict,
    window,
)
from awsobs.checks._shared import global_listing
from awsobs.checks.cloudfront.readers import (
    DISTRIBUTION,
    GET_CONFIG,
    LIST_DISTRIBUTIONS,
    Distribution,
    distribution_logging,
    distributions,
    legacy_bucket_name,
)
from awsobs.checks.elb.readers import GET_BUCKET_LOCATION, BucketState, bucket_state
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

CONFIG_CHECK = "cloudfront.access_logs"
GRACE = dt.timedelta(hours=3)  # typical delay; CloudFront promises none (best effort)
CAUSES = (
    "the bucket's Object Ownership became 'bucket owner enforced' (ACLs disabled: legacy "
    "logging needs the awslogsdelivery ACL grant), the bucket ACL or policy no longer lets "
    "CloudFront write, the bucket's KMS key does not let CloudFront use it, the bucket is in "
    "an opt-in region, or the prefix changed"
)


@dataclass(frozen=True)
class _Target:
    dist: Distribution
    bucket: str
    prefix: str
    evidence: dict[str, Any]

    @property
    def where(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}{self.dist.id}.*"


def _target(ctx: Context, dist: Distribution) -> Finding | _Target:
    evidence = dist.evidence()
    try:
        cfg = distribution_logging(ctx, dist)
    except AwsError as err:
        what = f"could not read the logging config of {dist.label}"
        return ctx.unknown_from(err, DISTRIBUTION, dist.arn, what, evidence=evidence)
    evidence.update(cfg.evidence())
    if not cfg.legacy:
        text = (
            f"{dist.label} has no standard logging (legacy) to S3: no legacy log delivery to "
            f"judge (see {CONFIG_CHECK}; v2 and real-time logs are not read here)"
        )
        return ctx.not_applicable(DISTRIBUTION, dist.arn, text, evidence=evidence)
    bucket = legacy_bucket_name(cfg.legacy_bucket)
    evidence["log_bucket"] = bucket
    return _Target(dist, bucket, cfg.legacy_prefix, evidence)


def _arrival(ctx: Context, t: _Target, state: BucketState, win: Window) -> Arrival | AwsError:
    if state.error is not None:
        return state.error
    return attempt(
        lambda: newest_key(
            ctx,
            state.region or global_region(ctx.partition),
            t.bucket,
            f"{t.prefix}{t.dist.id}.",
            f"{t.prefix}{t.dist.id}.{win.start:%Y-%m-%d-%H}",
            since=win.start.replace(minute=0),
        )
    )


def _missing(ctx: Context, t: _Target, win: Window) -> Finding:
    text = f"{t.dist.label} writes standard logs to bucket '{t.bucket}', which does not exist"
    evidence = {**t.evidence, **win.evidence(), "destination": t.where}
    return ctx.failed(DISTRIBUTION, t.dist.arn, text, evidence=evidence)


@check(
    id="cloudfront.access_logs_delivered",
    title="CloudFront distributions with standard logging (legacy) delivered a log file recently",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::CloudFront::Distribution",),
    scope=Scope.ACCOUNT,
    permissions=[LIST_DISTRIBUTIONS, GET_CONFIG, GET_BUCKET_LOCATION, LIST_BUCKET, GET_METRIC_DATA],
    options={"max_age_hours": 48},
    remediation="Check the log bucket: ACLs enabled (Object Ownership 'bucket owner "
    "preferred'), the awslogsdelivery account's FULL_CONTROL grant, and a KMS key policy "
    "that lets CloudFront encrypt; or move to standard logging v2",
)
def access_logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per distribution (global, read in us-east-1), on the distribution
    (resource id its ARN, as in `cloudfront.access_logs`).

    PASS when a distribution with standard logging (legacy) on (`Logging.Enabled` with a
    `Bucket`, whose domain form `name.s3.amazonaws.com` is taken as the bucket `name`) has
    a key `<prefix><distribution id>.YYYY-MM-DD-HH.*` named from the window's first hour
    on and last modified within `max_age_hours` (default 48: CloudFront delivers best
    effort, up to 24 hours late).

    FAIL when there is none and the distribution served requests in the window (up to 3
    hours before now): AWS/CloudFront `Requests` (`DistributionId`, `Region=Global`) Sum >
    0. The message says "nothing since <window start>": S3 cannot say when an older file
    arrived without listing backwards. FAIL too when the bucket does not exist.

    NOT_APPLICABLE when it served no request in the window (no file is written for an hour
    without requests), for a distribution without legacy logging (v2 and real-time logs
    are not judged here), and when the account has no distribution.

    UNKNOWN naming the failed read: the distributions, a distribution's config, the
    bucket's location (a bucket of another account answers AccessDenied too), the key
    listing (`s3:ListBucket`) or the traffic (`cloudwatch:GetMetricData`).
    """
    dists, gap = global_listing(
        ctx,
        "CloudFront distributions",
        lambda: distributions(ctx),
        "no CloudFront distribution in the account",
    )
    if gap is not None:
        yield gap
        return
    home = global_region(ctx.partition)
    win = window(ctx, GRACE)
    settled = ctx.map(lambda d: _target(ctx, d), dists)
    targets = [s for s in settled if isinstance(s, _Target)]
    yield from (s for s in settled if not isinstance(s, _Target))
    buckets = sorted({t.bucket for t in targets})
    states = dict(zip(buckets, ctx.map(lambda b: bucket_state(ctx, b), buckets), strict=True))
    live = [t for t in targets if not states[t.bucket].missing]
    yield from (_missing(ctx, t, win) for t in targets if states[t.bucket].missing)
    arrivals = ctx.map(lambda t: _arrival(ctx, t, states[t.bucket], win), live)
    stale = [
        {"DistributionId": t.dist.id, "Region": "Global"}
        for t, a in zip(live, arrivals, strict=True)
        if isinstance(a, Arrival) and not win.fresh(a)
    ]
    batch: Any = None
    if stale:
        batch = attempt(
            lambda: traffic(
                ctx, home, "AWS/CloudFront", "Requests", stale, win.start, win.traffic_end
            )
        )
    for t, arrival in zip(live, arrivals, strict=True):
        gate = None
        if isinstance(arrival, Arrival) and not win.fresh(arrival):
            dims = {"DistributionId": t.dist.id, "Region": "Global"}
            gate = served(batch, dims, "requests")
        yield verdict(
            ctx,
            DISTRIBUTION,
            t.dist.arn,
            label=t.dist.label,
            destination=t.where,
            arrival=arrival,
            win=win,
            traffic=gate,
            causes=CAUSES,
            evidence=t.evidence,
        )
