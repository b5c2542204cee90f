"""Step Functions: does each state machine log its executions to a log group that exists?

A Standard workflow keeps an execution history in Step Functions (90 days after the
execution closes); an Express workflow keeps none: its CloudWatch Logs log group is the
only record of what it did and why it failed. Logging is `OFF` by default.

Reads: ListStateMachines per region, DescribeStateMachine per machine (shared with
`stepfunctions.xray`), and DescribeLogGroups of the region the log group is in (the
listing CloudWatch Logs' checks send too: no extra request in a full scan).
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks.stepfunctions.readers import (
    DESCRIBE_LOG_GROUPS,
    DESCRIBE_STATE_MACHINE,
    LIST_STATE_MACHINES,
    STATE_MACHINE,
    StateMachine,
    describe_state_machine,
    log_group_names,
    log_group_ref,
    state_machines,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

LEVELS = ("ALL", "ERROR", "FATAL")
_FIX = (
    "aws stepfunctions update-state-machine --state-machine-arn {arn} --logging-configuration "
    "'level=ERROR,includeExecutionData=false,destinations=[{{cloudWatchLogsLogGroup="
    "{{logGroupArn=<log-group-arn>:*}}}}]' (the state machine's role needs the CloudWatch "
    "Logs delivery permissions: logs:CreateLogDelivery, logs:PutResourcePolicy, ...)"
)


def _no_record(sm: StateMachine) -> str:
    """What is left to investigate with when the machine does not log."""
    if sm.kind == "EXPRESS":
        return (
            "Express workflows keep no execution history at all, so nothing records what "
            "its executions did or why they failed"
        )
    return "only the Step Functions execution history (kept 90 days) records its executions"


def _judge(ctx: Context, arn: str) -> Finding:
    try:
        sm = describe_state_machine(ctx, arn)
    except AwsError as err:
        return ctx.unknown_from(err, STATE_MACHINE, arn, "could not describe the state machine")
    evidence = sm.evidence()
    fix = _FIX.format(arn=sm.arn or arn)
    if sm.level not in LEVELS:
        if sm.level != "OFF":
            return ctx.unknown(
                STATE_MACHINE,
                arn,
                f"{sm.label} has a log level awsobs does not know ({sm.level})",
                evidence=evidence,
            )
        return ctx.failed(
            STATE_MACHINE,
            arn,
            f"{sm.label} does not log its executions (level OFF): {_no_record(sm)}",
            evidence=evidence,
            remediation=fix,
        )
    if not sm.log_group_arn:
        return ctx.failed(
            STATE_MACHINE,
            arn,
            f"{sm.label} logs at level {sm.level} but names no log group, so no log is "
            f"written: {_no_record(sm)}",
            evidence=evidence,
            remediation=fix,
        )
    ref = log_group_ref(sm.log_group_arn)
    if ref is None:
        return ctx.unknown(
            STATE_MACHINE,
            arn,
            f"{sm.label} logs to '{sm.log_group_arn}', which is not a log group ARN awsobs "
            "can look up",
            evidence=evidence,
        )
    if ref.account != ctx.account_id:
        return ctx.unknown(
            STATE_MACHINE,
            arn,
            f"{sm.label} logs to log group '{ref.name}' of account {ref.account}: whether it "
            "exists cannot be read from this account",
            evidence=evidence,
        )
    try:
        names = log_group_names(ctx, ref.region)
    except AwsError as err:
        return ctx.unknown_from(
            err,
            STATE_MACHINE,
            arn,
            f"{sm.label} logs to log group '{ref.name}', but whether it exists could not be "
            f"read (could not list log groups in {ref.region})",
            evidence=evidence,
        )
    if ref.name not in names:
        return ctx.failed(
            STATE_MACHINE,
            arn,
            f"{sm.label} logs at level {sm.level} to log group '{ref.name}' in {ref.region}, "
            f"which does not exist: no log is delivered, and {_no_record(sm)}",
            evidence=evidence,
            remediation=f"aws logs create-log-group --log-group-name {ref.name} --region "
            f"{ref.region}, or point the state machine at an existing group: {fix}",
        )
    scope = "every execution event" if sm.level == "ALL" else f"{sm.level} events"
    return ctx.passed(
        STATE_MACHINE,
        arn,
        f"{sm.label} logs {scope} (level {sm.level}) to log group '{ref.name}' in {ref.region}",
        evidence=evidence,
    )


@check(
    id="stepfunctions.logging",
    title="Each Step Functions state machine logs executions to an existing log group",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::StepFunctions::StateMachine",),
    permissions=[LIST_STATE_MACHINES, DESCRIBE_STATE_MACHINE, DESCRIBE_LOG_GROUPS],
    remediation=_FIX.format(arn="<state-machine-arn>"),
)
def logging(ctx: Context) -> Iterator[Finding]:
    """One finding per state machine, resource id its ARN (Security Hub StepFunctions.1,
    Config `step-functions-state-machine-logging-enabled`; MEDIUM: the gap is in
    investigating failed workflows).

    PASS when `loggingConfiguration.level` is `ALL`, `ERROR` or `FATAL` and its
    destination (`destinations[].cloudWatchLogsLogGroup.logGroupArn`) is a log group of
    this account that exists (DescribeLogGroups of the group's region, usually the
    machine's own). `includeExecutionData` is evidence only.

    FAIL when the level is `OFF` (AWS's default, also when `loggingConfiguration` is
    absent), when a level is set but no destination is, and when the log group does not
    exist (deleted after logging was set up; the message names it). For an Express
    workflow the message says it keeps no execution history at all.

    UNKNOWN, naming the failed read, when the state machines cannot be listed (one finding
    for the region), a machine cannot be described, or the log groups of the group's
    region cannot be listed; also for a log group of another account and a level awsobs
    does not know. NOT_APPLICABLE when the region has no state machine.

    The definition is not read into the finding: it is dropped as DescribeStateMachine's
    answer arrives.
    """
    listed, gap = ctx.listing("Step Functions state machines", lambda: state_machines(ctx))
    if gap is not None:
        yield gap
        return
    arns = sorted(str(m.get("stateMachineArn")) for m in listed)
    yield from ctx.map(lambda arn: _judge(ctx, arn), arns)
