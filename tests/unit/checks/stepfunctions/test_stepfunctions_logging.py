"""stepfunctions.logging: a level of ALL, ERROR or FATAL to a log group that exists.

moto serves ListStateMachines, DescribeStateMachine (with `loggingConfiguration`, `OFF`
when none was given, as AWS's default) and DescribeLogGroups. Denied reads come from
moto's own IAM authorizer (`restricted_session` + `iam_enforced`). moto rejects no
log group ARN at creation, which is how a deleted group is modelled: the machine names a
group that was never created.
"""

from __future__ import annotations

import json

import boto3
import pytest
from helpers import ACCOUNT, findings, only, restricted_session, run
from moto_ext import iam_enforced

import awsobs.checks.stepfunctions.execution_logging  # noqa: F401
from awsobs import Finding, Report, Status, scan
from awsobs.checks.stepfunctions import readers
from awsobs.demo.workflows import log_group_arn, state_machine

CHECK = "stepfunctions.logging"
REGION = "us-east-1"
ALL_READS = ["states:*", "logs:*", "ec2:*", "sts:*", "iam:*"]


def by_id(report: Report) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


@pytest.mark.parametrize("level", ["ALL", "ERROR", "FATAL"])
def test_each_level_to_an_existing_group_passes(aws: boto3.Session, level: str) -> None:
    group = log_group_arn(aws, "/aws/states/orders", REGION)
    arn = state_machine(aws, "orders", level=level, log_group=group)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS, f.message
    assert f.resource_id == arn
    assert f.resource_type == "AWS::StepFunctions::StateMachine"
    assert f"(level {level}) to log group '/aws/states/orders' in {REGION}" in f.message
    assert f.evidence["log_level"] == level
    assert f.evidence["include_execution_data"] is False


def test_logging_off_fails_for_standard_and_says_express_keep_no_history(
    aws: boto3.Session,
) -> None:
    std = state_machine(aws, "orders", level="OFF")
    default = state_machine(aws, "defaults")  # no loggingConfiguration: AWS's default, OFF
    express = state_machine(aws, "notify", kind="EXPRESS")
    got = by_id(run(aws, [CHECK]))
    assert {f.status for f in got.values()} == {Status.FAIL}
    assert "Standard state machine 'orders' does not log its executions (level OFF)" in (
        got[std].message
    )
    assert "execution history (kept 90 days)" in got[std].message
    assert got[default].evidence["log_level"] == "OFF"
    assert got[express].message.startswith("Express state machine 'notify' does not log")
    assert "Express workflows keep no execution history at all" in got[express].message
    assert got[express].remediation.startswith(
        f"aws stepfunctions update-state-machine --state-machine-arn {express} "
        "--logging-configuration"
    )


def test_a_level_without_destination_fails(aws: boto3.Session) -> None:
    """AWS requires a destination for any level but OFF; an answer without one is still
    judged (nothing is written)."""
    arn = state_machine(aws, "orders", level="ERROR")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.resource_id == arn
    assert "logs at level ERROR but names no log group" in f.message


def test_a_deleted_log_group_fails_naming_it(aws: boto3.Session) -> None:
    gone = log_group_arn(aws, "/aws/states/deleted", REGION, create=False)
    state_machine(aws, "billing", kind="EXPRESS", level="ALL", log_group=gone)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "log group '/aws/states/deleted' in us-east-1, which does not exist" in f.message
    assert "Express workflows keep no execution history" in f.message
    assert f.remediation.startswith("aws logs create-log-group --log-group-name /aws/states/")


def test_a_group_in_another_region_is_looked_up_there(aws: boto3.Session) -> None:
    group = log_group_arn(aws, "/aws/states/central", "eu-west-1")
    state_machine(aws, "orders", level="ALL", log_group=group)
    calls: list[tuple[str, str, str]] = []
    report = scan(
        aws,
        checks=[CHECK],
        regions=[REGION],
        on_request=lambda service, op, region, params: calls.append((service, op, region)),
    )
    f = only(report, CHECK)
    assert f.status is Status.PASS
    assert "in eu-west-1" in f.message
    assert ("logs", "DescribeLogGroups", "eu-west-1") in calls


def test_a_group_of_another_account_is_unknown(aws: boto3.Session) -> None:
    other = "arn:aws:logs:us-east-1:999999999999:log-group:/central/states:*"
    state_machine(aws, "orders", level="ALL", log_group=other)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "of account 999999999999" in f.message


def test_no_state_machine_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.resource_id == REGION
    assert f.message == f"no Step Functions state machines in {REGION}"


@pytest.mark.parametrize(
    ("denied", "resource"),
    [
        ("states:ListStateMachines", REGION),
        ("states:DescribeStateMachine", "machine"),
        ("logs:DescribeLogGroups", "machine"),
    ],
)
def test_each_denied_read_is_unknown_naming_it(
    aws: boto3.Session, denied: str, resource: str
) -> None:
    group = log_group_arn(aws, "/aws/states/orders", REGION)
    arn = state_machine(aws, "orders", level="ALL", log_group=group)
    scanner = restricted_session(aws, ALL_READS, deny=[denied])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == (arn if resource == "machine" else REGION)
    assert f.evidence["error"]["action"] == denied
    assert "access denied to " + denied in f.message


def test_the_definition_is_dropped_as_the_answer_arrives(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DescribeStateMachine's `definition` (which may hold literal values) never reaches
    the check: awsobs/aws/readpolicy.py SCRUBBED removes it before caching."""
    marker = "seed-definition-secret-value"
    definition = json.dumps(
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": marker, "End": True}}}
    )
    role = f"arn:aws:iam::{ACCOUNT}:role/states"
    aws.client("stepfunctions").create_state_machine(
        name="orders", definition=definition, roleArn=role
    )
    seen: list[dict[str, object]] = []
    original = readers.parse_state_machine

    def spy(raw: dict[str, object]) -> readers.StateMachine:
        seen.append(dict(raw))
        return original(raw)

    monkeypatch.setattr(readers, "parse_state_machine", spy)
    report = run(aws, [CHECK])
    assert seen and all("definition" not in raw for raw in seen)
    assert marker not in repr(report.findings)
