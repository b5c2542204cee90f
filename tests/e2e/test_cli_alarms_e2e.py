"""`awsobs scan` over HTTP against a moto server with APIs, tables, functions, instances and
buckets that have working alarms, alarms that reach nobody, alarms on the wrong metric,
and none; plus the CIS CloudTrail-alarm chain, complete for 14 controls and broken for one.

moto 5 lacks composite alarms, listing S3 metrics configurations and pending SNS
subscriptions: the `alarm_ext` fixture installs awsobs/demo/moto_ext.py's extension in this
process, where the threaded moto server runs.
"""

from __future__ import annotations

import boto3
from alarm_seed import alarm, cis_chain, composite, log_group, topic
from apigw_seed import rest_api, rest_stage_arn, v2_api, v2_stage_arn
from ec2_seed import instance
from helpers import ACCOUNT, MGMT_ALL, bucket, scan_json, trail, verdicts
from resources import dynamodb_table, lambda_function

from awsobs.checks.cwalarm.controls import CONTROLS
from awsobs.demo.alarms import ec2_metrics

COVERAGE = (
    "apigw.rest.error_alarms",
    "apigw.v2.error_alarms",
    "dynamodb.throttle_alarms",
    "lambda.error_throttle_alarms",
    "ec2.status_alarms",
    "s3.request_metrics_enabled",
    "s3.error_alarms",
    "cwalarm.*",
)
GW, DDB = "AWS/ApiGateway", "AWS/DynamoDB"


def _s3_metrics(session: boto3.Session, name: str) -> None:
    session.client("s3").put_bucket_metrics_configuration(
        Bucket=name, Id="EntireBucket", MetricsConfiguration={"Id": "EntireBucket"}
    )


def seed(session: boto3.Session) -> dict[str, str]:
    """Returns the resource ids the expectations need."""
    oncall = topic(session, "oncall")
    nobody = topic(session, "nobody", confirmed=False)
    shop = rest_api(session, "shop", {"prod": [], "dev": []})
    alarm(session, "shop-prod-5xx", GW, "5XXError", {"ApiName": "shop", "Stage": "prod"})
    alarm(session, "shop-dev-5xx", GW, "5XXError", {"ApiId": shop, "Stage": "dev"})  # REST: name
    web = v2_api(session, "web", "HTTP", {"prod": {}})
    alarm(session, "web-5xx", GW, "5XXError", {"ApiId": web, "Stage": "prod"})  # HTTP: 5xx
    dynamodb_table(session, "orders")
    dynamodb_table(session, "events")
    for metric in ("ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"):
        alarm(session, f"orders-{metric}", DDB, metric, {"TableName": "orders"}, actions=[oncall])
        alarm(session, f"events-{metric}", DDB, metric, {"TableName": "events"}, actions=[nobody])
    checkout, resize = lambda_function(session, "checkout"), lambda_function(session, "resize")
    thumbs = lambda_function(session, "thumbs")
    for metric in ("Errors", "Throttles"):
        alarm(session, f"checkout-{metric}", "AWS/Lambda", metric, {"FunctionName": "checkout"})
    alarm(session, "resize-errors", "AWS/Lambda", "Errors", {"FunctionName": "resize"})
    # resize's throttling alarm notifies through a composite alarm; thumbs has none.
    alarm(session, "resize-throttles", "AWS/Lambda", "Throttles", {"FunctionName": "resize"},
          actions=[])  # fmt: skip
    composite(session, "resize-any", ["resize-throttles"], [oncall])
    alarm(session, "thumbs-errors", "AWS/Lambda", "Errors", {"FunctionName": "thumbs"})
    watched, bare = instance(session, "watched"), instance(session, "bare")
    ec2_metrics(session, "us-east-1", [watched["id"], bare["id"]])  # as EC2 publishes them
    alarm(session, "status", "AWS/EC2", "StatusCheckFailed", {"InstanceId": watched["id"]})
    # Alarm hygiene: actions disabled, no action, OK action only, a metric never published
    # (no agent on `bare`).
    cpu = {"InstanceId": watched["id"]}
    alarm(session, "legacy-cpu", "AWS/EC2", "CPUUtilization", cpu, enabled=False)
    alarm(session, "no-action", "AWS/EC2", "CPUUtilization", cpu, actions=[])
    alarm(session, "ok-only", "AWS/EC2", "CPUUtilization", cpu, actions=[], ok_actions=[oncall])
    alarm(session, "bare-mem", "CWAgent", "mem_used_percent", {"InstanceId": bare["id"]})
    for name in ("assets", "uploads"):
        bucket(session, name)
    bucket(session, "eu-assets", "eu-west-1")
    _s3_metrics(session, "assets")
    _s3_metrics(session, "uploads")  # metrics, but no alarm
    s3_dims = {"BucketName": "assets", "FilterId": "EntireBucket"}
    alarm(session, "assets-5xx", "AWS/S3", "5xxErrors", s3_dims)
    # CIS: a complete chain for every control but root_usage, whose alarm is on the
    # filter's metric name in the wrong namespace (it would never fire).
    group = log_group(session)
    trail(session, "main", multi_region=True, advanced=MGMT_ALL, CloudWatchLogsLogGroupArn=group)
    root = next(c for c in CONTROLS if c.id == "root_usage")
    cis_chain(session, controls=[c for c in CONTROLS if c is not root])
    session.client("logs").put_metric_filter(
        logGroupName="cloudtrail",
        filterName="root",
        filterPattern=root.pattern,
        metricTransformations=[
            {"metricName": "root_usage", "metricNamespace": "CISBenchmark", "metricValue": "1"}
        ],
    )
    alarm(session, "cis-root", "CIS", "root_usage")
    return {
        "shop": shop,
        "web": web,
        "checkout": checkout,
        "resize": resize,
        "thumbs": thumbs,
        "watched": watched["arn"],
        "bare": bare["arn"],
    }


def test_alarm_coverage_end_to_end(session: boto3.Session, alarm_ext: None) -> None:
    ids = seed(session)
    code, doc = scan_json("--regions", "us-east-1,eu-west-1", "--checks", *COVERAGE)
    assert code == 1
    got = {k: v for k, v in verdicts(doc).items() if v != "NOT_APPLICABLE"}
    table_arn = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/"
    expected = {
        ("apigw.rest.error_alarms", rest_stage_arn(ids["shop"], "prod")): "PASS",
        ("apigw.rest.error_alarms", rest_stage_arn(ids["shop"], "dev")): "FAIL",
        ("apigw.v2.error_alarms", v2_stage_arn(ids["web"], "prod")): "FAIL",
        ("dynamodb.throttle_alarms", table_arn + "orders"): "PASS",
        ("dynamodb.throttle_alarms", table_arn + "events"): "FAIL",
        ("lambda.error_throttle_alarms", ids["checkout"]): "PASS",
        ("lambda.error_throttle_alarms", ids["resize"]): "PASS",  # via the composite
        ("lambda.error_throttle_alarms", ids["thumbs"]): "FAIL",
        ("ec2.status_alarms", ids["watched"]): "PASS",
        ("ec2.status_alarms", ids["bare"]): "FAIL",
        ("s3.request_metrics_enabled", "arn:aws:s3:::assets"): "PASS",
        ("s3.request_metrics_enabled", "arn:aws:s3:::uploads"): "PASS",
        ("s3.request_metrics_enabled", "arn:aws:s3:::eu-assets"): "FAIL",
        ("s3.error_alarms", "arn:aws:s3:::assets"): "PASS",
        ("s3.error_alarms", "arn:aws:s3:::uploads"): "FAIL",
        ("s3.error_alarms", "arn:aws:s3:::eu-assets"): "FAIL",
        **{(f"cwalarm.{c.id}", ACCOUNT): "PASS" for c in CONTROLS if c.id != "root_usage"},
        ("cwalarm.root_usage", ACCOUNT): "FAIL",
    }
    assert got == expected
    message = {(f["check_id"], f["resource_id"]): f["message"] for f in doc["findings"]}
    # Each FAIL says what is wrong with the alarm that almost covers the resource.
    dev = message[("apigw.rest.error_alarms", rest_stage_arn(ids["shop"], "dev"))]
    assert "shop-dev-5xx" in dev and "ApiId" in dev
    assert "pending confirmation" in message[("dynamodb.throttle_alarms", table_arn + "events")]
    assert "no alarm on Throttles" in message[("lambda.error_throttle_alarms", ids["thumbs"])]
    root = message[("cwalarm.root_usage", ACCOUNT)]
    assert "alarms on root_usage exist in namespace CIS, not CISBenchmark" in root
    # Alarms are read once per region, each topic once, whatever the number of checks.
    calls = doc["scan"]["api_calls_by_operation"]
    assert calls["cloudwatch:DescribeAlarms"] == 2
    assert calls["sns:ListSubscriptionsByTopic"] == 2
    assert calls["logs:DescribeMetricFilters"] == 1


HYGIENE = (
    "cloudwatch.alarm_has_action",
    "cloudwatch.alarm_actions_enabled",
    "cloudwatch.alarm_action_targets_valid",
    "cloudwatch.alarm_not_stale",
)


def test_alarm_hygiene_end_to_end(session: boto3.Session, alarm_ext: None) -> None:
    """Every alarm of the account above gets the verdict a careful SRE would give."""
    seed(session)
    code, doc = scan_json("--regions", "us-east-1", "--checks", *HYGIENE)
    assert code == 1
    got: dict[str, dict[str, str]] = {}
    for f in doc["findings"]:
        if f["resource_type"].startswith("AWS::CloudWatch::"):
            got.setdefault(f["resource_id"].rsplit(":", 1)[-1], {})[f["check_id"]] = f["status"]
    problems = {
        name: {c.removeprefix("cloudwatch."): s for c, s in verdicts.items() if s != "PASS"}
        for name, verdicts in got.items()
        if any(s != "PASS" for s in verdicts.values())
    }
    events = {"alarm_action_targets_valid": "FAIL"}  # their topic's subscription is pending
    assert problems == {
        "legacy-cpu": {"alarm_actions_enabled": "FAIL"},
        "no-action": {"alarm_has_action": "FAIL", "alarm_action_targets_valid": "NOT_APPLICABLE"},
        "ok-only": {"alarm_has_action": "FAIL"},
        "resize-throttles": {"alarm_action_targets_valid": "NOT_APPLICABLE"},  # the composite acts
        "bare-mem": {"alarm_not_stale": "FAIL"},
        "events-ReadThrottleEvents": events,
        "events-WriteThrottleEvents": events,
        "events-SystemErrors": events,
    }
    assert len(got) == 21 + 15  # every alarm was judged (15 CIS ones), composite included
    message = {
        (f["check_id"], f["resource_id"].rsplit(":", 1)[-1]): f["message"] for f in doc["findings"]
    }
    stale = message[("cloudwatch.alarm_not_stale", "bare-mem")]
    assert "mem_used_percent" in stale and "CloudWatch Agent" in stale
    child = message[("cloudwatch.alarm_has_action", "resize-throttles")]
    assert "composite alarm 'resize-any' acts on its state" in child
