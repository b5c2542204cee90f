"""lambda.logs_delivered: do invoked functions' logs arrive in their log group?

moto runs no function and delivers no logs: delivery is seeded with PutLogEvents and moved
into the past with awsobs/demo/moto_delivery.py (`deliver`), invocations with
PutMetricData (`publish`). moto does not return `LoggingConfig`, so the shared custom
group is a stubbed ListFunctions; denials are stubbed too (helpers.stub_error).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from helpers import findings, only, run, stub_client, stub_error
from resources import lambda_function

from awsobs import Status, scan
from awsobs.aws.iam import iam_action
from awsobs.demo.delivery_apps import deliver, publish

CHECK = "lambda.logs_delivered"
REGION = "us-east-1"
NINE_DAYS = dt.timedelta(days=9, minutes=5)


def _invoked(aws: boto3.Session, name: str, value: float) -> None:
    publish(aws, REGION, "AWS/Lambda", "Invocations", {"FunctionName": name}, value)


def test_fresh_group_passes(aws: boto3.Session) -> None:
    arn = lambda_function(aws, "checkout")
    deliver(aws, REGION, "/aws/lambda/checkout", ago=dt.timedelta(hours=3))
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (arn, Status.PASS)
    assert f.resource_type == "AWS::Lambda::Function"
    assert (
        "function 'checkout' delivers to log group /aws/lambda/checkout; last delivery 3 h ago"
        in f.message
    )


def test_stale_group_of_an_invoked_function_fails(aws: boto3.Session) -> None:
    lambda_function(aws, "checkout")
    deliver(aws, REGION, "/aws/lambda/checkout", ago=NINE_DAYS)
    _invoked(aws, "checkout", 58.0)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "function 'checkout' served 58 invocations since" in f.message
    assert "last delivery 9 days ago" in f.message
    assert "usual causes: the execution role lost logs:CreateLogStream" in f.message
    assert f.evidence["traffic"]["dimensions"] == {"FunctionName": "checkout"}


def test_stale_group_of_an_idle_function_is_not_applicable(aws: boto3.Session) -> None:
    lambda_function(aws, "checkout")
    deliver(aws, REGION, "/aws/lambda/checkout", ago=NINE_DAYS)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert "served no invocations since" in f.message and "last delivery 9 days ago" in f.message


def test_a_function_without_a_group(aws: boto3.Session) -> None:
    lambda_function(aws, "never")
    lambda_function(aws, "broken")
    _invoked(aws, "broken", 4.0)
    got = {f.resource_id.rsplit(":", 1)[-1]: f for f in findings(run(aws, [CHECK]), CHECK)}
    never, broken = got["never"], got["broken"]
    assert never.status is Status.NOT_APPLICABLE and "served no invocations" in never.message
    assert never.evidence["exists"] is False
    assert broken.status is Status.FAIL
    assert "log group /aws/lambda/broken (which does not exist) received nothing" in broken.message


def test_no_function_is_one_not_applicable_for_the_region(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (REGION, Status.NOT_APPLICABLE)


def _fn(name: str, group: str) -> dict[str, Any]:
    arn = f"arn:aws:lambda:{REGION}:123456789012:function:{name}"
    return {"FunctionName": name, "FunctionArn": arn, "LoggingConfig": {"LogGroup": group}}


def test_a_shared_group_is_read_once_and_fails_only_the_invoked(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    deliver(aws, REGION, "/shared/app", ago=NINE_DAYS)
    _invoked(aws, "a", 3.0)
    answer = {"Functions": [_fn("a", "/shared/app"), _fn("b", "/shared/app")]}
    stub_client(monkeypatch, "lambda", [("list_functions", answer)])  # moto lacks LoggingConfig
    sent: dict[str, int] = {}

    def count(service: str, op: str, region: str, params: Any) -> None:
        sent[iam_action(service, op)] = sent.get(iam_action(service, op), 0) + 1

    report = scan(aws, checks=[CHECK], regions=[REGION], on_request=count)
    got = {f.resource_id.rsplit(":", 1)[-1]: f for f in findings(report, CHECK)}
    assert got["a"].status is Status.FAIL and got["b"].status is Status.NOT_APPLICABLE
    assert "(shared with 1 other function)" in got["a"].message
    assert got["a"].evidence["shared_with"] == ["b"]
    assert sent["logs:DescribeLogStreams"] == 1 and sent["cloudwatch:GetMetricData"] == 1


def test_fresh_groups_cost_one_read_each_and_no_traffic_read(aws: boto3.Session) -> None:
    for name in ("a", "b", "c"):
        lambda_function(aws, name)
        deliver(aws, REGION, f"/aws/lambda/{name}")
    sent: dict[str, int] = {}

    def count(service: str, op: str, region: str, params: Any) -> None:
        sent[iam_action(service, op)] = sent.get(iam_action(service, op), 0) + 1

    scan(aws, checks=[CHECK], regions=[REGION], on_request=count)
    assert {k: v for k, v in sent.items() if k.startswith(("logs", "cloudwatch"))} == {
        "logs:DescribeLogStreams": 3
    }


@pytest.mark.parametrize(
    ("service", "method", "action", "stale"),
    [
        ("lambda", "list_functions", "lambda:ListFunctions", False),
        ("logs", "describe_log_streams", "logs:DescribeLogStreams", False),
        ("cloudwatch", "get_metric_data", "cloudwatch:GetMetricData", True),
    ],
)
def test_each_read_denied_is_unknown_naming_it(
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    method: str,
    action: str,
    stale: bool,
) -> None:
    lambda_function(aws, "checkout")
    deliver(aws, REGION, "/aws/lambda/checkout", ago=NINE_DAYS if stale else None)
    stub_error(monkeypatch, service, method)  # stubbed denial
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == action
