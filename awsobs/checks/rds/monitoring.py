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

from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.checks.rds.readers import (
    INSTANCE,
    MONITORING_PRINCIPAL,
    db_instances,
    monitoring_role,
    out_of_scope,
    unjudged_engine,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

_ROLE_FIX = (
    "a role trusting monitoring.rds.amazonaws.com with the managed policy "
    "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
)


def _fix(ctx: Context, name: str) -> str:
    return (
        f"aws rds modify-db-instance --region {ctx.region} --db-instance-identifier {name} "
        f"--monitoring-interval 60 --monitoring-role-arn <role-arn> ({_ROLE_FIX})"
    )


def _judge(ctx: Context, raw: Mapping[str, Any]) -> Finding:
    name = str(raw.get("DBInstanceIdentifier"))
    arn = str(
        raw.get("DBInstanceArn")
        or f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account_id}:db:{name}"
    )
    engine = str(raw.get("Engine") or "")
    interval = int(raw.get("MonitoringInterval") or 0)
    role_arn = str(raw.get("MonitoringRoleArn") or "") or None
    cluster = raw.get("DBClusterIdentifier")
    ev: dict[str, Any] = {
        "engine": engine,
        "db_cluster_identifier": cluster,
        "monitoring_interval": interval,
        "monitoring_role_arn": role_arn,
    }
    label = f"DB instance '{name}' ({engine})"
    if out_of_scope(engine):
        return ctx.not_applicable(INSTANCE, arn, f"{label}: {unjudged_engine(engine)}", evidence=ev)
    fix = _fix(ctx, name)
    if interval <= 0:
        return ctx.failed(
            INSTANCE,
            arn,
            f"{label} has Enhanced Monitoring off (MonitoringInterval 0): no memory, swap "
            "or process metrics",
            evidence=ev,
            remediation=fix,
        )
    if role_arn is None:
        return ctx.failed(
            INSTANCE,
            arn,
            f"{label} has a MonitoringInterval of {interval} s but no monitoring role: "
            "nothing is delivered",
            evidence=ev,
            remediation=fix,
        )
    role = monitoring_role(ctx, role_arn)
    ev["monitoring_role_ok"] = role.holds
    if role.holds is True:
        return ctx.passed(
            INSTANCE,
            arn,
            f"{label} sends Enhanced Monitoring OS metrics every {interval} s; "
            f"{role.message} (its permissions are not read)",
            evidence=ev,
        )
    if role.holds is False:
        return ctx.failed(
            INSTANCE,
            arn,
            f"{label} has a MonitoringInterval of {interval} s, but {role.message}: "
            "no OS metrics are delivered",
            evidence=ev,
            remediation=(
                f"aws rds modify-db-instance --region {ctx.region} --db-instance-identifier "
                f"{name} --monitoring-role-arn <role-arn> ({_ROLE_FIX}), or let "
                f"{MONITORING_PRINCIPAL} assume {role_arn}"
            ),
        )
    if role.error is not None:
        what = f"{label} has a MonitoringInterval of {interval} s; {role.message}"
        return ctx.unknown_from(role.error, INSTANCE, arn, what, evidence=ev)
    return ctx.unknown(INSTANCE, arn, f"{label}: {role.message}", evidence=ev)


@check(
    id="rds.enhanced_monitoring",
    title="RDS and Aurora DB instances send Enhanced Monitoring OS metrics",
    severity=Severity.LOW,
    signal=Signal.METRICS,
    resource_types=("AWS::RDS::DBInstance",),
    permissions=["rds:DescribeDBInstances", "iam:GetRole"],
    remediation="aws rds modify-db-instance --db-instance-identifier <db> "
    f"--monitoring-interval 60 --monitoring-role-arn <role-arn> ({_ROLE_FIX})",
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
        yield _judge(ctx, raw)
