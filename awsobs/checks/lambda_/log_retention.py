"""Lambda: does each function log to a group that expires its data? (controls.md §10)"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import region_listing
from awsobs.checks.logs.readers import DESCRIBE_LOG_GROUPS, log_groups, retention_fix
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check
from awsobs.units import human_bytes

FUNCTION = "AWS::Lambda::Function"


@check(
    id="lambda.log_retention",
    title="Lambda functions log to a group that expires its data",
    severity=Severity.LOW,
    signal=Signal.CONFIG,
    resource_types=("AWS::Lambda::Function",),
    permissions=["lambda:ListFunctions", DESCRIBE_LOG_GROUPS],
    remediation="aws logs put-retention-policy --log-group-name /aws/lambda/<function> "
    "--retention-in-days <days>",
)
def log_retention(ctx: Context) -> Iterator[Finding]:
    """One finding per function. Its log group is `LoggingConfig.LogGroup` when set (a
    custom group, possibly shared by several functions: the evidence lists them), else
    `/aws/lambda/<name>`. PASS when that group exists with a retention. FAIL when it exists
    with none (never expire; evidence `storedBytes`), and FAIL when it does not exist yet:
    Lambda creates it on the first invocation with no retention, so its logs would never
    expire; create it beforehand with a retention.
    """
    functions, gap = region_listing(ctx, "lambda", "ListFunctions", "Functions", "Lambda functions")
    if gap is not None:
        yield gap
        return
    try:
        groups = log_groups(ctx)
    except AwsError as err:
        yield ctx.unknown_from(
            err, *ctx.region_resource(), "could not list log groups to find the functions' logs"
        )
        return
    target: dict[str, str] = {}
    custom: set[str] = set()
    for fn in functions:
        name = str(fn["FunctionName"])
        default = f"/aws/lambda/{name}"
        # AWS reports LoggingConfig.LogGroup for every function, the default one included.
        target[name] = str((fn.get("LoggingConfig") or {}).get("LogGroup") or default)
        if target[name] != default:
            custom.add(name)
    arns = {str(fn["FunctionName"]): str(fn["FunctionArn"]) for fn in functions}
    for name in sorted(target):
        group_name = target[name]
        shared = sorted(n for n, g in target.items() if g == group_name and n != name)
        evidence: dict[str, Any] = {
            "function": name,
            "log_group": group_name,
            "log_group_kind": "custom" if name in custom else "default",
            "shared_with": shared,
        }
        kind = "custom log group" if name in custom else "log group"
        if shared:
            kind = f"shared {kind}"
        g = groups.get(group_name)
        q = shlex.quote(group_name)
        if g is None:
            evidence.update(retention_days=None, storedBytes=None, exists=False)
            yield ctx.failed(
                FUNCTION,
                arns[name],
                f"function '{name}' has no {kind} '{group_name}' yet: Lambda creates it on "
                "the first invocation with no retention, so its logs would never expire",
                evidence=evidence,
                remediation=f"aws logs create-log-group --log-group-name {q} && "
                + retention_fix(group_name),
            )
            continue
        evidence.update(g.evidence(), exists=True)
        if g.retention_days is None:
            yield ctx.failed(
                FUNCTION,
                arns[name],
                f"function '{name}' logs to {kind} '{group_name}', which never expires its "
                f"data ({human_bytes(g.stored_bytes)} stored)",
                evidence=evidence,
                remediation=retention_fix(group_name),
            )
        else:
            yield ctx.passed(
                FUNCTION,
                arns[name],
                f"function '{name}' logs to {kind} '{group_name}', which expires data after "
                f"{g.retention_days} days",
                evidence=evidence,
            )
