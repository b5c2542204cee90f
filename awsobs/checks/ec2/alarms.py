"""EC2: a StatusCheckFailed alarm per running instance that fires and reaches someone.

Semantics: controls.md §9; the verdict is CloudWatch's (cloudwatch/coverage.py).
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks.cloudwatch.coverage import (
    ALARM_READS,
    Want,
    alarm_fix,
    coverage_finding,
    index_or_error,
)
from awsobs.checks.cloudwatch.readers import Need
from awsobs.checks.ec2.readers import INSTANCE, running_instances
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


@check(
    id="ec2.status_alarms",
    title="Running instances have a StatusCheckFailed alarm that reaches someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::EC2::Instance",),
    permissions=["ec2:DescribeInstances", *ALARM_READS],
    remediation=alarm_fix("AWS/EC2", "StatusCheckFailed", "Name=InstanceId,Value=<id>"),
)
def status_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per running instance. PASS when `AWS/EC2` `StatusCheckFailed` (or both
    `StatusCheckFailed_System` and `StatusCheckFailed_Instance`) has an alarm that
    reaches someone, on the instance's `InstanceId` or on its Auto Scaling group's
    `AutoScalingGroupName`. EC2 recover/reboot actions count as valid actions.
    """
    running, other = running_instances(ctx)
    yield from other
    if not running:
        return
    index = index_or_error(ctx)
    instance_ids = {i.id for i in running}
    for i in running:
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, INSTANCE, i.arn, "could not read alarms")
            continue
        dims: list[dict[str, str | frozenset[str]]] = [{"InstanceId": i.id}]
        group = i.tags.get("aws:autoscaling:groupName")
        if group:
            dims.append({"AutoScalingGroupName": group})
        wants = [
            Want(
                "system status checks",
                (Need("AWS/EC2", ("StatusCheckFailed", "StatusCheckFailed_System"), tuple(dims)),),
            ),
            Want(
                "instance status checks",
                (
                    Need(
                        "AWS/EC2", ("StatusCheckFailed", "StatusCheckFailed_Instance"), tuple(dims)
                    ),
                ),
            ),
        ]
        yield coverage_finding(
            ctx,
            index,
            INSTANCE,
            i.arn,
            i.label,
            wants,
            evidence={**i.evidence(), "auto_scaling_group": group},
            claimed=lambda m: m.dim("InstanceId") in instance_ids,
        )
