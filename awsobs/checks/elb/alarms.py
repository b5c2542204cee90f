"""Load balancer alarms: 5XX errors per Application Load Balancer and unhealthy targets per
target group, each with an alarm that fires and reaches someone.

The verdict is CloudWatch's (cloudwatch/coverage.py): namespace, metric, the resource's
exact dimensions, actions enabled, an action that reaches a confirmed subscriber;
metric-math and composite alarms count. The metrics and dimensions are those of CloudWatch's
"Recommended alarms" (Best_Practice_Recommended_Alarms_AWS_Services) and of the ELB user
guides' metric tables ("CloudWatch metrics for your Application Load Balancer" / "... for
your Network Load Balancer"): a load balancer's `LoadBalancer` dimension and a target
group's `TargetGroup` dimension are the ends of their ARNs (`app/<name>/<id>`,
`net/<name>/<id>`, `targetgroup/<name>/<id>`), never their names.

Reads: DescribeLoadBalancers and DescribeTargetGroups once per region (the first shared
with elb.access_logs), and the region's alarm index (read once per region for every alarm
check). No read per resource.
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
from awsobs.checks.cloudwatch.readers import AlarmIndex, Claimed, Metric, Need
from awsobs.checks.elb.readers import (
    APPLICATION,
    DESCRIBE_LBS,
    DESCRIBE_TARGET_GROUPS,
    GATEWAY,
    NETWORK,
    TARGET_GROUP,
    LoadBalancer,
    TargetGroup,
    metric_id,
    target_groups,
    v2_load_balancers,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

ALB_NS = "AWS/ApplicationELB"
NAMESPACE = {APPLICATION: ALB_NS, NETWORK: "AWS/NetworkELB", GATEWAY: "AWS/GatewayELB"}
_BY_PREFIX = {"app": APPLICATION, "net": NETWORK, "gwy": GATEWAY}  # LB gone from the listing
ELB_5XX = "HTTPCode_ELB_5XX_Count"
TARGET_5XX = "HTTPCode_Target_5XX_Count"
UNHEALTHY = "UnHealthyHostCount"


def _name_note(index: AlarmIndex, need: Need, names: set[str], key: str, rid: str) -> str:
    """A hint when an alarm on `need`'s metric names the resource by its name instead of
    its ARN suffix (the usual mistake: the console shows names)."""
    wrong = sorted(
        {
            a.name
            for a in index.alarms
            for m in a.metrics
            if m.namespace == need.namespace and m.name in need.names and m.dim(key) in names
        }
    )
    if not wrong:
        return ""
    return (
        f" (alarm '{wrong[0]}' puts the name in the {key} dimension: CloudWatch publishes "
        f"it under the end of the ARN, {key}={rid})"
    )


@check(
    id="elb.error_alarms",
    title="Application Load Balancers have 5XX alarms (load balancer and targets) that "
    "reach someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::ElasticLoadBalancingV2::LoadBalancer",),
    permissions=[DESCRIBE_LBS, *ALARM_READS],
    remediation=alarm_fix(ALB_NS, ELB_5XX, "Name=LoadBalancer,Value=app/<name>/<id>"),
)
def error_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per Application Load Balancer, resource id its ARN. MEDIUM like the
    other alarm checks: nothing is exposed, but a failing front door goes unnoticed.

    PASS when `AWS/ApplicationELB` `HTTPCode_ELB_5XX_Count` (errors the load balancer
    generates itself: no healthy target, a target it cannot reach) and
    `HTTPCode_Target_5XX_Count` (errors the application returns) each have an alarm that
    reaches someone, with the dimension `LoadBalancer` = the ARN suffix `app/<name>/<id>`
    and nothing else. One metric-math alarm whose expression reads both (their sum) covers
    both; a composite alarm covers what its children watch. Both are required: either
    kind of failure can happen without the other. Statistic Sum, as the recommendations
    say; thresholds are not judged.

    FAIL naming the missing metric and the near misses: an alarm whose `LoadBalancer` is
    the load balancer's name (the message says so), one per Availability Zone or per
    target group (they miss errors elsewhere), one with its actions disabled or into a
    topic nobody confirmed.

    UNKNOWN when the load balancers or the alarms cannot be read, or when the only
    candidate alarms notify something that cannot be checked (another account's topic).

    NOT_APPLICABLE when the region has no Application Load Balancer (Network and Gateway
    Load Balancers speak no HTTP: they have no 5XX metrics).
    """
    lbs, gap = ctx.listing(
        "load balancers",
        lambda: v2_load_balancers(ctx),
        none=f"no Application Load Balancer in {ctx.region}",
    )
    if gap is not None:
        yield gap
        return
    albs = sorted((lb for lb in lbs if lb.kind == APPLICATION), key=lambda lb: (lb.name, lb.arn))
    if not albs:
        yield ctx.not_applicable(
            *ctx.region_resource(), f"no Application Load Balancer in {ctx.region}"
        )
        return
    index = index_or_error(ctx)
    known = {metric_id(lb.arn) for lb in lbs}
    for lb in albs:
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, lb.resource_type, lb.arn, "could not read alarms")
            continue
        rid = metric_id(lb.arn)
        dims = ({"LoadBalancer": rid},)
        wants = [
            Want(ELB_5XX, (Need(ALB_NS, (ELB_5XX,), dims),)),
            Want(TARGET_5XX, (Need(ALB_NS, (TARGET_5XX,), dims),)),
        ]

        def claimed(m: Metric, rid: str = rid) -> bool:
            """Another known load balancer's metric (with or without a target group)."""
            other = m.dim("LoadBalancer")
            return other in known and other != rid

        yield coverage_finding(
            ctx,
            index,
            lb.resource_type,
            lb.arn,
            lb.label,
            wants,
            note=next(
                (
                    n
                    for w in wants
                    if (n := _name_note(index, w.needs[0], {lb.name}, "LoadBalancer", rid))
                ),
                "",
            ),
            evidence={**lb.evidence(), "metric_dimensions": {"LoadBalancer": rid}},
            claimed=claimed,
        )


def _kind(lb_arn: str, listed: Mapping[str, LoadBalancer]) -> str:
    """The load balancer's Type from the listing (moto names every v2 ARN `app/...`);
    from the ARN's own prefix only when the load balancer left the listing meanwhile."""
    if lb_arn in listed:
        return listed[lb_arn].kind
    return _BY_PREFIX.get(metric_id(lb_arn).split("/", 1)[0], "")


def _unhealthy(
    ctx: Context,
    tg: TargetGroup,
    listed: Mapping[str, LoadBalancer],
    index: AlarmIndex,
    claimed: Claimed,
) -> Finding:
    evidence = tg.evidence()
    kinds = {arn: _kind(arn, listed) for arn in tg.load_balancers}
    odd = sorted(arn for arn, kind in kinds.items() if kind not in NAMESPACE)
    if odd:
        return ctx.unknown(
            TARGET_GROUP,
            tg.arn,
            f"{tg.label} is attached to a load balancer of a type awsobs does not know "
            f"({odd[0]}): which metrics it publishes is not judged",
            evidence=evidence,
        )
    tg_id = metric_id(tg.arn)
    wants = []
    for arn in tg.load_balancers:
        lb_id, namespace = metric_id(arn), NAMESPACE[kinds[arn]]
        label = UNHEALTHY if len(tg.load_balancers) == 1 else f"{UNHEALTHY} on {lb_id}"
        dims = {"TargetGroup": tg_id, "LoadBalancer": lb_id}
        wants.append(Want(label, (Need(namespace, (UNHEALTHY,), (dims,)),)))
    evidence["metric_dimensions"] = [dict(w.needs[0].dims[0]) for w in wants]
    first = wants[0].needs[0]
    names = {listed[a].name for a in tg.load_balancers if a in listed}
    note = _name_note(index, first, {tg.name}, "TargetGroup", tg_id)
    note = note or _name_note(
        index, first, names, "LoadBalancer", str(first.dims[0]["LoadBalancer"])
    )
    note = note or _namespace_note(index, first.namespace, tg_id)
    return coverage_finding(
        ctx,
        index,
        TARGET_GROUP,
        tg.arn,
        tg.label,
        wants,
        note=note,
        evidence=evidence,
        claimed=claimed,
    )


def _namespace_note(index: AlarmIndex, namespace: str, tg_id: str) -> str:
    """A hint when an alarm watches this target group in another load balancer namespace
    (an Application Load Balancer's namespace for a Network Load Balancer's group)."""
    wrong = sorted(
        (a.name, m.namespace)
        for a in index.alarms
        for m in a.metrics
        if m.name == UNHEALTHY
        and m.namespace in NAMESPACE.values()
        and m.namespace != namespace
        and m.dim("TargetGroup") == tg_id
    )
    if not wrong:
        return ""
    name, other = wrong[0]
    return f" (alarm '{name}' watches it in {other}: its load balancer publishes to {namespace})"


@check(
    id="elb.unhealthy_host_alarms",
    title="Target groups of Application and Network Load Balancers have an "
    "UnHealthyHostCount alarm that reaches someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::ElasticLoadBalancingV2::TargetGroup",),
    permissions=[DESCRIBE_TARGET_GROUPS, DESCRIBE_LBS, *ALARM_READS],
    remediation=alarm_fix(
        ALB_NS,
        UNHEALTHY,
        "Name=TargetGroup,Value=targetgroup/<name>/<id> Name=LoadBalancer,Value=app/<name>/<id>",
    ),
)
def unhealthy_host_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per target group attached to a load balancer, resource id its ARN.
    Targets failing their health checks are the first sign of an outage that the load
    balancer hides until the last one fails (c7n#2187 asks for exactly this control).

    PASS when `UnHealthyHostCount` has an alarm that reaches someone in the namespace of
    the load balancer's Type (`AWS/ApplicationELB`, `AWS/NetworkELB`; `AWS/GatewayELB` for
    a Gateway Load Balancer), with exactly the dimensions `TargetGroup` =
    `targetgroup/<name>/<id>` and `LoadBalancer` = the load balancer's ARN suffix
    (`app/...`, `net/...`), as the recommended alarms use them. A target group attached
    to several load balancers needs one per load balancer (its metric is published per
    pair). The `LoadBalancer` value is taken from the ARN AWS returns and the namespace
    from the load balancer's `Type` (DescribeLoadBalancers), not guessed from the name.

    FAIL naming what is missing and the near misses: an alarm with a name where the ARN
    suffix belongs, one per Availability Zone, one on another load balancer's pair, or
    in the other namespace; alarms that reach nobody.

    UNKNOWN when the target groups, the load balancers or the alarms cannot be read, when
    the only candidate alarms cannot be verified, or for a load balancer type awsobs does
    not know.

    NOT_APPLICABLE when the region has no target group; per target group, when it is
    attached to no load balancer (it serves no traffic, and CloudWatch publishes its
    metrics only per load balancer), or when its health checks are off (only a Lambda
    target group can turn them off, and `UnHealthyHostCount` is published only when
    health checks are enabled).
    """
    groups, gap = ctx.listing("target groups", lambda: target_groups(ctx))
    if gap is not None:
        yield gap
        return
    attached: list[TargetGroup] = []
    for tg in groups:
        if not tg.load_balancers:
            yield ctx.not_applicable(
                TARGET_GROUP,
                tg.arn,
                f"{tg.label} is attached to no load balancer: it serves no traffic and "
                "publishes no UnHealthyHostCount",
                evidence=tg.evidence(),
            )
        elif not tg.health_checks:
            yield ctx.not_applicable(
                TARGET_GROUP,
                tg.arn,
                f"{tg.label} has health checks turned off (target type "
                f"{tg.target_type or 'unknown'}), so UnHealthyHostCount is not published; "
                "turn them on to see failing targets",
                evidence=tg.evidence(),
            )
        else:
            attached.append(tg)
    if not attached:
        return
    try:
        listed = {lb.arn: lb for lb in v2_load_balancers(ctx)}
    except AwsError as err:
        for tg in attached:
            yield ctx.unknown_from(
                err,
                TARGET_GROUP,
                tg.arn,
                f"could not list load balancers (the type of the one {tg.label} is attached "
                "to decides its metrics' namespace)",
                evidence=tg.evidence(),
            )
        return
    index = index_or_error(ctx)
    known = {metric_id(tg.arn) for tg in groups}
    for tg in attached:
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, TARGET_GROUP, tg.arn, "could not read alarms")
            continue

        def claimed(m: Metric, mine: str = metric_id(tg.arn)) -> bool:
            """Another known target group's metric."""
            other = m.dim("TargetGroup")
            return other in known and other != mine

        yield _unhealthy(ctx, tg, listed, index, claimed)
