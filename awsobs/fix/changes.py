"""Changes to existing resources that one AWS CLI command makes (`awsobs fix --format sh`
only: CloudFormation and Terraform would have to import the resource first). Each function
reads a FAIL finding's evidence and returns the command's arguments, or None when the
evidence does not say enough to write it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Finding = Mapping[str, Any]


def _ev(f: Finding) -> Mapping[str, Any]:
    ev = f.get("evidence")
    return ev if isinstance(ev, Mapping) else {}


def stage(f: Finding) -> list[str] | None:
    ev = _ev(f)
    api, stage = ev.get("api_id"), ev.get("stage")
    if not api or not stage or ev.get("protocol") != "REST":
        return None
    op = (
        "op=replace,path=/*/*/logging/loglevel,value=ERROR"
        if f["check_id"] == "apigw.rest.execution_logging"
        else "op=replace,path=/tracingEnabled,value=true"
    )
    return [
        "apigateway",
        "update-stage",
        "--rest-api-id",
        str(api),
        "--stage-name",
        str(stage),
        "--patch-operations",
        op,
    ]


def lambda_tracing(f: Finding) -> list[str] | None:
    fn = _ev(f).get("function_name")
    if not fn:
        return None
    return [
        "lambda",
        "update-function-configuration",
        "--function-name",
        str(fn),
        "--tracing-config",
        "Mode=Active",
    ]


def sfn_tracing(f: Finding) -> list[str] | None:
    arn = str(f["resource_id"])
    if not arn.startswith("arn:"):
        return None
    return [
        "stepfunctions",
        "update-state-machine",
        "--state-machine-arn",
        arn,
        "--tracing-configuration",
        "enabled=true",
    ]


def trail_validation(f: Finding) -> list[str] | None:
    ev = _ev(f)
    arn, home = ev.get("trail_arn"), ev.get("home_region")
    if not arn or not home or ev.get("owner_account") not in (None, f["account_id"]):
        return None
    return ["cloudtrail", "update-trail", "--name", str(arn), "--enable-log-file-validation"]


def alarm_actions(f: Finding) -> list[str] | None:
    name = _ev(f).get("alarm_name")
    if not name:
        return None
    return ["cloudwatch", "enable-alarm-actions", "--alarm-names", str(name)]


def container_insights(f: Finding) -> list[str] | None:
    cluster = str(f["resource_id"]).rsplit("/", 1)[-1]
    if not str(f["resource_id"]).startswith("arn:"):
        return None
    return [
        "ecs",
        "update-cluster-settings",
        "--cluster",
        cluster,
        "--settings",
        "name=containerInsights,value=enabled",
    ]


CHANGES: dict[str, Callable[[Finding], list[str] | None]] = {
    "apigw.rest.execution_logging": stage,
    "apigw.rest.xray_tracing": stage,
    "lambda.xray_active": lambda_tracing,
    "stepfunctions.xray": sfn_tracing,
    "cloudtrail.log_file_validation": trail_validation,
    "cloudwatch.alarm_actions_enabled": alarm_actions,
    "ecs.container_insights": container_insights,
}
