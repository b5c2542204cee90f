"""Per-resource alarm coverage: APIs, DynamoDB tables and indexes, functions, instances.

An alarm covers a resource when it watches the right namespace, metric and exact
dimensions (directly, in metric math, or as a composite alarm's child), its actions are
enabled, and an alarm action reaches someone. moto lacks composite alarms and pending
SNS subscriptions: the `alarm_ext` fixture adds them (awsobs/demo/moto_ext.py).
"""

from __future__ import annotations

import boto3
import pytest
from alarm_seed import alarm, composite, math_alarm, topic
from apigw_seed import rest_api, rest_stage_arn, v2_api, v2_stage_arn
from ec2_seed import instance
from helpers import ACCOUNT, findings, only, run, stub_error
from resources import dynamodb_table, lambda_function

from awsobs import Status

REST = "apigw.rest.error_alarms"
HTTP = "apigw.v2.error_alarms"
DDB = "dynamodb.throttle_alarms"
LAMBDA = "lambda.error_throttle_alarms"
EC2 = "ec2.status_alarms"
GW = "AWS/ApiGateway"
STAGE = {"ApiName": "shop", "Stage": "prod"}


@pytest.fixture
def shop(aws: boto3.Session, alarm_ext: None) -> str:
    """A REST API 'shop' with stages prod and dev, and a confirmed 'oncall' topic."""
    topic(aws)
    return rest_api(aws, "shop", {"prod": [], "dev": []})


def test_stage_alarm_covers_only_its_stage(aws: boto3.Session, shop: str) -> None:
    alarm(aws, "shop-prod-5xx", GW, "5XXError", STAGE)
    report = run(aws, [REST])
    got = {f.resource_id: f for f in findings(report, REST)}
    prod, dev = got[rest_stage_arn(shop, "prod")], got[rest_stage_arn(shop, "dev")]
    assert prod.status is Status.PASS and "5XXError by 'shop-prod-5xx'" in prod.message
    assert "429s in 4XXError" in prod.message  # throttling shows up there
    assert dev.status is Status.FAIL and "no alarm on 5XXError" in dev.message
    assert "shop-prod-5xx" not in dev.message  # prod's alarm is not dev's near miss
    assert dev.remediation.endswith("--alarm-actions <sns-topic-arn>")


def test_wrongly_keyed_stage_alarm_is_only_its_stages_near_miss(
    aws: boto3.Session, shop: str
) -> None:
    """REST metrics are keyed by ApiName: an ApiId + Stage=dev alarm never fires. It is
    dev's near miss; prod's message must not point at it."""
    alarm(aws, "shop-dev-5xx", GW, "5XXError", {"ApiId": shop, "Stage": "dev"})
    web = v2_api(aws, "web", "HTTP", {"prod": {}})
    alarm(aws, "web-5xx", GW, "5XXError", {"ApiId": web, "Stage": "prod"})  # another API's
    got = {f.resource_id: f for f in findings(run(aws, [REST]), REST)}
    dev, prod = got[rest_stage_arn(shop, "dev")], got[rest_stage_arn(shop, "prod")]
    assert dev.status is Status.FAIL and "alarm 'shop-dev-5xx' watches" in dev.message
    assert f"ApiId={shop}" in dev.message
    assert prod.status is Status.FAIL and "shop-dev-5xx" not in prod.message
    assert "web-5xx" not in prod.message + dev.message


def test_api_wide_alarm_covers_every_stage(aws: boto3.Session, shop: str) -> None:
    alarm(aws, "shop-5xx", GW, "5XXError", {"ApiName": "shop"})
    assert {f.status for f in findings(run(aws, [REST]), REST)} == {Status.PASS}


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        pytest.param(
            {"dims": {"ApiName": "shopp", "Stage": "prod"}},
            "alarm 'a' watches AWS/ApiGateway 5XXError (ApiName=shopp, Stage=prod)",
            id="wrong-dimension",
        ),
        pytest.param(
            {"dims": STAGE, "enabled": False},
            "alarm 'a' has its actions disabled",
            id="actions-disabled",
        ),
        pytest.param(
            {"dims": STAGE, "actions": [], "ok_actions": ["ok"]},
            "alarm 'a' has no alarm action (only OK or INSUFFICIENT_DATA actions)",
            id="ok-action-only",
        ),
        pytest.param(
            {"dims": STAGE, "actions": ["pending"]},
            "topic nobody has no confirmed subscription (1 pending confirmation)",
            id="pending-subscription",
        ),
        pytest.param(
            {"dims": STAGE, "actions": ["gone"]},
            "topic deleted-topic does not exist",
            id="deleted-topic",
        ),
    ],
)
def test_alarms_that_reach_nobody_do_not_cover(
    aws: boto3.Session, shop: str, kwargs: dict, text: str
) -> None:
    pending = topic(aws, "nobody", confirmed=False)
    targets = {
        "pending": [pending],
        "ok": [topic(aws, "ok-only")],
        "gone": [f"arn:aws:sns:us-east-1:{ACCOUNT}:deleted-topic"],
    }
    for key in ("actions", "ok_actions"):
        if key in kwargs:
            kwargs[key] = [t for name in kwargs[key] for t in targets[name]]
    alarm(aws, "a", GW, "5XXError", **kwargs)
    f = next(f for f in findings(run(aws, [REST]), REST) if f.resource_id.endswith("/prod"))
    assert f.status is Status.FAIL
    assert text in f.message, f.message


def test_metric_math_alarm_covers(aws: boto3.Session, shop: str) -> None:
    oncall = f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall"
    math_alarm(aws, "shop-errors", GW, [("5XXError", STAGE), ("4XXError", STAGE)], [oncall])
    f = next(f for f in findings(run(aws, [REST]), REST) if f.resource_id.endswith("/prod"))
    assert f.status is Status.PASS
    # Both metrics of the expression are covered by it.
    assert "5XXError by 'shop-errors', 4XXError by 'shop-errors'" in f.message


def test_composite_alarm_covers_what_its_child_watches(aws: boto3.Session, shop: str) -> None:
    # The child notifies nobody; the composite does: the stage is covered through it.
    alarm(aws, "child", GW, "5XXError", STAGE, actions=[])
    composite(aws, "shop-health", ["child"], [f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall"])
    f = next(f for f in findings(run(aws, [REST]), REST) if f.resource_id.endswith("/prod"))
    assert f.status is Status.PASS and "by 'shop-health'" in f.message


def test_topic_in_another_account_is_unknown(aws: boto3.Session, shop: str) -> None:
    alarm(aws, "a", GW, "5XXError", STAGE, actions=["arn:aws:sns:us-east-1:999999999999:central"])
    f = next(f for f in findings(run(aws, [REST]), REST) if f.resource_id.endswith("/prod"))
    assert f.status is Status.UNKNOWN and "is in account 999999999999" in f.message


def test_http_stages_use_lowercase_names_and_api_id(aws: boto3.Session, alarm_ext: None) -> None:
    topic(aws)
    api = v2_api(aws, "web", "HTTP", {"prod": {}, "dev": {}})
    alarm(aws, "web-5xx", GW, "5xx", {"ApiId": api, "Stage": "prod"})
    alarm(aws, "rest-style", GW, "5XXError", {"ApiId": api, "Stage": "dev"})  # REST name
    got = {f.resource_id: f for f in findings(run(aws, [HTTP]), HTTP)}
    assert {k: f.status for k, f in got.items()} == {
        v2_stage_arn(api, "prod"): Status.PASS,
        v2_stage_arn(api, "dev"): Status.FAIL,
    }
    dev = got[v2_stage_arn(api, "dev")].message
    assert "alarm 'rest-style' watches AWS/ApiGateway 5XXError" in dev
    assert "a metric never published here (it is 5xx)" in dev


def test_another_apis_alarm_is_not_a_near_miss(aws: boto3.Session, alarm_ext: None) -> None:
    """An alarm on a WebSocket API's 5xx says nothing about an HTTP API: no false lead."""
    topic(aws)
    web = v2_api(aws, "web", "HTTP", {"prod": {}})
    chat = v2_api(aws, "chat", "WEBSOCKET", {"live": {}})
    alarm(aws, "chat-5xx", GW, "5xx", {"ApiId": chat})
    f = only(run(aws, [HTTP]), HTTP)
    assert (f.resource_id, f.status) == (v2_stage_arn(web, "prod"), Status.FAIL)
    assert "chat-5xx" not in f.message and "no alarm on 5xx" in f.message


def test_no_api_is_not_applicable_and_alarms_denied_is_unknown(
    aws: boto3.Session, alarm_ext: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert only(run(aws, [REST]), REST).status is Status.NOT_APPLICABLE
    api = rest_api(aws, "shop", {"prod": []})
    stub_error(monkeypatch, "cloudwatch", "describe_alarms")
    f = only(run(aws, [REST]), REST)
    assert (f.resource_id, f.status) == (rest_stage_arn(api, "prod"), Status.UNKNOWN)
    assert "cloudwatch:DescribeAlarms" in f.message


# -- DynamoDB -----------------------------------------------------------------------------


def gsi_table(session: boto3.Session, name: str = "orders") -> str:
    session.client("dynamodb").create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "customer", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-customer",
                "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    return f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{name}"


def test_alarms_that_reach_nobody_get_a_fix_for_the_alarms(
    aws: boto3.Session, alarm_ext: None
) -> None:
    nobody = topic(aws, "nobody", confirmed=False)
    dynamodb_table(aws, "events")
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"):
        alarm(aws, metric, "AWS/DynamoDB", metric, {"TableName": "events"}, actions=[nobody])
    f = only(run(aws, [DDB]), DDB)
    assert f.status is Status.FAIL and "pending confirmation" in f.message
    assert f.remediation.startswith("Make the alarms named above reach someone")


def test_table_and_index_coverage(aws: boto3.Session, alarm_ext: None) -> None:
    topic(aws)
    arn = gsi_table(aws)
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        alarm(aws, f"t-{metric}", "AWS/DynamoDB", metric, {"TableName": "orders"})
    alarm(
        aws,
        "t-sys",
        "AWS/DynamoDB",
        "SystemErrors",
        {"TableName": "orders", "Operation": "PutItem"},
    )
    got = {f.resource_id: f for f in findings(run(aws, [DDB]), DDB)}
    assert got[arn].status is Status.PASS
    index = got[f"{arn}/index/by-customer"]
    assert index.status is Status.FAIL
    # The table's alarms are the usual mistake: they do not see index throttling.
    assert (
        "alarm 't-ReadThrottleEvents' watches AWS/DynamoDB ReadThrottleEvents "
        "(TableName=orders)" in index.message
    )
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
        alarm(
            aws,
            f"i-{metric}",
            "AWS/DynamoDB",
            metric,
            {"TableName": "orders", "GlobalSecondaryIndexName": "by-customer"},
        )
    got = {f.resource_id: f.status for f in findings(run(aws, [DDB]), DDB)}
    assert got[f"{arn}/index/by-customer"] is Status.PASS


def test_throttled_requests_per_operation_and_missing_write(
    aws: boto3.Session, alarm_ext: None
) -> None:
    topic(aws)
    arn = dynamodb_table(aws, "users")
    alarm(
        aws, "q", "AWS/DynamoDB", "ThrottledRequests", {"TableName": "users", "Operation": "Query"}
    )
    alarm(aws, "s", "AWS/DynamoDB", "SystemErrors", {"TableName": "users", "Operation": "GetItem"})
    f = only(run(aws, [DDB]), DDB)
    assert f.resource_id == arn and f.status is Status.FAIL
    assert f.message.startswith("table 'users': no alarm on write throttling")
    alarm(
        aws,
        "p",
        "AWS/DynamoDB",
        "ThrottledRequests",
        {"TableName": "users", "Operation": "PutItem"},
    )
    assert only(run(aws, [DDB]), DDB).status is Status.PASS


# -- Lambda and EC2 -----------------------------------------------------------------------


def test_function_needs_errors_and_throttles(aws: boto3.Session, alarm_ext: None) -> None:
    topic(aws)
    arn = lambda_function(aws, "checkout")
    alarm(aws, "e", "AWS/Lambda", "Errors", {"FunctionName": "checkout"})
    f = only(run(aws, [LAMBDA]), LAMBDA)
    assert (f.resource_id, f.status) == (arn, Status.FAIL)
    assert "no alarm on Throttles" in f.message
    assert "--metric-name Throttles --dimensions Name=FunctionName,Value='checkout'" in (
        f.remediation
    )
    alarm(aws, "t", "AWS/Lambda", "Throttles")  # account-wide: covers every function
    f = only(run(aws, [LAMBDA]), LAMBDA)
    assert f.status is Status.PASS and "Throttles by 't'" in f.message


def test_instance_status_alarms(aws: boto3.Session, alarm_ext: None) -> None:
    topic(aws)
    direct = instance(aws, "direct")
    grouped = instance(aws, "grouped", tags={"aws:autoscaling:groupName": "web-asg"})
    half = instance(aws, "half")
    bare = instance(aws, "bare")
    alarm(
        aws,
        "d",
        "AWS/EC2",
        "StatusCheckFailed",
        {"InstanceId": direct["id"]},
        actions=["arn:aws:automate:us-east-1:ec2:recover"],
    )
    alarm(aws, "g", "AWS/EC2", "StatusCheckFailed", {"AutoScalingGroupName": "web-asg"})
    alarm(aws, "h", "AWS/EC2", "StatusCheckFailed_System", {"InstanceId": half["id"]})
    got = {f.resource_id: f for f in findings(run(aws, [EC2]), EC2)}
    assert got[direct["arn"]].status is Status.PASS  # an EC2 recover action is a valid target
    assert got[grouped["arn"]].status is Status.PASS
    assert got[half["arn"]].status is Status.FAIL
    assert "no alarm on instance status checks" in got[half["arn"]].message
    assert got[bare["arn"]].status is Status.FAIL


def test_the_missing_alarm_is_specified_for_awsobs_fix(aws: boto3.Session, shop: str) -> None:
    """Evidence `alarm_specs`: the metric a missing alarm must watch, exactly as the check
    matches it (REST stages by ApiName and Stage). A want an awsobs-made alarm covers keeps
    its spec, so a regenerated template still holds that alarm; a want another alarm
    covers has none."""
    alarm(aws, "awsobs-shop-prod-5XXError", GW, "5XXError", STAGE)
    got = {f.resource_id: f for f in findings(run(aws, [REST]), REST)}
    dev, prod = got[rest_stage_arn(shop, "dev")], got[rest_stage_arn(shop, "prod")]
    assert dev.status is Status.FAIL
    assert dev.evidence["alarm_specs"] == [
        {
            "label": "5XXError",
            "namespace": GW,
            "metric": "5XXError",
            "dimensions": {"ApiName": "shop", "Stage": "dev"},
        }
    ]
    assert prod.status is Status.PASS
    assert [s["dimensions"] for s in prod.evidence["alarm_specs"]] == [STAGE]


def test_no_spec_where_someone_elses_alarm_covers(aws: boto3.Session, shop: str) -> None:
    alarm(aws, "shop-prod-5xx", GW, "5XXError", STAGE)
    got = {f.resource_id: f for f in findings(run(aws, [REST]), REST)}
    prod = got[rest_stage_arn(shop, "prod")]
    assert prod.status is Status.PASS and "alarm_specs" not in prod.evidence
