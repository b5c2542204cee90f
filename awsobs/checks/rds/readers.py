"""RDS and Aurora reads, and what awsobs knows about each engine's logs.

- DescribeDBInstances and DescribeDBClusters once per region (all pages): every check of
  the area works from these two listings. Both also list Amazon Neptune and Amazon
  DocumentDB resources, which share the RDS control plane; those engines are named and
  left alone (NOT_APPLICABLE), not judged by RDS rules.
- DescribeDBClusterParameters once per distinct Aurora MySQL cluster parameter group,
  filtered to the three Advanced Auditing parameters (`Filters` name `parameter-name`,
  "the only supported filter"; API reference, DescribeDBClusterParameters), so the answer
  is one short page whatever the group holds. Values are filtered here again, so an
  endpoint that ignores the filter gives the same verdict.
- iam:GetRole once per Enhanced Monitoring role (in the partition's global region), for
  its trust policy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.session import global_region
from awsobs.context import Context

INSTANCE = "AWS::RDS::DBInstance"
CLUSTER = "AWS::RDS::DBCluster"
MONITORING_PRINCIPAL = "monitoring.rds.amazonaws.com"


def db_instances(ctx: Context) -> tuple[Mapping[str, Any], ...]:
    """This region's DB instances (all pages); raises `AwsError`."""
    return tuple(ctx.call("rds", "DescribeDBInstances").get("DBInstances") or ())


def db_clusters(ctx: Context) -> tuple[Mapping[str, Any], ...]:
    """This region's DB clusters, Aurora and Multi-AZ (all pages); raises `AwsError`."""
    return tuple(ctx.call("rds", "DescribeDBClusters").get("DBClusters") or ())


# -- which logs each engine offers, and which an operator needs ---------------------------
#
# `offered`: the values `EnableCloudwatchLogsExports` accepts for the engine, from the RDS
# API reference: CreateDBInstance (RDS for Db2, MariaDB, SQL Server, MySQL, Oracle,
# PostgreSQL; "doesn't apply to Aurora (managed by the DB cluster) or RDS Custom") and
# CreateDBCluster / ModifyDBCluster (Aurora MySQL, Aurora PostgreSQL, and RDS for MySQL /
# PostgreSQL as Multi-AZ DB clusters):
#   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html
#   https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html
# `needed`: the engine's error log always (alert for Oracle, diag.log for Db2, postgresql
# for PostgreSQL, which has no separate error log), and its audit log where the engine
# offers one as a log type (MySQL, MariaDB, Oracle, Aurora MySQL). PostgreSQL's pgaudit
# writes into the postgresql log; SQL Server Audit and Db2 audit write to S3, not to a
# log type; a Multi-AZ DB cluster of MySQL offers no audit type.


@dataclass(frozen=True)
class EngineLogs:
    """The log types of one engine: those it can export and those an operator needs."""

    name: str
    offered: tuple[str, ...]
    needed: tuple[str, ...]
    note: str = ""  # what else the needed logs depend on that awsobs does not read
    audit_parameters: bool = False  # Aurora MySQL: audit needs Advanced Auditing on
    audit_option: bool = False  # MySQL, MariaDB: audit needs the MARIADB_AUDIT_PLUGIN option


_MYSQL_AUDIT_NOTE = (
    "the audit log is written only by the MARIADB_AUDIT_PLUGIN option of a custom option group"
)
_MYSQL = ("audit", "error", "general", "slowquery", "iam-db-auth-error")
_PG = ("postgresql", "upgrade", "iam-db-auth-error")
_PG_NOTE = "PostgreSQL has no separate audit log type: pgaudit writes into the postgresql log"

_INSTANCE_ENGINES: dict[str, EngineLogs] = {
    "mysql": EngineLogs(
        "RDS for MySQL", _MYSQL, ("error", "audit"), _MYSQL_AUDIT_NOTE, audit_option=True
    ),
    "mariadb": EngineLogs(
        "RDS for MariaDB", _MYSQL, ("error", "audit"), _MYSQL_AUDIT_NOTE, audit_option=True
    ),
    "postgres": EngineLogs("RDS for PostgreSQL", _PG, ("postgresql",), _PG_NOTE),
}
_INSTANCE_FAMILIES: dict[str, EngineLogs] = {
    "oracle-": EngineLogs(
        "RDS for Oracle", ("alert", "audit", "listener", "trace", "oemagent"), ("alert", "audit")
    ),
    "sqlserver-": EngineLogs(
        "RDS for SQL Server",
        ("agent", "error"),
        ("error",),
        "SQL Server Audit writes to S3 (the SQLSERVER_AUDIT option), not to a log type",
    ),
    "db2-": EngineLogs(
        "RDS for Db2",
        ("diag.log", "notify.log", "iam-db-auth-error"),
        ("diag.log",),
        "RDS for Db2 offers no audit log type for CloudWatch Logs",
    ),
}
_AURORA_MYSQL = EngineLogs(
    "Aurora MySQL",
    ("audit", "error", "general", "instance", "slowquery", "iam-db-auth-error"),
    ("error", "audit"),
    "the audit log records only with Advanced Auditing on in the cluster parameter group",
    audit_parameters=True,
)
_CLUSTER_ENGINES: dict[str, EngineLogs] = {
    "aurora-mysql": _AURORA_MYSQL,
    "aurora": _AURORA_MYSQL,  # Aurora MySQL version 1 (MySQL 5.6 compatible)
    "aurora-postgresql": EngineLogs(
        "Aurora PostgreSQL",
        ("instance", "postgresql", "iam-db-auth-error"),
        ("postgresql",),
        _PG_NOTE,
    ),
    "mysql": EngineLogs(
        "Multi-AZ DB cluster of RDS for MySQL",
        ("error", "general", "slowquery", "iam-db-auth-error"),
        ("error",),
        "a Multi-AZ DB cluster of MySQL offers no audit log type",
    ),
    "postgres": EngineLogs(
        "Multi-AZ DB cluster of RDS for PostgreSQL", _PG, ("postgresql",), _PG_NOTE
    ),
}


def instance_logs(engine: str) -> EngineLogs | None:
    """What a stand-alone DB instance of `engine` exports; None for an engine awsobs does
    not know (or that has no exports of its own)."""
    if engine in _INSTANCE_ENGINES:
        return _INSTANCE_ENGINES[engine]
    return next((v for k, v in _INSTANCE_FAMILIES.items() if engine.startswith(k)), None)


def cluster_logs(engine: str) -> EngineLogs | None:
    """What a DB cluster of `engine` exports; None for an engine awsobs does not know."""
    return _CLUSTER_ENGINES.get(engine)


def out_of_scope(engine: str) -> bool:
    """RDS Custom, Neptune and DocumentDB: listed by the RDS API, not judged by RDS rules."""
    return engine.startswith("custom-") or engine in ("docdb", "neptune")


def unjudged_engine(engine: str) -> str:
    """Why a resource of an engine with no entry above is not judged."""
    if engine.startswith("custom-"):
        return "RDS Custom: CloudWatch Logs exports and Enhanced Monitoring do not apply to it"
    if engine == "docdb":
        return "an Amazon DocumentDB resource: awsobs does not judge DocumentDB here"
    if engine == "neptune":
        return "an Amazon Neptune resource: awsobs does not judge Neptune here"
    return f"engine '{engine}': awsobs does not know which of its logs matter"


# -- MySQL / MariaDB audit plugin -------------------------------------------------------

AUDIT_OPTION = "MARIADB_AUDIT_PLUGIN"


def option_groups(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """The option groups a DB instance is a member of (DescribeDBInstances
    `OptionGroupMemberships`), sorted."""
    members = raw.get("OptionGroupMemberships") or ()
    return tuple(sorted(str(m.get("OptionGroupName")) for m in members if m.get("OptionGroupName")))


def only_default_option_groups(groups: tuple[str, ...]) -> bool:
    """True when every option group is a default one (`default:<engine>-<version>`).

    The MySQL and MariaDB audit log is written only by the MARIADB_AUDIT_PLUGIN option,
    and options are turned on by adding them "to a custom option group" (RDS User Guide,
    Options for MariaDB database engine; Publishing MySQL logs to CloudWatch Logs: "The DB
    instance must use a custom option group with the MARIADB_AUDIT_PLUGIN option"). An
    instance in default option groups only therefore writes no audit log. No group at
    all is not decided here (False)."""
    return bool(groups) and all(g.startswith("default:") for g in groups)


# -- Aurora MySQL Advanced Auditing ------------------------------------------------------

AUDIT_PARAMETERS = ("server_audit_logging", "server_audit_events", "server_audit_logs_upload")


def _on(value: str | None) -> bool:
    return str(value or "").strip().upper() in ("1", "ON", "TRUE")


@dataclass(frozen=True)
class AuditSettings:
    """The Advanced Auditing parameters of one Aurora MySQL cluster parameter group.

    "Use the server_audit_logging parameter to enable or disable Advanced Auditing"; it
    "defaults to OFF", and "the logs don't show audit data unless you also define one or
    more types of events to audit using the server_audit_events parameter" (Aurora User
    Guide, Using Advanced Auditing with an Amazon Aurora MySQL DB cluster:
    https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/AuroraMySQL.Auditing.html).
    `server_audit_logs_upload` = 1 is AWS's other way to publish the audit log to
    CloudWatch Logs, without `audit` in the cluster's exports (default 0; Aurora User
    Guide, Publishing Amazon Aurora MySQL logs to Amazon CloudWatch Logs). A parameter
    with no value is at its engine default (off, no events, no upload).
    """

    group: str
    logging: str | None
    events: str | None
    upload: str | None = None

    @property
    def on(self) -> bool:
        return _on(self.logging)

    @property
    def uploads(self) -> bool:
        return _on(self.upload)

    def problems(self) -> list[str]:
        out = []
        if not self.on:
            out.append(
                f"server_audit_logging is {self.logging or 'not set (default OFF)'} in "
                f"cluster parameter group '{self.group}'"
            )
        if not str(self.events or "").strip():
            out.append(f"server_audit_events is empty in cluster parameter group '{self.group}'")
        return out

    def evidence(self) -> dict[str, Any]:
        return {
            "cluster_parameter_group": self.group,
            "server_audit_logging": self.logging,
            "server_audit_events": self.events,
            "server_audit_logs_upload": self.upload,
        }


def audit_settings(ctx: Context, group: str) -> AuditSettings:
    """The Advanced Auditing parameters of cluster parameter group `group`; raises
    `AwsError`. Memoized by the gateway: one read per distinct group and region."""
    params = (
        ctx.call(
            "rds",
            "DescribeDBClusterParameters",
            DBClusterParameterGroupName=group,
            Filters=[{"Name": "parameter-name", "Values": list(AUDIT_PARAMETERS)}],
        ).get("Parameters")
        or ()
    )
    values = {
        str(p.get("ParameterName")): p.get("ParameterValue")
        for p in params
        if p.get("ParameterName") in AUDIT_PARAMETERS
    }
    logging, events, upload = (values.get(name) for name in AUDIT_PARAMETERS)
    return AuditSettings(
        group,
        None if logging is None else str(logging),
        None if events is None else str(events),
        None if upload is None else str(upload),
    )


# -- the Enhanced Monitoring role -----------------------------------------------------------


@dataclass(frozen=True)
class MonitoringRole:
    """Whether RDS can assume an Enhanced Monitoring role; `holds` None when undecided."""

    arn: str
    holds: bool | None
    message: str
    error: AwsError | None = None


def monitoring_role(ctx: Context, arn: str) -> MonitoringRole:
    """Read `arn` (iam:GetRole, memoized) and judge its trust policy."""
    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "iam" or not parts[5].startswith("role/"):
        return MonitoringRole(arn, False, f"monitoring role {arn} is not an IAM role ARN")
    if parts[4] != ctx.account_id:
        return MonitoringRole(
            arn,
            None,
            f"monitoring role {arn} is in account {parts[4]} and cannot be checked from here",
        )
    name = parts[5].rsplit("/", 1)[-1]
    try:
        role = ctx.call("iam", "GetRole", global_region(ctx.partition), RoleName=name)["Role"]
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            return MonitoringRole(arn, False, f"monitoring role {arn} does not exist (deleted?)")
        return MonitoringRole(arn, None, f"could not read monitoring role {arn}", err)
    if not trusts_service(role.get("AssumeRolePolicyDocument"), MONITORING_PRINCIPAL):
        return MonitoringRole(
            arn,
            False,
            f"monitoring role {arn} does not let {MONITORING_PRINCIPAL} assume it",
        )
    return MonitoringRole(arn, True, f"monitoring role {arn} trusts {MONITORING_PRINCIPAL}")


def _listed(value: Any) -> tuple[Any, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str | Mapping) else tuple(value)


def _assumes(statement: Mapping[str, Any]) -> bool:
    actions = [str(a).lower() for a in _listed(statement.get("Action"))]
    return any(a in ("sts:assumerole", "sts:*", "*") for a in actions)


def _names(statement: Mapping[str, Any], service: str) -> bool:
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    return service in _listed(principal.get("Service"))


def trusts_service(policy: Any, service: str) -> bool:
    """Does a role's trust policy let the AWS service principal `service` assume it?

    An Allow statement naming the service (or `"Principal": "*"`) with sts:AssumeRole
    (`sts:*`, `*`) is needed, and no Deny statement may name it. Conditions (the
    confused-deputy `aws:SourceAccount` / `aws:SourceArn` keys AWS recommends) are not
    evaluated. A policy given as (URL-encoded) JSON text is parsed."""
    if isinstance(policy, str):
        try:
            policy = json.loads(unquote(policy))
        except ValueError:
            return False
    if not isinstance(policy, Mapping):
        return False
    statements = [s for s in _listed(policy.get("Statement")) if isinstance(s, Mapping)]
    relevant = [s for s in statements if _assumes(s) and _names(s, service)]
    if any(str(s.get("Effect")) == "Deny" for s in relevant):
        return False
    return any(str(s.get("Effect")) == "Allow" for s in relevant)


# -- where the exports and the OS metrics arrive ---------------------------------------------


def log_group_name(kind: str, identifier: str, log_type: str) -> str:
    """The CloudWatch Logs group RDS publishes `log_type` of a DB instance (`kind`
    "instance") or DB cluster ("cluster") to: `/aws/rds/instance/<DBInstanceIdentifier>/
    <type>` or `/aws/rds/cluster/<DBClusterIdentifier>/<type>` (RDS User Guide,
    "Publishing database logs to Amazon CloudWatch Logs"; Aurora User Guide, "Publishing
    Aurora MySQL / PostgreSQL logs to Amazon CloudWatch Logs")."""
    return f"/aws/rds/{kind}/{identifier}/{log_type}"


def dbi_resource_id(raw: Mapping[str, Any]) -> str | None:
    """A DB instance's `DbiResourceId` (`db-ABC...`), which names its Enhanced Monitoring
    stream in the `RDSOSMetrics` log group; None when not reported."""
    value = raw.get("DbiResourceId")
    return str(value) if value else None
