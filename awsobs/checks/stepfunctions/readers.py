"""Step Functions reads: the region's state machines (ListStateMachines, paginated) and
each one's configuration (DescribeStateMachine per machine: `type`,
`loggingConfiguration`, `tracingConfiguration`). The definition, which can hold
literal values of the workflow, is dropped as the response arrives
(awsobs/aws/readpolicy.py SCRUBBED) and never kept here.

Both checks read the same two requests, so a scan describes each machine once. The log
group a machine logs to is looked up in its region's DescribeLogGroups listing, the same
request (no parameters) that CloudWatch Logs' readers send.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.checks._shared import LOG_GROUP_ARN
from awsobs.context import Context

STATE_MACHINE = "AWS::StepFunctions::StateMachine"
LIST_STATE_MACHINES = "states:ListStateMachines"
DESCRIBE_STATE_MACHINE = "states:DescribeStateMachine"
DESCRIBE_LOG_GROUPS = "logs:DescribeLogGroups"


@dataclass(frozen=True)
class StateMachine:
    """One state machine as DescribeStateMachine describes it (the definition left out)."""

    arn: str
    name: str
    kind: str  # STANDARD or EXPRESS
    level: str  # ALL, ERROR, FATAL or OFF (absent: AWS's default, OFF)
    include_execution_data: bool
    log_group_arn: str | None  # the one destination AWS allows, when set
    tracing: bool

    @property
    def label(self) -> str:
        kind = "Express" if self.kind == "EXPRESS" else "Standard"
        return f"{kind} state machine '{self.name}'"

    def evidence(self) -> dict[str, Any]:
        return {
            "state_machine": self.name,
            "type": self.kind,
            "log_level": self.level,
            "include_execution_data": self.include_execution_data,
            "log_group_arn": self.log_group_arn,
            "tracing_enabled": self.tracing,
        }


def state_machines(ctx: Context) -> tuple[Mapping[str, Any], ...]:
    """The region's ListStateMachines entries (raises `AwsError`)."""
    return tuple(ctx.call("stepfunctions", "ListStateMachines").get("stateMachines", ()))


def parse_state_machine(raw: Mapping[str, Any]) -> StateMachine:
    """A StateMachine from a DescribeStateMachine answer."""
    logging: Mapping[str, Any] = raw.get("loggingConfiguration") or {}
    group = None
    for destination in logging.get("destinations") or ():
        group = (destination.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn") or group
    tracing: Mapping[str, Any] = raw.get("tracingConfiguration") or {}
    return StateMachine(
        arn=str(raw.get("stateMachineArn") or ""),
        name=str(raw.get("name") or ""),
        kind=str(raw.get("type") or "STANDARD"),
        level=str(logging.get("level") or "OFF").upper(),
        include_execution_data=bool(logging.get("includeExecutionData")),
        log_group_arn=str(group) if group else None,
        tracing=tracing.get("enabled") is True,
    )


def describe_state_machine(ctx: Context, arn: str) -> StateMachine:
    """DescribeStateMachine of `arn`, parsed (raises `AwsError`)."""
    return parse_state_machine(
        ctx.call("stepfunctions", "DescribeStateMachine", stateMachineArn=arn)
    )


@dataclass(frozen=True)
class LogGroupRef:
    """Where a log group ARN points: region, account and name."""

    region: str
    account: str
    name: str


def log_group_ref(arn: str) -> LogGroupRef | None:
    """The parts of a log group ARN (`:*` suffix or not), None when it is not one."""
    m = LOG_GROUP_ARN.match(arn)
    if not m:
        return None
    return LogGroupRef(m.group(1), m.group(2), m.group(3))


def log_group_names(ctx: Context, region: str) -> frozenset[str]:
    """Names of the log groups of `region` (one DescribeLogGroups listing; raises `AwsError`)."""
    answer = ctx.call("logs", "DescribeLogGroups", region)
    return frozenset(str(g.get("logGroupName")) for g in answer.get("logGroups", ()))
