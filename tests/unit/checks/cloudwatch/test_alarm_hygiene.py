"""Alarm hygiene, one finding per alarm: actions, targets, and alarms that never get data."""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from alarm_seed import alarm, composite, topic
from helpers import ACCOUNT, findings, only, run
from moto.cloudwatch.models import cloudwatch_backends

from awsobs import Status

HAS_ACTION = "cloudwatch.alarm_has_action"
ENABLED = "cloudwatch.alarm_actions_enabled"
TARGETS = "cloudwatch.alarm_action_targets_valid"
STALE = "cloudwatch.alarm_not_stale"
ALARM_ARN = f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:"


def by_alarm(report, check_id):  # type: ignore[no-untyped-def]
    return {f.resource_id.removeprefix(ALARM_ARN): f for f in findings(report, check_id)}


def test_no_alarms_is_not_applicable(aws: boto3.Session) -> None:
    report = run(aws, [HAS_ACTION, ENABLED, TARGETS, STALE])
    for check_id in (HAS_ACTION, ENABLED, TARGETS, STALE):
        assert only(report, check_id).status is Status.NOT_APPLICABLE


def test_actions_present_and_enabled(aws: boto3.Session, alarm_ext: None) -> None:
    oncall = topic(aws)
    alarm(aws, "good", "AWS/Lambda", "Errors", actions=[oncall])
    alarm(aws, "ok-only", "AWS/Lambda", "Errors", actions=[], ok_actions=[oncall])
    alarm(aws, "muted", "AWS/Lambda", "Errors", actions=[oncall], enabled=False)
    composite(aws, "rollup", ["good"], [oncall])
    report = run(aws, [HAS_ACTION, ENABLED])
    has = by_alarm(report, HAS_ACTION)
    assert {k: f.status for k, f in has.items()} == {
        "good": Status.PASS,
        "ok-only": Status.FAIL,
        "muted": Status.PASS,
        "rollup": Status.PASS,
    }
    assert "notifies only when the problem ends" in has["ok-only"].message
    assert has["rollup"].resource_type == "AWS::CloudWatch::CompositeAlarm"
    enabled = by_alarm(report, ENABLED)
    assert enabled["muted"].status is Status.FAIL
    assert (
        enabled["muted"].remediation == "aws cloudwatch enable-alarm-actions --alarm-names 'muted'"
    )
    assert enabled["good"].status is Status.PASS


def test_child_of_a_notifying_composite_needs_no_action_of_its_own(
    aws: boto3.Session, alarm_ext: None
) -> None:
    oncall = topic(aws)
    alarm(aws, "cpu", "AWS/EC2", "CPUUtilization", actions=[])
    alarm(aws, "mem", "CWAgent", "mem_used_percent", actions=[])
    alarm(aws, "orphan", "AWS/Lambda", "Errors", actions=[])
    composite(aws, "host-inner", ["cpu", "mem"], [])  # no actions: passes it on
    composite(aws, "host", ["host-inner"], [oncall])
    composite(aws, "silent", ["orphan"], [])
    has = by_alarm(run(aws, [HAS_ACTION]), HAS_ACTION)
    assert {k: f.status for k, f in has.items()} == {
        "cpu": Status.PASS,
        "mem": Status.PASS,
        "host-inner": Status.PASS,
        "host": Status.PASS,
        "orphan": Status.FAIL,
        "silent": Status.FAIL,
    }
    assert has["cpu"].message == (
        "alarm 'cpu' has no action of its own: composite alarm 'host' acts on its state"
    )


def test_action_targets(aws: boto3.Session, alarm_ext: None) -> None:
    confirmed = topic(aws)
    pending = topic(aws, "nobody", confirmed=False)
    alarm(aws, "ok", "AWS/EC2", "CPUUtilization", actions=[confirmed])
    alarm(aws, "pending", "AWS/EC2", "CPUUtilization", actions=[pending])
    alarm(aws, "mixed", "AWS/EC2", "CPUUtilization", actions=[confirmed], ok_actions=[pending])
    alarm(
        aws,
        "gone",
        "AWS/EC2",
        "CPUUtilization",
        actions=[f"arn:aws:sns:us-east-1:{ACCOUNT}:deleted"],
    )
    alarm(
        aws,
        "elsewhere",
        "AWS/EC2",
        "CPUUtilization",
        actions=["arn:aws:sns:us-east-1:999999999999:central"],
    )
    alarm(
        aws,
        "scaling",
        "AWS/EC2",
        "CPUUtilization",
        actions=[
            f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:scalingPolicy:1:autoScalingGroupName/web:"
            "policyName/up",
            "arn:aws:automate:us-east-1:ec2:recover",
        ],
    )
    alarm(aws, "silent", "AWS/EC2", "CPUUtilization", actions=[])
    got = by_alarm(run(aws, [TARGETS]), TARGETS)
    assert {k: f.status for k, f in got.items()} == {
        "ok": Status.PASS,
        "pending": Status.FAIL,
        "mixed": Status.FAIL,
        "gone": Status.FAIL,
        "elsewhere": Status.UNKNOWN,
        "scaling": Status.PASS,
        "silent": Status.NOT_APPLICABLE,
    }
    assert "no confirmed subscription (1 pending confirmation)" in got["pending"].message
    assert "topic deleted does not exist" in got["gone"].message
    assert "in account 999999999999" in got["elsewhere"].message


def test_each_topic_is_read_once(aws: boto3.Session, alarm_ext: None) -> None:
    oncall = topic(aws)
    for n in range(5):
        alarm(aws, f"a{n}", "AWS/EC2", "CPUUtilization", actions=[oncall])
    report = run(aws, [TARGETS, HAS_ACTION])
    assert report.api_calls_by_operation["sns:ListSubscriptionsByTopic"] == 1
    assert report.api_calls_by_operation["cloudwatch:DescribeAlarms"] == 1


def test_continuous_metric_without_data_is_stale(aws: boto3.Session, alarm_ext: None) -> None:
    oncall = topic(aws)
    cw = aws.client("cloudwatch")
    cw.put_metric_data(
        Namespace="CWAgent",
        MetricData=[
            {
                "MetricName": "mem_used_percent",
                "Dimensions": [{"Name": "InstanceId", "Value": "i-0123456789abcdef0"}],
                "Value": 50.0,
            }
        ],
    )
    alarm(
        aws,
        "mem-live",
        "CWAgent",
        "mem_used_percent",
        {"InstanceId": "i-0123456789abcdef0"},
        actions=[oncall],
    )
    alarm(
        aws,
        "mem-typo",
        "CWAgent",
        "mem_used_percent",
        {"InstanceId": "i-0123456789abcdef1"},
        actions=[oncall],
    )
    alarm(aws, "root-usage", "CISBenchmark", "RootUsage", actions=[oncall])  # sparse: fine
    got = by_alarm(run(aws, [STALE]), STALE)
    assert got["mem-live"].status is Status.PASS
    assert got["mem-typo"].status is Status.FAIL
    assert (
        "the CloudWatch Agent is not running, or publishes other dimensions"
        in got["mem-typo"].message
    )
    assert got["root-usage"].status is Status.PASS
    assert "normal for a metric published only when something happens" in got["root-usage"].message


@pytest.mark.parametrize(
    ("days_ago", "option", "status"),
    [(10, None, Status.FAIL), (3, None, Status.PASS), (3, 2, Status.FAIL)],
)
def test_stuck_in_insufficient_data(
    aws: boto3.Session, alarm_ext: None, days_ago: int, option: int | None, status: Status
) -> None:
    alarm(
        aws,
        "s3-5xx",
        "AWS/S3",
        "5xxErrors",
        {"BucketName": "web", "FilterId": "EntireBucket"},
        actions=[topic(aws)],
    )
    aws.client("cloudwatch").set_alarm_state(
        AlarmName="s3-5xx", StateValue="INSUFFICIENT_DATA", StateReason="no data"
    )
    stored = cloudwatch_backends[ACCOUNT]["us-east-1"].alarms["s3-5xx"]
    stored.state_updated_timestamp = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    options = {STALE: {"stale_days": option}} if option else {}
    f = only(run(aws, [STALE], options=options), STALE)
    assert f.status is status
    if status is Status.FAIL:
        assert f"INSUFFICIENT_DATA since {days_ago} days ago" in f.message
        assert "S3 request metrics are off for the bucket" in f.message
