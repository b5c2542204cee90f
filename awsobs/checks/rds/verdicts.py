"""RDS and Aurora: the verdicts of the configuration checks, shared with their companions.

`rds.log_exports` (logs.py) and `rds.enhanced_monitoring` (monitoring.py) judge each
resource here, so that their delivery checks (delivery.py, monitoring_delivery.py) can
ask "would the configuration check pass?" without importing a check module (see
tests/unit/checks/test_layout.py). The rules are documented on the checks.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.rds.readers import (
    AUDIT_OPTION,
    CLUSTER,
    INSTANCE,
    MONITORING_PRINCIPAL,
    AuditSettings,
    EngineLogs,
    audit_settings,
    cluster_logs,
    instance_logs,
    monitoring_role,
    only_default_option_groups,
    option_groups,
    out_of_scope,
    unjudged_engine,
)
from awsobs.context import Context
from awsobs.model import Finding

_EVENTS = "CONNECT,QUERY_DCL,QUERY_DDL"


def _exports(types: list[str]) -> str:
    return json.dumps({"EnableLogTypes": types}, separators=(",", ":"))


def _instance_fix(ctx: Context, name: str, types: list[str]) -> str:
    return (
        f"aws rds modify-db-instance --region {ctx.region} --db-instance-identifier {name} "
        f"--cloudwatch-logs-export-configuration '{_exports(types)}'"
    )


def _cluster_fix(ctx: Context, name: str, types: list[str]) -> str:
    return (
        f"aws rds modify-db-cluster --region {ctx.region} --db-cluster-identifier {name} "
        f"--cloudwatch-logs-export-configuration '{_exports(types)}'"
    )


def _audit_fix(ctx: Context, name: str, group: str) -> str:
    params = (
        "ParameterName=server_audit_logging,ParameterValue=1,ApplyMethod=immediate "
        f"'ParameterName=server_audit_events,ParameterValue=\"{_EVENTS}\",ApplyMethod=immediate'"
    )
    if group.startswith("default."):
        return (
            f"a default parameter group cannot be changed: aws rds "
            f"create-db-cluster-parameter-group --region {ctx.region} "
            f"--db-cluster-parameter-group-name {name}-audit --db-parameter-group-family "
            "<family> --description 'Advanced Auditing', then aws rds "
            f"modify-db-cluster-parameter-group --db-cluster-parameter-group-name "
            f"{name}-audit --parameters {params}, then aws rds modify-db-cluster "
            f"--db-cluster-identifier {name} --db-cluster-parameter-group-name {name}-audit "
            "(a first association takes effect after a reboot)"
        )
    return (
        f"aws rds modify-db-cluster-parameter-group --region {ctx.region} "
        f"--db-cluster-parameter-group-name {group} --parameters {params}"
    )


def _evidence(
    raw: Mapping[str, Any], spec: EngineLogs | None, exported: list[str]
) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "engine": raw.get("Engine"),
        "engine_version": raw.get("EngineVersion"),
        "enabled_cloudwatch_logs_exports": exported,
    }
    if spec is not None:
        ev |= {
            "needed_log_types": list(spec.needed),
            "other_log_types": [t for t in spec.offered if t not in spec.needed],
            "note": spec.note or None,
        }
    return ev


def _missing(
    ctx: Context,
    rtype: str,
    arn: str,
    label: str,
    raw: Mapping[str, Any],
    spec: EngineLogs,
    fix: str,
) -> Finding | None:
    """FAIL when a needed type is not exported; None when every needed type is."""
    exported = [str(t) for t in raw.get("EnabledCloudwatchLogsExports") or ()]
    missing = [t for t in spec.needed if t not in exported]
    if not missing:
        return None
    ev = _evidence(raw, spec, exported)
    have = f"exports only {', '.join(exported)}" if exported else "exports no log"
    note = f" ({spec.note})" if spec.note and "audit" in missing else ""
    text = (
        f"{label} {have}: its {' and '.join(missing)} log"
        f"{'s are' if len(missing) > 1 else ' is'} not in CloudWatch Logs{note}"
    )
    return ctx.failed(rtype, arn, text, evidence=ev, remediation=fix)


def _passed(
    ctx: Context, rtype: str, arn: str, label: str, raw: Mapping[str, Any], spec: EngineLogs
) -> Finding:
    exported = [str(t) for t in raw.get("EnabledCloudwatchLogsExports") or ()]
    note = f" ({spec.note})" if spec.note and not spec.audit_parameters else ""
    return ctx.passed(
        rtype,
        arn,
        f"{label} exports {' and '.join(spec.needed)} to CloudWatch Logs{note}",
        evidence=_evidence(raw, spec, exported),
    )


def instance_exports(ctx: Context, raw: Mapping[str, Any]) -> Finding:
    name = str(raw.get("DBInstanceIdentifier"))
    arn = str(
        raw.get("DBInstanceArn")
        or f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account_id}:db:{name}"
    )
    engine = str(raw.get("Engine") or "")
    exported = [str(t) for t in raw.get("EnabledCloudwatchLogsExports") or ()]
    cluster = raw.get("DBClusterIdentifier")
    if cluster:
        cluster_arn = f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account_id}:cluster:{cluster}"
        return ctx.not_applicable(
            INSTANCE,
            arn,
            f"DB instance '{name}' is a member of DB cluster '{cluster}': the cluster exports "
            "its logs and is judged instead",
            evidence={**_evidence(raw, None, exported), "db_cluster": cluster_arn},
        )
    spec = instance_logs(engine)
    if spec is None:
        verdict = ctx.not_applicable if out_of_scope(engine) else ctx.unknown
        return verdict(
            INSTANCE,
            arn,
            f"DB instance '{name}': {unjudged_engine(engine)}",
            evidence=_evidence(raw, None, exported),
        )
    label = f"DB instance '{name}' ({spec.name})"
    fix = _instance_fix(ctx, name, sorted(set(exported) | set(spec.needed)))
    if spec.audit_option:
        fix += f" (the audit log also needs a custom option group with {AUDIT_OPTION})"
    failed = _missing(ctx, INSTANCE, arn, label, raw, spec, fix)
    if failed is not None or not spec.audit_option:
        return failed or _passed(ctx, INSTANCE, arn, label, raw, spec)
    groups = option_groups(raw)
    ev = {**_evidence(raw, spec, exported), "option_groups": list(groups)}
    if only_default_option_groups(groups):
        return ctx.failed(
            INSTANCE,
            arn,
            f"{label} exports the audit log type, but its option group "
            f"{', '.join(repr(g) for g in groups)} is a default one, which cannot hold the "
            f"{AUDIT_OPTION} option that writes the audit log: there is no audit log to export",
            evidence=ev,
            remediation=(
                f"aws rds create-option-group --region {ctx.region} --option-group-name "
                f"{name}-audit --engine-name {raw.get('Engine')} --major-engine-version "
                "<version> --option-group-description 'audit', then aws rds "
                f"add-option-to-option-group --option-group-name {name}-audit --options "
                f"OptionName={AUDIT_OPTION} --apply-immediately, then aws rds "
                f"modify-db-instance --db-instance-identifier {name} --option-group-name "
                f"{name}-audit --apply-immediately"
            ),
        )
    which = f"option group {', '.join(repr(g) for g in groups)}" if groups else "its option group"
    return ctx.passed(
        INSTANCE,
        arn,
        f"{label} exports {' and '.join(spec.needed)} to CloudWatch Logs (the audit log is "
        f"written only while {which} holds the {AUDIT_OPTION} option, which is not read)",
        evidence=ev,
    )


def cluster_exports(ctx: Context, raw: Mapping[str, Any]) -> Finding:
    name = str(raw.get("DBClusterIdentifier"))
    arn = str(
        raw.get("DBClusterArn")
        or f"arn:{ctx.partition}:rds:{ctx.region}:{ctx.account_id}:cluster:{name}"
    )
    engine = str(raw.get("Engine") or "")
    exported = [str(t) for t in raw.get("EnabledCloudwatchLogsExports") or ()]
    spec = cluster_logs(engine)
    if spec is None:
        verdict = ctx.not_applicable if out_of_scope(engine) else ctx.unknown
        return verdict(
            CLUSTER,
            arn,
            f"DB cluster '{name}': {unjudged_engine(engine)}",
            evidence=_evidence(raw, None, exported),
        )
    if str(raw.get("EngineMode") or "") == "serverless":
        return ctx.not_applicable(
            CLUSTER,
            arn,
            f"DB cluster '{name}' is Aurora Serverless v1, which publishes its logs through "
            "its parameter group rather than EnabledCloudwatchLogsExports: not judged",
            evidence=_evidence(raw, spec, exported),
        )
    label = f"DB cluster '{name}' ({spec.name})"
    if spec.audit_parameters:
        return _aurora_mysql(ctx, raw, arn, name, label, spec, exported)
    fix = _cluster_fix(ctx, name, sorted(set(exported) | set(spec.needed)))
    return _missing(ctx, CLUSTER, arn, label, raw, spec, fix) or _passed(
        ctx, CLUSTER, arn, label, raw, spec
    )


def _aurora_mysql(
    ctx: Context,
    raw: Mapping[str, Any],
    arn: str,
    name: str,
    label: str,
    spec: EngineLogs,
    exported: list[str],
) -> Finding:
    """Aurora MySQL: `error` exported, and an audit log that is both recorded (Advanced
    Auditing on, events named) and published (`audit` exported, or the parameter group's
    `server_audit_logs_upload` = 1)."""
    ev = _evidence(raw, spec, exported)
    export_fix = _cluster_fix(ctx, name, sorted(set(exported) | {"error", "audit"}))
    have = f"exports only {', '.join(exported)}" if exported else "exports no log"
    if "error" not in exported:
        nor = "" if "audit" in exported else " (and audit is not in its exports either)"
        return ctx.failed(
            CLUSTER,
            arn,
            f"{label} {have}: its error log is not in CloudWatch Logs{nor}",
            evidence=ev,
            remediation=export_fix,
        )
    group = str(raw.get("DBClusterParameterGroup") or "")
    if not group:
        text = f"{label} exports its error log, but its cluster parameter group was not reported"
        return ctx.unknown(CLUSTER, arn, text, evidence=ev)
    try:
        settings: AuditSettings = audit_settings(ctx, group)
    except AwsError as err:
        what = (
            f"{label} exports its error log; whether its audit log is recorded and published "
            f"(Advanced Auditing in cluster parameter group '{group}') is unknown"
        )
        return ctx.unknown_from(err, CLUSTER, arn, what, evidence=ev)
    ev |= settings.evidence()
    problems = []
    published = "audit" in exported or settings.uploads
    if not published:
        problems.append(
            "the audit log is not published (audit is not in its exports and "
            f"server_audit_logs_upload is not 1 in cluster parameter group '{group}')"
        )
    problems += settings.problems()
    if problems:
        fixes = [] if published else [export_fix]
        if settings.problems():
            fixes.append(_audit_fix(ctx, name, group))
        return ctx.failed(
            CLUSTER,
            arn,
            f"{label} exports its error log, but has no audit log in CloudWatch Logs: "
            + "; ".join(problems),
            evidence=ev,
            remediation="; and ".join(fixes),
        )
    via = "audit in its exports" if "audit" in exported else "server_audit_logs_upload = 1"
    return ctx.passed(
        CLUSTER,
        arn,
        f"{label} exports error and audit to CloudWatch Logs ({via}), with Advanced "
        f"Auditing recording {settings.events} (cluster parameter group '{group}')",
        evidence=ev,
    )


# -- rds.enhanced_monitoring ---------------------------------------------------------------

ROLE_FIX = (
    "a role trusting monitoring.rds.amazonaws.com with the managed policy "
    "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
)


def _monitoring_fix(ctx: Context, name: str) -> str:
    return (
        f"aws rds modify-db-instance --region {ctx.region} --db-instance-identifier {name} "
        f"--monitoring-interval 60 --monitoring-role-arn <role-arn> ({ROLE_FIX})"
    )


def monitoring_verdict(ctx: Context, raw: Mapping[str, Any]) -> Finding:
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
    fix = _monitoring_fix(ctx, name)
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
                f"{name} --monitoring-role-arn <role-arn> ({ROLE_FIX}), or let "
                f"{MONITORING_PRINCIPAL} assume {role_arn}"
            ),
        )
    if role.error is not None:
        what = f"{label} has a MonitoringInterval of {interval} s; {role.message}"
        return ctx.unknown_from(role.error, INSTANCE, arn, what, evidence=ev)
    return ctx.unknown(INSTANCE, arn, f"{label}: {role.message}", evidence=ev)
