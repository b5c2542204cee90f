"""Route 53 reads: the account's hosted zones and their DNS query logging configurations.

Route 53 is global: both listings are sent to the partition's global region (us-east-1 in
`aws`), once per scan, all pages (botocore paginates both).

- ListHostedZones: public and private zones (`Config.PrivateZone`).
- ListQueryLoggingConfigs (no HostedZoneId: the whole account): `HostedZoneId` ->
  `CloudWatchLogsLogGroupArn`. Query logging exists for public zones only; its log group
  must be in us-east-1 (CreateQueryLoggingConfig, Route 53 API reference).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.session import global_region
from awsobs.context import Context

HOSTED_ZONE = "AWS::Route53::HostedZone"

LIST_ZONES = "route53:ListHostedZones"
LIST_QUERY_LOGGING = "route53:ListQueryLoggingConfigs"


def zone_id(raw: str) -> str:
    """`/hostedzone/Z123` (ListHostedZones) and `Z123` (query logging) as `Z123`."""
    return raw.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class HostedZone:
    """One hosted zone."""

    id: str
    name: str
    private: bool
    partition: str

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:route53:::hostedzone/{self.id}"

    @property
    def label(self) -> str:
        kind = "private hosted zone" if self.private else "public hosted zone"
        return f"{kind} '{self.name}' ({self.id})"

    def evidence(self) -> dict[str, Any]:
        return {"hosted_zone_id": self.id, "name": self.name, "private": self.private}


def hosted_zones(ctx: Context) -> tuple[HostedZone, ...]:
    """The account's hosted zones, sorted by name (raises `AwsError`)."""
    answer = ctx.call("route53", "ListHostedZones", global_region(ctx.partition))
    found = [
        HostedZone(
            zone_id(str(z["Id"])),
            str(z.get("Name") or ""),
            (z.get("Config") or {}).get("PrivateZone") is True,
            ctx.partition,
        )
        for z in answer.get("HostedZones") or ()
    ]
    return tuple(sorted(found, key=lambda z: (z.name, z.id)))


def query_logging_configs(ctx: Context) -> Mapping[str, tuple[str, ...]]:
    """Hosted zone id -> the log group ARNs its query logging configs name (raises
    `AwsError`)."""
    answer = ctx.call("route53", "ListQueryLoggingConfigs", global_region(ctx.partition))
    found: dict[str, list[str]] = {}
    for c in answer.get("QueryLoggingConfigs") or ():
        found.setdefault(zone_id(str(c.get("HostedZoneId") or "")), []).append(
            str(c.get("CloudWatchLogsLogGroupArn") or "")
        )
    return {k: tuple(v) for k, v in found.items()}
