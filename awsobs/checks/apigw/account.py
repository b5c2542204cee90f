"""API Gateway: shared stage helpers, and the account CloudWatch role behind REST/WS logs.

The stage checks live in apigateway_rest.py and apigateway_v2.py; semantics and pitfalls
are in controls.md §3 and §4. One finding per stage, resource id the stage ARN. REST and
WebSocket logs are written with the account's per-region CloudWatch role: a stage whose
logging is configured but whose region has no working role writes nothing, and its
finding says so. HTTP APIs have no execution logs at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.checks.apigw.readers import (
    GET,
    account_role,
    needs_account_role,
    rest_stages,
    v2_stages,
)
from awsobs.checks.apigw.verdicts import ROLE_FIX, stages_of
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal, Status
from awsobs.registry import check


@check(
    id="apigw.account_cloudwatch_role",
    title="API Gateway can write REST and WebSocket logs to CloudWatch (account role)",
    severity=Severity.HIGH,
    signal=Signal.LOGS,
    resource_types=("AWS::ApiGateway::Stage",),
    permissions=[GET, "iam:GetRole"],
    remediation=ROLE_FIX,
)
def account_cloudwatch_role(ctx: Context) -> Iterator[Finding]:
    """One finding per region that has REST or WebSocket stages with logging configured
    (execution logging at ERROR/INFO, or access logs to CloudWatch Logs). PASS when
    `apigateway:GetAccount` has a `cloudwatchRoleArn`, the role exists, and its trust
    policy lets `apigateway.amazonaws.com` assume it. This is one setting per account and
    region, shared by every API: without it, configured logs are silently never written.
    HTTP APIs do not use it. NOT_APPLICABLE in regions with no stage that needs it.
    """
    region = ctx.region
    rest, gaps = stages_of(ctx, {"REST"}, "REST APIs", rest_stages)
    ws, ws_gaps = stages_of(ctx, {"WEBSOCKET"}, "WebSocket APIs", v2_stages)
    unknown = [f for f in gaps + ws_gaps if f.status is Status.UNKNOWN]
    dependent = [s for s in rest + ws if needs_account_role(s)]
    arn = f"arn:{ctx.partition}:apigateway:{region}::/account"
    rtype = "AWS::ApiGateway::Account"
    if not dependent:
        if unknown:  # one finding per region, whichever listing failed first
            yield ctx.unknown(rtype, arn, unknown[0].message, evidence=unknown[0].evidence)
        else:
            yield ctx.not_applicable(
                rtype,
                arn,
                f"no REST or WebSocket stage in {region} writes logs through the account's "
                "CloudWatch role",
            )
        return
    role = account_role(ctx, region)
    evidence = {**role.evidence(), "stages_that_need_it": [s.arn for s in dependent]}
    names = ", ".join(s.label for s in dependent[:3]) + (
        f" and {len(dependent) - 3} more" if len(dependent) > 3 else ""
    )
    if role.holds is True:
        yield ctx.passed(rtype, arn, role.message, evidence=evidence)
    elif role.holds is False:
        yield ctx.failed(
            rtype, arn, f"{role.message}: logs of {names} are never written", evidence=evidence
        )
    elif role.error is not None:
        yield ctx.unknown_from(
            role.error, rtype, arn, "could not check the account role", evidence=evidence
        )
    else:
        yield ctx.unknown(rtype, arn, role.message, evidence=evidence)
