"""API Gateway REST APIs: access logs, execution logs, data trace and X-Ray per stage.

Semantics and pitfalls: controls.md §3. One finding per stage, resource id the stage ARN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from awsobs.checks.apigw.readers import GET, LOG_LEVELS, method_label, rest_stages
from awsobs.checks.apigw.verdicts import (
    ACCESS_FORMAT,
    ROLE_FIX,
    access_logging,
    rest_fix,
    stages_of,
    with_role,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


@check(
    id="apigw.rest.access_logging",
    title="REST API stages write access logs",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::ApiGateway::Stage",),
    permissions=[GET, "logs:DescribeLogGroups", "firehose:DescribeDeliveryStream", "iam:GetRole"],
    remediation="aws apigateway update-stage --rest-api-id <api> --stage-name <stage> "
    "--patch-operations op=replace,path=/accessLogSettings/destinationArn,value=<log-group-arn> "
    "op=replace,path=/accessLogSettings/format,value=<format>",
)
def rest_access_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per REST stage. PASS when `accessLogSettings.destinationArn` and `format`
    are set, the destination (CloudWatch Logs group or Firehose stream) still exists, and,
    for a CloudWatch Logs destination, the region's account CloudWatch role works. A
    deleted destination group is a FAIL that names it. Access logs record who called the
    API (source IP, method, path, status); no peer checks them on REST APIs.
    """
    stages, gaps = stages_of(ctx, {"REST"}, "REST APIs", rest_stages)
    yield from gaps
    for stage in stages:
        fix = rest_fix(
            stage,
            "/accessLogSettings/destinationArn,value=<log-group-arn>",
            f"/accessLogSettings/format,value={ACCESS_FORMAT}",
        )
        yield access_logging(ctx, stage, fix)


@check(
    id="apigw.rest.execution_logging",
    title="REST API stages write execution logs for every method",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::ApiGateway::Stage",),
    permissions=[GET, "iam:GetRole"],
    remediation="aws apigateway update-stage --rest-api-id <api> --stage-name <stage> "
    "--patch-operations op=replace,path=/*/*/logging/loglevel,value=ERROR",
)
def rest_execution_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per REST stage (Security Hub APIGateway.1). PASS when the stage-wide
    setting `methodSettings['*/*'].loggingLevel` is ERROR or INFO, no per-method override
    sets it to OFF (the message names the method), and the region's account CloudWatch
    role works. A stage with only per-method levels and no `*/*` FAILs: new methods are
    not logged. Execution logs show what happened inside a request; they are what you
    debug with.
    """
    stages, gaps = stages_of(ctx, {"REST"}, "REST APIs", rest_stages)
    yield from gaps
    for stage in stages:
        settings = stage.raw.get("methodSettings") or {}
        default = (settings.get("*/*") or {}).get("loggingLevel")
        overrides = {k: v.get("loggingLevel") for k, v in settings.items() if k != "*/*"}
        off = [method_label(k) for k, level in overrides.items() if level == "OFF"]
        on = [method_label(k) for k, level in overrides.items() if level in LOG_LEVELS]
        evidence = {
            **stage.evidence(),
            "default_logging_level": default,
            "method_logging_levels": {method_label(k): v for k, v in overrides.items()},
        }
        fix = rest_fix(stage, "/*/*/logging/loglevel,value=ERROR")
        rtype = stage.resource_type
        if default not in LOG_LEVELS:
            text = (
                f"{stage.label} has no stage-wide execution logging ('*/*' is "
                f"{default or 'not set'})"
            )
            text += f"; only {', '.join(on)} log" if on else ": execution logging is off"
            yield ctx.failed(rtype, stage.arn, text, evidence=evidence, remediation=fix)
        elif off:
            keys = [k for k, level in overrides.items() if level == "OFF"]
            yield ctx.failed(
                rtype,
                stage.arn,
                f"{stage.label} logs at {default}, but {', '.join(off)} "
                f"{'overrides' if len(off) == 1 else 'override'} it to OFF",
                evidence=evidence,
                remediation=rest_fix(stage, *(f"/{k}/logging/loglevel,value=ERROR" for k in keys)),
            )
        else:
            yield with_role(
                ctx,
                stage,
                f"{stage.label} writes execution logs at {default} for every method",
                ROLE_FIX,
            )


@check(
    id="apigw.rest.data_trace",
    title="Production REST stages do not log full request and response bodies",
    severity=Severity.LOW,
    signal=Signal.LOGS,
    resource_types=("AWS::ApiGateway::Stage",),
    permissions=[GET],
    remediation="aws apigateway update-stage --rest-api-id <api> --stage-name <stage> "
    "--patch-operations op=replace,path=/*/*/logging/dataTrace,value=false",
    options={"production_stage_pattern": r"(^|[-_.])(prod|production|prd|live)([-_.]|\d|$)"},
)
def rest_data_trace(ctx: Context) -> Iterator[Finding]:
    """One finding per REST stage. `dataTraceEnabled` writes full request and response
    bodies (payloads, tokens, personal data) into CloudWatch Logs: useful while debugging,
    risky in production. Only stages whose name suggests production are judged: the name
    matches the option `production_stage_pattern`, case-insensitive, by default
    `prod`, `production`, `prd` or `live` as a whole word of the name (`prod`, `eu-prod`,
    `prod-2`, `live`; not `product` or `preprod`). FAIL when such a stage enables data
    trace stage-wide or on any method, so people decide knowingly; PASS when it does not;
    NOT_APPLICABLE for other stages.
    """
    pattern = re.compile(str(ctx.option("production_stage_pattern")), re.IGNORECASE)
    stages, gaps = stages_of(ctx, {"REST"}, "REST APIs", rest_stages)
    yield from gaps
    for stage in stages:
        settings = stage.raw.get("methodSettings") or {}
        traced = [k for k, v in settings.items() if v.get("dataTraceEnabled")]
        where = ["every method" if k == "*/*" else method_label(k) for k in traced]
        evidence = {
            **stage.evidence(),
            "data_trace_on": where,
            "production_stage_pattern": pattern.pattern,
        }
        rtype = stage.resource_type
        if not pattern.search(stage.name):
            yield ctx.not_applicable(
                rtype,
                stage.arn,
                f"{stage.label}: the name does not suggest production",
                evidence=evidence,
            )
        elif traced:
            yield ctx.failed(
                rtype,
                stage.arn,
                f"production {stage.label} logs full request and response bodies "
                f"({', '.join(where)}): payloads and tokens end up in CloudWatch Logs",
                evidence=evidence,
                remediation=rest_fix(
                    stage, *(f"/{k}/logging/dataTrace,value=false" for k in traced)
                ),
            )
        else:
            yield ctx.passed(
                rtype,
                stage.arn,
                f"production {stage.label} does not log request or response bodies",
                evidence=evidence,
            )


@check(
    id="apigw.rest.xray_tracing",
    title="REST API stages send traces to X-Ray",
    severity=Severity.LOW,
    signal=Signal.TRACES,
    resource_types=("AWS::ApiGateway::Stage",),
    permissions=[GET],
    remediation="aws apigateway update-stage --rest-api-id <api> --stage-name <stage> "
    "--patch-operations op=replace,path=/tracingEnabled,value=true",
)
def rest_xray_tracing(ctx: Context) -> Iterator[Finding]:
    """One finding per REST stage (Security Hub APIGateway.3). PASS when `tracingEnabled`
    is true (absent means false): X-Ray then shows where a slow or failing request spent
    its time across API Gateway and its integrations.
    """
    stages, gaps = stages_of(ctx, {"REST"}, "REST APIs", rest_stages)
    yield from gaps
    for stage in stages:
        evidence = {**stage.evidence(), "tracing_enabled": bool(stage.raw.get("tracingEnabled"))}
        if stage.raw.get("tracingEnabled"):
            yield ctx.passed(
                stage.resource_type,
                stage.arn,
                f"{stage.label} sends traces to X-Ray",
                evidence=evidence,
            )
        else:
            yield ctx.failed(
                stage.resource_type,
                stage.arn,
                f"{stage.label} does not send traces to X-Ray",
                evidence=evidence,
                remediation=rest_fix(stage, "/tracingEnabled,value=true"),
            )
