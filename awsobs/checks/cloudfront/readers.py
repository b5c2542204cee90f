"""CloudFront reads: the account's distributions and the three ways each can log requests.

CloudFront is global: its API and its CloudWatch Logs deliveries are read in the
partition's global region (us-east-1 in `aws`), once per scan, whatever regions are scanned.

- ListDistributions (all pages): the distributions. Its `DistributionSummary` carries no
  `Logging` element (API reference, DistributionSummary), so the legacy setting needs
- GetDistributionConfig per distribution: `Logging.Enabled` / `Bucket` / `Prefix`
  (standard logging, legacy) and `RealtimeLogConfigArn` of `DefaultCacheBehavior` and of
  each `CacheBehaviors` item (real-time logs).
- DescribeDeliverySources (all pages, one listing): standard logging v2 is CloudWatch Logs
  vended delivery; a delivery source of `logType` ACCESS_LOGS whose `resourceArns` hold
  the distribution's ARN represents it.
- DescribeDeliveries (all pages, one listing): a source sends nothing until a delivery
  pairs it with a destination (`deliverySourceName` -> `deliveryDestinationArn`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.session import global_region
from awsobs.context import Context

DISTRIBUTION = "AWS::CloudFront::Distribution"

LIST_DISTRIBUTIONS = "cloudfront:ListDistributions"
GET_CONFIG = "cloudfront:GetDistributionConfig"
DESCRIBE_SOURCES = "logs:DescribeDeliverySources"
DESCRIBE_DELIVERIES = "logs:DescribeDeliveries"

ACCESS_LOGS = "ACCESS_LOGS"
DEFAULT_BEHAVIOR = "default (*)"


@dataclass(frozen=True)
class Distribution:
    """One distribution, as ListDistributions summarises it."""

    id: str
    arn: str
    domain: str
    aliases: tuple[str, ...]
    enabled: bool
    comment: str = ""

    @property
    def label(self) -> str:
        """`distribution E123 (www.example.com)`, else its comment, else its id alone."""
        if self.aliases:
            return f"distribution {self.id} ({', '.join(self.aliases)})"
        return (
            f"distribution {self.id} ('{self.comment}')"
            if self.comment
            else f"distribution {self.id}"
        )

    def evidence(self) -> dict[str, Any]:
        return {
            "distribution_id": self.id,
            "domain_name": self.domain,
            "aliases": list(self.aliases),
            "enabled": self.enabled,
            "comment": self.comment,
        }


def _items(block: Any) -> tuple[Any, ...]:
    """The `Items` of a CloudFront `{Quantity, Items}` list (absent when Quantity is 0)."""
    if not isinstance(block, Mapping):
        return ()
    return tuple(block.get("Items") or ())


def distributions(ctx: Context) -> tuple[Distribution, ...]:
    """The account's distributions, sorted by id (raises `AwsError`)."""
    answer = ctx.call("cloudfront", "ListDistributions", global_region(ctx.partition))
    found = [
        Distribution(
            str(d["Id"]),
            str(d["ARN"]),
            str(d.get("DomainName") or ""),
            tuple(str(a) for a in _items(d.get("Aliases"))),
            d.get("Enabled") is not False,
            str(d.get("Comment") or ""),
        )
        for d in _items(answer.get("DistributionList"))
    ]
    return tuple(sorted(found, key=lambda d: d.id))


@dataclass(frozen=True)
class DistributionLogging:
    """What a distribution's config says about legacy and real-time logs."""

    legacy_enabled: bool
    legacy_bucket: str
    legacy_prefix: str
    realtime: tuple[tuple[str, str], ...]  # (cache behavior, RealtimeLogConfigArn or "")

    @property
    def legacy(self) -> bool:
        """Legacy standard logs are written: enabled and a bucket named."""
        return self.legacy_enabled and bool(self.legacy_bucket)

    @property
    def realtime_configs(self) -> tuple[str, ...]:
        return tuple(sorted({arn for _, arn in self.realtime if arn}))

    @property
    def realtime_gaps(self) -> tuple[str, ...]:
        """The cache behaviors no real-time log config is attached to."""
        return tuple(b for b, arn in self.realtime if not arn)

    def evidence(self) -> dict[str, Any]:
        return {
            "legacy_logging": {
                "enabled": self.legacy_enabled,
                "bucket": self.legacy_bucket or None,
                "prefix": self.legacy_prefix,
            },
            "realtime_log_configs": {b: arn or None for b, arn in self.realtime},
        }


def distribution_logging(ctx: Context, dist: Distribution) -> DistributionLogging:
    """Legacy logging and real-time log configs of `dist` (raises `AwsError`)."""
    answer = ctx.call(
        "cloudfront", "GetDistributionConfig", global_region(ctx.partition), Id=dist.id
    )
    config: Mapping[str, Any] = answer.get("DistributionConfig") or {}
    logging: Mapping[str, Any] = config.get("Logging") or {}
    behaviors = [(DEFAULT_BEHAVIOR, config.get("DefaultCacheBehavior") or {})]
    behaviors += [
        (str(b.get("PathPattern") or "?"), b) for b in _items(config.get("CacheBehaviors"))
    ]
    return DistributionLogging(
        logging.get("Enabled") is True,
        str(logging.get("Bucket") or "").strip(),
        str(logging.get("Prefix") or ""),
        tuple((name, str(b.get("RealtimeLogConfigArn") or "").strip()) for name, b in behaviors),
    )


@dataclass(frozen=True)
class DeliverySource:
    """A CloudWatch Logs delivery source of CloudFront access logs."""

    name: str
    resource_arns: tuple[str, ...]


def access_log_sources(ctx: Context) -> tuple[DeliverySource, ...]:
    """The account's ACCESS_LOGS delivery sources (raises `AwsError`); matched to a
    distribution by ARN, so another service's ACCESS_LOGS source never counts."""
    answer = ctx.call("logs", "DescribeDeliverySources", global_region(ctx.partition))
    return tuple(
        DeliverySource(str(s.get("name") or ""), tuple(str(a) for a in s.get("resourceArns") or ()))
        for s in answer.get("deliverySources") or ()
        if s.get("logType") == ACCESS_LOGS
    )


@dataclass(frozen=True)
class Delivery:
    """A delivery: a source paired with a destination."""

    id: str
    source: str
    destination_arn: str
    destination_type: str

    def evidence(self) -> dict[str, Any]:
        return {
            "delivery_id": self.id,
            "delivery_source": self.source,
            "destination_arn": self.destination_arn,
            "destination_type": self.destination_type or None,
        }


def deliveries(ctx: Context) -> tuple[Delivery, ...]:
    """The account's deliveries in the global region (raises `AwsError`)."""
    answer = ctx.call("logs", "DescribeDeliveries", global_region(ctx.partition))
    return tuple(
        Delivery(
            str(d.get("id") or ""),
            str(d.get("deliverySourceName") or ""),
            str(d.get("deliveryDestinationArn") or ""),
            str(d.get("deliveryDestinationType") or ""),
        )
        for d in answer.get("deliveries") or ()
    )


_BUCKET_DOMAIN = re.compile(r"\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com(?:\.cn)?$")


def legacy_bucket_name(bucket: str) -> str:
    """The bucket's name from `Logging.Bucket`, which CloudFront takes in the domain form
    (`name.s3.amazonaws.com`; a regional form is accepted too); a bare name stays."""
    return _BUCKET_DOMAIN.sub("", bucket.strip().lower().rstrip("."))
