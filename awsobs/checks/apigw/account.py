"""API Gateway: shared stage helpers, and the account CloudWatch role behind REST/WS logs.

The stage checks live in apigateway_rest.py and apigateway_v2.py; semantics and pitfalls
are in controls.md §3 and §4. One finding per stage, resource id the stage ARN. REST and
WebSocket logs are written with the account's per-region CloudWatch role: a stage whose
logging is configured but whose region has no working role writes nothing, and its
finding says so. HTTP APIs have no execution logs at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks.apigw.readers import (
    API,
    API_V2,
    Stage,
    StageListing,
    account_role,
    destination_exists,
    logs_to_cloudwatch,
    needs_account_role,
    rest_stages,
    v2_stages,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Status
from awsobs.registry import check

GET = "apigateway:GET"
ROLE_FIX = (
    "aws apigateway update-account --patch-operations "
    "op=replace,path=/cloudwatchRoleArn,value=<role-arn> (a role trusting "
    "apigateway.amazonaws.com with the AmazonAPIGatewayPushToCloudWatchLogs policy)"
)
ACCESS_FORMAT = (
    "'$context.requestId $context.identity.sourceIp $context.httpMethod "
    "$context.resourcePath $context.status'"
)


def rest_fix(stage: Stage, *ops: str) -> str:
    patches = " ".join(f"op=replace,path={op}" for op in ops)
    return (
        f"aws apigateway update-stage --region {stage.region} --rest-api-id {stage.api_id} "
        f"--stage-name {stage.name} --patch-operations {patches}"
    )


def v2_fix(stage: Stage, setting: str) -> str:
    return (
        f"aws apigatewayv2 update-stage --region {stage.region} --api-id {stage.api_id} "
        f"--stage-name '{stage.name}' {setting}"
    )


def stages_of(
    ctx: Context, kinds: set[str], noun: str, lister: Callable[[Context, str], StageListing]
) -> tuple[list[Stage], list[Finding]]:
    """The region's stages of `kinds`, plus UNKNOWN/NOT_APPLICABLE findings for the gaps."""
    region = ctx.region
    assert region is not None
    try:
        listing = lister(ctx, region)
    except AwsError as err:
        return [], [ctx.unknown_from(err, *ctx.region_resource(), f"could not list {noun}")]
    stages = [s for s in listing.stages if s.kind in kinds]
    extra = [
        ctx.unknown_from(
            f.error,
            API if f.kind == "REST" else API_V2,
            f.arn,
            f"could not read the stages of API '{f.name}'",
        )
        for f in listing.failed
        if f.kind in kinds
    ]
    if not stages and not extra:
        extra = [ctx.not_applicable(*ctx.region_resource(), f"no {noun} in {region}")]
    return stages, extra


def with_role(ctx: Context, stage: Stage, ok: str, fix_if_broken: str) -> Finding:
    """PASS with `ok`, unless the account role the stage depends on is broken or unreadable."""
    role = account_role(ctx, stage.region)
    evidence = {**stage.evidence(), **role.evidence()}
    if role.holds is True:
        return ctx.passed(stage.resource_type, stage.arn, ok, evidence=evidence)
    if role.holds is False:
        return ctx.failed(
            stage.resource_type,
            stage.arn,
            f"{stage.label} is configured to log, but {role.message}: nothing is written",
            evidence=evidence,
            remediation=fix_if_broken,
        )
    if role.error is not None:
        what = (
            f"{stage.label} is configured to log; whether the account's CloudWatch role "
            "lets API Gateway write is unknown"
        )
        return ctx.unknown_from(role.error, stage.resource_type, stage.arn, what, evidence=evidence)
    return ctx.unknown(
        stage.resource_type, stage.arn, f"{stage.label}: {role.message}", evidence=evidence
    )


def access_logging(ctx: Context, stage: Stage, fix: str) -> Finding:
    """Shared verdict of the REST and v2 access-logging checks."""
    dest, fmt = stage.access_log["destination"], stage.access_log["format"]
    evidence = {**stage.evidence(), "destination_arn": dest, "format": fmt}
    rtype = stage.resource_type
    if not dest:
        return ctx.failed(
            rtype,
            stage.arn,
            f"{stage.label} has no access logs: who called it (IP, method, status) is not recorded",
            evidence=evidence,
            remediation=fix,
        )
    if not fmt:
        return ctx.failed(
            rtype,
            stage.arn,
            f"{stage.label} has an access log destination but "
            "no format, so no access log is written",
            evidence=evidence,
            remediation=fix,
        )
    exists = destination_exists(ctx, dest)
    if isinstance(exists, AwsError):
        return ctx.unknown_from(
            exists,
            rtype,
            stage.arn,
            f"could not check the access log destination of {stage.label}",
            evidence=evidence,
        )
    if exists is None:
        return ctx.unknown(
            rtype,
            stage.arn,
            f"{stage.label} sends access logs to {dest} in another account; check it there",
            evidence=evidence,
        )
    if not exists:
        return ctx.failed(
            rtype,
            stage.arn,
            f"{stage.label} sends access logs to {dest}, which "
            "does not exist (deleted?): nothing is kept",
            evidence=evidence,
            remediation=fix,
        )
    ok = f"{stage.label} writes access logs to {dest}"
    if stage.kind != "HTTP" and logs_to_cloudwatch(dest):
        return with_role(ctx, stage, ok, ROLE_FIX)
    return ctx.passed(rtype, stage.arn, ok, evidence=evidence)


@check(
    id="apigw.account_cloudwatch_role",
    title="API Gateway can write REST and WebSocket logs to CloudWatch (account role)",
    severity=Severity.HIGH,
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
    assert region is not None
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
