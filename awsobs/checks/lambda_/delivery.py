"""Lambda: do invoked functions' logs actually arrive in their log group? (issue 20)

The companion of `lambda.log_retention` (docs/design.md, "Delivery checks"). Every
function logs (Lambda has no switch to turn it off), to `LoggingConfig.LogGroup` or
`/aws/lambda/<name>`, so every function is judged; what can break is the delivery: the
execution role loses its CloudWatch Logs permissions and the function runs on, logging
nothing. Reads: ListFunctions (shared with the other Lambda checks), one
DescribeLogStreams per distinct log group, and, only for stale groups, one GetMetricData
per region for the functions' AWS/Lambda `Invocations`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.checks._delivery import (
    DESCRIBE_LOG_STREAMS,
    GET_METRIC_DATA,
    Arrival,
    Traffic,
    attempt,
    newest_stream,
    served,
    traffic,
    verdict,
    window,
)
from awsobs.checks._shared import region_listing
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

FUNCTION = "AWS::Lambda::Function"
CAUSES = (
    "the execution role lost logs:CreateLogStream or logs:PutLogEvents (the "
    "AWSLambdaBasicExecutionRole policy detached), or logs:CreateLogGroup while the group "
    "was deleted; a deny in an SCP or permissions boundary; the group's KMS key no longer "
    "lets CloudWatch Logs use it"
)


def _newest(ctx: Context, group: str) -> Arrival | AwsError:
    """The group's newest stream; a group that does not exist has received nothing
    (Lambda creates it at the first invocation, so traffic tells a never-invoked function
    from one whose role may not create it)."""
    got = attempt(lambda: newest_stream(ctx, ctx.region, group))
    if isinstance(got, AwsError) and got.kind is ErrorKind.NOT_FOUND:
        evidence = {"log_group": group, "log_group_region": ctx.region, "exists": False}
        return Arrival(None, f"log group {group} (which does not exist)", None, evidence)
    return got


@check(
    id="lambda.logs_delivered",
    title="Invoked Lambda functions' logs arrive in their log group",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=(FUNCTION,),
    permissions=["lambda:ListFunctions", DESCRIBE_LOG_STREAMS, GET_METRIC_DATA],
    options={"max_age_hours": 24},
    remediation="Attach AWSLambdaBasicExecutionRole (or logs:CreateLogGroup, "
    "logs:CreateLogStream, logs:PutLogEvents on the group) to the function's execution role",
)
def logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per function, resource id its ARN. Its log group is
    `LoggingConfig.LogGroup`, else `/aws/lambda/<name>`; the group's newest stream
    (DescribeLogStreams, newest first, one item; once per group, however many functions
    share it) gives when data last arrived.

    PASS when that is within `max_age_hours` (default 24). Otherwise the function's
    AWS/Lambda `Invocations` over the window, up to 15 minutes before now, are read (one
    GetMetricData per region): FAIL when it was invoked, naming the last delivery ("last
    delivery 9 days ago", or no data at all) and the usual causes; NOT_APPLICABLE when it
    was not ("served no invocations": nothing to deliver). A function without a log group
    is read the same way: never invoked, NOT_APPLICABLE (`lambda.log_retention` already
    FAILs the missing group); invoked, FAIL. A group shared by several functions gives the
    group's freshness (the evidence lists the sharers): a function FAILs only on its own
    invocations.

    UNKNOWN, naming the denied action, when the functions, a group or the invocations
    cannot be read. NOT_APPLICABLE when the region has no function.
    """
    functions, gap = region_listing(ctx, "lambda", "ListFunctions", "Functions", "Lambda functions")
    if gap is not None:
        yield gap
        return
    win = window(ctx)
    target: dict[str, str] = {}
    arns: dict[str, str] = {}
    for fn in functions:
        name = str(fn["FunctionName"])
        arns[name] = str(fn["FunctionArn"])
        target[name] = str((fn.get("LoggingConfig") or {}).get("LogGroup") or f"/aws/lambda/{name}")
    groups = sorted(set(target.values()))
    arrivals = dict(zip(groups, ctx.map(lambda g: _newest(ctx, g), groups), strict=True))
    stale = sorted(n for n, g in target.items() if win.stale(arrivals[g]))
    batch: Traffic | AwsError | None = None
    if stale:
        dims = [{"FunctionName": n} for n in stale]
        batch = attempt(
            lambda: traffic(
                ctx, ctx.region, "AWS/Lambda", "Invocations", dims, win.start, win.traffic_end
            )
        )
    for name in sorted(target):
        group = target[name]
        arrival = arrivals[group]
        sharers = sorted(n for n, g in target.items() if g == group and n != name)
        where = f"log group {group}"
        if isinstance(arrival, Arrival):
            where = arrival.where
        if sharers:
            plural = "s" if len(sharers) > 1 else ""
            where += f" (shared with {len(sharers)} other function{plural})"
        evidence: dict[str, Any] = {"function": name, "log_group": group, "shared_with": sharers}
        yield verdict(
            ctx,
            FUNCTION,
            arns[name],
            label=f"function '{name}'",
            destination=where,
            arrival=arrival,
            win=win,
            traffic=served(batch, {"FunctionName": name}, "invocations")
            if batch is not None
            else None,
            causes=CAUSES,
            evidence=evidence,
        )
