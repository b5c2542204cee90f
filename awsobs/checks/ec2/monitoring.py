"""EC2: does each running instance have 1-minute metrics (detailed monitoring)?"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.checks.ec2.readers import (
    DESCRIBE,
    INSTANCE,
    running_instances,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


@check(
    id="ec2.detailed_monitoring",
    title="Running instances have 1-minute EC2 metrics (detailed monitoring)",
    severity=Severity.LOW,
    signal=Signal.METRICS,
    resource_types=("AWS::EC2::Instance",),
    permissions=[DESCRIBE],
    remediation="aws ec2 monitor-instances --instance-ids <instance-id>",
)
def detailed_monitoring(ctx: Context) -> Iterator[Finding]:
    """One finding per running instance. PASS when `Monitoring.State` is `enabled` (or
    `pending`, on its way there): EC2's own metrics every minute instead of every five.
    This is not the CloudWatch Agent and adds no memory or disk metric. A paid feature,
    hence severity low.
    """
    running, other = running_instances(ctx)
    yield from other
    for i in running:
        evidence = {**i.evidence(), "monitoring": i.monitoring}
        if i.monitoring in ("enabled", "pending"):
            yield ctx.passed(
                INSTANCE, i.arn, f"{i.label} has 1-minute EC2 metrics", evidence=evidence
            )
        else:
            yield ctx.failed(
                INSTANCE,
                i.arn,
                f"{i.label} has 5-minute EC2 metrics only (detailed monitoring off; this is "
                "not the CloudWatch Agent and adds no memory or disk metric)",
                evidence=evidence,
                remediation=f"aws ec2 monitor-instances --instance-ids {i.id}",
            )
