"""API Gateway REST APIs: do the stages with X-Ray tracing really send traces?

The companion of `apigw.rest.xray_tracing` (docs/design.md, "Delivery checks"): that
check reads `tracingEnabled`; this one asks X-Ray whether traces of the stage arrived in
the last `max_age_hours`. Reads the same stage listing, so a scan lists stages once.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.checks._delivery import GET_METRIC_DATA, GET_TRACE_SUMMARIES
from awsobs.checks._traces import TracedSource, trace_verdicts
from awsobs.checks.apigw.readers import GET, rest_stages
from awsobs.checks.apigw.verdicts import stages_of
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

NODE = "AWS::ApiGateway::Stage"  # the X-Ray node type of a stage, named "<api>/<stage>"
CAUSES = (
    "a sampling rule with reservoir 0 and rate 0 matches the stage; callers pass an "
    "X-Amzn-Trace-Id header with Sampled=0; the stage's tracing was turned on without "
    "a new deployment reaching it"
)


@check(
    id="apigw.rest.xray_traces_received",
    title="REST API stages with X-Ray tracing have traces in X-Ray",
    severity=Severity.LOW,
    signal=Signal.TRACES,
    resource_types=("AWS::ApiGateway::Stage",),
    permissions=[GET, GET_TRACE_SUMMARIES, GET_METRIC_DATA],
    options={"max_age_hours": 1},
    remediation="Check the X-Ray sampling rules (aws xray get-sampling-rules) and the "
    "stage's tracingEnabled setting (aws apigateway get-stage)",
)
def rest_xray_traces_received(ctx: Context) -> Iterator[Finding]:
    """One finding per REST stage, resource id the stage ARN. Judged only where
    `apigw.rest.xray_tracing` passes (`tracingEnabled` true); any other stage is
    NOT_APPLICABLE. PASS when X-Ray has a trace through the stage's node
    (`service(id(name: "<api-name>/<stage>", type: "AWS::ApiGateway::Stage"))`) from the
    last `max_age_hours` (default 1; X-Ray keeps traces 30 days): one GetTraceSummaries
    per stage, stopping at the first trace. Without one: FAIL when the stage served
    requests in that window (`AWS/ApiGateway Count` by `ApiName` and `Stage`, up to 5
    minutes ago, one GetMetricData for the region's silent stages), naming the usual
    causes; NOT_APPLICABLE when it served none. UNKNOWN, naming the denied action, when a
    read fails. APIs with the same name share their metrics (API Gateway's `ApiName`
    dimension), so such stages are gated on their combined traffic.
    """
    stages, gaps = stages_of(ctx, {"REST"}, "REST APIs", rest_stages)
    yield from gaps
    traced: list[TracedSource] = []
    for stage in stages:
        enabled = bool(stage.raw.get("tracingEnabled"))
        evidence = {**stage.evidence(), "tracing_enabled": enabled}
        if not enabled:
            yield ctx.not_applicable(
                stage.resource_type,
                stage.arn,
                f"{stage.label} does not send traces to X-Ray: not configured, see "
                "apigw.rest.xray_tracing",
                evidence=evidence,
            )
            continue
        node = f"{stage.api_name}/{stage.name}"
        dims = {"ApiName": stage.api_name, "Stage": stage.name}
        traced.append(
            TracedSource(stage.resource_type, stage.arn, stage.label, node, NODE, dims, evidence)
        )
    yield from trace_verdicts(
        ctx, traced, namespace="AWS/ApiGateway", metric="Count", noun="requests", causes=CAUSES
    )
