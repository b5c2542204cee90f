"""RDS and Aurora: does each database export the logs an operator needs to CloudWatch Logs?

A database's error log is where a crash, a failed start, a storage-full or a replication
stop is written; its audit log is who connected and what they changed. Kept on the
instance, both rotate away within days and vanish with the instance; exported, they are
kept, searchable, and can raise alarms. Which log types exist depends on the engine
(readers.py holds the table, with the AWS pages it comes from).

Aurora and Multi-AZ DB clusters export at the cluster level (CreateDBInstance
`EnableCloudwatchLogsExports` "doesn't apply to Amazon Aurora (CloudWatch Logs exports are
managed by the DB cluster)"): the cluster is judged once, and each member instance gets a
NOT_APPLICABLE that names its cluster, so every instance of the account is in the report
and says where its verdict is, without one FAIL per member for one setting.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.rds.readers import (
    AUDIT_OPTION,
    CLUSTER,
    INSTANCE,
    AuditSettings,
    EngineLogs,
    audit_settings,
    cluster_logs,
    db_clusters,
    db_instances,
    instance_logs,
    only_default_option_groups,
    option_groups,
    out_of_scope,
    unjudged_engine,
)
from awsobs.context import Context, error_evidence
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

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


def _judge(
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


def _instance(ctx: Context, raw: Mapping[str, Any]) -> Finding:
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
    failed = _judge(ctx, INSTANCE, arn, label, raw, spec, fix)
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


def _cluster(ctx: Context, raw: Mapping[str, Any]) -> Finding:
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
    return _judge(ctx, CLUSTER, arn, label, raw, spec, fix) or _passed(
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


@check(
    id="rds.log_exports",
    title="RDS DB instances and Aurora clusters export their error and audit logs",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::RDS::DBCluster", "AWS::RDS::DBInstance"),
    permissions=[
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        "rds:DescribeDBClusterParameters",
    ],
    remediation="aws rds modify-db-instance --db-instance-identifier <db> "
    '--cloudwatch-logs-export-configuration \'{"EnableLogTypes":["error","audit"]}\' '
    "(modify-db-cluster --db-cluster-identifier <cluster> for Aurora)",
)
def log_exports(ctx: Context) -> Iterator[Finding]:
    """One finding per DB cluster and per DB instance in the region, resource id its ARN.
    MEDIUM, as Security Hub RDS.9 / RDS.34: without these logs a database's failures, and
    who touched its data, are not kept.

    Required: the engine's error log always, and its audit log where the engine has one
    as a log type (RDS API reference, CreateDBInstance / CreateDBCluster
    `EnableCloudwatchLogsExports`): RDS for MySQL and MariaDB `error` and `audit`;
    PostgreSQL, Aurora PostgreSQL and Multi-AZ DB clusters of PostgreSQL `postgresql`
    (no separate audit type: pgaudit writes into it); Oracle `alert` and `audit`; SQL
    Server `error` (SQL Server Audit writes to S3, not to a log type); Db2 `diag.log`;
    Aurora MySQL `error` plus an audit log; a Multi-AZ DB cluster of MySQL `error` (it
    offers no audit type). Other types (slowquery, general, agent, trace, listener,
    upgrade, instance, iam-db-auth-error, ...) are listed in the evidence, never required.

    PASS when `EnabledCloudwatchLogsExports` holds every required type. For MySQL and
    MariaDB, whose audit log is written only by the MARIADB_AUDIT_PLUGIN option of a
    custom option group, the option group's content is not read (the message says so).
    For Aurora MySQL, `error` must be exported and the cluster parameter group
    (DescribeDBClusterParameters, once per distinct group) must have
    `server_audit_logging` ON/1 and a non-empty `server_audit_events`, with the audit log
    published by `audit` in the exports or `server_audit_logs_upload` = 1.

    FAIL names the missing types; a MySQL or MariaDB instance exporting `audit` from
    default option groups only (which cannot hold the plugin: no audit log exists); an
    Aurora MySQL cluster whose audit log is off, names no events or is not published.

    NOT_APPLICABLE: a member of an Aurora or Multi-AZ DB cluster (exports are set on the
    cluster, which is judged; the finding names it), RDS Custom, Neptune, DocumentDB,
    Aurora Serverless v1 (end of life; it published logs through parameters, not
    exports), and a region with no DB instance or cluster. UNKNOWN, naming the failed
    read: a listing that cannot be read (one finding for the region; the other listing's
    resources are still judged), and an Aurora MySQL cluster whose parameter group cannot
    be read; UNKNOWN too for an engine awsobs does not know (never taken as fine).
    """
    found: list[Finding] = []
    errors: list[AwsError] = []
    rtype, rid = ctx.region_resource()
    for read, judge in ((db_clusters, _cluster), (db_instances, _instance)):
        try:
            items = read(ctx)
        except AwsError as err:
            errors.append(err)
            continue
        key = "DBClusterIdentifier" if read is db_clusters else "DBInstanceIdentifier"
        found += [judge(ctx, raw) for raw in sorted(items, key=lambda r: str(r.get(key)))]
    if errors:
        nouns = {"DescribeDBClusters": "DB clusters", "DescribeDBInstances": "DB instances"}
        what = "could not list " + " or ".join(nouns.get(e.operation, e.operation) for e in errors)
        evidence = {"other_errors": [error_evidence(e) for e in errors[1:]]}
        yield ctx.unknown_from(errors[0], rtype, rid, what, evidence=evidence)
    elif not found:
        yield ctx.not_applicable(rtype, rid, f"no RDS DB instance or DB cluster in {ctx.region}")
    yield from found
