"""Step Functions: does each state machine send traces to X-Ray?

Reads the same ListStateMachines and DescribeStateMachine requests as
`stepfunctions.logging`, so a scan describes each machine once.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks.stepfunctions.readers import (
    DESCRIBE_STATE_MACHINE,
    LIST_STATE_MACHINES,
    STATE_MACHINE,
    describe_state_machine,
    state_machines,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

_FIX = (
    "aws stepfunctions update-state-machine --state-machine-arn {arn} "
    "--tracing-configuration enabled=true (the state machine's role needs "
    "xray:PutTraceSegments and xray:PutTelemetryRecords)"
)


def _judge(ctx: Context, arn: str) -> Finding:
    try:
        sm = describe_state_machine(ctx, arn)
    except AwsError as err:
        return ctx.unknown_from(err, STATE_MACHINE, arn, "could not describe the state machine")
    evidence = sm.evidence()
    if sm.tracing:
        return ctx.passed(
            STATE_MACHINE, arn, f"{sm.label} sends traces to X-Ray", evidence=evidence
        )
    return ctx.failed(
        STATE_MACHINE,
        arn,
        f"{sm.label} has X-Ray tracing off: its executions do not appear in X-Ray traces "
        "of the services it calls",
        evidence=evidence,
        remediation=_FIX.format(arn=sm.arn or arn),
    )


@check(
    id="stepfunctions.xray",
    title="Each Step Functions state machine sends traces to X-Ray",
    severity=Severity.LOW,
    signal=Signal.TRACES,
    resource_types=("AWS::StepFunctions::StateMachine",),
    permissions=[LIST_STATE_MACHINES, DESCRIBE_STATE_MACHINE],
    remediation=_FIX.format(arn="<state-machine-arn>"),
)
def xray(ctx: Context) -> Iterator[Finding]:
    """One finding per state machine, resource id its ARN (Control Tower
    CT.STEPFUNCTIONS.PR.2; LOW like `lambda.xray_active`). PASS when
    `tracingConfiguration.enabled` is true. FAIL when it is false or absent (AWS's
    default is false). UNKNOWN, naming the failed read, when the state machines cannot be
    listed (one finding for the region) or a machine cannot be described. NOT_APPLICABLE
    when the region has no state machine.
    """
    listed, gap = ctx.listing("Step Functions state machines", lambda: state_machines(ctx))
    if gap is not None:
        yield gap
        return
    arns = sorted(str(m.get("stateMachineArn")) for m in listed)
    yield from ctx.map(lambda arn: _judge(ctx, arn), arns)
