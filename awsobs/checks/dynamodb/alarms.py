"""Alarm coverage for DynamoDB tables and indexes, Lambda functions and EC2 instances.

Semantics: controls.md §9, §10; the verdict is shared with API Gateway (alarms_coverage.py).
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
from awsobs.checks.ec2.agent import running_instances
from awsobs.checks.ec2.readers import INSTANCE
from awsobs.context import Context
from awsobs.model import Finding, Severity
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
    assert region is not None
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


@check(
    id="lambda.error_throttle_alarms",
    title="Lambda functions have Errors and Throttles alarms that reach someone",
    severity=Severity.MEDIUM,
    permissions=["lambda:ListFunctions", *ALARM_READS],
    remediation=alarm_fix("AWS/Lambda", "Errors", "Name=FunctionName,Value=<function>"),
)
def error_throttle_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per function. PASS when `AWS/Lambda` `Errors` and `Throttles` each have
    an alarm that reaches someone, on `FunctionName` (or the account-wide metric with no
    dimension, which covers every function of the region). `Invocations` does not count
    throttled requests, so an error-rate alarm misses throttling: both are needed.
    Alias- or version-level alarms (`Resource`, `ExecutedVersion`) cover only that alias.
    """
    region = ctx.region
    assert region is not None
    functions, gap = region_listing(ctx, "lambda", "ListFunctions", "Functions", "Lambda functions")
    if gap is not None:
        yield gap
        return
    index = index_or_error(ctx)
    functions_known = {str(f["FunctionName"]) for f in functions}
    for fn in functions:
        arn, name = str(fn["FunctionArn"]), str(fn["FunctionName"])
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, "AWS::Lambda::Function", arn, "could not read alarms")
            continue
        dims: tuple[dict[str, str | frozenset[str]], ...] = ({"FunctionName": name}, {})
        wants = [
            Want(metric, (Need("AWS/Lambda", (metric,), dims),))
            for metric in ("Errors", "Throttles")
        ]
        yield coverage_finding(
            ctx,
            index,
            "AWS::Lambda::Function",
            arn,
            f"function '{name}'",
            wants,
            evidence={"function": name},
            claimed=lambda m: m.dim("FunctionName") in functions_known,
        )


@check(
    id="ec2.status_alarms",
    title="Running instances have a StatusCheckFailed alarm that reaches someone",
    severity=Severity.MEDIUM,
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
