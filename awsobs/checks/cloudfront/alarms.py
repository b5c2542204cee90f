"""CloudFront error alarms: does each distribution's 5xx error rate have an alarm that fires
and reaches someone?

CloudFront is global, and so are its metrics: they are published only in us-east-1 (the
partition's global region), under `AWS/CloudFront` with the dimensions `DistributionId`
and `Region` = `Global` ("Monitor CloudFront metrics with Amazon CloudWatch", CloudFront
developer guide; CloudWatch's "Recommended alarms", CloudFront section). An alarm created
in any other region on those metrics never receives a data point, so it never fires: only
the us-east-1 alarm index counts, and alarms found elsewhere are named in the message.

Reads: ListDistributions (shared with cloudfront.access_logs) and the alarm index of
us-east-1 (read once per region for every alarm check); the other scanned regions' alarm
indexes, which the regional alarm checks read anyway, only when a distribution is not
covered. No read per distribution.
"""

from __future__ import annotations

from collections.abc import Iterator

from awsobs.aws.errors import AwsError
from awsobs.aws.session import global_region
from awsobs.checks._shared import global_listing
from awsobs.checks.cloudfront.readers import (
    DISTRIBUTION,
    LIST_DISTRIBUTIONS,
    Distribution,
    distributions,
)
from awsobs.checks.cloudwatch.coverage import ALARM_READS, Want, alarm_fix, coverage_finding
from awsobs.checks.cloudwatch.readers import AlarmIndex, Metric, Need, alarm_index
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal, Status
from awsobs.registry import check

CF_NS = "AWS/CloudFront"
ERROR_RATE = "5xxErrorRate"
ORIGIN_LATENCY = "OriginLatency"


def _wants(dist: Distribution) -> list[Want]:
    dims = ({"DistributionId": dist.id, "Region": "Global"},)
    return [
        Want(ERROR_RATE, (Need(CF_NS, (ERROR_RATE,), dims),)),
        # Recommended too, but published only with the distribution's additional
        # (paid) metrics turned on: evidence, not required.
        Want(ORIGIN_LATENCY, (Need(CF_NS, (ORIGIN_LATENCY,), dims),), required=False),
    ]


def _no_global_note(index: AlarmIndex, dist: Distribution) -> str:
    """A hint when an alarm on the distribution's 5xxErrorRate lacks `Region=Global`."""
    wrong = sorted(
        a.name
        for a in index.alarms
        for m in a.metrics
        if m.namespace == CF_NS
        and m.name == ERROR_RATE
        and m.dim("DistributionId") == dist.id
        and m.dim("Region") != "Global"
    )
    if not wrong:
        return ""
    return (
        f" (alarm '{wrong[0]}' lacks the dimension Region=Global, under which CloudFront "
        "publishes every distribution metric)"
    )


def _elsewhere(ctx: Context, home: str) -> dict[str, list[str]]:
    """distribution id -> `'<alarm>' in <region>` for alarms on its 5xxErrorRate in the
    other scanned regions (where CloudFront publishes nothing). Unreadable regions are
    skipped: this only adds to a message, never decides a verdict."""
    found: dict[str, list[str]] = {}
    for region in sorted(set(ctx.regions) - {home}):
        try:
            index = alarm_index(ctx, region)
        except AwsError:
            continue
        for alarm in index.alarms:
            for m in alarm.metrics:
                dist = m.dim("DistributionId")
                if m.namespace == CF_NS and m.name == ERROR_RATE and dist:
                    found.setdefault(dist, []).append(f"'{alarm.name}' in {region}")
    return found


@check(
    id="cloudfront.error_alarms",
    title="Each CloudFront distribution has a 5xxErrorRate alarm in us-east-1 that reaches someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::CloudFront::Distribution",),
    scope=Scope.ACCOUNT,
    permissions=[LIST_DISTRIBUTIONS, *ALARM_READS],
    remediation=alarm_fix(
        CF_NS, ERROR_RATE, "Name=DistributionId,Value=<id> Name=Region,Value=Global"
    )
    .replace("put-metric-alarm ", "put-metric-alarm --region us-east-1 ")
    .replace("--statistic Sum", "--statistic Average"),
)
def error_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per distribution (global), resource id its ARN. MEDIUM like the other
    alarm checks: a failing origin behind the CDN is otherwise seen first by users.

    PASS when an alarm in us-east-1 on `AWS/CloudFront` `5xxErrorRate` (the percentage of
    viewer requests answered 500-599; statistic Average in the recommendations) with
    exactly the dimensions `DistributionId` = the distribution's id and `Region` =
    `Global` has actions enabled and an action that reaches someone (metric-math and
    composite alarms count). `OriginLatency` (recommended too, but published only with
    the distribution's additional metrics on) is reported, not required.

    FAIL naming the near misses: an alarm without `Region=Global` or with another
    distribution's id that no distribution of the account has, alarms that reach nobody,
    and alarms on the distribution's 5xxErrorRate created in another scanned region,
    where CloudFront publishes nothing, so they never fire.

    UNKNOWN when ListDistributions or the us-east-1 alarms cannot be read (the message
    names the action), or when the only candidate alarms cannot be verified (another
    account's topic). When no scanned region is enabled, one UNKNOWN for the account.

    NOT_APPLICABLE when the account has no distribution.
    """
    dists, gap = global_listing(
        ctx,
        "CloudFront distributions",
        lambda: distributions(ctx),
        "no CloudFront distribution in the account",
    )
    if gap is not None:
        yield gap
        return
    home = global_region(ctx.partition)
    try:
        index: AlarmIndex = alarm_index(ctx, home)
    except AwsError as err:
        for dist in dists:
            yield ctx.unknown_from(
                err,
                DISTRIBUTION,
                dist.arn,
                f"could not read alarms in {home}",
                evidence=dist.evidence(),
            )
        return
    known = {d.id for d in dists}
    elsewhere: dict[str, list[str]] | None = None
    for dist in dists:

        def claimed(m: Metric, mine: str = dist.id) -> bool:
            """Another distribution's metric."""
            other = m.dim("DistributionId")
            return other in known and other != mine

        finding = coverage_finding(
            ctx,
            index,
            DISTRIBUTION,
            dist.arn,
            dist.label,
            _wants(dist),
            note=_no_global_note(index, dist),
            evidence={**dist.evidence(), "alarm_region": home},
            claimed=claimed,
        )
        if finding.status is Status.FAIL:
            elsewhere = _elsewhere(ctx, home) if elsewhere is None else elsewhere
            finding = _fail_here(ctx, finding, home, elsewhere.get(dist.id, []))
        yield finding


def _fail_here(ctx: Context, finding: Finding, home: str, other: list[str]) -> Finding:
    """The FAIL, with alarms found in other regions named and the fix sent to `home`."""
    message, evidence = finding.message, dict(finding.evidence)
    if other:
        message += (
            f"; alarm {', '.join(other)} watches it outside {home}, where CloudFront "
            "publishes no metric, so it never fires"
        )
        evidence["alarms_in_other_regions"] = other
    fix = (
        (finding.remediation or "")
        .replace("put-metric-alarm ", f"put-metric-alarm --region {home} ")
        .replace("--statistic Sum", "--statistic Average")  # a rate: the Average is it
    )
    return ctx.failed(
        finding.resource_type, finding.resource_id, message, evidence=evidence, remediation=fix
    )
