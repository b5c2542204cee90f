"""VPC Flow Logs: does every VPC of the account record its rejected traffic? (controls.md §11)

One DescribeVpcs and one DescribeFlowLogs (unfiltered) per region; the flow logs are
grouped by `ResourceId`, so the cost does not grow with the number of VPCs. Only a flow
log attached to the VPC itself counts: a subnet- or ENI-level flow log covers just that
subnet or interface, and which VPC it sits in is not known without further reads, so such
logs are listed in the evidence and never satisfy the control.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.vpc.readers import (
    DESCRIBE_FLOW_LOGS,
    DESCRIBE_VPCS,
    VPC,
    destination,
    flow_logs,
    problems,
    summary,
    vpcs,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

_MAX_LISTED = 20  # other-resource flow logs named in the evidence


def _judge(
    ctx: Context, vpc: Mapping[str, Any], logs: Sequence[Mapping[str, Any]], others: list[str]
) -> Finding:
    vpc_id = str(vpc["VpcId"])
    owner = str(vpc.get("OwnerId") or ctx.account_id)
    arn = f"arn:{ctx.partition}:ec2:{ctx.region}:{owner}:vpc/{vpc_id}"
    evidence: dict[str, Any] = {
        "vpc_id": vpc_id,
        "owner_id": owner,
        "is_default": bool(vpc.get("IsDefault")),
        "flow_logs": [summary(fl) for fl in logs],
        "subnet_or_eni_flow_logs_in_region": others,
    }
    label = f"{'default ' if vpc.get('IsDefault') else ''}VPC {vpc_id}"
    good = [fl for fl in logs if not problems(fl)]
    if good:
        fl = good[0]
        return ctx.passed(
            VPC,
            arn,
            f"{label} has an active flow log ({fl.get('FlowLogId')}) recording "
            f"{fl.get('TrafficType')} traffic to {destination(fl)}",
            evidence=evidence,
        )
    remediation = (
        f"aws ec2 create-flow-logs --resource-type VPC --resource-ids {vpc_id} "
        "--traffic-type ALL --log-destination-type s3 --log-destination <bucket-arn>"
    )
    if not logs:
        note = (
            f" (the {len(others)} subnet/ENI-level flow log(s) in {ctx.region} do not count "
            "for the VPC)"
            if others
            else ""
        )
        message = f"{label} has no flow log: its network traffic is not recorded{note}"
    else:
        message = f"{label} has no working flow log: " + "; ".join(
            p for fl in logs for p in problems(fl)
        )
    return ctx.failed(VPC, arn, message, evidence=evidence, remediation=remediation)


@check(
    id="vpc.flow_logs_enabled",
    title="Every VPC of the account has an active flow log recording rejected traffic",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::EC2::VPC",),
    permissions=[DESCRIBE_VPCS, DESCRIBE_FLOW_LOGS],
    remediation="aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc> "
    "--traffic-type ALL --log-destination-type s3 --log-destination <bucket-arn>",
)
def flow_logs_enabled(ctx: Context) -> Iterator[Finding]:
    """One finding per VPC in the region (CIS v1.4 3.9, v3.0/v5.0 3.7; Security Hub EC2.6). PASS
    when a flow log attached to the VPC itself has `FlowLogStatus` ACTIVE, a `DeliverLogsStatus`
    that is not FAILED (an absent status is accepted), and `TrafficType` ALL or REJECT (ALL is
    treated as a superset of REJECT). The destination may be CloudWatch Logs, S3 or Kinesis
    Data Firehose. FAIL says why: no flow log, only ACCEPT traffic, delivery failing (with
    AWS's error message), or not active. Subnet- and ENI-level flow logs do not count (they
    are listed in the evidence). A VPC shared with this account by another account
    (`OwnerId` differs) is NOT_APPLICABLE: check it in the owning account. A region with no
    VPC is NOT_APPLICABLE; a region whose VPCs or flow logs cannot be listed gives one
    UNKNOWN naming the denied action.
    """
    found, gap = ctx.listing(
        "VPCs",
        lambda: vpcs(ctx),
        none=f"no VPC in {ctx.region}",
    )
    if gap is not None:
        yield gap
        return
    owned = [v for v in found if str(v.get("OwnerId") or ctx.account_id) == ctx.account_id]
    by_resource: dict[str, list[Mapping[str, Any]]] = {}
    others: list[str] = []
    if owned:
        try:
            every = flow_logs(ctx)
        except AwsError as err:
            yield ctx.unknown_from(err, *ctx.region_resource(), "could not list flow logs")
            return
        vpc_ids = {str(v["VpcId"]) for v in found}
        for fl in every:
            rid = str(fl.get("ResourceId") or "")
            by_resource.setdefault(rid, []).append(fl)
            if rid not in vpc_ids:
                others.append(f"{fl.get('FlowLogId')} on {rid}")
        others = sorted(others)[:_MAX_LISTED]
    for vpc in sorted(found, key=lambda v: str(v["VpcId"])):
        vpc_id = str(vpc["VpcId"])
        owner = str(vpc.get("OwnerId") or ctx.account_id)
        if owner != ctx.account_id:
            yield ctx.not_applicable(
                VPC,
                f"arn:{ctx.partition}:ec2:{ctx.region}:{owner}:vpc/{vpc_id}",
                f"VPC {vpc_id} is shared with this account and owned by account {owner}: "
                "check its flow logs in the owning account",
                evidence={"vpc_id": vpc_id, "owner_id": owner},
            )
            continue
        yield _judge(ctx, vpc, by_resource.get(vpc_id, []), others)
