"""Lambda: does every function send traces to X-Ray?

Semantics and pitfalls: controls.md §10 and §13. Reads the same `lambda:ListFunctions`
listing as `lambda.error_throttle_alarms`, so a scan lists functions once per region.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.checks._shared import region_listing
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

FUNCTION = "AWS::Lambda::Function"
_FIX = (
    "aws lambda update-function-configuration --function-name {name} "
    "--tracing-config Mode=Active (the execution role needs xray:PutTraceSegments and "
    "xray:PutTelemetryRecords, e.g. the AWSXRayDaemonWriteAccess managed policy)"
)


@check(
    id="lambda.xray_active",
    title="Lambda functions send traces to X-Ray (active tracing)",
    severity=Severity.LOW,
    signal=Signal.TRACES,
    resource_types=("AWS::Lambda::Function",),
    permissions=["lambda:ListFunctions"],
    remediation=_FIX.format(name="<function>"),
)
def xray_active(ctx: Context) -> Iterator[Finding]:
    """One finding per function (Security Hub Lambda.7, Config
    `lambda-function-xray-enabled`). PASS when `TracingConfig.Mode` is `Active`. FAIL for
    `PassThrough` (the function only forwards a trace header it is given and samples
    nothing itself) and also when `TracingConfig` is absent from the listing: absence is
    not active tracing (Steampipe passes it). NOT_APPLICABLE when the region has no
    function; UNKNOWN when functions cannot be listed.
    """
    functions, gap = region_listing(ctx, "lambda", "ListFunctions", "Functions", "Lambda functions")
    if gap is not None:
        yield gap
        return
    for fn in functions:
        name = str(fn.get("FunctionName", ""))
        arn = str(fn.get("FunctionArn") or name)
        mode = (fn.get("TracingConfig") or {}).get("Mode")
        evidence = {"function_name": name, "tracing_mode": mode, "role": fn.get("Role")}
        if mode == "Active":
            yield ctx.passed(
                FUNCTION, arn, f"function '{name}' traces to X-Ray (Active)", evidence=evidence
            )
            continue
        why = (
            "has no tracing configuration"
            if mode is None
            else f"only passes trace headers through (Mode={mode})"
        )
        yield ctx.failed(
            FUNCTION,
            arn,
            f"function '{name}' {why}: its invocations do not appear in X-Ray",
            evidence=evidence,
            remediation=_FIX.format(name=name),
        )
