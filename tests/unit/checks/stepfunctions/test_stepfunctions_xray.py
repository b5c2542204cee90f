"""stepfunctions.xray: `tracingConfiguration.enabled` on each state machine.

moto serves ListStateMachines and DescribeStateMachine (tracing `enabled: false` unless
set, AWS's default). Denied reads come from moto's IAM authorizer.
"""

from __future__ import annotations

import boto3
import pytest
from helpers import findings, only, restricted_session, run
from moto_ext import iam_enforced

import awsobs.checks.stepfunctions.tracing  # noqa: F401
from awsobs import Status
from awsobs.demo.workflows import state_machine

CHECK = "stepfunctions.xray"
REGION = "us-east-1"


def test_tracing_on_passes_off_fails(aws: boto3.Session) -> None:
    on = state_machine(aws, "traced", tracing=True)
    off = state_machine(aws, "dark", kind="EXPRESS")
    got = {f.resource_id: f for f in findings(run(aws, [CHECK]), CHECK)}
    assert got[on].status is Status.PASS
    assert got[on].message == "Standard state machine 'traced' sends traces to X-Ray"
    assert got[off].status is Status.FAIL
    assert got[off].message.startswith("Express state machine 'dark' has X-Ray tracing off")
    assert got[off].remediation.startswith(
        f"aws stepfunctions update-state-machine --state-machine-arn {off} "
        "--tracing-configuration enabled=true"
    )
    assert got[off].evidence["tracing_enabled"] is False


def test_no_state_machine_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.resource_id == REGION


@pytest.mark.parametrize("denied", ["states:ListStateMachines", "states:DescribeStateMachine"])
def test_a_denied_read_is_unknown_naming_it(aws: boto3.Session, denied: str) -> None:
    state_machine(aws, "traced", tracing=True)
    scanner = restricted_session(aws, ["states:*", "ec2:*", "sts:*"], deny=[denied])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == denied
