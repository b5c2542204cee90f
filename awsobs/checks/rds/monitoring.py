"""RDS and Aurora: does each DB instance send Enhanced Monitoring OS metrics?

Basic RDS metrics come from the hypervisor: CPU, but not the memory, swap, file system
and per-process figures that explain a slow or stuck database. Enhanced Monitoring runs an
agent on the instance and writes those to CloudWatch Logs (`RDSOSMetrics`), as the
CloudWatch Agent does for EC2. It needs a `MonitoringInterval` above 0 and a role that
RDS can assume: a role that was deleted, or whose trust policy does not name
`monitoring.rds.amazonaws.com`, delivers nothing.

Every DB instance is judged, Aurora members included: the setting is per instance
(a cluster's `MonitoringInterval` is a default its members report as their own).
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.checks.rds.readers import db_instances
from awsobs.checks.rds.verdicts import ROLE_FIX, monitoring_verdict
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


@check(
    id="rds.enhanced_monitoring",
    title="RDS and Aurora DB instances send Enhanced Monitoring OS metrics",
    severity=Severity.LOW,
    signal=Signal.METRICS,
    resource_types=("AWS::RDS::DBInstance",),
    permissions=["rds:DescribeDBInstances", "iam:GetRole"],
    remediation="aws rds modify-db-instance --db-instance-identifier <db> "
    f"--monitoring-interval 60 --monitoring-role-arn <role-arn> ({ROLE_FIX})",
)
def enhanced_monitoring(ctx: Context) -> Iterator[Finding]:
    """One finding per DB instance in the region, Aurora and Multi-AZ cluster members
    included (the setting is per instance). LOW, as Security Hub RDS.6: OS metrics help
    explain an incident; they do not reveal one that would otherwise go unseen. PASS when
    `MonitoringInterval` is above 0 and `MonitoringRoleArn` names a role of this account
    that exists and whose trust policy lets `monitoring.rds.amazonaws.com` assume it
    (sts:AssumeRole in an Allow statement, no Deny naming it; conditions and the role's
    permissions are not evaluated). FAIL when the interval is 0, when there is no role,
    when the role does not exist (iam:GetRole NoSuchEntity), or when its trust policy does
    not name the service. UNKNOWN when the role is in another account, or cannot be read
    (naming iam:GetRole), or when the instances cannot be listed (one finding for the
    region). NOT_APPLICABLE for RDS Custom, Neptune and DocumentDB instances, and for a
    region with no DB instance.
    """
    instances, gap = ctx.listing(
        "RDS DB instances",
        lambda: db_instances(ctx),
        none=f"no RDS DB instance in {ctx.region}",
    )
    if gap is not None:
        yield gap
        return
    for raw in sorted(instances, key=lambda r: str(r.get("DBInstanceIdentifier"))):
        yield monitoring_verdict(ctx, raw)
