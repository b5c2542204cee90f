"""API Gateway stages and the settings behind their logs, read once for all checks.

- REST APIs (`apigateway`): GetRestApis per region, then GetStages once per API.
- HTTP and WebSocket APIs (`apigatewayv2`): GetApis per region, GetStages once per API.
- The account's CloudWatch role (`GetAccount` per region, `iam:GetRole`): REST and
  WebSocket logs are written with it; without it, configured logs are silently dropped.
  HTTP APIs do not use it (they log through the log group's resource policy).
- A log destination (CloudWatch Logs group or Firehose stream) that was deleted after
  the stage was configured receives nothing: existence is checked per destination.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.session import global_region
from awsobs.checks._shared import LOG_GROUP_ARN
from awsobs.context import Context

STAGE = "AWS::ApiGateway::Stage"
STAGE_V2 = "AWS::ApiGatewayV2::Stage"
API = "AWS::ApiGateway::RestApi"
API_V2 = "AWS::ApiGatewayV2::Api"
LOG_LEVELS = ("ERROR", "INFO")
GET = "apigateway:GET"  # the IAM action of every API Gateway read


@dataclass(frozen=True)
class Stage:
    """One stage of a REST, HTTP or WebSocket API."""

    kind: str  # REST | HTTP | WEBSOCKET
    api_id: str
    api_name: str
    name: str
    arn: str
    region: str
    raw: Mapping[str, Any]

    @property
    def label(self) -> str:
        kind = "WebSocket" if self.kind == "WEBSOCKET" else self.kind
        return f"stage '{self.name}' of {kind} API '{self.api_name}'"

    @property
    def resource_type(self) -> str:
        return STAGE if self.kind == "REST" else STAGE_V2

    @property
    def access_log(self) -> Mapping[str, Any]:
        key = "accessLogSettings" if self.kind == "REST" else "AccessLogSettings"
        settings: Mapping[str, Any] = self.raw.get(key) or {}
        return {
            "destination": settings.get("destinationArn") or settings.get("DestinationArn"),
            "format": settings.get("format") or settings.get("Format"),
        }

    def evidence(self) -> dict[str, Any]:
        return {
            "api_id": self.api_id,
            "api_name": self.api_name,
            "stage": self.name,
            "protocol": self.kind,
        }


@dataclass(frozen=True)
class FailedApi:
    """An API whose stages could not be read."""

    kind: str
    arn: str
    name: str
    error: AwsError


@dataclass(frozen=True)
class StageListing:
    """Stages of one region, and the APIs whose stages could not be read."""

    stages: tuple[Stage, ...] = ()
    failed: tuple[FailedApi, ...] = field(default=())


def rest_stages(ctx: Context, region: str) -> StageListing:
    """REST API stages in `region`; raises `AwsError` when the APIs cannot be listed."""
    apis = ctx.call("apigateway", "GetRestApis", region).get("items", ())
    return _listing(ctx, region, [(a["id"], a.get("name") or a["id"], "REST") for a in apis])


def v2_stages(ctx: Context, region: str) -> StageListing:
    """HTTP and WebSocket API stages in `region`; raises `AwsError` when listing fails."""
    apis = ctx.call("apigatewayv2", "GetApis", region).get("Items", ())
    found = [(a["ApiId"], a.get("Name") or a["ApiId"], a.get("ProtocolType", "HTTP")) for a in apis]
    return _listing(ctx, region, found)


def _listing(ctx: Context, region: str, apis: list[tuple[str, str, str]]) -> StageListing:
    """GetStages once per API (id, name, kind), concurrently."""

    def one(api: tuple[str, str, str]) -> list[Stage] | FailedApi:
        api_id, name, kind = api
        path = "restapis" if kind == "REST" else "apis"
        api_arn = f"arn:{ctx.partition}:apigateway:{region}::/{path}/{api_id}"
        try:
            if kind == "REST":
                items = ctx.call("apigateway", "GetStages", region, restApiId=api_id).get(
                    "item", ()
                )
            else:
                items = ctx.call("apigatewayv2", "GetStages", region, ApiId=api_id).get("Items", ())
        except AwsError as err:
            return FailedApi(kind, api_arn, name, err)
        return [
            Stage(kind, api_id, name, str(stage), f"{api_arn}/stages/{stage}", region, raw)
            for raw in items
            for stage in [raw.get("stageName") or raw.get("StageName")]
        ]

    stages: list[Stage] = []
    failed: list[FailedApi] = []
    for result in ctx.map(one, apis):
        if isinstance(result, FailedApi):
            failed.append(result)
        else:
            stages.extend(result)
    stages.sort(key=lambda s: (s.api_name, s.api_id, s.name))
    return StageListing(tuple(stages), tuple(failed))


# -- execution-log settings -----------------------------------------------------------------


def method_label(key: str) -> str:
    """`~1pets/GET` (a methodSettings key) -> `GET /pets`."""
    path, _, method = key.rpartition("/")
    return f"{method} {path.replace('~1', '/').replace('~0', '~') or '/'}"


def needs_account_role(stage: Stage) -> bool:
    """Does this stage write logs that go through the account's CloudWatch role?"""
    if stage.kind == "HTTP":
        return False
    if stage.kind == "REST":
        levels = [s.get("loggingLevel") for s in (stage.raw.get("methodSettings") or {}).values()]
    else:
        routes = (stage.raw.get("RouteSettings") or {}).values()
        default = stage.raw.get("DefaultRouteSettings") or {}
        levels = [default.get("LoggingLevel"), *(r.get("LoggingLevel") for r in routes)]
    return any(level in LOG_LEVELS for level in levels) or logs_to_cloudwatch(
        stage.access_log["destination"]
    )


def logs_to_cloudwatch(destination: str | None) -> bool:
    """Is this access-log destination a CloudWatch Logs group (not a Firehose stream)?"""
    return bool(destination and LOG_GROUP_ARN.match(destination))


# -- the account's CloudWatch role ----------------------------------------------------------


@dataclass(frozen=True)
class AccountRole:
    """Whether API Gateway can write logs in a region; `holds` is None when unreadable."""

    region: str
    holds: bool | None
    message: str
    role_arn: str | None = None
    error: AwsError | None = None

    def evidence(self) -> dict[str, Any]:
        return {"cloudwatch_role_arn": self.role_arn, "account_role_ok": self.holds}


def account_role(ctx: Context, region: str) -> AccountRole:
    """Evaluate apigateway:GetAccount's cloudwatchRoleArn in `region` (memoized reads)."""
    try:
        role_arn = ctx.call("apigateway", "GetAccount", region).get("cloudwatchRoleArn")
    except AwsError as err:
        return AccountRole(
            region, None, f"could not read API Gateway settings: {err.describe()}", error=err
        )
    if not role_arn:
        return AccountRole(region, False, f"API Gateway has no CloudWatch role set in {region}")
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[4] != ctx.account_id:
        return AccountRole(
            region,
            None,
            f"CloudWatch role {role_arn} is in another account and cannot be checked from here",
            role_arn,
        )
    name = parts[5].rsplit("/", 1)[-1]
    try:
        role = ctx.call("iam", "GetRole", global_region(ctx.partition), RoleName=name)["Role"]
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            return AccountRole(
                region, False, f"API Gateway's CloudWatch role {role_arn} does not exist", role_arn
            )
        return AccountRole(
            region, None, f"could not read role {role_arn}: {err.describe()}", role_arn, err
        )
    if not trusts_api_gateway(role.get("AssumeRolePolicyDocument")):
        return AccountRole(
            region,
            False,
            f"API Gateway's CloudWatch role {role_arn} does not trust apigateway.amazonaws.com",
            role_arn,
        )
    return AccountRole(region, True, f"API Gateway writes logs with role {role_arn}", role_arn)


def trusts_api_gateway(policy: Any) -> bool:
    """Does a trust policy let apigateway.amazonaws.com assume the role?"""
    if not isinstance(policy, Mapping):
        return False
    statements = policy.get("Statement") or ()
    if isinstance(statements, Mapping):
        statements = (statements,)
    for st in statements:
        if st.get("Effect") != "Allow":
            continue
        actions = st.get("Action") or ()
        actions = (actions,) if isinstance(actions, str) else actions
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        principal = st.get("Principal") or {}
        services = principal.get("Service", ()) if isinstance(principal, Mapping) else ()
        services = (services,) if isinstance(services, str) else services
        if "apigateway.amazonaws.com" in services:
            return True
    return False


# -- log destinations ------------------------------------------------------------------------

_FIREHOSE_ARN = re.compile(r"^arn:[^:]+:firehose:([^:]+):(\d+):deliverystream/(.+)$")


def destination_exists(ctx: Context, arn: str) -> bool | AwsError | None:
    """True/False when we could tell, None when it belongs to another account."""
    if m := LOG_GROUP_ARN.match(arn):
        region, account, name = m.group(1), m.group(2), m.group(3)
        if account != ctx.account_id:
            return None
        try:
            groups = ctx.call("logs", "DescribeLogGroups", region, logGroupNamePrefix=name)
        except AwsError as err:
            return err
        return any(g.get("logGroupName") == name for g in groups.get("logGroups", ()))
    if m := _FIREHOSE_ARN.match(arn):
        region, account, name = m.group(1), m.group(2), m.group(3)
        if account != ctx.account_id:
            return None
        try:
            ctx.call("firehose", "DescribeDeliveryStream", region, DeliveryStreamName=name)
        except AwsError as err:
            return False if err.kind is ErrorKind.NOT_FOUND else err
        return True
    return False
