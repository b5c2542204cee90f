"""EC2: is each running instance managed by Systems Manager, and is its SSM Agent online?

SSM is how the CloudWatch Agent is usually installed, configured and checked (controls.md
§5). One finding per instance; stopped instances are NOT_APPLICABLE.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import age
from awsobs.checks.ec2.readers import (
    DESCRIBE,
    INSTANCE,
    SSM_FIX,
    SSM_INFO,
    Instance,
    running_instances,
    ssm_nodes,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


def _with_ssm_nodes(
    ctx: Context,
) -> tuple[list[Instance], list[Finding], Mapping[str, Mapping[str, Any]]]:
    """Running instances and the region's SSM nodes; the other findings cover the rest
    (NOT_APPLICABLE instances, and UNKNOWN for each running one when SSM is unreadable)."""
    running, other = running_instances(ctx)
    if not running:
        return [], other, {}
    try:
        return running, other, ssm_nodes(ctx, ctx.region)
    except AwsError as err:
        unknown = [
            ctx.unknown_from(err, INSTANCE, i.arn, "could not list SSM managed nodes")
            for i in running
        ]
        return [], other + unknown, {}


@check(
    id="ec2.ssm_managed",
    title="Each running instance is managed by Systems Manager",
    severity=Severity.MEDIUM,
    signal=Signal.METRICS,
    resource_types=("AWS::EC2::Instance",),
    permissions=[DESCRIBE, SSM_INFO],
    remediation=SSM_FIX,
)
def ssm_managed(ctx: Context) -> Iterator[Finding]:
    """One finding per running instance (Security Hub SSM.1). PASS when the instance is
    registered with Systems Manager (`DescribeInstanceInformation`, once per region).
    SSM is how the agent is usually installed, configured and checked; presence is not
    health (see `ec2.ssm_online`).
    """
    running, other, nodes = _with_ssm_nodes(ctx)
    yield from other
    for i in running:
        node = nodes.get(i.id)
        evidence = {**i.evidence(), "ssm": dict(node) if node else None}
        if node:
            yield ctx.passed(
                INSTANCE,
                i.arn,
                f"{i.label} is managed by Systems Manager (agent {node.get('AgentVersion', '?')})",
                evidence=evidence,
            )
        else:
            yield ctx.failed(
                INSTANCE,
                i.arn,
                f"{i.label} is not managed by Systems Manager: "
                "the agent cannot be installed or checked through SSM",
                evidence=evidence,
            )


@check(
    id="ec2.ssm_online",
    title="Each running managed instance's SSM Agent is online",
    severity=Severity.MEDIUM,
    signal=Signal.METRICS,
    resource_types=("AWS::EC2::Instance",),
    permissions=[DESCRIBE, SSM_INFO],
    remediation="Restart the SSM Agent on the instance and check its network path to the "
    "ssm, ssmmessages and ec2messages endpoints",
)
def ssm_online(ctx: Context) -> Iterator[Finding]:
    """One finding per running instance. PASS when its SSM `PingStatus` is `Online`;
    FAIL for `ConnectionLost` or `Inactive` (with the last ping time). NOT_APPLICABLE for
    instances not managed by SSM at all, which `ec2.ssm_managed` reports.
    """
    running, other, nodes = _with_ssm_nodes(ctx)
    yield from other
    for i in running:
        node = nodes.get(i.id)
        if not node:
            yield ctx.not_applicable(
                INSTANCE,
                i.arn,
                f"{i.label} is not managed by Systems Manager (see ec2.ssm_managed)",
                evidence=i.evidence(),
            )
            continue
        status = str(node.get("PingStatus"))
        evidence = {
            **i.evidence(),
            "ping_status": status,
            "last_ping": node.get("LastPingDateTime"),
        }
        if status == "Online":
            yield ctx.passed(INSTANCE, i.arn, f"{i.label}: SSM Agent online", evidence=evidence)
        else:
            yield ctx.failed(
                INSTANCE,
                i.arn,
                f"{i.label}: SSM Agent is {status} (last ping "
                f"{age(ctx.now, node.get('LastPingDateTime'))})",
                evidence=evidence,
            )
