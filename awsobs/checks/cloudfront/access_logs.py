"""CloudFront access logs: does each distribution leave a record of the requests it serves?

A distribution is the front door of an application: without its logs, who requested what
from which address (and what CloudFront answered) is not recorded anywhere, since the
origin sees only CloudFront. CloudFront offers three ways to log requests, and any one
of them counts: standard logging (legacy) to S3, set in the distribution's `Logging`;
standard logging (v2), which is CloudWatch Logs vended delivery (a delivery source for the
distribution plus a delivery to a destination: CloudWatch Logs, S3 or Firehose) and is not
visible in the distribution's config at all; and real-time logs (a real-time log config
attached to cache behaviors). Scanners that read only `Logging.Enabled` FAIL every
distribution that moved to v2: this check reads all three.

Reads (global, in us-east-1 for the `aws` partition): ListDistributions; one
GetDistributionConfig per distribution; one DescribeDeliverySources listing, and one
DescribeDeliveries listing only when some distribution has a delivery source.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.aws.session import global_region
from awsobs.checks._shared import global_listing
from awsobs.checks.cloudfront.readers import (
    DESCRIBE_DELIVERIES,
    DESCRIBE_SOURCES,
    DISTRIBUTION,
    GET_CONFIG,
    LIST_DISTRIBUTIONS,
    Delivery,
    DeliverySource,
    Distribution,
    access_log_sources,
    deliveries,
    distribution_logging,
    distributions,
)
from awsobs.context import Context, error_evidence
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

_V2_FIX = (
    "aws logs put-delivery-source --region {region} --name {name} --resource-arn {arn} "
    "--log-type ACCESS_LOGS && aws logs put-delivery-destination --region {region} --name "
    "<destination> --delivery-destination-configuration destinationResourceArn=<log group, "
    "bucket or stream ARN> && aws logs create-delivery --region {region} "
    "--delivery-source-name {name} --delivery-destination-arn <destination ARN>"
)


@dataclass(frozen=True)
class _Vended:
    """Standard logging v2 as the account's two listings show it (read once per scan)."""

    sources: tuple[DeliverySource, ...] = ()
    sources_error: AwsError | None = None
    deliveries: tuple[Delivery, ...] = ()
    deliveries_error: AwsError | None = None


def _vended(ctx: Context, dists: tuple[Distribution, ...]) -> _Vended:
    """Both listings, the second only when some distribution has a delivery source."""
    try:
        sources = access_log_sources(ctx)
    except AwsError as err:
        return _Vended(sources_error=err)
    arns = {d.arn for d in dists}
    if not any(a in arns for s in sources for a in s.resource_arns):
        return _Vended(sources)
    try:
        return _Vended(sources, deliveries=deliveries(ctx))
    except AwsError as err:
        return _Vended(sources, deliveries_error=err)


def _v2_fix(ctx: Context, dist: Distribution) -> str:
    region = global_region(ctx.partition)
    return _V2_FIX.format(region=region, name=f"cloudfront-{dist.id}", arn=dist.arn)


def _judge(ctx: Context, dist: Distribution, vended: _Vended) -> Finding:
    evidence: dict[str, Any] = dist.evidence()
    ways: list[str] = []  # how the distribution's requests are logged
    gaps: list[str] = []  # why each way does not log them
    unread: list[tuple[str, AwsError]] = []
    try:
        cfg = distribution_logging(ctx, dist)
    except AwsError as err:
        unread.append(("could not read its config (legacy and real-time logging)", err))
    else:
        evidence.update(cfg.evidence())
        if cfg.legacy:
            where = f"{cfg.legacy_bucket}/{cfg.legacy_prefix}".rstrip("/")
            ways.append(f"standard logs (legacy) to {where}")
        elif cfg.legacy_enabled:
            gaps.append("standard logging (legacy) is enabled but names no bucket")
        else:
            gaps.append("standard logging (legacy) is off")
        if cfg.realtime_configs and not cfg.realtime_gaps:
            ways.append(f"real-time logs ({', '.join(cfg.realtime_configs)})")
        elif cfg.realtime_configs:
            uncovered = ", ".join(cfg.realtime_gaps)
            gaps.append(
                "real-time logs cover only some cache behaviors (none on: "
                f"{uncovered}), so requests those serve are not logged"
            )
        else:
            gaps.append("no real-time log config is attached")
    if vended.sources_error is not None:
        what = "could not list CloudWatch Logs delivery sources (standard logging v2)"
        unread.append((what, vended.sources_error))
    else:
        mine = sorted(s.name for s in vended.sources if dist.arn in s.resource_arns)
        evidence["delivery_sources"] = mine
        if not mine:
            gaps.append("standard logging (v2) has no delivery source for it")
        elif vended.deliveries_error is not None:
            what = f"could not list the CloudWatch Logs deliveries of delivery source '{mine[0]}'"
            unread.append((what, vended.deliveries_error))
        else:
            found = [d for d in vended.deliveries if d.source in mine and d.destination_arn]
            evidence["deliveries"] = [d.evidence() for d in found]
            if found:
                to = ", ".join(sorted({d.destination_arn for d in found}))
                ways.append(f"standard logs (v2) to {to}")
            else:
                gaps.append(
                    f"standard logging (v2) delivery source '{mine[0]}' has no delivery to a "
                    "destination, so it sends nothing"
                )
    if ways:
        text = f"{dist.label} logs its requests: {'; '.join(ways)}"
        return ctx.passed(DISTRIBUTION, dist.arn, text, evidence=evidence)
    if unread:
        what, first = unread[0]
        evidence["errors"] = [error_evidence(e) for _, e in unread]
        known = f" (read: {'; '.join(gaps)})" if gaps else ""
        text = f"whether {dist.label} logs its requests is unknown{known}: {what}"
        return ctx.unknown_from(first, DISTRIBUTION, dist.arn, text, evidence=evidence)
    return ctx.failed(
        DISTRIBUTION,
        dist.arn,
        f"{dist.label} logs no request: {'; '.join(gaps)}",
        evidence=evidence,
        remediation=_v2_fix(ctx, dist),
    )


@check(
    id="cloudfront.access_logs",
    title="Each CloudFront distribution logs its requests (standard logs v2 or legacy, or "
    "real-time logs)",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::CloudFront::Distribution",),
    scope=Scope.ACCOUNT,
    permissions=[LIST_DISTRIBUTIONS, GET_CONFIG, DESCRIBE_SOURCES, DESCRIBE_DELIVERIES],
    remediation=_V2_FIX.format(region="us-east-1", name="<name>", arn="<distribution ARN>"),
)
def access_logs(ctx: Context) -> Iterator[Finding]:
    """One finding per distribution (global, read in the partition's global region,
    us-east-1), resource id its ARN. Security Hub CloudFront.5 / Config
    `cloudfront-accesslogs-enabled`, which look at the legacy setting only; MEDIUM: the gap
    is in investigation (who requested what), not an exposure by itself.

    PASS when any one of these logs the distribution's requests: standard logging (legacy),
    `Logging.Enabled` true with a `Bucket` (GetDistributionConfig; ListDistributions'
    summary has no `Logging`); standard logging (v2), a CloudWatch Logs delivery source of
    log type `ACCESS_LOGS` whose `resourceArns` include the distribution's ARN, with a
    delivery from that source to a destination (DescribeDeliverySources and
    DescribeDeliveries in us-east-1, where CloudFront's deliveries are configured); or
    real-time logs, a `RealtimeLogConfigArn` on the default cache behavior and on every
    other cache behavior. The message names each way found.

    FAIL when none does: legacy logging off (or enabled with no bucket), no delivery source
    for the distribution or a source with no delivery, and no real-time log config, or one
    attached to only some cache behaviors (requests the others serve are not logged; the
    message names them). The fix is the `aws logs` commands that set up v2 delivery.

    UNKNOWN when no way is known to log and a read that could have shown one failed: the
    distribution's config, the delivery sources listing or the deliveries listing (the
    message names the action, and what was read). When ListDistributions fails: one
    UNKNOWN for the account.

    NOT_APPLICABLE when the account has no distribution. When no scanned region is
    enabled for the account, one UNKNOWN for the account and nothing is read.

    Not read: whether the S3 bucket, destination or Kinesis stream still exists, and the
    real-time sampling rate (a real-time config may log only a percentage of requests).
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
    vended = _vended(ctx, dists)
    yield from ctx.map(lambda d: _judge(ctx, d, vended), dists)
