"""API Gateway checks (controls.md §3, §4): one finding per stage, and each pitfall.

Pitfalls: a per-method override set to OFF, no stage-wide '*/*' level, a deleted access
log destination, HTTP vs WebSocket (HTTP has no execution logs and no account role), a
missing or untrusted account role, several stages with different settings on one API.
"""

from __future__ import annotations

import boto3
import pytest
from apigw_seed import (
    access,
    account_role,
    firehose,
    log_group,
    patch,
    rest_api,
    rest_stage_arn,
    v2_access,
    v2_api,
    v2_stage_arn,
)
from helpers import findings, only, run, stub_client, stub_error

from awsobs import Status

ROLE = "apigw.account_cloudwatch_role"
REST_ACCESS = "apigw.rest.access_logging"
REST_EXEC = "apigw.rest.execution_logging"
DATA_TRACE = "apigw.rest.data_trace"
XRAY = "apigw.rest.xray_tracing"
V2_ACCESS = "apigw.v2.access_logging"
WS_EXEC = "apigw.ws.execution_logging"
HTTP_EXEC = "apigw.http.execution_logging"
ALL = [ROLE, REST_ACCESS, REST_EXEC, DATA_TRACE, XRAY, V2_ACCESS, WS_EXEC, HTTP_EXEC]
INFO = patch("/*/*/logging/loglevel", "INFO")


def by_resource(report, check_id):  # type: ignore[no-untyped-def]
    return {f.resource_id: f for f in findings(report, check_id)}


# -- REST execution logging ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("ops", "status", "text"),
    [
        pytest.param([INFO], Status.PASS, "at INFO for every method", id="stage-wide-info"),
        pytest.param(
            [INFO, patch("/~1pets/GET/logging/loglevel", "OFF")],
            Status.FAIL,
            "logs at INFO, but GET /pets overrides it to OFF",
            id="method-override-off",
        ),
        pytest.param(
            [patch("/~1pets/GET/logging/loglevel", "ERROR")],
            Status.FAIL,
            "no stage-wide execution logging ('*/*' is not set); only GET /pets log",
            id="no-stage-wide-level",
        ),
        pytest.param([], Status.FAIL, "execution logging is off", id="nothing-set"),
        pytest.param(
            [patch("/*/*/logging/loglevel", "OFF")], Status.FAIL, "'*/*' is OFF", id="stage-off"
        ),
    ],
)
def test_rest_execution_logging(aws: boto3.Session, ops: list, status: Status, text: str) -> None:
    account_role(aws)
    api = rest_api(aws, "shop", {"prod": ops})
    f = only(run(aws, [REST_EXEC]), REST_EXEC)
    assert (f.resource_id, f.status) == (rest_stage_arn(api, "prod"), status)
    assert text in f.message, f.message
    if status is Status.FAIL:
        assert "aws apigateway update-stage" in f.remediation and api in f.remediation


def test_override_off_fix_targets_that_method(aws: boto3.Session) -> None:
    account_role(aws)
    rest_api(aws, "shop", {"prod": [INFO, patch("/~1pets/GET/logging/loglevel", "OFF")]})
    f = only(run(aws, [REST_EXEC]), REST_EXEC)
    assert "path=/~1pets/GET/logging/loglevel,value=ERROR" in f.remediation


def test_logging_without_account_role_writes_nothing(aws: boto3.Session) -> None:
    group = log_group(aws, "/apigw/shop")
    api = rest_api(aws, "shop", {"prod": [INFO, *access(group)]})
    report = run(aws, [ROLE, REST_EXEC, REST_ACCESS])
    role = only(report, ROLE)
    assert role.status is Status.FAIL
    assert "no CloudWatch role set in us-east-1" in role.message
    assert "stage 'prod' of REST API 'shop'" in role.message
    for check_id in (REST_EXEC, REST_ACCESS):
        f = only(report, check_id)
        assert f.status is Status.FAIL and "nothing is written" in f.message
        assert "update-account" in f.remediation
    assert f.resource_id == rest_stage_arn(api, "prod")


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        pytest.param({"create": False}, "does not exist", id="deleted-role"),
        pytest.param(
            {"service": "lambda.amazonaws.com"},
            "does not trust apigateway.amazonaws.com",
            id="untrusted-role",
        ),
    ],
)
def test_broken_account_role(aws: boto3.Session, kwargs: dict, text: str) -> None:
    account_role(aws, **kwargs)
    rest_api(aws, "shop", {"prod": [INFO]})
    report = run(aws, [ROLE, REST_EXEC])
    assert only(report, ROLE).status is Status.FAIL and text in only(report, ROLE).message
    assert only(report, REST_EXEC).status is Status.FAIL


def test_account_role_ok(aws: boto3.Session) -> None:
    arn = account_role(aws)
    rest_api(aws, "shop", {"prod": [INFO]})
    f = only(run(aws, [ROLE]), ROLE)
    assert f.status is Status.PASS and arn in f.message
    assert f.resource_id == "arn:aws:apigateway:us-east-1::/account"


def test_account_role_not_applicable_without_rest_or_ws_logging(aws: boto3.Session) -> None:
    # An HTTP API with access logs, and a REST stage with nothing on: nobody needs the role.
    v2_api(aws, "web", "HTTP", {"$default": v2_access(log_group(aws, "/http"))})
    rest_api(aws, "shop", {"dev": []})
    assert only(run(aws, [ROLE]), ROLE).status is Status.NOT_APPLICABLE


def test_account_role_unknown_when_role_cannot_be_read(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_role(aws)
    rest_api(aws, "shop", {"prod": [INFO]})
    stub_error(monkeypatch, "iam", "get_role")
    report = run(aws, [ROLE, REST_EXEC])
    assert only(report, ROLE).status is Status.UNKNOWN
    assert "iam:GetRole" in only(report, ROLE).message
    # The stage's own settings are fine; whether anything is written is unknown.
    assert only(report, REST_EXEC).status is Status.UNKNOWN


def test_listing_denied_is_unknown_for_every_check(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    rest_api(aws, "shop", {"prod": [INFO]})
    stub_error(monkeypatch, "apigateway", "get_rest_apis")
    stub_error(monkeypatch, "apigatewayv2", "get_apis")
    report = run(aws, ALL)
    for check_id in ALL:
        f = only(report, check_id)
        assert f.status is Status.UNKNOWN, check_id
        assert "access denied to apigateway:GET in us-east-1" in f.message, check_id


def test_stages_of_one_api_unreadable(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_client(
        monkeypatch,
        "apigateway",
        [
            ("get_rest_apis", {"items": [{"id": "abc123", "name": "shop"}]}),
            ("get_stages", "AccessDenied"),
        ],
    )
    f = only(run(aws, [REST_EXEC]), REST_EXEC)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == "arn:aws:apigateway:us-east-1::/restapis/abc123"
    assert (
        f.message
        == "could not read the stages of API 'shop': access denied to apigateway:GET in us-east-1"
    )


# -- REST access logging ------------------------------------------------------------------


def test_several_stages_on_one_api_each_get_their_own_verdict(aws: boto3.Session) -> None:
    account_role(aws)
    group = log_group(aws, "/apigw/shop")
    stream = firehose(aws, "shop-access")
    api = rest_api(
        aws,
        "shop",
        {
            "prod": access(group),
            "beta": access(stream),
            "dev": [],
            "old": access(f"{group}-deleted"),
            "half": [patch("/accessLogSettings/destinationArn", group)],
        },
    )
    got = {
        stage: f
        for stage in ("prod", "beta", "dev", "old", "half")
        for f in [by_resource(run(aws, [REST_ACCESS]), REST_ACCESS)[rest_stage_arn(api, stage)]]
    }
    assert {s: f.status for s, f in got.items()} == {
        "prod": Status.PASS,
        "beta": Status.PASS,
        "dev": Status.FAIL,
        "old": Status.FAIL,
        "half": Status.FAIL,
    }
    assert "who called it (IP, method, status) is not recorded" in got["dev"].message
    assert f"{group}-deleted, which does not exist" in got["old"].message
    assert "no format" in got["half"].message


def test_deleted_firehose_destination_fails(aws: boto3.Session) -> None:
    stream = firehose(aws, "gone")
    aws.client("firehose").delete_delivery_stream(DeliveryStreamName="gone")
    rest_api(aws, "shop", {"prod": access(stream)})
    f = only(run(aws, [REST_ACCESS]), REST_ACCESS)
    assert f.status is Status.FAIL and "does not exist" in f.message


def test_access_destination_unreadable_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_role(aws)
    rest_api(aws, "shop", {"prod": access(log_group(aws, "/apigw/shop"))})
    stub_error(monkeypatch, "logs", "describe_log_groups")
    f = only(run(aws, [REST_ACCESS]), REST_ACCESS)
    assert f.status is Status.UNKNOWN and "logs:DescribeLogGroups" in f.message


@pytest.mark.parametrize("check_id", [REST_ACCESS, REST_EXEC, DATA_TRACE, XRAY])
def test_no_rest_api_is_not_applicable(aws: boto3.Session, check_id: str) -> None:
    f = only(run(aws, [check_id]), check_id)
    assert f.status is Status.NOT_APPLICABLE and f.resource_id == "us-east-1"


# -- data trace and X-Ray -----------------------------------------------------------------


def test_data_trace_judges_production_stages_only(aws: boto3.Session) -> None:
    trace = patch("/*/*/logging/dataTrace", "true")
    api = rest_api(
        aws,
        "shop",
        {
            "prod": [trace],
            "eu-prod": [patch("/~1pets/GET/logging/dataTrace", "true")],
            "live": [],
            "dev": [trace],
            "preprod": [trace],
        },
    )
    got = by_resource(run(aws, [DATA_TRACE]), DATA_TRACE)
    status = {
        stage: got[rest_stage_arn(api, stage)].status
        for stage in ("prod", "eu-prod", "live", "dev", "preprod")
    }
    assert status == {
        "prod": Status.FAIL,
        "eu-prod": Status.FAIL,
        "live": Status.PASS,
        "dev": Status.NOT_APPLICABLE,
        "preprod": Status.NOT_APPLICABLE,
    }
    assert "(GET /pets)" in got[rest_stage_arn(api, "eu-prod")].message


def test_data_trace_pattern_is_an_option(aws: boto3.Session) -> None:
    api = rest_api(aws, "shop", {"main": [patch("/*/*/logging/dataTrace", "true")]})
    default = only(run(aws, [DATA_TRACE]), DATA_TRACE)
    assert default.status is Status.NOT_APPLICABLE
    tuned = run(aws, [DATA_TRACE], options={DATA_TRACE: {"production_stage_pattern": "^main$"}})
    assert only(tuned, DATA_TRACE).resource_id == rest_stage_arn(api, "main")
    assert only(tuned, DATA_TRACE).status is Status.FAIL


def test_xray_tracing(aws: boto3.Session) -> None:
    traced = rest_api(aws, "traced", {"prod": []}, tracingEnabled=True)
    plain = rest_api(aws, "plain", {"prod": []})
    got = by_resource(run(aws, [XRAY]), XRAY)
    assert got[rest_stage_arn(traced, "prod")].status is Status.PASS
    assert got[rest_stage_arn(plain, "prod")].status is Status.FAIL
    assert "path=/tracingEnabled,value=true" in got[rest_stage_arn(plain, "prod")].remediation


# -- HTTP and WebSocket -------------------------------------------------------------------


def test_v2_access_logging_one_finding_per_stage(aws: boto3.Session) -> None:
    group = log_group(aws, "/http/access")
    # No account role at all: HTTP APIs do not need it.
    api = v2_api(
        aws, "web", "HTTP", {"prod": v2_access(group), "dev": {}, "old": v2_access(f"{group}-gone")}
    )
    got = by_resource(run(aws, [V2_ACCESS]), V2_ACCESS)
    assert {k.rsplit("/", 1)[-1]: f.status for k, f in got.items()} == {
        "prod": Status.PASS,
        "dev": Status.FAIL,
        "old": Status.FAIL,
    }
    assert got[v2_stage_arn(api, "old")].message.endswith(
        "does not exist (deleted?): nothing is kept"
    )


def test_websocket_access_logs_need_the_account_role(aws: boto3.Session) -> None:
    group = log_group(aws, "/ws/access")
    v2_api(aws, "chat", "WEBSOCKET", {"prod": v2_access(group)})
    without = only(run(aws, [V2_ACCESS]), V2_ACCESS)
    assert without.status is Status.FAIL and "no CloudWatch role" in without.message
    account_role(aws)
    assert only(run(aws, [V2_ACCESS]), V2_ACCESS).status is Status.PASS


@pytest.mark.parametrize(
    ("settings", "status", "text"),
    [
        pytest.param(
            {"DefaultRouteSettings": {"LoggingLevel": "ERROR"}},
            Status.PASS,
            "at ERROR for every route",
            id="default-error",
        ),
        pytest.param(
            {
                "DefaultRouteSettings": {"LoggingLevel": "INFO"},
                "RouteSettings": {"$connect": {"LoggingLevel": "OFF"}},
            },
            Status.FAIL,
            "route $connect overrides it to OFF",
            id="route-override-off",
        ),
        pytest.param({}, Status.FAIL, "execution logging off", id="nothing-set"),
    ],
)
def test_websocket_execution_logging(
    aws: boto3.Session, settings: dict, status: Status, text: str
) -> None:
    account_role(aws)
    api = v2_api(aws, "chat", "WEBSOCKET", {"prod": settings})
    f = only(run(aws, [WS_EXEC]), WS_EXEC)
    assert (f.resource_id, f.status) == (v2_stage_arn(api, "prod"), status)
    assert text in f.message


def test_http_stages_are_never_failed_for_execution_logs(aws: boto3.Session) -> None:
    http = v2_api(aws, "web", "HTTP", {"$default": {}, "prod": v2_access(log_group(aws, "/h"))})
    ws = v2_api(aws, "chat", "WEBSOCKET", {"prod": {}})
    report = run(aws, [HTTP_EXEC, WS_EXEC])
    http_findings = by_resource(report, HTTP_EXEC)
    assert set(http_findings) == {v2_stage_arn(http, "$default"), v2_stage_arn(http, "prod")}
    assert {f.status for f in http_findings.values()} == {Status.NOT_APPLICABLE}
    assert "HTTP APIs have no execution logs" in http_findings[v2_stage_arn(http, "prod")].message
    # The WebSocket check judges the WebSocket stage only.
    assert set(by_resource(report, WS_EXEC)) == {v2_stage_arn(ws, "prod")}


def test_stages_and_account_read_once_for_all_checks(aws: boto3.Session) -> None:
    account_role(aws)
    group = log_group(aws, "/apigw/a")
    for name in ("one", "two", "three"):
        rest_api(aws, name, {"prod": [INFO, *access(group)], "dev": []})
    v2_api(aws, "chat", "WEBSOCKET", {"prod": {"DefaultRouteSettings": {"LoggingLevel": "INFO"}}})
    v2_api(aws, "web", "HTTP", {"$default": v2_access(group)})
    account_role(aws, region="eu-west-1", create=False)
    rest_api(aws, "eu", {"prod": [INFO]}, region="eu-west-1")
    report = run(aws, ALL, regions=("us-east-1", "eu-west-1"))
    calls = report.api_calls_by_operation
    assert calls["apigateway:GetStages"] == 4  # one per REST API
    assert calls["apigatewayv2:GetStages"] == 2  # one per HTTP/WebSocket API
    assert calls["apigateway:GetAccount"] == 2  # one per region
    assert calls["apigateway:GetRestApis"] == 2 and calls["apigatewayv2:GetApis"] == 2
    assert calls["iam:GetRole"] == 1
    assert calls["logs:DescribeLogGroups"] == 1  # one per distinct destination
