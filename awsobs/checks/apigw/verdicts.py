"""API Gateway: what the stage checks share: the stage listing with its stand-in findings,
the fix commands, and the verdicts that depend on the account's CloudWatch role (REST and
WebSocket logs are written with it) and on a log destination that still exists.
"""

from __future__ import annotations

from collections.abc import Callable

from awsobs.aws.errors import AwsError
from awsobs.checks.apigw.readers import (
    API,
    API_V2,
    FailedApi,
    Stage,
    StageListing,
    account_role,
    destination_exists,
    logs_to_cloudwatch,
)
from awsobs.context import Context
from awsobs.model import Finding

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

    def read() -> list[Stage | FailedApi]:
        listing = lister(ctx, ctx.region)
        found: list[Stage | FailedApi] = [*listing.stages, *listing.failed]
        return [x for x in found if x.kind in kinds]

    found, gap = ctx.listing(noun, read)
    if gap is not None:
        return [], [gap]
    stages = [s for s in found if isinstance(s, Stage)]
    unreadable = [
        ctx.unknown_from(
            f.error,
            API if f.kind == "REST" else API_V2,
            f.arn,
            f"could not read the stages of API '{f.name}'",
        )
        for f in found
        if isinstance(f, FailedApi)
    ]
    return stages, unreadable


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
