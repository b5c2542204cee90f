"""sqs.age_alarms and sqs.dlq_alarms: per-queue alarms that fire and reach someone.

moto serves ListQueues and GetQueueAttributes (RedrivePolicy included) and keeps each
alarm's threshold. Denied reads come from moto's IAM authorizer; DescribeAlarms is failed
with botocore's Stubber (helpers.stub_error), as in the other alarm tests.
"""

from __future__ import annotations

import json

import boto3
import pytest
from alarm_seed import alarm, composite, topic
from helpers import ACCOUNT, findings, only, restricted_session, run, stub_error
from moto_ext import iam_enforced

from awsobs import Status
from awsobs.checks.sqs.readers import fires_on_first_message

AGE = "sqs.age_alarms"
DLQ = "sqs.dlq_alarms"
SQS = "AWS/SQS"
REGION = "us-east-1"


def arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:sqs:{region}:{ACCOUNT}:{name}"


def queue(session: boto3.Session, name: str, dlq: str | None = None) -> str:
    """A queue; with `dlq`, a RedrivePolicy sending failures there. Returns its ARN."""
    attrs = {}
    if dlq:
        policy = {"deadLetterTargetArn": arn(dlq), "maxReceiveCount": "3"}
        attrs["RedrivePolicy"] = json.dumps(policy)
    session.client("sqs", region_name=REGION).create_queue(QueueName=name, Attributes=attrs)
    return arn(name)


def threshold_alarm(
    session: boto3.Session, name: str, metric: str, queue_name: str, op: str, threshold: float
) -> None:
    session.client("cloudwatch", region_name=REGION).put_metric_alarm(
        AlarmName=name,
        Namespace=SQS,
        MetricName=metric,
        Dimensions=[{"Name": "QueueName", "Value": queue_name}],
        Statistic="Maximum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=threshold,
        ComparisonOperator=op,
        AlarmActions=[f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"],
    )


@pytest.fixture
def orders(aws: boto3.Session, alarm_ext: None) -> None:
    """'orders' sends failures to 'orders-dlq'; 'audit' has no DLQ; topic 'oncall'."""
    topic(aws)
    queue(aws, "orders-dlq")
    queue(aws, "orders", dlq="orders-dlq")
    queue(aws, "audit")


# -- sqs.age_alarms -------------------------------------------------------------------------


def test_age_alarm_passes_and_missing_fails(aws: boto3.Session, orders: None) -> None:
    alarm(aws, "orders-age", SQS, "ApproximateAgeOfOldestMessage", {"QueueName": "orders"})
    got = {f.resource_id: f for f in findings(run(aws, [AGE]), AGE)}
    assert set(got) == {arn("orders"), arn("audit")}  # the DLQ is sqs.dlq_alarms' business
    assert got[arn("orders")].status is Status.PASS
    assert "ApproximateAgeOfOldestMessage by 'orders-age'" in got[arn("orders")].message
    assert "(ApproximateNumberOfMessagesVisible: no alarm)" in got[arn("orders")].message
    audit = got[arn("audit")]
    assert audit.status is Status.FAIL
    assert "queue 'audit': no alarm on ApproximateAgeOfOldestMessage" in audit.message
    assert "orders-age" not in audit.message  # another queue's alarm is no near miss
    assert "--metric-name ApproximateAgeOfOldestMessage" in audit.remediation
    assert "Name=QueueName,Value='audit'" in audit.remediation


def test_age_alarm_on_a_mistyped_queue_is_named_near_miss(aws: boto3.Session, orders: None) -> None:
    alarm(aws, "audit-age", SQS, "ApproximateAgeOfOldestMessage", {"QueueName": "audit-old"})
    f = next(f for f in findings(run(aws, [AGE]), AGE) if f.resource_id == arn("audit"))
    assert f.status is Status.FAIL
    assert "alarm 'audit-age' watches AWS/SQS ApproximateAgeOfOldestMessage" in f.message
    assert "QueueName=audit-old" in f.message


def test_age_alarm_with_actions_disabled_fails(aws: boto3.Session, orders: None) -> None:
    dims = {"QueueName": "audit"}
    alarm(aws, "audit-age", SQS, "ApproximateAgeOfOldestMessage", dims, enabled=False)
    f = next(f for f in findings(run(aws, [AGE]), AGE) if f.resource_id == arn("audit"))
    assert f.status is Status.FAIL and "alarm 'audit-age' has its actions disabled" in f.message


def test_age_alarm_through_a_composite_passes(aws: boto3.Session, orders: None) -> None:
    dims = {"QueueName": "audit"}
    alarm(aws, "audit-age", SQS, "ApproximateAgeOfOldestMessage", dims, actions=[])
    composite(aws, "queues", ["audit-age"], [f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"])
    f = next(f for f in findings(run(aws, [AGE]), AGE) if f.resource_id == arn("audit"))
    assert f.status is Status.PASS and "by 'queues'" in f.message


def test_no_queue_is_not_applicable(aws: boto3.Session) -> None:
    for check in (AGE, DLQ):
        f = only(run(aws, [check]), check)
        assert (f.resource_id, f.status) == (REGION, Status.NOT_APPLICABLE)


@pytest.mark.parametrize("check", [AGE, DLQ])
def test_list_queues_denied_is_unknown(aws: boto3.Session, orders: None, check: str) -> None:
    scanner = restricted_session(aws, ["*"], deny=["sqs:ListQueues"])
    with iam_enforced():
        f = only(run(scanner, [check]), check)
    assert (f.resource_id, f.status) == (REGION, Status.UNKNOWN)
    assert f.evidence["error"]["action"] == "sqs:ListQueues"


@pytest.mark.parametrize("check", [AGE, DLQ])
def test_redrive_policy_unread_is_unknown_not_in_or_out_of_scope(
    aws: boto3.Session, orders: None, check: str
) -> None:
    """Without the RedrivePolicies nobody can tell which queue is a dead-letter queue:
    every queue is UNKNOWN in both checks (never NOT_APPLICABLE, never judged)."""
    scanner = restricted_session(aws, ["*"], deny=["sqs:GetQueueAttributes"])
    with iam_enforced():
        got = findings(run(scanner, [check]), check)
    assert {f.resource_id for f in got} == {arn("orders"), arn("orders-dlq"), arn("audit")}
    assert {f.status for f in got} == {Status.UNKNOWN}
    assert all("is a dead-letter queue" in f.message for f in got)
    assert {f.evidence["error"]["action"] for f in got} == {"sqs:GetQueueAttributes"}


@pytest.mark.parametrize("check", [AGE, DLQ])
def test_alarms_denied_is_unknown(
    aws: boto3.Session, orders: None, check: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_error(monkeypatch, "cloudwatch", "describe_alarms")
    got = findings(run(aws, [check]), check)
    assert got and {f.status for f in got} == {Status.UNKNOWN}
    assert all("cloudwatch:DescribeAlarms" in f.message for f in got)


# -- sqs.dlq_alarms -------------------------------------------------------------------------


def test_dlq_alarm_on_first_message_passes(aws: boto3.Session, orders: None) -> None:
    visible = "ApproximateNumberOfMessagesVisible"
    threshold_alarm(aws, "dlq", visible, "orders-dlq", "GreaterThanThreshold", 0)
    report = run(aws, [DLQ])
    f = only(report, DLQ)  # only the DLQ: 'orders' and 'audit' are no dead-letter queues
    assert (f.resource_id, f.status) == (arn("orders-dlq"), Status.PASS)
    assert f.message.startswith("dead-letter queue 'orders-dlq' (of queue 'orders')")
    assert f.evidence["thresholds"] == {"dlq": "GreaterThanThreshold 0"}
    assert "first message" not in f.message
    # Thresholds come from the alarm index's own DescribeAlarms answer: no second request.
    assert report.api_calls_by_operation["cloudwatch:DescribeAlarms"] == 1


def test_unwatched_dlq_fails_saying_failures_are_forgotten(
    aws: boto3.Session, orders: None
) -> None:
    f = only(run(aws, [DLQ]), DLQ)
    assert (f.resource_id, f.status) == (arn("orders-dlq"), Status.FAIL)
    assert "no alarm on ApproximateNumberOfMessagesVisible" in f.message
    assert "failed messages land here and are forgotten" in f.message
    assert "--metric-name ApproximateNumberOfMessagesVisible" in f.remediation
    assert "Name=QueueName,Value='orders-dlq'" in f.remediation


def test_dlq_watched_only_by_sent_messages_fails_naming_why(
    aws: boto3.Session, orders: None
) -> None:
    """NumberOfMessagesSent does not count what a redrive policy moves to the DLQ."""
    alarm(aws, "dlq-sent", SQS, "NumberOfMessagesSent", {"QueueName": "orders-dlq"})
    f = only(run(aws, [DLQ]), DLQ)
    assert f.status is Status.FAIL
    assert "alarm 'dlq-sent' watches NumberOfMessagesSent, which does not count" in f.message


def test_dlq_with_only_an_age_alarm_fails(aws: boto3.Session, orders: None) -> None:
    alarm(aws, "dlq-age", SQS, "ApproximateAgeOfOldestMessage", {"QueueName": "orders-dlq"})
    assert only(run(aws, [DLQ]), DLQ).status is Status.FAIL


def test_dlq_alarm_with_a_high_threshold_passes_but_says_so(
    aws: boto3.Session, orders: None
) -> None:
    """The shared alarm verdict does not judge thresholds: the PASS names the threshold."""
    visible = "ApproximateNumberOfMessagesVisible"
    threshold_alarm(aws, "dlq-100", visible, "orders-dlq", "GreaterThanThreshold", 100)
    f = only(run(aws, [DLQ]), DLQ)
    assert f.status is Status.PASS
    assert "no alarm goes off on the first message ('dlq-100' at GreaterThanThreshold 100)" in (
        f.message
    )
    assert f.evidence["thresholds"] == {"dlq-100": "GreaterThanThreshold 100"}


def test_dlq_alarm_to_an_unconfirmed_topic_fails(aws: boto3.Session, orders: None) -> None:
    nobody = topic(aws, "nobody", confirmed=False)
    dims = {"QueueName": "orders-dlq"}
    alarm(aws, "dlq", SQS, "ApproximateNumberOfMessagesVisible", dims, actions=[nobody])
    f = only(run(aws, [DLQ]), DLQ)
    assert f.status is Status.FAIL and "topic nobody has no confirmed subscription" in f.message


def test_queues_without_redrive_are_not_applicable_for_dlq(
    aws: boto3.Session, alarm_ext: None
) -> None:
    queue(aws, "audit")
    f = only(run(aws, [DLQ]), DLQ)
    assert (f.resource_id, f.status) == (REGION, Status.NOT_APPLICABLE)
    assert "no queue's RedrivePolicy names one" in f.message


def test_a_dlq_of_two_queues_is_one_finding(aws: boto3.Session, alarm_ext: None) -> None:
    topic(aws)
    queue(aws, "shared-dlq")
    queue(aws, "a", dlq="shared-dlq")
    queue(aws, "b", dlq="shared-dlq")
    f = only(run(aws, [DLQ]), DLQ)
    assert f.resource_id == arn("shared-dlq") and f.status is Status.FAIL


@pytest.mark.parametrize(
    ("threshold", "first"),
    [
        ("GreaterThanThreshold 0", True),
        ("GreaterThanOrEqualToThreshold 1", True),
        ("GreaterThanOrEqualToThreshold 0", False),  # always in alarm
        ("GreaterThanThreshold 5", False),
        ("LessThanThreshold 1", False),
        ("GreaterThanThreshold 0 (on a metric-math expression)", False),
    ],
)
def test_fires_on_first_message(threshold: str, first: bool) -> None:
    assert fires_on_first_message(threshold) is first
