"""Route 53: does each public zone's query log group actually receive its DNS queries?

`route53.query_logging` proves a configuration exists; this companion reads the group it
names (docs/design.md, "Delivery checks"): the newest stream's `lastIngestionTime`, one
DescribeLogStreams per distinct group, in us-east-1 (where AWS requires the group). Route
53 names its streams `<zone-id>/<edge-location>`, and a stream prefix cannot be combined
with `orderBy=LastEventTime`, so a group shared by several zones is judged as a group:
one zone's queries keep the others' groups fresh (the evidence lists the sharers).

Traffic gate: a stale group FAILs only if the zone answered queries in the window,
`AWS/Route53` `DNSQueries` by `HostedZoneId` (published in us-east-1 for public zones),
one GetMetricData for every stale zone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from awsobs.aws.errors import AwsError
from awsobs.aws.session import global_region
from awsobs.checks._delivery import (
    DESCRIBE_LOG_STREAMS,
    GET_METRIC_DATA,
    Arrival,
    Traffic,
    attempt,
    newest_stream,
    served,
    traffic,
    verdict,
    window,
)
from awsobs.checks._shared import LOG_GROUP_ARN, global_listing
from awsobs.checks.route53.readers import (
    HOSTED_ZONE,
    LIST_QUERY_LOGGING,
    LIST_ZONES,
    HostedZone,
    hosted_zones,
    query_logging_configs,
)
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

CONFIG_CHECK = "route53.query_logging"
CAUSES = (
    "the CloudWatch Logs resource policy in us-east-1 no longer lets route53.amazonaws.com "
    "create streams and put events in the group; the group was deleted and recreated; the "
    "zone is not the one the domain's registrar delegates to (its name servers differ)"
)


def _group(arn: str, home: str) -> tuple[str, str]:
    """(region, name) of a query-logging group ARN (`...:log-group:<name>:*`)."""
    found = LOG_GROUP_ARN.match(arn)
    return (found.group(1), found.group(3)) if found else (home, arn)


def _judge(
    ctx: Context,
    zone: HostedZone,
    groups: tuple[str, ...],
    arrivals: Mapping[tuple[str, str], Arrival | AwsError],
    sharers: Mapping[tuple[str, str], list[str]],
    batch: Traffic | AwsError | None,
) -> Finding:
    home = global_region(ctx.partition)
    region, name = _group(groups[0], home)
    evidence = {**zone.evidence(), "log_groups": list(groups)}
    others = [z for z in sharers[region, name] if z != zone.id]
    if others:
        evidence["group_shared_with"] = others
    answer = None if batch is None else served(batch, {"HostedZoneId": zone.id}, "DNS queries")
    return verdict(
        ctx,
        HOSTED_ZONE,
        zone.arn,
        label=zone.label,
        destination=f"log group {name}" + (" (shared)" if others else ""),
        arrival=arrivals[region, name],
        win=window(ctx),
        traffic=answer,
        causes=CAUSES,
        evidence=evidence,
        region=None,
        remediation=(
            "aws logs describe-resource-policies --region us-east-1 (route53.amazonaws.com "
            f"may logs:CreateLogStream and logs:PutLogEvents on {name}); aws route53 "
            f"get-hosted-zone --id {zone.id} (its name servers match the registrar's)"
        ),
    )


def _stale(ctx: Context, arrival: Arrival | AwsError) -> bool:
    return isinstance(arrival, Arrival) and not window(ctx).fresh(arrival)


@check(
    id="route53.query_logs_delivered",
    title="Each public Route 53 hosted zone's query log group received queries recently",
    severity=Severity.LOW,
    signal=Signal.LOGS,
    resource_types=("AWS::Route53::HostedZone",),
    scope=Scope.ACCOUNT,
    permissions=[LIST_ZONES, LIST_QUERY_LOGGING, DESCRIBE_LOG_STREAMS, GET_METRIC_DATA],
    options={"max_age_hours": 24},
    remediation="aws logs describe-resource-policies --region us-east-1 (route53.amazonaws.com "
    "may write to the group); aws route53 get-hosted-zone --id <zone> (name servers)",
)
def query_logs_delivered(ctx: Context) -> Iterator[Finding]:
    """One finding per hosted zone (global), resource id `arn:<partition>:route53:::
    hostedzone/<id>` (as `route53.query_logging`).

    Judged: a public zone with a query logging configuration; a zone without one ("not
    configured, see route53.query_logging") and a private zone are NOT_APPLICABLE. The
    configuration's group (us-east-1) is read once (DescribeLogStreams, newest stream's
    `lastIngestionTime`); a group shared by several zones is judged as one. PASS when it
    ingested within `max_age_hours` (default 24). When it did not: FAIL if the zone
    answered DNS queries in the window (`AWS/Route53` `DNSQueries`, dimension
    `HostedZoneId`, Sum over [window start, now - 15 min], one GetMetricData for all stale
    zones), naming the last delivery and the usual causes; NOT_APPLICABLE if it answered
    none (nothing to deliver). A group that no longer exists is FAIL.

    UNKNOWN, naming the denied action: the zones cannot be listed (one finding for the
    account), the configurations cannot be listed (each public zone), a group cannot be
    read (`logs:DescribeLogStreams`), or the traffic of a stale zone cannot be read
    (`cloudwatch:GetMetricData`).
    """
    zones, gap = global_listing(
        ctx,
        "Route 53 hosted zones",
        lambda: hosted_zones(ctx),
        "no Route 53 hosted zone in the account",
    )
    if gap is not None:
        yield gap
        return
    public = [z for z in zones if not z.private]
    configs: Mapping[str, tuple[str, ...]] = {}
    error = None
    if public:
        try:
            configs = query_logging_configs(ctx)
        except AwsError as err:
            error = err
    home = global_region(ctx.partition)
    sharers: dict[tuple[str, str], list[str]] = {}
    for zone in public:
        if configs.get(zone.id):
            sharers.setdefault(_group(configs[zone.id][0], home), []).append(zone.id)
    keys = sorted(sharers)
    read = ctx.map(lambda k: attempt(lambda: newest_stream(ctx, k[0], k[1])), keys)
    arrivals = dict(zip(keys, read, strict=True))
    stale = [
        z
        for z in public
        if configs.get(z.id) and _stale(ctx, arrivals[_group(configs[z.id][0], home)])
    ]
    batch: Traffic | AwsError | None = None
    if stale:
        win = window(ctx)
        dims = [{"HostedZoneId": z.id} for z in stale]
        batch = attempt(
            lambda: traffic(
                ctx, home, "AWS/Route53", "DNSQueries", dims, win.start, win.traffic_end
            )
        )
    for zone in zones:
        evidence = zone.evidence()
        if zone.private:
            text = f"{zone.label}: Route 53 query logging exists for public hosted zones only"
            yield ctx.not_applicable(HOSTED_ZONE, zone.arn, text, evidence=evidence)
        elif error is not None:
            what = (
                "could not list query logging configurations, so whether "
                f"{zone.label} delivers its query logs is unknown"
            )
            yield ctx.unknown_from(error, HOSTED_ZONE, zone.arn, what, evidence=evidence)
        elif not configs.get(zone.id):
            text = (
                f"{zone.label} has no query logging configuration: not configured, "
                f"see {CONFIG_CHECK}"
            )
            yield ctx.not_applicable(HOSTED_ZONE, zone.arn, text, evidence=evidence)
        else:
            groups = configs[zone.id]
            yield _judge(ctx, zone, groups, arrivals, sharers, batch if zone in stale else None)
