"""Step Functions: do the state machines' execution logs actually arrive? (issue 20)

The companion of `stepfunctions.logging` (docs/design.md, "Delivery checks"): a machine
logging at `ALL`, `ERROR` or `FATAL` to a log group of this account is judged on when the
group last ingested data, gated on executions that should have logged. Level `ALL` logs
every execution (AWS/States `ExecutionsStarted`); `ERROR` and `FATAL` log only failed
ones, so a healthy machine at those levels writes nothing for days: the gate is
`ExecutionsFailed + ExecutionsTimedOut + ExecutionsAborted`. Reads: ListStateMachines and
DescribeStateMachine (shared with the other Step Functions checks), one DescribeLogStreams
per distinct log group, and, only for stale groups, GetMetricData per region (one per
gate in use).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.checks._delivery import (
    DESCRIBE_LOG_STREAMS,
    GET_METRIC_DATA,
    Arrival,
    Traffic,
    Window,
    attempt,
    newest_stream,
    served,
    traffic,
    verdict,
    window,
)
from awsobs.checks.stepfunctions.readers import (
    DESCRIBE_STATE_MACHINE,
    LIST_STATE_MACHINES,
    STATE_MACHINE,
    StateMachine,
    describe_state_machine,
    log_group_ref,
    state_machines,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

CONFIG = "stepfunctions.logging"
NAMESPACE = "AWS/States"
STARTED = ("ExecutionsStarted",)
FAILED = ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted")
NOUN = {STARTED: "executions", FAILED: "failed, timed-out or aborted executions"}
CAUSES = (
    "the state machine's role lost the log delivery permissions (logs:CreateLogDelivery, "
    "logs:PutResourcePolicy, logs:DescribeResourcePolicies, ...); the log group's resource "
    "policy for delivery.logs.amazonaws.com was replaced or hit its size limit; the "
    "group's KMS key no longer lets CloudWatch Logs use it"
)
Group = tuple[str, str]  # (region, log group name)


def _gate(sm: StateMachine) -> tuple[str, ...]:
    """The executions that write logs at the machine's level."""
    return STARTED if sm.level == "ALL" else FAILED


def _screen(ctx: Context, arn: str) -> tuple[StateMachine, Group] | Finding:
    """The machine and the (region, group) it logs to, or the finding when it is not
    judged: NOT_APPLICABLE where `stepfunctions.logging` would not pass on its settings,
    UNKNOWN where the machine cannot be described or its group is another account's."""
    try:
        sm = describe_state_machine(ctx, arn)
    except AwsError as err:
        return ctx.unknown_from(err, STATE_MACHINE, arn, "could not describe the state machine")
    evidence = sm.evidence()
    if sm.level not in ("ALL", "ERROR", "FATAL"):
        text = f"{sm.label} does not log its executions (level {sm.level}): see {CONFIG}"
        return ctx.not_applicable(STATE_MACHINE, arn, text, evidence=evidence)
    ref = log_group_ref(sm.log_group_arn or "")
    if ref is None:
        text = f"{sm.label} names no log group awsobs can read: see {CONFIG}"
        return ctx.not_applicable(STATE_MACHINE, arn, text, evidence=evidence)
    if ref.account != ctx.account_id:
        text = (
            f"{sm.label} logs to log group '{ref.name}' of account {ref.account}: whether "
            "data arrives there cannot be read from this account"
        )
        return ctx.unknown(STATE_MACHINE, arn, text, evidence=evidence)
    return sm, (ref.region, ref.name)


def _traffic(
    ctx: Context, win: Window, gate: tuple[str, ...], dims: list[dict[str, str]]
) -> Traffic | AwsError:
    """The region's executions of `gate` for `dims` (one GetMetricData, shared)."""
    return attempt(
        lambda: traffic(ctx, ctx.region, NAMESPACE, gate, dims, win.start, win.traffic_end)
    )


@check(
    id="stepfunctions.logs_delivered",
    title="Step Functions execution logs arrive in their log group",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=(STATE_MACHINE,),
    permissions=[
        LIST_STATE_MACHINES,
        DESCRIBE_STATE_MACHINE,
        DESCRIBE_LOG_STREAMS,
        GET_METRIC_DATA,
    ],
    options={"max_age_hours": 24},
    remediation="Check the state machine role's CloudWatch Logs delivery permissions and the "
    "log group's resource policy (aws logs describe-resource-policies), then run an execution",
)
def logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per state machine, resource id its ARN (the companion of
    `stepfunctions.logging`).

    Judged: a machine logging at `ALL`, `ERROR` or `FATAL` to a log group of this account.
    The group's newest stream (DescribeLogStreams in the group's region, newest first, one
    item; once per group, however many machines share it) gives when data last arrived.
    PASS when that is within `max_age_hours` (default 24). Otherwise the machine's
    executions over the window, up to 15 minutes before now, are read from AWS/States by
    `StateMachineArn` (one GetMetricData per region and gate): at `ALL`,
    `ExecutionsStarted`; at `ERROR` or `FATAL`, which log only failures,
    `ExecutionsFailed + ExecutionsTimedOut + ExecutionsAborted`. FAIL when there were any,
    naming the last delivery ("last delivery 9 days ago") and the usual causes;
    NOT_APPLICABLE when there were none (nothing to log). A shared group gives the group's
    freshness (the evidence lists the sharers): a machine FAILs only on its own executions.

    NOT_APPLICABLE, saying so: level `OFF` (not configured), no log group, or a group that
    no longer exists (`stepfunctions.logging` FAILs those). UNKNOWN, naming the denied
    action, when the machines, a machine, its group or its executions cannot be read, and
    for a group of another account. NOT_APPLICABLE when the region has no state machine.
    """
    listed, gap = ctx.listing("Step Functions state machines", lambda: state_machines(ctx))
    if gap is not None:
        yield gap
        return
    win = window(ctx)
    arns = sorted(str(m.get("stateMachineArn")) for m in listed)
    screened = dict(zip(arns, ctx.map(lambda arn: _screen(ctx, arn), arns), strict=True))
    users: dict[Group, list[StateMachine]] = {}
    for target in screened.values():
        if isinstance(target, tuple):
            users.setdefault(target[1], []).append(target[0])
    groups = sorted(users)
    read = ctx.map(lambda g: attempt(lambda: newest_stream(ctx, g[0], g[1])), groups)
    arrivals: dict[Group, Arrival | AwsError] = dict(zip(groups, read, strict=True))
    batches: dict[tuple[str, ...], Traffic | AwsError] = {}
    for gate in (STARTED, FAILED):
        stale = [
            {"StateMachineArn": sm.arn}
            for g, sharers in users.items()
            if win.stale(arrivals[g])
            for sm in sharers
            if _gate(sm) == gate
        ]
        if stale:
            batches[gate] = _traffic(ctx, win, gate, stale)
    for arn in arns:
        target = screened[arn]
        if isinstance(target, Finding):
            yield target
            continue
        sm, group = target
        arrival = arrivals[group]
        if isinstance(arrival, AwsError) and arrival.kind is ErrorKind.NOT_FOUND:
            text = (
                f"{sm.label} logs to log group '{group[1]}' in {group[0]}, which does not "
                f"exist: see {CONFIG}"
            )
            yield ctx.not_applicable(STATE_MACHINE, arn, text, evidence=sm.evidence())
            continue
        sharers = sorted(s.name for s in users[group] if s is not sm)
        where = f"log group {group[1]}"
        if sharers:
            plural = "s" if len(sharers) > 1 else ""
            where += f" (shared with {len(sharers)} other state machine{plural})"
        batch = batches.get(_gate(sm))
        evidence: dict[str, Any] = {**sm.evidence(), "shared_with": sharers}
        yield verdict(
            ctx,
            STATE_MACHINE,
            arn,
            label=sm.label,
            destination=where,
            arrival=arrival,
            win=win,
            traffic=None
            if batch is None
            else served(batch, {"StateMachineArn": sm.arn}, NOUN[_gate(sm)]),
            causes=CAUSES,
            evidence=evidence,
        )
