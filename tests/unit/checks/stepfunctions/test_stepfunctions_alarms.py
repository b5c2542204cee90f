"""stepfunctions.failure_alarms: ExecutionsFailed and ExecutionsTimedOut alarms per state
machine, on `StateMachineArn`.

moto serves ListStateMachines; denied reads come from moto's IAM authorizer, and
DescribeAlarms is failed with botocore's Stubber (helpers.stub_error).
"""

from __future__ import annotations

import boto3
import pytest
from alarm_seed import alarm, math_alarm, topic
from helpers import ACCOUNT, findings, only, restricted_session, run, stub_error
from moto_ext import iam_enforced

from awsobs import Status
from awsobs.demo.workflows import state_machine

CHECK = "stepfunctions.failure_alarms"
STATES = "AWS/States"
REGION = "us-east-1"
ONCALL = f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"


@pytest.fixture
def flows(aws: boto3.Session, alarm_ext: None) -> tuple[str, str]:
    """Standard 'orders-flow' and Express 'notify'; a confirmed topic 'oncall'."""
    topic(aws)
    return state_machine(aws, "orders-flow"), state_machine(aws, "notify", kind="EXPRESS")


def both(session: boto3.Session, prefix: str, arn: str, *, enabled: bool = True) -> None:
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut"):
        dims = {"StateMachineArn": arn}
        alarm(session, f"{prefix}-{metric}", STATES, metric, dims, enabled=enabled)


def test_failed_and_timed_out_alarms_pass_missing_fails(
    aws: boto3.Session, flows: tuple[str, str]
) -> None:
    orders, notify = flows
    both(aws, "orders", orders)
    got = {f.resource_id: f for f in findings(run(aws, [CHECK]), CHECK)}
    assert got[orders].status is Status.PASS
    assert got[orders].message.startswith(
        "Standard state machine 'orders-flow': ExecutionsFailed by 'orders-ExecutionsFailed', "
        "ExecutionsTimedOut by 'orders-ExecutionsTimedOut'"
    )
    assert "(ExecutionsAborted, ExecutionThrottled: no alarm)" in got[orders].message
    assert got[notify].status is Status.FAIL
    assert got[notify].message.startswith("Express state machine 'notify': no alarm on")
    assert "orders-" not in got[notify].message  # another machine's alarms: no near miss
    assert f"Name=StateMachineArn,Value='{notify}'" in got[notify].remediation


def test_timeouts_are_required_too(aws: boto3.Session, flows: tuple[str, str]) -> None:
    orders, _ = flows
    alarm(aws, "failed", STATES, "ExecutionsFailed", {"StateMachineArn": orders})
    f = next(f for f in findings(run(aws, [CHECK]), CHECK) if f.resource_id == orders)
    assert f.status is Status.FAIL
    assert "no alarm on ExecutionsTimedOut" in f.message
    assert "no alarm on ExecutionsFailed" not in f.message


def test_alarm_keyed_by_name_is_the_near_miss(aws: boto3.Session, flows: tuple[str, str]) -> None:
    """StateMachineArn is the full ARN: an alarm on the name never fires."""
    orders, _ = flows
    both(aws, "by-name", "orders-flow")
    f = next(f for f in findings(run(aws, [CHECK]), CHECK) if f.resource_id == orders)
    assert f.status is Status.FAIL
    assert "alarm 'by-name-ExecutionsFailed' watches AWS/States ExecutionsFailed" in f.message
    assert "StateMachineArn=orders-flow" in f.message


def test_name_keyed_alarm_is_only_its_machines_near_miss(
    aws: boto3.Session, flows: tuple[str, str]
) -> None:
    orders, notify = flows
    both(aws, "by-name", "orders-flow")
    both(aws, "alias", f"{orders}:live")
    got = {f.resource_id: f for f in findings(run(aws, [CHECK]), CHECK)}
    assert "StateMachineArn=orders-flow" in got[orders].message
    assert f"StateMachineArn={orders}:live" in got[orders].message  # an alias: not the machine
    assert "by-name" not in got[notify].message and "alias" not in got[notify].message
    assert got[notify].message.startswith("Express state machine 'notify': no alarm on")


def test_actions_disabled_do_not_cover(aws: boto3.Session, flows: tuple[str, str]) -> None:
    orders, _ = flows
    both(aws, "off", orders, enabled=False)
    f = next(f for f in findings(run(aws, [CHECK]), CHECK) if f.resource_id == orders)
    assert f.status is Status.FAIL and "has its actions disabled" in f.message


def test_one_metric_math_alarm_on_both_covers(aws: boto3.Session, flows: tuple[str, str]) -> None:
    orders, _ = flows
    dims = {"StateMachineArn": orders}
    metrics = [("ExecutionsFailed", dims), ("ExecutionsTimedOut", dims)]
    math_alarm(aws, "orders-bad", STATES, metrics, [ONCALL])
    f = next(f for f in findings(run(aws, [CHECK]), CHECK) if f.resource_id == orders)
    assert f.status is Status.PASS and "ExecutionsTimedOut by 'orders-bad'" in f.message


def test_no_state_machine_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (REGION, Status.NOT_APPLICABLE)


def test_listing_denied_is_unknown(aws: boto3.Session, flows: tuple[str, str]) -> None:
    scanner = restricted_session(aws, ["*"], deny=["states:ListStateMachines"])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (REGION, Status.UNKNOWN)
    assert f.evidence["error"]["action"] == "states:ListStateMachines"


def test_alarms_denied_is_unknown(
    aws: boto3.Session, flows: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_error(monkeypatch, "cloudwatch", "describe_alarms")
    got = findings(run(aws, [CHECK]), CHECK)
    assert {f.resource_id for f in got} == set(flows)
    assert {f.status for f in got} == {Status.UNKNOWN}
    assert all("cloudwatch:DescribeAlarms" in f.message for f in got)
