"""Lambda: do the functions with active tracing really send traces to X-Ray?

The companion of `lambda.xray_active` (docs/design.md, "Delivery checks"): that check
reads the setting; this one asks X-Ray whether traces of the function arrived in the
last `max_age_hours`. Reads the same `lambda:ListFunctions` listing, so a scan lists
functions once per region.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.checks._delivery import GET_METRIC_DATA, GET_TRACE_SUMMARIES
from awsobs.checks._shared import region_listing
from awsobs.checks._traces import TracedSource, trace_verdicts
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

FUNCTION = "AWS::Lambda::Function"
CAUSES = (
    "the execution role lacks xray:PutTraceSegments and xray:PutTelemetryRecords "
    "(AWSXRayDaemonWriteAccess); a sampling rule with reservoir 0 and rate 0 matches the "
    "function; callers pass a trace header with Sampled=0"
)


@check(
    id="lambda.xray_traces_received",
    title="Lambda functions with active tracing have traces in X-Ray",
    severity=Severity.LOW,
    signal=Signal.TRACES,
    resource_types=(FUNCTION,),
    permissions=["lambda:ListFunctions", GET_TRACE_SUMMARIES, GET_METRIC_DATA],
    options={"max_age_hours": 1},
    remediation="aws iam attach-role-policy --role-name <execution-role> --policy-arn "
    "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess, and check the X-Ray sampling rules "
    "(aws xray get-sampling-rules)",
)
def xray_traces_received(ctx: Context) -> Iterator[Finding]:
    """One finding per function, resource id its ARN. Judged only where
    `lambda.xray_active` passes (`TracingConfig.Mode` is `Active`); any other function is
    NOT_APPLICABLE. PASS when X-Ray has a trace through the function's node
    (`service(id(name: "<function>", type: "AWS::Lambda::Function"))`) from the last
    `max_age_hours` (default 1; X-Ray keeps traces 30 days): one GetTraceSummaries per
    function, stopping at the first trace. Without one: FAIL when the function was
    invoked in that window (`AWS/Lambda Invocations`, up to 5 minutes ago, one
    GetMetricData for the region's silent functions), naming the usual causes;
    NOT_APPLICABLE when it was not invoked. UNKNOWN, naming the denied action, when a
    read fails.
    """
    functions, gap = region_listing(ctx, "lambda", "ListFunctions", "Functions", "Lambda functions")
    if gap is not None:
        yield gap
        return
    traced: list[TracedSource] = []
    for fn in functions:
        name = str(fn.get("FunctionName", ""))
        arn = str(fn.get("FunctionArn") or name)
        mode = (fn.get("TracingConfig") or {}).get("Mode")
        evidence = {"function_name": name, "tracing_mode": mode, "role": fn.get("Role")}
        if mode != "Active":
            yield ctx.not_applicable(
                FUNCTION,
                arn,
                f"function '{name}' has no active tracing (Mode={mode}): not configured, "
                "see lambda.xray_active",
                evidence=evidence,
            )
            continue
        label = f"function '{name}'"
        traced.append(
            TracedSource(FUNCTION, arn, label, name, FUNCTION, {"FunctionName": name}, evidence)
        )
    yield from trace_verdicts(
        ctx,
        traced,
        namespace="AWS/Lambda",
        metric="Invocations",
        noun="invocations",
        causes=CAUSES,
    )
