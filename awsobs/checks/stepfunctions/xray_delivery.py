"""Step Functions: do the state machines with X-Ray tracing really send traces?

The companion of `stepfunctions.xray` (docs/design.md, "Delivery checks"): that check
reads `tracingConfiguration`; this one asks X-Ray whether traces of the machine arrived
in the last `max_age_hours`. Reads the same ListStateMachines and DescribeStateMachine
requests, so a scan describes each machine once.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks._delivery import GET_METRIC_DATA, GET_TRACE_SUMMARIES, attempt
from awsobs.checks._traces import TracedSource, trace_verdicts
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

CAUSES = (
    "the state machine's role lacks xray:PutTraceSegments, xray:PutTelemetryRecords, "
    "xray:GetSamplingRules and xray:GetSamplingTargets; a sampling rule with reservoir 0 "
    "and rate 0 matches the state machine"
)


@check(
    id="stepfunctions.xray_traces_received",
    title="Step Functions state machines with X-Ray tracing have traces in X-Ray",
    severity=Severity.LOW,
    signal=Signal.TRACES,
    resource_types=(STATE_MACHINE,),
    permissions=[LIST_STATE_MACHINES, DESCRIBE_STATE_MACHINE, GET_TRACE_SUMMARIES, GET_METRIC_DATA],
    options={"max_age_hours": 1},
    remediation="Give the state machine's role the AWSXRayDaemonWriteAccess policy and "
    "check the X-Ray sampling rules (aws xray get-sampling-rules)",
)
def xray_traces_received(ctx: Context) -> Iterator[Finding]:
    """One finding per state machine, resource id its ARN. Judged only where
    `stepfunctions.xray` passes (`tracingConfiguration.enabled` true); any other machine
    is NOT_APPLICABLE. PASS when X-Ray has a trace through the machine's node
    (`service(id(name: "<name>", type: "AWS::StepFunctions::StateMachine"))`) from the
    last `max_age_hours` (default 1; X-Ray keeps traces 30 days): one GetTraceSummaries
    per machine, stopping at the first trace. Without one: FAIL when executions started
    in that window (`AWS/States ExecutionsStarted` by `StateMachineArn`, up to 5 minutes
    ago, one GetMetricData for the region's silent machines), naming the usual causes;
    NOT_APPLICABLE when none started. UNKNOWN, naming the failed read, when the machines
    cannot be listed or described, or a read of X-Ray or the metric fails.
    """
    listed, gap = ctx.listing("Step Functions state machines", lambda: state_machines(ctx))
    if gap is not None:
        yield gap
        return
    arns = sorted(str(m.get("stateMachineArn")) for m in listed)
    described = ctx.map(lambda arn: attempt(lambda: describe_state_machine(ctx, arn)), arns)
    traced: list[TracedSource] = []
    for arn, sm in zip(arns, described, strict=True):
        if isinstance(sm, AwsError):
            yield ctx.unknown_from(sm, STATE_MACHINE, arn, "could not describe the state machine")
            continue
        if not sm.tracing:
            yield ctx.not_applicable(
                STATE_MACHINE,
                arn,
                f"{sm.label} has X-Ray tracing off: not configured, see stepfunctions.xray",
                evidence=sm.evidence(),
            )
            continue
        dims = {"StateMachineArn": arn}
        traced.append(
            TracedSource(STATE_MACHINE, arn, sm.label, sm.name, STATE_MACHINE, dims, sm.evidence())
        )
    yield from trace_verdicts(
        ctx,
        traced,
        namespace="AWS/States",
        metric="ExecutionsStarted",
        noun="executions",
        causes=CAUSES,
    )
