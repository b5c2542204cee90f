"""`awsobs scan` over HTTP against a moto server holding REST, HTTP and WebSocket APIs in
two regions with mixed settings: every stage gets its verdict, one finding per stage and
per check, and no HTTP stage is failed for execution logs.
"""

from __future__ import annotations

import boto3
from apigw_seed import (
    access,
    account_role,
    log_group,
    patch,
    rest_api,
    rest_stage_arn,
    v2_access,
    v2_api,
    v2_stage_arn,
)
from helpers import scan_json, verdicts

INFO = patch("/*/*/logging/loglevel", "INFO")


def test_api_gateway_verdicts_per_stage_in_two_regions(session: boto3.Session) -> None:
    # us-east-1: the account role works. REST API "shop": prod is complete (but traces
    # bodies), dev is bare, beta logs to a deleted group and turns one method OFF.
    account_role(session, "us-east-1")
    east_group = log_group(session, "/apigw/east")
    shop = rest_api(
        session,
        "shop",
        {
            "prod": [INFO, patch("/*/*/logging/dataTrace", "true"), *access(east_group)],
            "dev": [],
            "beta": [
                INFO,
                patch("/~1pets/GET/logging/loglevel", "OFF"),
                *access(f"{east_group}-deleted"),
            ],
        },
        tracingEnabled=True,
    )
    web = v2_api(session, "web", "HTTP", {"$default": v2_access(east_group), "dev": {}})
    chat = v2_api(
        session,
        "chat",
        "WEBSOCKET",
        {
            "prod": {**v2_access(east_group), "DefaultRouteSettings": {"LoggingLevel": "ERROR"}},
            "dev": {
                "DefaultRouteSettings": {"LoggingLevel": "INFO"},
                "RouteSettings": {"$connect": {"LoggingLevel": "OFF"}},
            },
        },
    )
    # eu-west-1: no account role, so configured REST/WebSocket logs are never written,
    # while the HTTP API's access logs are (they do not use the role).
    eu = "eu-west-1"
    eu_group = log_group(session, "/apigw/eu", region=eu)
    orders = rest_api(session, "orders", {"prod": [INFO, *access(eu_group)]}, region=eu)
    eu_web = v2_api(session, "eu-web", "HTTP", {"prod": v2_access(eu_group)}, region=eu)
    eu_chat = v2_api(
        session,
        "eu-chat",
        "WEBSOCKET",
        {"live": {"DefaultRouteSettings": {"LoggingLevel": "ERROR"}}},
        region=eu,
    )

    code, doc = scan_json(
        "--regions", f"us-east-1,{eu}", "--checks", "apigw.*",
        "--exclude-checks", "*_alarms", "*_delivered", "*_received",
    )  # fmt: skip  # alarms and delivery have their own end-to-end tests
    assert code == 1
    got = verdicts(doc)
    r = rest_stage_arn
    expected = {
        ("apigw.account_cloudwatch_role", "arn:aws:apigateway:us-east-1::/account"): "PASS",
        ("apigw.account_cloudwatch_role", f"arn:aws:apigateway:{eu}::/account"): "FAIL",
        # REST, us-east-1
        ("apigw.rest.access_logging", r(shop, "prod")): "PASS",
        ("apigw.rest.access_logging", r(shop, "dev")): "FAIL",
        ("apigw.rest.access_logging", r(shop, "beta")): "FAIL",  # deleted group
        ("apigw.rest.execution_logging", r(shop, "prod")): "PASS",
        ("apigw.rest.execution_logging", r(shop, "dev")): "FAIL",
        ("apigw.rest.execution_logging", r(shop, "beta")): "FAIL",  # GET /pets OFF
        ("apigw.rest.data_trace", r(shop, "prod")): "FAIL",
        ("apigw.rest.data_trace", r(shop, "dev")): "NOT_APPLICABLE",
        ("apigw.rest.data_trace", r(shop, "beta")): "NOT_APPLICABLE",
        ("apigw.rest.xray_tracing", r(shop, "prod")): "PASS",
        ("apigw.rest.xray_tracing", r(shop, "dev")): "PASS",
        ("apigw.rest.xray_tracing", r(shop, "beta")): "PASS",
        # REST, eu-west-1: configured, but no role
        ("apigw.rest.access_logging", r(orders, "prod", eu)): "FAIL",
        ("apigw.rest.execution_logging", r(orders, "prod", eu)): "FAIL",
        ("apigw.rest.data_trace", r(orders, "prod", eu)): "PASS",
        ("apigw.rest.xray_tracing", r(orders, "prod", eu)): "FAIL",
        # HTTP and WebSocket
        ("apigw.v2.access_logging", v2_stage_arn(web, "$default")): "PASS",
        ("apigw.v2.access_logging", v2_stage_arn(web, "dev")): "FAIL",
        ("apigw.v2.access_logging", v2_stage_arn(chat, "prod")): "PASS",
        ("apigw.v2.access_logging", v2_stage_arn(chat, "dev")): "FAIL",
        ("apigw.v2.access_logging", v2_stage_arn(eu_web, "prod", eu)): "PASS",  # no role needed
        ("apigw.v2.access_logging", v2_stage_arn(eu_chat, "live", eu)): "FAIL",
        ("apigw.ws.execution_logging", v2_stage_arn(chat, "prod")): "PASS",
        ("apigw.ws.execution_logging", v2_stage_arn(chat, "dev")): "FAIL",  # $connect OFF
        ("apigw.ws.execution_logging", v2_stage_arn(eu_chat, "live", eu)): "FAIL",  # no role
        ("apigw.http.execution_logging", v2_stage_arn(web, "$default")): "NOT_APPLICABLE",
        ("apigw.http.execution_logging", v2_stage_arn(web, "dev")): "NOT_APPLICABLE",
        ("apigw.http.execution_logging", v2_stage_arn(eu_web, "prod", eu)): "NOT_APPLICABLE",
    }
    assert got == expected
    # One finding per stage and per check.
    keys = [(f["check_id"], f["resource_id"]) for f in doc["findings"]]
    assert len(keys) == len(set(keys))
    messages = {(f["check_id"], f["resource_id"]): f["message"] for f in doc["findings"]}
    assert (
        "GET /pets overrides it to OFF"
        in messages[("apigw.rest.execution_logging", r(shop, "beta"))]
    )
    assert "nothing is written" in messages[("apigw.rest.execution_logging", r(orders, "prod", eu))]
    assert (
        "route $connect overrides it to OFF"
        in messages[("apigw.ws.execution_logging", v2_stage_arn(chat, "dev"))]
    )
    calls = doc["scan"]["api_calls_by_operation"]
    assert calls["apigateway:GetStages"] == 2  # one per REST API
    assert calls["apigatewayv2:GetStages"] == 4  # one per HTTP/WebSocket API
    assert calls["apigateway:GetAccount"] == 2  # one per region
