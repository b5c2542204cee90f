"""API Gateway HTTP and WebSocket APIs: access logs and execution logs per stage.

Semantics and pitfalls: controls.md §4. One finding per stage (never one per API),
resource id the stage ARN. HTTP APIs have no execution logs at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from awsobs.checks.apigw.readers import GET, LOG_LEVELS, v2_stages
from awsobs.checks.apigw.verdicts import (
    ACCESS_FORMAT,
    ROLE_FIX,
    access_logging,
    stages_of,
    v2_fix,
    with_role,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check


@check(
    id="apigw.v2.access_logging",
    title="HTTP and WebSocket API stages write access logs",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::ApiGatewayV2::Stage",),
    permissions=[GET, "logs:DescribeLogGroups", "firehose:DescribeDeliveryStream", "iam:GetRole"],
    remediation="aws apigatewayv2 update-stage --api-id <api> --stage-name <stage> "
    "--access-log-settings DestinationArn=<log-group-arn>,Format=<format>",
)
def v2_access_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per HTTP or WebSocket stage, never one per API (Security Hub
    APIGateway.9). PASS when `AccessLogSettings` has a `DestinationArn` and a `Format`
    and the destination still exists; a WebSocket stage logging to CloudWatch Logs also
    needs the region's account CloudWatch role (HTTP APIs deliver through the log
    group's resource policy instead).
    """
    stages, gaps = stages_of(ctx, {"HTTP", "WEBSOCKET"}, "HTTP or WebSocket APIs", v2_stages)
    yield from gaps
    for stage in stages:
        fix = v2_fix(
            stage,
            f"--access-log-settings DestinationArn=<log-group-arn>,Format={ACCESS_FORMAT}",
        )
        yield access_logging(ctx, stage, fix)


@check(
    id="apigw.ws.execution_logging",
    title="WebSocket API stages write execution logs for every route",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::ApiGatewayV2::Stage",),
    permissions=[GET, "iam:GetRole"],
    remediation="aws apigatewayv2 update-stage --api-id <api> --stage-name <stage> "
    "--default-route-settings LoggingLevel=ERROR",
)
def ws_execution_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per WebSocket stage (Security Hub APIGateway.1). PASS when
    `DefaultRouteSettings.LoggingLevel` is ERROR or INFO, no route in `RouteSettings`
    overrides it to OFF (the message names the route), and the region's account
    CloudWatch role works.
    """
    stages, gaps = stages_of(ctx, {"WEBSOCKET"}, "WebSocket APIs", v2_stages)
    yield from gaps
    for stage in stages:
        default = (stage.raw.get("DefaultRouteSettings") or {}).get("LoggingLevel")
        routes = {
            k: v.get("LoggingLevel") for k, v in (stage.raw.get("RouteSettings") or {}).items()
        }
        off = [route for route, level in routes.items() if level == "OFF"]
        evidence = {
            **stage.evidence(),
            "default_logging_level": default,
            "route_logging_levels": routes,
        }
        rtype = stage.resource_type
        if default not in LOG_LEVELS:
            yield ctx.failed(
                rtype,
                stage.arn,
                f"{stage.label} has execution logging off "
                f"(default route level {default or 'not set'})",
                evidence=evidence,
                remediation=v2_fix(stage, "--default-route-settings LoggingLevel=ERROR"),
            )
        elif off:
            routes_fix = json.dumps({r: {"LoggingLevel": "ERROR"} for r in off})
            fixes = f"--route-settings '{routes_fix}'"
            yield ctx.failed(
                rtype,
                stage.arn,
                f"{stage.label} logs at {default}, but route "
                f"{', '.join(off)} {'overrides' if len(off) == 1 else 'override'} "
                "it to OFF",
                evidence=evidence,
                remediation=v2_fix(stage, fixes),
            )
        else:
            yield with_role(
                ctx,
                stage,
                f"{stage.label} writes execution logs at {default} for every route",
                ROLE_FIX,
            )


@check(
    id="apigw.http.execution_logging",
    title="HTTP API stages: execution logs do not exist (access logs are what there is)",
    severity=Severity.INFO,
    signal=Signal.LOGS,
    resource_types=("AWS::ApiGatewayV2::Stage",),
    permissions=[GET],
    remediation="Use access logs on HTTP APIs (see apigw.v2.access_logging)",
)
def http_execution_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per HTTP stage, always NOT_APPLICABLE: HTTP APIs have no execution logs
    (API Gateway rejects a logging level on HTTP stages), so failing them for it, as some
    peers do, is wrong. Their only logs are access logs, checked by
    `apigw.v2.access_logging`; put `$context.integrationErrorMessage` in the access log
    format to see integration errors.
    """
    stages, gaps = stages_of(ctx, {"HTTP"}, "HTTP APIs", v2_stages)
    yield from gaps
    for stage in stages:
        yield ctx.not_applicable(
            stage.resource_type,
            stage.arn,
            f"{stage.label}: HTTP APIs have no execution logs; access logs are checked by "
            "apigw.v2.access_logging",
            evidence=stage.evidence(),
        )
