"""DynamoDB: throttling and system-error alarms per table and global secondary index.

Semantics: controls.md §9, §10; the verdict is CloudWatch's (cloudwatch/coverage.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import region_listing
from awsobs.checks.cloudwatch.coverage import (
    ALARM_READS,
    Want,
    alarm_fix,
    coverage_finding,
    index_or_error,
)
from awsobs.checks.cloudwatch.readers import Claimed, Metric, Need
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

_READ_OPS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
_WRITE_OPS = frozenset(
    {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
)
DDB = "AWS/DynamoDB"


def _belongs_elsewhere(known: set[str], table: str, index: str | None) -> Claimed:
    """For the table (index None) or one index: metrics of any other known table or index.

    For an index, the table's own table-level alarms stay near misses: they are the usual
    mistake (table alarms do not see index throttling)."""

    def claimed(m: Metric) -> bool:
        if m.dim("TableName") not in known:
            return False
        here = m.dim("TableName") == table
        return not (here and m.dim("GlobalSecondaryIndexName") in (index, None))

    return claimed


@check(
    id="dynamodb.throttle_alarms",
    title="DynamoDB tables and indexes have throttling and system-error alarms",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::DynamoDB::Table",),
    permissions=["dynamodb:ListTables", "dynamodb:DescribeTable", *ALARM_READS],
    remediation=alarm_fix(DDB, "WriteThrottleEvents", "Name=TableName,Value=<table>"),
)
def throttle_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per table and one per global secondary index. A table PASSes when
    read throttling (`ReadThrottleEvents`, or `ThrottledRequests` for a read operation),
    write throttling (`WriteThrottleEvents`, or `ThrottledRequests` for a write
    operation) and `SystemErrors` each have an alarm that reaches someone. A GSI needs
    `ReadThrottleEvents` and `WriteThrottleEvents` with its `GlobalSecondaryIndexName`
    dimension: table alarms do not see index throttling. `ThrottledRequests` counts a
    batch request only when every item is throttled, hence the per-event metrics.
    """
    region = ctx.region
    names, gap = region_listing(ctx, "dynamodb", "ListTables", "TableNames", "DynamoDB tables")
    if gap is not None:
        yield gap
        return

    def describe(name: str) -> None:  # concurrently; each outcome is memoized for below
        with contextlib.suppress(AwsError):
            ctx.call("dynamodb", "DescribeTable", TableName=name)

    ctx.map(describe, names)
    index = index_or_error(ctx)
    known = set(names)
    for name in names:
        arn = f"arn:{ctx.partition}:dynamodb:{region}:{ctx.account_id}:table/{name}"
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, "AWS::DynamoDB::Table", arn, "could not read alarms")
            continue
        table = {"TableName": name}
        wants = [
            Want(
                "read throttling",
                (
                    Need(DDB, ("ReadThrottleEvents",), (table,)),
                    Need(DDB, ("ThrottledRequests",), ({**table, "Operation": _READ_OPS},)),
                ),
            ),
            Want(
                "write throttling",
                (
                    Need(DDB, ("WriteThrottleEvents",), (table,)),
                    Need(DDB, ("ThrottledRequests",), ({**table, "Operation": _WRITE_OPS},)),
                ),
            ),
            Want(
                "SystemErrors",
                (
                    Need(
                        DDB,
                        ("SystemErrors",),
                        ({**table, "Operation": _READ_OPS | _WRITE_OPS}, table),
                    ),
                ),
            ),
        ]
        yield coverage_finding(
            ctx,
            index,
            "AWS::DynamoDB::Table",
            arn,
            f"table '{name}'",
            wants,
            evidence={"table": name},
            claimed=_belongs_elsewhere(known, name, None),
        )
        try:
            described = ctx.call("dynamodb", "DescribeTable", TableName=name)["Table"]
        except AwsError as err:
            yield ctx.unknown_from(
                err,
                "AWS::DynamoDB::Table",
                f"{arn}/index/*",
                f"could not read the indexes of table '{name}'",
            )
            continue
        for gsi in described.get("GlobalSecondaryIndexes") or ():
            gsi_name = str(gsi["IndexName"])
            dims = {"TableName": name, "GlobalSecondaryIndexName": gsi_name}
            yield coverage_finding(
                ctx,
                index,
                "AWS::DynamoDB::GlobalSecondaryIndex",
                f"{arn}/index/{gsi_name}",
                f"index '{gsi_name}' of table '{name}'",
                [
                    Want("ReadThrottleEvents", (Need(DDB, ("ReadThrottleEvents",), (dims,)),)),
                    Want("WriteThrottleEvents", (Need(DDB, ("WriteThrottleEvents",), (dims,)),)),
                ],
                evidence={"table": name, "index": gsi_name},
                claimed=_belongs_elsewhere(known, name, gsi_name),
            )
