"""stepfunctions.logs_delivered: do execution logs arrive, gated on executions that log?

moto runs no execution and delivers no logs: delivery is seeded with PutLogEvents and
moved into the past with awsobs/demo/moto_delivery.py (`deliver`), executions with
PutMetricData (`publish`). Denials are stubbed (helpers.stub_error).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from helpers import findings, only, run, stub_client, stub_error

from awsobs import Status, scan
from awsobs.aws.iam import iam_action
from awsobs.demo.delivery_apps import deliver, publish
from awsobs.demo.workflows import log_group_arn, state_machine

CHECK = "stepfunctions.logs_delivered"
REGION = "us-east-1"
GROUP = "/aws/vendedlogs/states/orders"
NINE_DAYS = dt.timedelta(days=9, minutes=5)


def _machine(
    aws: boto3.Session, name: str = "orders", level: str = "ALL", group: str = GROUP
) -> str:
    return state_machine(aws, name, level=level, log_group=log_group_arn(aws, group, REGION))


def _executions(aws: boto3.Session, arn: str, metric: str, value: float) -> None:
    publish(aws, REGION, "AWS/States", metric, {"StateMachineArn": arn}, value)


def test_fresh_group_passes(aws: boto3.Session) -> None:
    arn = _machine(aws)
    deliver(aws, REGION, GROUP, ago=dt.timedelta(hours=1))
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (arn, Status.PASS)
    assert f"delivers to log group {GROUP}; last delivery 1 h ago" in f.message


def test_level_all_is_gated_on_started_executions(aws: boto3.Session) -> None:
    arn = _machine(aws)
    deliver(aws, REGION, GROUP, ago=NINE_DAYS)
    _executions(aws, arn, "ExecutionsStarted", 20.0)
    _executions(aws, arn, "ExecutionsFailed", 0.0)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "Standard state machine 'orders' served 20 executions since" in f.message
    assert "last delivery 9 days ago" in f.message
    assert "usual causes: the state machine's role lost the log delivery" in f.message
    assert f.evidence["traffic"]["metric"] == "ExecutionsStarted"


@pytest.mark.parametrize("level", ["ERROR", "FATAL"])
def test_error_levels_are_gated_on_failed_executions_only(aws: boto3.Session, level: str) -> None:
    """At ERROR or FATAL a healthy machine logs nothing: started executions prove nothing."""
    quiet = _machine(aws, "quiet", level, "/states/quiet")
    failing = _machine(aws, "failing", level, "/states/failing")
    for group in ("/states/quiet", "/states/failing"):
        deliver(aws, REGION, group, ago=NINE_DAYS)
    _executions(aws, quiet, "ExecutionsStarted", 500.0)
    _executions(aws, failing, "ExecutionsStarted", 500.0)
    _executions(aws, failing, "ExecutionsTimedOut", 2.0)
    _executions(aws, failing, "ExecutionsAborted", 1.0)
    got = {f.resource_id: f for f in findings(run(aws, [CHECK]), CHECK)}
    assert got[quiet].status is Status.NOT_APPLICABLE
    assert "served no failed, timed-out or aborted executions since" in got[quiet].message
    assert got[failing].status is Status.FAIL
    assert "served 3 failed, timed-out or aborted executions" in got[failing].message
    assert got[failing].evidence["traffic"]["metric"] == (
        "ExecutionsFailed+ExecutionsTimedOut+ExecutionsAborted"
    )


def test_not_configured_is_not_applicable(aws: boto3.Session) -> None:
    off = state_machine(aws, "off", level="OFF")
    nogroup = state_machine(aws, "nogroup", level="ERROR")
    gone = log_group_arn(aws, "/states/gone", REGION, create=False)
    deleted = state_machine(aws, "deleted", level="ALL", log_group=gone)
    got = {f.resource_id: f for f in findings(run(aws, [CHECK]), CHECK)}
    assert {k: f.status for k, f in got.items()} == dict.fromkeys(
        (off, nogroup, deleted), Status.NOT_APPLICABLE
    )
    assert "does not log its executions (level OFF): see stepfunctions.logging" in got[off].message
    assert "names no log group" in got[nogroup].message
    assert "'/states/gone' in us-east-1, which does not exist" in got[deleted].message


def test_another_accounts_group_is_unknown(aws: boto3.Session) -> None:
    other = "arn:aws:logs:us-east-1:210987654321:log-group:/states/central:*"
    state_machine(aws, "orders", level="ALL", log_group=other)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN and "of account 210987654321" in f.message


def test_no_machine_is_one_not_applicable_for_the_region(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (REGION, Status.NOT_APPLICABLE)


def _sent(aws: boto3.Session) -> dict[str, int]:
    sent: dict[str, int] = {}

    def count(service: str, op: str, region: str, params: Any) -> None:
        sent[iam_action(service, op)] = sent.get(iam_action(service, op), 0) + 1

    scan(aws, checks=[CHECK], regions=[REGION], on_request=count)
    return sent


def test_a_shared_group_is_read_once(aws: boto3.Session) -> None:
    a = _machine(aws, "a")
    b = state_machine(
        aws, "b", level="ERROR", log_group=log_group_arn(aws, GROUP, REGION, create=False)
    )
    deliver(aws, REGION, GROUP, ago=NINE_DAYS)
    _executions(aws, a, "ExecutionsStarted", 1.0)
    _executions(aws, b, "ExecutionsStarted", 9.0)  # b logs only failures: none
    sent = _sent(aws)
    assert sent["logs:DescribeLogStreams"] == 1
    assert sent["cloudwatch:GetMetricData"] == 2  # one per gate in use
    got = {f.resource_id: f for f in findings(run(aws, [CHECK]), CHECK)}
    assert got[a].status is Status.FAIL and got[b].status is Status.NOT_APPLICABLE
    assert got[a].evidence["shared_with"] == ["b"]


@pytest.mark.parametrize(
    ("service", "method", "action", "stale"),
    [
        ("stepfunctions", "list_state_machines", "states:ListStateMachines", False),
        ("stepfunctions", "describe_state_machine", "states:DescribeStateMachine", False),
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
    arn = _machine(aws)
    deliver(aws, REGION, GROUP, ago=NINE_DAYS if stale else None)
    if method == "describe_state_machine":  # stubbed: the listing answers, the describe fails
        listing = {
            "stateMachines": [
                {
                    "stateMachineArn": arn,
                    "name": "orders",
                    "type": "STANDARD",
                    "creationDate": dt.datetime.now(dt.UTC),
                }
            ]
        }
        stub_client(
            monkeypatch, service, [("list_state_machines", listing), (method, "AccessDenied")]
        )
    else:
        stub_error(monkeypatch, service, method)  # stubbed denial
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == action
