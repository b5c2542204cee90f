"""Route 53 DNS query logging: does each public hosted zone record the queries it answers?

Query logs show which names were asked for, from which resolver, and what Route 53
answered (NXDOMAIN floods, subdomain enumeration, a record that stopped resolving). They
are off by default. Private zones cannot have them: their queries are logged by Route 53
Resolver query logging, configured per VPC, which this check does not read.

Reads (global, in us-east-1 for `aws`): ListHostedZones, and ListQueryLoggingConfigs for
the whole account only when there is a public zone.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import global_listing
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

_FIX = (
    "aws logs create-log-group --region us-east-1 --log-group-name /aws/route53/{name} "
    "(and a CloudWatch Logs resource policy in us-east-1 letting route53.amazonaws.com "
    "write to it), then aws route53 create-query-logging-config --hosted-zone-id {id} "
    "--cloud-watch-logs-log-group-arn arn:aws:logs:us-east-1:<account>:log-group:"
    "/aws/route53/{name}"
)


def _private(ctx: Context, zone: HostedZone) -> Finding:
    return ctx.not_applicable(
        HOSTED_ZONE,
        zone.arn,
        f"{zone.label}: Route 53 query logging exists for public hosted zones only; queries "
        "to a private zone are logged by Route 53 Resolver query logging (per VPC), which "
        "this check does not read",
        evidence=zone.evidence(),
    )


@check(
    id="route53.query_logging",
    title="Each public Route 53 hosted zone logs DNS queries",
    severity=Severity.LOW,
    signal=Signal.LOGS,
    resource_types=("AWS::Route53::HostedZone",),
    scope=Scope.ACCOUNT,
    permissions=[LIST_ZONES, LIST_QUERY_LOGGING],
    remediation=_FIX.format(name="<zone name>", id="<hosted zone id>"),
)
def query_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per hosted zone (global), resource id `arn:<partition>:route53:::
    hostedzone/<id>`. Config `route53-query-logging-enabled`; LOW: DNS query logs help
    an investigation of abuse or outage at the name level, they do not record what the
    application did.

    PASS when ListQueryLoggingConfigs lists a configuration for the public zone (its log
    group, which AWS requires in us-east-1, is in the message and evidence). FAIL when it
    lists none; the fix names the log group, its resource policy and the
    `aws route53 create-query-logging-config` command.

    NOT_APPLICABLE for a private hosted zone (Route 53 offers query logging for public
    zones only; a private zone's queries are Resolver query logging's, not read here),
    and once for the account when it has no hosted zone.

    UNKNOWN: one finding for the account when ListHostedZones fails; each public zone
    when ListQueryLoggingConfigs fails (private zones stay NOT_APPLICABLE: the listing of
    zones alone decides that). When no scanned region is enabled for the account, one
    UNKNOWN for the account and nothing is read.

    Not read: whether the log group still exists and its resource policy still lets
    Route 53 write.
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
    configs, error = {}, None
    if public:
        try:
            configs = dict(query_logging_configs(ctx))
        except AwsError as err:
            error = err
    for zone in zones:
        if zone.private:
            yield _private(ctx, zone)
            continue
        evidence = zone.evidence()
        if error is not None:
            yield ctx.unknown_from(
                error,
                HOSTED_ZONE,
                zone.arn,
                f"could not list query logging configurations, so whether {zone.label} "
                "logs DNS queries is unknown",
                evidence=evidence,
            )
            continue
        groups = configs.get(zone.id, ())
        evidence["log_groups"] = list(groups)
        if groups:
            yield ctx.passed(
                HOSTED_ZONE,
                zone.arn,
                f"{zone.label} logs DNS queries to {', '.join(groups)}",
                evidence=evidence,
            )
        else:
            yield ctx.failed(
                HOSTED_ZONE,
                zone.arn,
                f"{zone.label} has no query logging configuration: the DNS queries it "
                "answers are not recorded",
                evidence=evidence,
                remediation=_FIX.format(name=zone.name.rstrip("."), id=zone.id),
            )
