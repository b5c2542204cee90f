"""AWS WAF logging: does each web ACL record the requests it inspects, allows and blocks?

Without WAF logs, a blocked attack and a blocked customer look the same (a count in a
metric), and nothing tells which rule matched which request. Logging is off by default.

Reads: ListWebACLs (Scope=REGIONAL) in each scanned region and once (Scope=CLOUDFRONT) in
the partition's global region; then ListLoggingConfigurations per scope and region as the
listing of which web ACL logs (one request per 100 configurations, where
GetLoggingConfiguration would cost one request per web ACL and answer each unlogged one
with WAFNonexistentItemException), with LogScope=SECURITY_LAKE read too only when some
web ACL has no configuration of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from awsobs.aws.errors import AwsError
from awsobs.aws.session import global_region
from awsobs.checks._shared import unread_regions
from awsobs.checks.wafv2.readers import (
    CLOUDFRONT,
    LIST_LOGGING,
    LIST_WEB_ACLS,
    REGIONAL,
    SECURITY_LAKE,
    WEB_ACL,
    WebAcl,
    logging_destinations,
    web_acls,
)
from awsobs.context import Context
from awsobs.model import GLOBAL_REGION, Finding, Scope, Severity, Signal
from awsobs.registry import check

_FIX = (
    "aws wafv2 put-logging-configuration --region {region} --logging-configuration "
    "ResourceArn={arn},LogDestinationConfigs=<ARN of a log group, S3 bucket or Firehose "
    "stream whose name starts with aws-waf-logs->"
)


def _judge(
    ctx: Context,
    acl: WebAcl,
    where: str,
    own: Mapping[str, tuple[str, ...]],
    lake: Mapping[str, tuple[str, ...]],
    lake_error: AwsError | None,
) -> Finding:
    evidence = acl.evidence()
    if acl.arn in own:
        evidence["log_destinations"] = list(own[acl.arn])
        to = ", ".join(own[acl.arn]) or "its configured destination"
        return ctx.passed(
            WEB_ACL, acl.arn, f"{acl.label} logs to {to}", evidence=evidence, region=where
        )
    if lake_error is not None:
        return ctx.unknown_from(
            lake_error,
            WEB_ACL,
            acl.arn,
            f"{acl.label} has no logging configuration of its own; whether Amazon Security "
            "Lake collects its logs could not be read",
            evidence=evidence,
            region=where,
        )
    if acl.arn in lake:
        evidence["log_scope"] = SECURITY_LAKE
        text = f"{acl.label} logs through a logging configuration managed by Amazon Security Lake"
        return ctx.passed(WEB_ACL, acl.arn, text, evidence=evidence, region=where)
    return ctx.failed(
        WEB_ACL,
        acl.arn,
        f"{acl.label} has no logging configuration: the requests it allows and blocks, and "
        "the rules they matched, are not recorded",
        evidence=evidence,
        region=where,
        remediation=_FIX.format(region=acl.region, arn=acl.arn),
    )


def _scope(ctx: Context, region: str, scope: str) -> list[Finding]:
    """The findings for one scope read in one region."""
    where = GLOBAL_REGION if scope == CLOUDFRONT else region
    rtype, rid = ctx.region_resource(where)
    noun = "CloudFront web ACLs" if scope == CLOUDFRONT else f"web ACLs in {region}"
    try:
        acls = web_acls(ctx, region, scope)
    except AwsError as err:
        return [ctx.unknown_from(err, rtype, rid, f"could not list {noun}", region=where)]
    if not acls:
        none = "no CloudFront web ACL" if scope == CLOUDFRONT else f"no web ACL in {region}"
        return [ctx.not_applicable(rtype, rid, none, region=where)]
    try:
        own = logging_destinations(ctx, region, scope)
    except AwsError as err:
        return [
            ctx.unknown_from(
                err,
                WEB_ACL,
                a.arn,
                f"could not list the logging configurations of {noun}, so whether "
                f"{a.label} logs is unknown",
                evidence=a.evidence(),
                region=where,
            )
            for a in acls
        ]
    lake: Mapping[str, tuple[str, ...]] = {}
    lake_error: AwsError | None = None
    if any(a.arn not in own for a in acls):
        try:
            lake = logging_destinations(ctx, region, scope, SECURITY_LAKE)
        except AwsError as err:
            lake_error = err
    return [_judge(ctx, a, where, own, lake, lake_error) for a in acls]


@check(
    id="wafv2.logging",
    title="Each AWS WAF web ACL has a logging configuration",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=("AWS::WAFv2::WebACL",),
    scope=Scope.ACCOUNT,
    permissions=[LIST_WEB_ACLS, LIST_LOGGING],
    remediation=_FIX.format(region="<region>", arn="<web ACL ARN>"),
)
def logging(ctx: Context) -> Iterator[Finding]:
    """One finding per web ACL, resource id its ARN: regional web ACLs of each scanned
    region (region: theirs) and CloudFront web ACLs (read once in the partition's global
    region, us-east-1; region: global, so they are never reported once per region).
    Security Hub WAF.11 / Config `wafv2-logging-enabled`; MEDIUM: the gap is in
    investigation, not an exposure by itself.

    PASS when ListLoggingConfigurations of the web ACL's scope lists a configuration for
    its ARN (the destinations, a CloudWatch Logs group, S3 bucket or Firehose stream, are
    in the message), or, when it has none of its own, when one managed by Amazon Security
    Lake (LogScope=SECURITY_LAKE) does. FAIL when neither lists it; the fix is the
    `aws wafv2 put-logging-configuration` command naming it.

    UNKNOWN, naming the failed read: one finding for the region (or for the CloudFront
    scope) when ListWebACLs fails; each web ACL of the scope when its logging
    configurations cannot be listed, or when it has none of its own and the Security Lake
    listing fails.

    NOT_APPLICABLE for a region without regional web ACLs, and once (region global) when
    the account has no CloudFront web ACL. When no scanned region is enabled for the
    account, one UNKNOWN for the account and nothing is read.

    Not read: whether the destination still exists, logging filters that drop some
    requests (`LoggingFilter`) and redacted fields.
    """
    unread = unread_regions(ctx, {}, ctx.regions, "web ACLs")
    if unread is not None:  # only regions that are not enabled were named: no verdict
        yield unread
        return
    targets = [(r, REGIONAL) for r in ctx.regions] + [(global_region(ctx.partition), CLOUDFRONT)]
    for found in ctx.map(lambda t: _scope(ctx, *t), targets):
        yield from found
