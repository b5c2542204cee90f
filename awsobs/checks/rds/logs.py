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

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks.rds.readers import db_clusters, db_instances
from awsobs.checks.rds.verdicts import cluster_exports, instance_exports
from awsobs.context import Context, error_evidence
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


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
    for read, judge in ((db_clusters, cluster_exports), (db_instances, instance_exports)):
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
