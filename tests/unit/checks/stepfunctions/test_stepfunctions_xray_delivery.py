"""stepfunctions.xray_traces_received: X-Ray has recent traces of each traced machine.

moto delivers no traces: they are put with PutTraceSegments, and GetTraceSummaries with a
`service(id(...))` filter (a 500 in plain moto) is served by
awsobs/demo/moto_delivery.py's X-Ray filter extension. ExecutionsStarted is put with
PutMetricData. Denied Step Functions reads come from moto's IAM authorizer, the X-Ray and
CloudWatch ones from botocore's Stubber.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import boto3
import pytest
from delivery_metrics_seed import put_datum, put_trace
from helpers import findings, only, restricted_session, run, stub_error
from moto_ext import iam_enforced

import awsobs.checks.stepfunctions.xray_delivery  # noqa: F401  (registers the check)
from awsobs import Status
from awsobs.demo.moto_delivery import (
    install_xray_filter_extension,
    uninstall_xray_filter_extension,
)
from awsobs.demo.workflows import state_machine

CHECK = "stepfunctions.xray_traces_received"
NODE = "AWS::StepFunctions::StateMachine"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def xray_filter() -> Iterator[None]:
    install_xray_filter_extension()
    yield
    uninstall_xray_filter_extension()


def _started(aws: boto3.Session, arn: str, ago: dt.timedelta = 20 * MINUTE) -> None:
    put_datum(aws, "AWS/States", "ExecutionsStarted", {"StateMachineArn": arn}, ago, 3.0)


def test_fresh_stale_idle_and_untraced(aws: boto3.Session) -> None:
    fresh = state_machine(aws, "fresh", tracing=True)
    stale = state_machine(aws, "stale", tracing=True)
    idle = state_machine(aws, "idle", tracing=True)
    dark = state_machine(aws, "dark", kind="EXPRESS")
    put_trace(aws, "fresh", NODE, 10 * MINUTE)
    put_trace(aws, "stale", NODE, dt.timedelta(hours=2))
    put_trace(aws, "idle", "AWS::Lambda::Function", 10 * MINUTE)  # another node's trace
    _started(aws, stale)
    _started(aws, fresh)
    report = run(aws, [CHECK])
    got = {f.resource_id: f for f in findings(report, CHECK)}
    assert got[fresh].status is Status.PASS
    assert "Standard state machine 'fresh' sent traces to X-Ray in the last 1 h" in (
        got[fresh].message
    )
    assert got[stale].status is Status.FAIL
    assert "served 3 executions since" in got[stale].message
    assert "xray:GetSamplingTargets" in got[stale].message  # the usual causes
    assert got[idle].status is Status.NOT_APPLICABLE
    assert "served no executions since" in got[idle].message
    assert got[dark].status is Status.NOT_APPLICABLE
    assert "not configured, see stepfunctions.xray" in got[dark].message
    calls = report.api_calls_by_operation
    assert calls["xray:GetTraceSummaries"] == 3  # one per traced machine
    assert calls["cloudwatch:GetMetricData"] == 1  # stale and idle in one batch
    assert calls["stepfunctions:DescribeStateMachine"] == 4


def test_shares_the_descriptions_with_stepfunctions_xray(aws: boto3.Session) -> None:
    import awsobs.checks.stepfunctions.tracing  # noqa: F401

    state_machine(aws, "fresh", tracing=True)
    put_trace(aws, "fresh", NODE, 10 * MINUTE)
    report = run(aws, [CHECK, "stepfunctions.xray"])
    assert only(report, CHECK).status is Status.PASS
    assert report.api_calls_by_operation["stepfunctions:DescribeStateMachine"] == 1


def test_no_state_machine_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("denied", ["states:ListStateMachines", "states:DescribeStateMachine"])
def test_each_denied_states_read_is_unknown(aws: boto3.Session, denied: str) -> None:
    state_machine(aws, "stale", tracing=True)
    scanner = restricted_session(aws, ["states:*", "ec2:*", "sts:*"], deny=[denied])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == denied


@pytest.mark.parametrize(
    ("service", "method", "action"),
    [
        ("xray", "get_trace_summaries", "xray:GetTraceSummaries"),
        ("cloudwatch", "get_metric_data", "cloudwatch:GetMetricData"),
    ],
)
def test_denied_trace_or_traffic_read_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, service: str, method: str, action: str
) -> None:
    """Stubbed (helpers.stub_error): moto's authorizer does not tell these two apart."""
    arn = state_machine(aws, "stale", tracing=True)
    _started(aws, arn)
    stub_error(monkeypatch, service, method, "AccessDeniedException")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == action
