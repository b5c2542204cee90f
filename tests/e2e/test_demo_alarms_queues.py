"""The demo's queues and state machines: a good and a bad case of each issue-15 queues
check (awsobs/demo/alarms_queues.py)."""

from __future__ import annotations

import pytest

from awsobs import Report, Status

ACCOUNT = "123456789012"
SQS = f"arn:aws:sqs:us-east-1:{ACCOUNT}"
STATES = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine"


@pytest.mark.parametrize(
    ("check", "resource", "status"),
    [
        ("sqs.age_alarms", f"{SQS}:demo-orders", Status.PASS),
        ("sqs.age_alarms", f"{SQS}:demo-emails", Status.FAIL),
        ("sqs.dlq_alarms", f"{SQS}:demo-orders-dlq", Status.PASS),
        ("sqs.dlq_alarms", f"{SQS}:demo-emails-dlq", Status.FAIL),
        ("stepfunctions.failure_alarms", f"{STATES}:orders-flow", Status.PASS),
        ("stepfunctions.failure_alarms", f"{STATES}:billing-flow", Status.FAIL),
        ("stepfunctions.failure_alarms", f"{STATES}:notify-express", Status.FAIL),
    ],
)
def test_demo_queue_and_workflow_alarms(
    demo_report: Report, check: str, resource: str, status: Status
) -> None:
    got = {(f.check_id, f.resource_id): f for f in demo_report.findings}
    assert got[(check, resource)].status is status, got[(check, resource)].message


def test_demo_names_why_the_bad_cases_fail(demo_report: Report) -> None:
    got = {(f.check_id, f.resource_id): f.message for f in demo_report.findings}
    emails_dlq = got[("sqs.dlq_alarms", f"{SQS}:demo-emails-dlq")]
    assert "NumberOfMessagesSent, which does not count" in emails_dlq
    assert "forgotten" in emails_dlq
    billing = got[("stepfunctions.failure_alarms", f"{STATES}:billing-flow")]
    assert "StateMachineArn=billing-flow" in billing  # keyed by name: the near miss
    # Dead-letter queues are judged by sqs.dlq_alarms only.
    assert ("sqs.age_alarms", f"{SQS}:demo-orders-dlq") not in got


def test_demo_queue_checks_are_never_unknown(demo_report: Report) -> None:
    ours = ("sqs.age_alarms", "sqs.dlq_alarms", "stepfunctions.failure_alarms")
    unknown = [
        f.message for f in demo_report.findings if f.check_id in ours and f.status is Status.UNKNOWN
    ]
    assert unknown == []
