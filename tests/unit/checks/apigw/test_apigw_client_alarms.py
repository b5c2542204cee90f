"""Client-error (4XX) alarms per API Gateway stage: their own low-severity checks, matched
stage by stage exactly like the 5XX ones (apigw/alarms.py). moto lacks composite alarms
and pending SNS subscriptions: the `alarm_ext` fixture adds them (awsobs/demo/moto_ext.py).
moto cannot deny API Gateway reads (its signature check rejects them under IAM
enforcement), so the denied DescribeAlarms is stubbed with `stub_error`.
"""

from __future__ import annotations

import boto3
import pytest
from alarm_seed import alarm, composite, math_alarm, topic
from apigw_seed import rest_api, rest_stage_arn, v2_api, v2_stage_arn
from helpers import ACCOUNT, findings, only, run, stub_error

from awsobs import REGISTRY, Severity, Status

REST = "apigw.rest.client_error_alarms"
HTTP = "apigw.v2.client_error_alarms"
REST5 = "apigw.rest.error_alarms"
GW = "AWS/ApiGateway"
STAGE = {"ApiName": "shop", "Stage": "prod"}


@pytest.fixture
def shop(aws: boto3.Session, alarm_ext: None) -> str:
    """A REST API 'shop' with stages prod and dev, and a confirmed 'oncall' topic."""
    topic(aws)
    return rest_api(aws, "shop", {"prod": [], "dev": []})


def test_checks_are_low_severity() -> None:
    for check_id in (REST, HTTP):
        assert REGISTRY.select([check_id])[0].meta.severity is Severity.LOW


def test_stage_4xx_alarm_covers_only_its_stage(aws: boto3.Session, shop: str) -> None:
    alarm(aws, "shop-prod-4xx", GW, "4XXError", STAGE)
    got = {f.resource_id: f for f in findings(run(aws, [REST]), REST)}
    prod, dev = got[rest_stage_arn(shop, "prod")], got[rest_stage_arn(shop, "dev")]
    assert prod.status is Status.PASS and "4XXError by 'shop-prod-4xx'" in prod.message
    assert dev.status is Status.FAIL and "stage" in dev.message
    assert "no alarm on 4XXError" in dev.message and "shop-prod-4xx" not in dev.message
    assert "--metric-name 4XXError" in dev.remediation
    assert "Name=ApiName,Value='shop' Name=Stage,Value='dev'" in dev.remediation


def test_api_wide_alarm_covers_every_stage(aws: boto3.Session, shop: str) -> None:
    alarm(aws, "shop-4xx", GW, "4XXError", {"ApiName": "shop"})
    assert {f.status for f in findings(run(aws, [REST]), REST)} == {Status.PASS}


def test_5xx_alarm_does_not_cover_4xx_and_5xx_check_is_unchanged(
    aws: boto3.Session, shop: str
) -> None:
    """The 5XX check stays as it is: a 5XXError alarm passes it and not this one; a
    4XXError alarm alone still fails the 5XX check (4XX is evidence there)."""
    alarm(aws, "shop-prod-5xx", GW, "5XXError", STAGE)
    alarm(aws, "shop-dev-4xx", GW, "4XXError", {"ApiName": "shop", "Stage": "dev"})
    four = {f.resource_id: f.status for f in findings(run(aws, [REST]), REST)}
    five = {f.resource_id: f.status for f in findings(run(aws, [REST5]), REST5)}
    prod, dev = rest_stage_arn(shop, "prod"), rest_stage_arn(shop, "dev")
    assert four == {prod: Status.FAIL, dev: Status.PASS}
    assert five == {prod: Status.PASS, dev: Status.FAIL}


def test_wrong_dimension_is_the_near_miss_of_its_stage_only(aws: boto3.Session, shop: str) -> None:
    """REST metrics are keyed by ApiName: an ApiId + Stage=dev alarm never fires. It is
    dev's near miss, naming the dimension; prod's message does not point at it."""
    alarm(aws, "shop-dev-4xx", GW, "4XXError", {"ApiId": shop, "Stage": "dev"})
    alarm(aws, "typo", GW, "4XXError", {"ApiName": "shopp", "Stage": "prod"})
    got = {f.resource_id: f for f in findings(run(aws, [REST]), REST)}
    dev, prod = got[rest_stage_arn(shop, "dev")], got[rest_stage_arn(shop, "prod")]
    assert dev.status is Status.FAIL and "alarm 'shop-dev-4xx' watches" in dev.message
    assert f"ApiId={shop}" in dev.message
    assert prod.status is Status.FAIL and "shop-dev-4xx" not in prod.message
    assert "alarm 'typo' watches AWS/ApiGateway 4XXError (ApiName=shopp, Stage=prod)" in (
        prod.message
    )


def test_alarm_that_reaches_nobody_does_not_cover(aws: boto3.Session, shop: str) -> None:
    pending = topic(aws, "nobody", confirmed=False)
    alarm(aws, "shop-4xx", GW, "4XXError", {"ApiName": "shop"}, actions=[pending])
    alarm(aws, "off", GW, "4XXError", STAGE, enabled=False)
    prod = next(f for f in findings(run(aws, [REST]), REST) if f.resource_id.endswith("/prod"))
    assert prod.status is Status.FAIL
    assert "topic nobody has no confirmed subscription" in prod.message
    assert "alarm 'off' has its actions disabled" in prod.message


def test_metric_math_and_composite_alarms_cover(aws: boto3.Session, shop: str) -> None:
    oncall = f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall"
    math_alarm(aws, "shop-errors", GW, [("4XXError", STAGE), ("5XXError", STAGE)], [oncall])
    alarm(aws, "child", GW, "4XXError", {"ApiName": "shop", "Stage": "dev"}, actions=[])
    composite(aws, "shop-health", ["child"], [oncall])
    got = {f.resource_id: f for f in findings(run(aws, [REST]), REST)}
    assert "4XXError by 'shop-errors'" in got[rest_stage_arn(shop, "prod")].message
    assert "4XXError by 'shop-health'" in got[rest_stage_arn(shop, "dev")].message
    assert {f.status for f in got.values()} == {Status.PASS}


def test_topic_in_another_account_is_unknown(aws: boto3.Session, shop: str) -> None:
    alarm(aws, "a", GW, "4XXError", STAGE, actions=["arn:aws:sns:us-east-1:999999999999:central"])
    f = next(f for f in findings(run(aws, [REST]), REST) if f.resource_id.endswith("/prod"))
    assert f.status is Status.UNKNOWN and "is in account 999999999999" in f.message


def test_http_stages_use_lowercase_4xx_and_api_id(aws: boto3.Session, alarm_ext: None) -> None:
    """HTTP APIs publish `4xx` keyed by ApiId: REST's `4XXError` name on them is a metric
    never published, reported as the near miss."""
    topic(aws)
    api = v2_api(aws, "web", "HTTP", {"prod": {}, "dev": {}})
    alarm(aws, "web-4xx", GW, "4xx", {"ApiId": api, "Stage": "prod"})
    alarm(aws, "rest-style", GW, "4XXError", {"ApiId": api, "Stage": "dev"})
    got = {f.resource_id: f for f in findings(run(aws, [HTTP]), HTTP)}
    assert {k: f.status for k, f in got.items()} == {
        v2_stage_arn(api, "prod"): Status.PASS,
        v2_stage_arn(api, "dev"): Status.FAIL,
    }
    dev = got[v2_stage_arn(api, "dev")].message
    assert "alarm 'rest-style' watches AWS/ApiGateway 4XXError" in dev
    assert "a metric never published here (it is 4xx)" in dev


def test_websocket_stages_are_not_judged_and_other_api_is_no_near_miss(
    aws: boto3.Session, alarm_ext: None
) -> None:
    topic(aws)
    web = v2_api(aws, "web", "HTTP", {"prod": {}})
    chat = v2_api(aws, "chat", "WEBSOCKET", {"live": {}})
    alarm(aws, "chat-4xx", GW, "4xx", {"ApiId": chat})
    f = only(run(aws, [HTTP]), HTTP)
    assert (f.resource_id, f.status) == (v2_stage_arn(web, "prod"), Status.FAIL)
    assert "chat-4xx" not in f.message and "no alarm on 4xx" in f.message


@pytest.mark.parametrize("check_id", [REST, HTTP])
def test_no_api_is_not_applicable_and_alarms_denied_is_unknown(
    aws: boto3.Session, alarm_ext: None, monkeypatch: pytest.MonkeyPatch, check_id: str
) -> None:
    assert only(run(aws, [check_id]), check_id).status is Status.NOT_APPLICABLE
    if check_id == REST:
        arn = rest_stage_arn(rest_api(aws, "shop", {"prod": []}), "prod")
    else:
        arn = v2_stage_arn(v2_api(aws, "web", "HTTP", {"prod": {}}), "prod")
    stub_error(monkeypatch, "cloudwatch", "describe_alarms")
    f = only(run(aws, [check_id]), check_id)
    assert (f.resource_id, f.status) == (arn, Status.UNKNOWN)
    assert "cloudwatch:DescribeAlarms" in f.message


def test_stages_denied_is_unknown(
    aws: boto3.Session, alarm_ext: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    rest_api(aws, "shop", {"prod": []})
    stub_error(monkeypatch, "apigateway", "get_rest_apis")
    f = only(run(aws, [REST]), REST)
    assert f.status is Status.UNKNOWN and "apigateway:GET" in f.message
