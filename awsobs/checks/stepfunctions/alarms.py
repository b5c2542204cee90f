"""Step Functions: ExecutionsFailed and ExecutionsTimedOut alarms per state machine.

Semantics: controls.md §10; the verdict is CloudWatch's (cloudwatch/coverage.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from awsobs.aws.errors import AwsError
from awsobs.checks.cloudwatch.coverage import (
    ALARM_READS,
    Want,
    alarm_fix,
    coverage_finding,
    index_or_error,
)
from awsobs.checks.cloudwatch.readers import Claimed, Metric, Need
from awsobs.checks.stepfunctions.readers import (
    LIST_STATE_MACHINES,
    STATE_MACHINE,
    state_machines,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

STATES = "AWS/States"
REQUIRED = ("ExecutionsFailed", "ExecutionsTimedOut")
REPORTED = ("ExecutionsAborted", "ExecutionThrottled")


def _belongs_elsewhere(names: Mapping[str, str], arn: str) -> Claimed:
    """Metrics of another known machine: its ARN, a version or alias of it (`<arn>:1`),
    or its bare name (that machine's near miss, not this one's)."""
    arns = set(names.values())

    def claimed(m: Metric) -> bool:
        value = m.dim("StateMachineArn") or ""
        owner = names.get(value) or next(
            (a for a in arns if value == a or value.startswith(f"{a}:")), None
        )
        return owner is not None and owner != arn

    return claimed


@check(
    id="stepfunctions.failure_alarms",
    title="Step Functions state machines have failure and timeout alarms that reach someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::StepFunctions::StateMachine",),
    permissions=[LIST_STATE_MACHINES, *ALARM_READS],
    remediation=alarm_fix(STATES, "ExecutionsFailed", "Name=StateMachineArn,Value=<arn>"),
)
def failure_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per state machine (Standard or Express). PASS when `AWS/States`
    `ExecutionsFailed` and `ExecutionsTimedOut` on its `StateMachineArn` (the full ARN,
    not the name; statistic Sum) each have an alarm that reaches someone: an execution
    that fails or runs past its timeout ends without anyone calling back, so only an
    alarm tells. FAIL when one is missing, naming the near misses (an alarm keyed by the
    name or a version or alias ARN, actions disabled, a topic nobody confirmed; another
    machine's alarms are not this one's near misses).
    `ExecutionsAborted` and `ExecutionThrottled`, also in CloudWatch's recommended
    alarms for Step Functions, are reported, not required. UNKNOWN when the state
    machines or the alarms cannot be read; NOT_APPLICABLE when the region has no state
    machine.
    """
    machines, gap = ctx.listing("Step Functions state machines", lambda: state_machines(ctx))
    if gap is not None:
        yield gap
        return
    index = index_or_error(ctx)
    names = {str(m.get("name")): str(m.get("stateMachineArn")) for m in machines}
    for m in machines:
        arn, name = str(m.get("stateMachineArn")), str(m.get("name"))
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, STATE_MACHINE, arn, "could not read alarms")
            continue
        dims = ({"StateMachineArn": arn},)
        wants = [Want(metric, (Need(STATES, (metric,), dims),)) for metric in REQUIRED]
        wants += [
            Want(metric, (Need(STATES, (metric,), dims),), required=False) for metric in REPORTED
        ]
        kind = "Express" if m.get("type") == "EXPRESS" else "Standard"
        yield coverage_finding(
            ctx,
            index,
            STATE_MACHINE,
            arn,
            f"{kind} state machine '{name}'",
            wants,
            evidence={"state_machine": name, "type": m.get("type")},
            claimed=_belongs_elsewhere(names, arn),
        )
