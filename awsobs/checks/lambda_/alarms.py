"""Lambda: Errors and Throttles alarms per function that fire and reach someone.

Semantics: controls.md §10; the verdict is CloudWatch's (cloudwatch/coverage.py).
"""

from __future__ import annotations

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
from awsobs.checks.cloudwatch.readers import Need
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


@check(
    id="lambda.error_throttle_alarms",
    title="Lambda functions have Errors and Throttles alarms that reach someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::Lambda::Function",),
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
