"""CloudWatch Logs reads shared by the retention checks of logs/ and lambda_/: the region's
log groups (one DescribeLogGroups, no parameters, paginated and memoized), and which of
them receive audit data (CloudTrail, VPC flow logs, API Gateway access logs).
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import LOG_GROUP_ARN
from awsobs.checks.apigw.readers import StageListing, rest_stages, v2_stages
from awsobs.checks.cloudtrail.readers import all_trails
from awsobs.context import Context

LOG_GROUP = "AWS::Logs::LogGroup"


DESCRIBE_LOG_GROUPS = "logs:DescribeLogGroups"


# Values PutRetentionPolicy accepts (days).
RETENTION_VALUES = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096,
                    1827, 2192, 2557, 2922, 3288, 3653)  # fmt: skip


def retention_at_least(days: int) -> int:
    """The smallest retention PutRetentionPolicy accepts that is >= days."""
    return next((v for v in RETENTION_VALUES if v >= days), RETENTION_VALUES[-1])


@dataclass(frozen=True)
class LogGroup:
    """One log group as DescribeLogGroups describes it."""

    name: str
    arn: str
    retention_days: int | None  # None: never expire
    stored_bytes: int

    def evidence(self) -> dict[str, Any]:
        return {
            "log_group": self.name,
            "retention_days": self.retention_days,
            "storedBytes": self.stored_bytes,
        }


def log_groups(ctx: Context) -> dict[str, LogGroup]:
    """The region's log groups by name (raises `AwsError`)."""
    found: dict[str, LogGroup] = {}
    for raw in ctx.call("logs", "DescribeLogGroups").get("logGroups", ()):
        name = str(raw["logGroupName"])
        arn = str(raw.get("logGroupArn") or str(raw.get("arn") or "").removesuffix(":*"))
        retention = raw.get("retentionInDays")
        found[name] = LogGroup(
            name=name,
            arn=arn or f"arn:{ctx.partition}:logs:{ctx.region}:{ctx.account_id}:log-group:{name}",
            retention_days=int(retention) if retention else None,
            stored_bytes=int(raw.get("storedBytes") or 0),
        )
    return found


def retention_fix(name: str, days: int | str = "<days>") -> str:
    return (
        f"aws logs put-retention-policy --log-group-name {shlex.quote(name)} "
        f"--retention-in-days {days}"
    )


@dataclass(frozen=True)
class AuditSources:
    """Log groups of this region that receive audit data, and the sources not readable."""

    feeds: Mapping[str, tuple[str, ...]]  # log group name -> what writes to it
    errors: tuple[tuple[str, str, str, AwsError], ...]  # (what, resource type, id, error)


def _local_group(ctx: Context, arn: str | None) -> str | None:
    """The group name of a log group ARN that lives in this account and region."""
    m = LOG_GROUP_ARN.match(arn or "")
    if not m or m.group(1) != ctx.region or m.group(2) != ctx.account_id:
        return None
    return m.group(3)


def audit_sources(ctx: Context) -> AuditSources:
    """CloudTrail, VPC Flow Logs and API Gateway access-log destinations in this region."""
    feeds: dict[str, list[str]] = {}
    errors: list[tuple[str, str, str, AwsError]] = []
    region_type, region_id = ctx.region_resource()

    def add(group: str | None, label: str) -> None:
        if group:
            feeds.setdefault(group, []).append(label)

    listing = all_trails(ctx)
    if listing.errors:  # a trail of any region may write to a group here: open, not "none"
        where, trail_error = sorted(listing.errors.items())[0]
        errors.append((f"CloudTrail trails in {where}", region_type, region_id, trail_error))
    for trail in listing.trails:  # a trail of any region may deliver here: judged here
        add(_local_group(ctx, trail.log_group_arn), f"CloudTrail {trail.label}")

    try:
        flow_logs = ctx.call("ec2", "DescribeFlowLogs").get("FlowLogs", ())
    except AwsError as err:
        errors.append(("VPC flow logs", region_type, region_id, err))
        flow_logs = ()
    for fl in flow_logs:
        if fl.get("LogDestinationType", "cloud-watch-logs") != "cloud-watch-logs":
            continue
        group = fl.get("LogGroupName") or _local_group(ctx, fl.get("LogDestination"))
        add(group, f"flow log {fl.get('FlowLogId')} of {fl.get('ResourceId')}")

    for noun, lister in (("REST APIs", rest_stages), ("HTTP and WebSocket APIs", v2_stages)):
        try:
            stages: StageListing = lister(ctx, str(ctx.region))
        except AwsError as err:
            errors.append((noun, region_type, region_id, err))
            continue
        for failed in stages.failed:
            api_type = (
                "AWS::ApiGateway::RestApi" if failed.kind == "REST" else "AWS::ApiGatewayV2::Api"
            )
            errors.append(
                (f"the stages of API '{failed.name}'", api_type, failed.arn, failed.error)
            )
        for stage in stages.stages:
            add(_local_group(ctx, stage.access_log["destination"]), f"access logs of {stage.label}")
    return AuditSources({k: tuple(v) for k, v in feeds.items()}, tuple(errors))
