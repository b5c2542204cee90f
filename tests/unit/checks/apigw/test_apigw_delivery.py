"""apigw.access_logs_delivered: do configured access logs arrive in their log group?

moto delivers no access logs: delivery is seeded with PutLogEvents and moved into the past
with awsobs/demo/moto_delivery.py (`deliver`), traffic with PutMetricData (`publish`).
Denials are stubbed (helpers.stub_client): moto's IAM enforcement rejects API Gateway's
own reads, so it cannot deny one read of this check alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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

from awsobs import Status, scan
from awsobs.aws.iam import iam_action
from awsobs.demo.delivery_apps import deliver, publish

CHECK = "apigw.access_logs_delivered"
CONFIG = ["apigw.rest.access_logging", "apigw.v2.access_logging"]
REGION = "us-east-1"
GROUP = "/apigw/shop-access"
NINE_DAYS = dt.timedelta(days=9, minutes=5)


def _rest(aws: boto3.Session, *, role: bool = True, stages: tuple[str, ...] = ("prod",)) -> str:
    if role:
        account_role(aws)
    group = log_group(aws, GROUP)
    return rest_api(aws, "shop", {s: access(group) for s in stages})


def _count(aws: boto3.Session, dims: dict[str, str], value: float, metric: str = "Count") -> None:
    publish(aws, REGION, "AWS/ApiGateway", metric, dims, value)


def test_fresh_group_passes(aws: boto3.Session) -> None:
    api = _rest(aws)
    deliver(aws, REGION, GROUP, ago=dt.timedelta(minutes=20))
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (rest_stage_arn(api, "prod"), Status.PASS)
    assert f.resource_type == "AWS::ApiGateway::Stage"
    assert f"delivers to log group {GROUP}; last delivery 20 min ago" in f.message
    assert f.evidence["newest_stream"] == "delivery"


def test_stale_group_with_traffic_fails_naming_the_last_delivery(aws: boto3.Session) -> None:
    api = _rest(aws)
    deliver(aws, REGION, GROUP, ago=NINE_DAYS)
    _count(aws, {"ApiName": "shop", "Stage": "prod"}, 340.0)
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (rest_stage_arn(api, "prod"), Status.FAIL)
    assert "stage 'prod' of REST API 'shop' served 340 requests since" in f.message
    assert "last delivery 9 days ago" in f.message
    assert "usual causes: the account's CloudWatch role" in f.message
    assert f.evidence["traffic"]["dimensions"] == {"ApiName": "shop", "Stage": "prod"}
    assert f.evidence["traffic"]["metric"] == "Count"


def test_stale_group_without_traffic_is_not_applicable(aws: boto3.Session) -> None:
    _rest(aws)
    deliver(aws, REGION, GROUP, ago=NINE_DAYS)
    _count(aws, {"ApiName": "shop", "Stage": "other"}, 5.0)  # another stage's traffic
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert "served no requests since" in f.message and "last delivery 9 days ago" in f.message


def test_empty_group_with_traffic_fails(aws: boto3.Session) -> None:
    _rest(aws)
    _count(aws, {"ApiName": "shop", "Stage": "prod"}, 3.0)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL and "no data at all" in f.message


@pytest.mark.parametrize(
    ("protocol", "metric", "noun"),
    [("HTTP", "Count", "requests"), ("WEBSOCKET", "MessageCount", "connections and messages")],
)
def test_v2_stages_are_gated_on_their_own_metrics(
    aws: boto3.Session, protocol: str, metric: str, noun: str
) -> None:
    account_role(aws)
    group = log_group(aws, GROUP)
    api = v2_api(aws, "chat", protocol, {"live": v2_access(group)})
    deliver(aws, REGION, GROUP, ago=NINE_DAYS)
    _count(aws, {"ApiId": api, "Stage": "live"}, 7.0, metric)
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (v2_stage_arn(api, "live"), Status.FAIL)
    assert f.resource_type == "AWS::ApiGatewayV2::Stage"
    assert f"served 7 {noun} since" in f.message


def test_stages_not_judged_are_not_applicable(aws: boto3.Session) -> None:
    group = log_group(aws, GROUP)  # no account role: REST access logs to it FAIL config
    stream = firehose(aws, "apigw-access")
    api = rest_api(aws, "shop", {"prod": access(group), "dev": access(stream), "bare": []})
    got = {f.resource_id.rsplit("/", 1)[-1]: f for f in findings(run(aws, [CHECK]), CHECK)}
    assert {k: f.status for k, f in got.items()} == {
        "prod": Status.NOT_APPLICABLE,
        "dev": Status.NOT_APPLICABLE,
        "bare": Status.NOT_APPLICABLE,
    }
    prod = got["prod"].message
    assert "not set up to deliver access logs (see apigw.rest.access_logging)" in prod
    assert "no CloudWatch role" in got["prod"].message
    assert "not to a CloudWatch Logs group" in got["dev"].message
    assert "no access logs configured: see apigw.rest.access_logging" in got["bare"].message
    assert rest_stage_arn(api, "bare") == got["bare"].resource_id


def test_no_stage_is_one_not_applicable_for_the_region(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (REGION, Status.NOT_APPLICABLE)


# -- unreadable -------------------------------------------------------------------------


def _groups_answer() -> dict[str, Any]:
    arn = f"arn:aws:logs:{REGION}:123456789012:log-group:{GROUP}:*"
    return {"logGroups": [{"logGroupName": GROUP, "arn": arn}]}


def test_unreadable_group_is_unknown_naming_the_read(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rest(aws)
    # stubbed: the config check's DescribeLogGroups answers, DescribeLogStreams is denied
    script = [("describe_log_groups", _groups_answer()), ("describe_log_streams", "AccessDenied")]
    stub_client(monkeypatch, "logs", script)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f"could not read log group {GROUP}" in f.message
    assert f.evidence["error"]["action"] == "logs:DescribeLogStreams"


def test_unreadable_traffic_is_unknown_naming_the_read(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rest(aws)
    deliver(aws, REGION, GROUP, ago=NINE_DAYS)
    stub_error(monkeypatch, "cloudwatch", "get_metric_data")  # stubbed denial
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "last delivery 9 days ago (" in f.message
    assert "whether stage 'prod' of REST API 'shop' served anything is unknown" in f.message
    assert f.evidence["error"]["action"] == "cloudwatch:GetMetricData"


def test_unreadable_configuration_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _rest(aws)
    stub_error(monkeypatch, "logs", "describe_log_groups")  # stubbed denial
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == "logs:DescribeLogGroups"


def test_unlistable_apis_are_one_unknown_for_the_region(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_error(monkeypatch, "apigatewayv2", "get_apis")  # stubbed denial
    _rest(aws)
    deliver(aws, REGION, GROUP)
    got = {f.resource_id: f.status for f in findings(run(aws, [CHECK]), CHECK)}
    assert sorted(got.values(), key=str) == [Status.PASS, Status.UNKNOWN]
    assert got[REGION] is Status.UNKNOWN


# -- cost ---------------------------------------------------------------------------------


def _sent(aws: boto3.Session, checks: list[str]) -> dict[str, int]:
    sent: dict[str, int] = {}

    def count(service: str, op: str, region: str, params: Any) -> None:
        sent[iam_action(service, op)] = sent.get(iam_action(service, op), 0) + 1

    scan(aws, checks=checks, regions=[REGION], on_request=count)
    return sent


def _extra(aws: boto3.Session) -> dict[str, int]:
    before, after = _sent(aws, CONFIG), _sent(aws, [*CONFIG, CHECK])
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after[k] != before.get(k)}


def test_a_shared_fresh_group_costs_one_read(aws: boto3.Session) -> None:
    api = _rest(aws, stages=("prod", "beta"))
    v2_api(aws, "web", "HTTP", {"$default": v2_access(log_group(aws, "/apigw/web"))})
    deliver(aws, REGION, GROUP)
    deliver(aws, REGION, "/apigw/web")
    assert _extra(aws) == {"logs:DescribeLogStreams": 2}  # two groups, three stages
    f = {x.resource_id: x for x in findings(run(aws, [CHECK]), CHECK)}
    prod = f[rest_stage_arn(api, "prod")]
    assert prod.status is Status.PASS and "(shared with 1 other stage)" in prod.message
    assert prod.evidence["shared_with"] == ["stage 'beta' of REST API 'shop'"]


def test_stale_groups_cost_one_traffic_read_per_region(aws: boto3.Session) -> None:
    _rest(aws, stages=("prod", "beta"))
    api = v2_api(aws, "chat", "WEBSOCKET", {"live": v2_access(log_group(aws, "/apigw/ws"))})
    deliver(aws, REGION, GROUP, ago=NINE_DAYS)
    deliver(aws, REGION, "/apigw/ws", ago=NINE_DAYS)
    _count(aws, {"ApiName": "shop", "Stage": "prod"}, 2.0)
    _count(aws, {"ApiId": api, "Stage": "live"}, 4.0, "ConnectCount")
    assert _extra(aws) == {"logs:DescribeLogStreams": 2, "cloudwatch:GetMetricData": 1}
    got = {f.resource_id.rsplit("/", 1)[-1]: f.status for f in findings(run(aws, [CHECK]), CHECK)}
    # beta shares prod's silent group but served nothing itself: not failed for prod
    assert got == {"prod": Status.FAIL, "beta": Status.NOT_APPLICABLE, "live": Status.FAIL}


def test_an_execution_only_stage_is_not_judged(aws: boto3.Session) -> None:
    account_role(aws)
    rest_api(aws, "shop", {"prod": [patch("/*/*/logging/loglevel", "ERROR")]})
    assert only(run(aws, [CHECK]), CHECK).status is Status.NOT_APPLICABLE
