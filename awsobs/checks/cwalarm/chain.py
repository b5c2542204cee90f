"""CloudTrail event alarms (CIS monitoring, `cwalarm.*`): one evaluator over the chain

    multi-region logging trail with all management events
      -> its CloudWatch Logs group (in the trail's home region)
      -> a metric filter whose pattern matches the control's events
      -> an alarm on that metric's name *and* namespace, actions enabled
      -> a target that reaches someone (an SNS topic with a confirmed subscription)

Semantics: controls.md §2. A filter satisfies a control when it matches every event the
control is about and none of the everyday ones (so `{ $.eventName = * }` does not count),
whatever its spelling; see cis_controls.py and filter_pattern.py. The message names the first
broken link of the chain that got furthest. A log group in another account (an
organization trail's) cannot be followed from here: UNKNOWN.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.cloudtrail.readers import TrailDetails, all_trails, trail_details
from awsobs.checks.cloudtrail.selectors import management_coverage
from awsobs.checks.cloudwatch.readers import VALID, Metric, alarm_index, reach
from awsobs.checks.cwalarm.controls import CONTROLS, Control
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

# -- the chain ------------------------------------------------------------------------------


@dataclass
class Progress:
    """How far the best chain got: depth (0-5), what broke, and the links so far."""

    depth: int = 0
    broken: str = ""
    links: list[str] = field(default_factory=list)
    unknown: AwsError | str | None = None
    fix: str | None = None  # for the broken link; None: the check's generic remediation
    repair: dict[str, str] | None = None  # what `awsobs fix` adds for the broken link
    # Every chain that stopped on something unreadable (not on a gap): it might have held,
    # so the account cannot FAIL while one is open, however far another chain got.
    undecided: list[tuple[str, AwsError | str]] = field(default_factory=list)

    def offer(
        self,
        depth: int,
        broken: str,
        links: list[str],
        unknown: AwsError | str | None = None,
        fix: str | None = None,
        repair: dict[str, str] | None = None,
    ) -> None:
        if unknown is not None:
            where = " -> ".join(links) + ": " if links else ""
            self.undecided.append((where + broken, unknown))
        if depth > self.depth or (depth == self.depth and not self.broken):
            self.depth, self.broken, self.links, self.unknown = depth, broken, links, unknown
            self.fix, self.repair = fix, repair


def evaluate(ctx: Context, control: Control) -> Finding:
    rtype, rid = ctx.account_resource()
    evidence: dict[str, Any] = {"cis": control.cis}
    listing = all_trails(ctx)
    unread = listing.unread(ctx)
    if unread is not None:
        return unread
    progress = Progress(
        broken="no multi-region trail that is logging all management events "
        "sends them to CloudWatch Logs"
    )
    for d in trail_details(ctx, [t for t in listing.trails if t.multi_region]):
        done = _follow(ctx, control, d, progress)
        if done is not None:
            evidence["chain"] = done
            return ctx.passed(rtype, rid, " -> ".join(done), evidence=evidence)
    evidence["chain"] = progress.links
    evidence["broken_link"] = progress.broken
    where = (" -> ".join(progress.links) + ": ") if progress.links else ""
    if progress.undecided:
        # The furthest chain may be decided and broken, but another one is open: no FAIL.
        if progress.unknown is not None:
            what, cause = where + progress.broken, progress.unknown
        else:
            first, cause = progress.undecided[0]
            what = f"{where}{progress.broken}; but {first}, and that chain may hold"
        evidence["undecided_chains"] = [text for text, _ in progress.undecided]
        if isinstance(cause, AwsError):
            return ctx.unknown_from(cause, rtype, rid, what, evidence=evidence)
        return ctx.unknown(rtype, rid, what, evidence=evidence)
    # a FAIL only: what `awsobs fix` adds from the broken link on (an UNKNOWN names none)
    if progress.depth == 0:
        evidence["repair"] = {"step": "trail"}  # no multi-region trail to build on at all
    elif progress.repair is not None:
        evidence["repair"] = progress.repair
    if progress.fix:
        return ctx.failed(
            rtype, rid, where + progress.broken, evidence=evidence, remediation=progress.fix
        )
    return ctx.failed(rtype, rid, where + progress.broken, evidence=evidence)


def _follow(
    ctx: Context, control: Control, d: TrailDetails, progress: Progress
) -> list[str] | None:
    """Follow one trail's chain; the full chain when complete, else None (progress noted)."""
    t = d.trail
    if d.error is not None or d.selectors is None or d.selectors.value is None:
        if not d.stopped:
            progress.offer(1, f"the details of {t.label} cannot be read", [], d.error or "foreign")
        return None
    if not d.logging:
        progress.offer(1, f"{t.label} is not logging", [])
        return None
    coverage = management_coverage(d.selectors.value)
    if not coverage.full:
        gap = (
            "read and write"
            if not (coverage.read or coverage.write)
            else ("read" if not coverage.read else "write")
        )
        notes = f" (it {'; '.join(coverage.notes)})" if coverage.notes else ""
        progress.offer(1, f"{t.label} does not record all {gap} management events{notes}", [])
        return None
    if not t.log_group_arn:
        fix = (
            f"aws cloudtrail update-trail --name {t.arn} --cloud-watch-logs-log-group-arn "
            "<log-group-arn> --cloud-watch-logs-role-arn <role-arn>; then add a metric filter "
            f"with the pattern '{control.pattern}' and an alarm on its metric"
        )
        progress.offer(1, f"{t.label} does not send events to CloudWatch Logs", [], fix=fix)
        return None
    parts = t.log_group_arn.split(":")
    region, account = parts[3], parts[4]
    group = t.log_group_arn.split(":log-group:", 1)[-1].removesuffix(":*")
    links = [t.label, f"log group {group}"]
    if account != ctx.account_id:
        progress.offer(
            2, f"the log group is in account {account}; follow the chain there", links, "foreign"
        )
        return None
    try:
        filters = ctx.call("logs", "DescribeMetricFilters", region, logGroupName=group)
    except AwsError as err:
        progress.offer(2, "its metric filters cannot be read", links, err)
        return None
    good: list[tuple[Mapping[str, Any], str]] = []
    near: list[tuple[Mapping[str, Any], str]] = []
    for f in filters.get("metricFilters", ()):
        pattern = str(f.get("filterPattern", ""))
        ok, why = control.accepts(pattern)
        if ok:
            good.append((f, why))
        elif control.attempts(pattern):
            near.append((f, why))
    if not good:
        hint = f" (closest: filter '{near[0][0]['filterName']}' {near[0][1]})" if near else ""
        repair = {"step": "filter", "log_group": group, "region": region}
        progress.offer(
            2, f"no metric filter matches: {control.title.lower()}{hint}", links, repair=repair
        )
        return None
    try:
        index = alarm_index(ctx, region)
    except AwsError as err:
        progress.offer(3, "its alarms cannot be read", links, err)
        return None
    for f, _ in good:
        for transform in f.get("metricTransformations", ()):
            name, namespace = transform.get("metricName"), transform.get("metricNamespace")
            flinks = [*links, f"filter '{f['filterName']}' ({namespace}/{name})"]
            alarms = index.watching(_metric_is(str(name), str(namespace)))
            if not alarms:
                others = {m.namespace for a in index.alarms for m in a.metrics if m.name == name}
                why = (
                    (
                        f" (alarms on {name} exist in namespace {', '.join(sorted(others))}, not "
                        f"{namespace})"
                    )
                    if others
                    else ""
                )
                fix = (
                    f"aws cloudwatch put-metric-alarm --alarm-name {control.id} --namespace "
                    f"{namespace} --metric-name {name} --statistic Sum --period 300 "
                    "--evaluation-periods 1 --threshold 1 --comparison-operator "
                    "GreaterThanOrEqualToThreshold --alarm-actions <sns-topic-arn>"
                )
                repair = {
                    "step": "alarm",
                    "log_group": group,
                    "region": region,
                    "namespace": str(namespace),
                    "metric": str(name),
                }
                progress.offer(
                    3,
                    f"no alarm on metric {namespace}/{name}{why}",
                    flinks,
                    fix=fix,
                    repair=repair,
                )
                continue
            for alarm in alarms:
                r = reach(ctx, alarm)
                alinks = [*flinks, alarm.label]
                if r.status == VALID:
                    return [*alinks, r.reason.split(" notifies ", 1)[-1]]
                fix = (
                    f"aws cloudwatch enable-alarm-actions --alarm-names '{alarm.name}'"
                    if not alarm.actions_enabled
                    else f"make alarm '{alarm.name}' notify a topic with a confirmed "
                    "subscription (aws sns subscribe, then confirm)"
                )
                progress.offer(
                    4,
                    r.reason,
                    alinks,
                    (r.error or "unverifiable") if r.status != "invalid" else None,
                    fix=fix,
                )
    return None


def _metric_is(name: str, namespace: str) -> Callable[[Metric], bool]:
    return lambda m: m.name == name and m.namespace == namespace


# -- one registered check per control -------------------------------------------------------

_PERMISSIONS = [
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
    "logs:DescribeMetricFilters",
    "cloudwatch:DescribeAlarms",
    "sns:ListSubscriptionsByTopic",
]


def _register(control: Control) -> None:
    def run(ctx: Context) -> Iterator[Finding]:
        yield evaluate(ctx, control)

    run.__name__ = run.__qualname__ = control.id
    run.__doc__ = (
        f"One finding per account (CIS v1.4-v5.0 {control.cis}). PASS when "
        "the whole chain holds: a multi-region, logging trail with all management events -> "
        "its CloudWatch Logs group -> a metric filter that matches these events -> an alarm "
        "on the filter's metric name and namespace with actions enabled -> a target that "
        "reaches someone. The message names the first broken link."
    )
    registered = check(
        id=f"cwalarm.{control.id}",
        title=control.title,
        severity=Severity.LOW,
        signal=Signal.ALARMS,
        scope=Scope.ACCOUNT,
        permissions=_PERMISSIONS,
        remediation="aws logs put-metric-filter --log-group-name <trail-log-group> "
        f"--filter-name {control.id} --filter-pattern '{control.pattern}' "
        f"--metric-transformations metricName={control.id},metricNamespace=CISBenchmark,"
        f"metricValue=1, then an alarm on CISBenchmark/{control.id} notifying a confirmed SNS "
        "subscription",
    )(run)
    setattr(sys.modules[__name__], control.id, registered)


for _control in CONTROLS:
    _register(_control)
