"""VPC reads and the flow-log facts both VPC checks judge by.

- DescribeVpcs and DescribeFlowLogs once per region, unfiltered (all pages): the flow
  logs are grouped by `ResourceId`, so the cost does not grow with the number of VPCs.
  `vpc.flow_logs_enabled` and `vpc.flow_logs_delivered` send the same requests, so the
  gateway's memo answers the second.
- `problems(fl)`: why a flow log does not satisfy `vpc.flow_logs_enabled`;
  `destination(fl)` and `summary(fl)`: how messages and evidence name a flow log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from awsobs.context import Context

VPC = "AWS::EC2::VPC"
DESCRIBE_VPCS = "ec2:DescribeVpcs"
DESCRIBE_FLOW_LOGS = "ec2:DescribeFlowLogs"
GOOD_TRAFFIC = frozenset({"ALL", "REJECT"})


def vpcs(ctx: Context) -> tuple[Mapping[str, Any], ...]:
    """This region's VPCs (raises `AwsError`)."""
    return tuple(ctx.call("ec2", "DescribeVpcs").get("Vpcs", ()))


def flow_logs(ctx: Context) -> tuple[Mapping[str, Any], ...]:
    """This region's flow logs, of every resource type (raises `AwsError`)."""
    return tuple(ctx.call("ec2", "DescribeFlowLogs").get("FlowLogs", ()))


def vpc_arn(ctx: Context, vpc: Mapping[str, Any]) -> str:
    owner = str(vpc.get("OwnerId") or ctx.account_id)
    return f"arn:{ctx.partition}:ec2:{ctx.region}:{owner}:vpc/{vpc['VpcId']}"


def owned(ctx: Context, vpc: Mapping[str, Any]) -> bool:
    """Is the VPC this account's (not shared with it by another account)?"""
    return str(vpc.get("OwnerId") or ctx.account_id) == ctx.account_id


def destination(fl: Mapping[str, Any]) -> str:
    """Where a flow log delivers: S3 and Firehose logs have no LogGroupName."""
    kind = str(fl.get("LogDestinationType") or "cloud-watch-logs")
    where = fl.get("LogDestination") or fl.get("LogGroupName") or "?"
    return f"{kind} ({where})"


def delivery_failed(fl: Mapping[str, Any]) -> bool:
    """AWS reports that this flow log cannot deliver (`DeliverLogsStatus` FAILED)."""
    return str(fl.get("DeliverLogsStatus") or "").upper() == "FAILED"


def traffic_problem(fl: Mapping[str, Any]) -> str | None:
    """Why the flow log's `TrafficType` does not record rejected traffic (None: it does)."""
    fid = fl.get("FlowLogId", "?")
    traffic = str(fl.get("TrafficType") or "")
    if traffic in GOOD_TRAFFIC:
        return None
    if traffic == "ACCEPT":
        return f"flow log {fid} records only ACCEPT traffic, so rejected connections are not logged"
    return f"flow log {fid} records traffic type {traffic or 'absent'}"


def active(fl: Mapping[str, Any]) -> bool:
    return str(fl.get("FlowLogStatus") or "") == "ACTIVE"


def problems(fl: Mapping[str, Any]) -> list[str]:
    """Why this flow log does not satisfy `vpc.flow_logs_enabled` (empty: it does)."""
    fid = fl.get("FlowLogId", "?")
    found = []
    if not active(fl):
        status = str(fl.get("FlowLogStatus") or "")
        found.append(f"flow log {fid} is not active (FlowLogStatus {status or 'absent'})")
    if delivery_failed(fl):
        why = fl.get("DeliverLogsErrorMessage") or "no error message"
        found.append(f"flow log {fid} is failing to deliver to {destination(fl)}: {why}")
    traffic = traffic_problem(fl)
    if traffic is not None:
        found.append(traffic)
    return found


def summary(fl: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "flow_log_id": fl.get("FlowLogId"),
        "resource_id": fl.get("ResourceId"),
        "flow_log_status": fl.get("FlowLogStatus"),
        "deliver_logs_status": fl.get("DeliverLogsStatus"),
        "deliver_logs_error": fl.get("DeliverLogsErrorMessage"),
        "traffic_type": fl.get("TrafficType"),
        "destination_type": fl.get("LogDestinationType"),
        "destination": fl.get("LogDestination") or fl.get("LogGroupName"),
    }
