"""Lambda: does a function that AWS services invoke asynchronously keep its failed events?

Semantics: issue 15 ("Lambda (asynchronous)"). By default Lambda retries a failed
asynchronous invocation twice, keeps events queued for up to six hours, then discards
them (PutFunctionEventInvokeConfig, Lambda API reference). Only an on-failure destination
or a dead-letter queue keeps them. Reads the same `lambda:ListFunctions` listing as the
other Lambda checks, plus the function's resource policy and its asynchronous invocation
configuration: never its code or environment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.checks._shared import region_listing
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

FUNCTION = "AWS::Lambda::Function"

# Service principals that invoke Lambda asynchronously through a resource-policy grant
# (Lambda developer guide, "Invoking Lambda with events from other AWS services" and the
# operator guide's table of invocation modes). Event source mappings (SQS, Kinesis,
# DynamoDB streams, Kafka) are *polling* invocations, synchronous, with their own failure
# handling; API Gateway, ALB, Cognito invoke synchronously. EventBridge Scheduler invokes
# with an execution role, not a resource policy, so it is not seen here.
ASYNC_PRINCIPALS: Mapping[str, str] = {
    "s3.amazonaws.com": "S3",
    "sns.amazonaws.com": "SNS",
    "events.amazonaws.com": "EventBridge",
    "ses.amazonaws.com": "SES",
    "logs.amazonaws.com": "CloudWatch Logs",
    "iot.amazonaws.com": "IoT",
    "config.amazonaws.com": "Config",
    "codecommit.amazonaws.com": "CodeCommit",
    "lambda.alarms.cloudwatch.amazonaws.com": "CloudWatch alarms",
}

_FIX = (
    "aws lambda put-function-event-invoke-config --function-name {name} "
    "--destination-config 'OnFailure={{Destination=<sqs-queue-or-sns-topic-arn>}}' "
    "(or aws lambda update-function-configuration --function-name {name} "
    "--dead-letter-config TargetArn=<sqs-queue-or-sns-topic-arn>)"
)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def async_triggers(policy: str) -> list[str]:
    """Which asynchronous services the resource policy lets invoke the function, with the
    statement that allows each: `S3 (sid 's3-put')`."""
    try:
        doc = json.loads(policy)
    except ValueError:
        return []
    statements = doc.get("Statement") if isinstance(doc, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    found: list[str] = []
    for st in statements if isinstance(statements, list) else ():
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        actions = _strings(st.get("Action"))
        if not any(a in ("lambda:InvokeFunction", "lambda:*", "*") for a in actions):
            continue
        principal = st.get("Principal")
        services = _strings(principal.get("Service")) if isinstance(principal, dict) else []
        for service in services:
            if service in ASYNC_PRINCIPALS:
                found.append(f"{ASYNC_PRINCIPALS[service]} (statement '{st.get('Sid', '')}')")
    return list(dict.fromkeys(found))


def _policy(ctx: Context, arn: str) -> str | None:
    """The function's (unqualified) resource policy; None when it has none."""
    try:
        return str(ctx.call("lambda", "GetPolicy", FunctionName=arn).get("Policy") or "")
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            return None
        raise


def _on_failure(ctx: Context, arn: str) -> tuple[str | None, dict[str, Any] | None]:
    """The on-failure destination of the function's asynchronous invocation configuration,
    and the configuration (None when none is set: ResourceNotFoundException)."""
    try:
        config = ctx.call("lambda", "GetFunctionEventInvokeConfig", FunctionName=arn)
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            return None, None
        raise
    dest = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    kept = {k: config.get(k) for k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds")}
    return (str(dest) if dest else None), {**kept, "on_failure": dest}


def _judge(ctx: Context, fn: Mapping[str, Any]) -> Finding:
    name = str(fn.get("FunctionName", ""))
    arn = str(fn.get("FunctionArn") or name)
    label = f"function '{name}'"
    evidence: dict[str, Any] = {"function": name}
    try:
        policy = _policy(ctx, arn)
    except AwsError as err:
        return ctx.unknown_from(
            err, FUNCTION, arn, f"could not read the resource policy of {label}"
        )
    triggers = async_triggers(policy) if policy is not None else []
    evidence.update(resource_policy=policy is not None, async_triggers=triggers)
    if not triggers:
        looked = (
            "has no resource policy"
            if policy is None
            else "has a resource policy that grants no asynchronous service"
        )
        return ctx.not_applicable(
            FUNCTION,
            arn,
            f"{label} {looked}: no asynchronous trigger found (S3, SNS, EventBridge and "
            "the other services that invoke asynchronously need one; aliases' policies "
            "and direct --invocation-type Event calls are not seen)",
            evidence=evidence,
        )
    via = ", ".join(triggers)
    dlq = str((fn.get("DeadLetterConfig") or {}).get("TargetArn") or "")
    evidence["dead_letter_target"] = dlq or None
    if dlq:
        return ctx.passed(
            FUNCTION,
            arn,
            f"{label} is invoked asynchronously by {via}; failed events go to its "
            f"dead-letter queue {dlq}",
            evidence=evidence,
        )
    try:
        destination, config = _on_failure(ctx, arn)
    except AwsError as err:
        return ctx.unknown_from(
            err,
            FUNCTION,
            arn,
            f"{label} is invoked asynchronously by {via} and has no dead-letter queue; "
            "could not read its asynchronous invocation configuration",
            evidence=evidence,
        )
    evidence["event_invoke_config"] = config
    if destination:
        return ctx.passed(
            FUNCTION,
            arn,
            f"{label} is invoked asynchronously by {via}; failed events go to its "
            f"on-failure destination {destination}",
            evidence=evidence,
        )
    why = (
        "no asynchronous invocation configuration"
        if config is None
        else "an asynchronous invocation configuration without an on-failure destination"
    )
    return ctx.failed(
        FUNCTION,
        arn,
        f"{label} is invoked asynchronously by {via} and has no dead-letter queue and "
        f"{why}: an event that still fails after Lambda's retries is discarded, and "
        "nobody sees it",
        evidence=evidence,
        remediation=_FIX.format(name=name),
    )


@check(
    id="lambda.async_failure_destination",
    title="Lambda functions invoked asynchronously keep their failed events",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::Lambda::Function",),
    permissions=[
        "lambda:ListFunctions",
        "lambda:GetPolicy",
        "lambda:GetFunctionEventInvokeConfig",
    ],
    remediation=_FIX.format(name="<function>"),
)
def async_failure_destination(ctx: Context) -> Iterator[Finding]:
    """One finding per function. A function is invoked asynchronously when its resource
    policy (`GetPolicy`, unqualified) allows `lambda:InvokeFunction` to S3, SNS,
    EventBridge, SES, CloudWatch Logs, IoT, Config, CodeCommit or CloudWatch alarms. For
    such a function, PASS when `DeadLetterConfig.TargetArn` (from the listing) is set or
    its asynchronous invocation configuration (`GetFunctionEventInvokeConfig`) has an
    `OnFailure` destination; FAIL otherwise: Lambda retries a failed event twice (by
    default), then discards it. NOT_APPLICABLE for a function with no such grant (no
    policy: ResourceNotFoundException), the message saying what was looked at; event
    source mappings (SQS, Kinesis, DynamoDB streams) are polling, synchronous
    invocations and do not count. UNKNOWN when a read the verdict needs fails;
    NOT_APPLICABLE when the region has no function.
    """
    functions, gap = region_listing(ctx, "lambda", "ListFunctions", "Functions", "Lambda functions")
    if gap is not None:
        yield gap
        return
    yield from ctx.map(lambda fn: _judge(ctx, fn), list(functions))
