"""CloudWatch alarms, read once per region and indexed, and whether they reach anyone.

An alarm *covers* a metric of a resource when it watches that namespace, metric name and
exact dimension set (directly, or as a `MetricStat` inside a metric-math alarm), its
actions are enabled, and at least one of its `AlarmActions` is a valid target. A
composite alarm covers what its child alarms (recursively) watch, with its own actions.

Valid targets: an SNS topic that exists and has at least one confirmed subscription;
Auto Scaling policies, EC2 actions (`arn:aws:automate:`), Systems Manager OpsItems and
Incident Manager response plans, Lambda functions. A topic in another account cannot be
checked from here: the verdict is UNKNOWN, not PASS or FAIL.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.context import Context

ALARM = "AWS::CloudWatch::Alarm"
COMPOSITE = "AWS::CloudWatch::CompositeAlarm"


@dataclass(frozen=True)
class Metric:
    """One metric an alarm watches."""

    namespace: str
    name: str
    dims: frozenset[tuple[str, str]]

    def dim(self, key: str) -> str | None:
        return next((v for k, v in self.dims if k == key), None)

    def describe(self) -> str:
        dims = ", ".join(f"{k}={v}" for k, v in sorted(self.dims))
        return f"{self.namespace} {self.name}" + (f" ({dims})" if dims else "")


def _metric(raw: Mapping[str, Any]) -> Metric:
    dims = frozenset((str(d["Name"]), str(d["Value"])) for d in raw.get("Dimensions") or ())
    return Metric(str(raw.get("Namespace") or ""), str(raw.get("MetricName") or ""), dims)


_CHILD = re.compile(r'\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*("(?:[^"\\]|\\.)*"|[^\s)]+)\s*\)')


def rule_children(rule: str) -> tuple[str, ...]:
    """Alarm names referenced by a composite alarm rule (quotes and ARNs unwrapped)."""
    names = []
    for ref in _CHILD.findall(rule or ""):
        name = ref[1:-1].replace('\\"', '"') if ref.startswith('"') else ref
        names.append(name.split(":alarm:", 1)[1] if ":alarm:" in name else name)
    return tuple(dict.fromkeys(names))


@dataclass(frozen=True)
class Alarm:
    """A metric or composite alarm, as DescribeAlarms returns it."""

    name: str
    arn: str
    region: str
    composite: bool
    actions_enabled: bool
    alarm_actions: tuple[str, ...]
    ok_actions: tuple[str, ...]
    insufficient_actions: tuple[str, ...]
    state: str
    state_since: Any
    metrics: tuple[Metric, ...] = ()
    children: tuple[str, ...] = ()
    treat_missing: str | None = None
    threshold: str | None = None  # "ComparisonOperator Threshold" of a metric alarm

    @property
    def resource_type(self) -> str:
        return COMPOSITE if self.composite else ALARM

    @property
    def label(self) -> str:
        return f"{'composite alarm' if self.composite else 'alarm'} '{self.name}'"

    def evidence(self) -> dict[str, Any]:
        return {
            "alarm_name": self.name,
            "actions_enabled": self.actions_enabled,
            "alarm_actions": list(self.alarm_actions),
            "ok_actions": list(self.ok_actions),
            "insufficient_data_actions": list(self.insufficient_actions),
            "state": self.state,
            "metrics": [m.describe() for m in self.metrics],
            "children": list(self.children),
        }


def parse_alarm(raw: Mapping[str, Any], region: str, composite: bool) -> Alarm:
    metrics: list[Metric] = []
    if raw.get("MetricName"):
        metrics.append(_metric(raw))
    for query in raw.get("Metrics") or ():  # metric math: every MetricStat counts
        stat = query.get("MetricStat")
        if stat and stat.get("Metric"):
            metrics.append(_metric(stat["Metric"]))
    return Alarm(
        name=str(raw["AlarmName"]),
        arn=str(raw.get("AlarmArn", "")),
        region=region,
        composite=composite,
        actions_enabled=bool(raw.get("ActionsEnabled", True)),
        alarm_actions=tuple(raw.get("AlarmActions") or ()),
        ok_actions=tuple(raw.get("OKActions") or ()),
        insufficient_actions=tuple(raw.get("InsufficientDataActions") or ()),
        state=str(raw.get("StateValue", "")),
        state_since=raw.get("StateUpdatedTimestamp"),
        metrics=tuple(metrics),
        children=rule_children(str(raw.get("AlarmRule", ""))) if composite else (),
        treat_missing=raw.get("TreatMissingData"),
        threshold=None if composite else _threshold(raw),
    )


def _threshold(raw: Mapping[str, Any]) -> str:
    """`GreaterThanThreshold 0`; a metric-math alarm says so."""
    op = str(raw.get("ComparisonOperator") or "")
    value = raw.get("Threshold")
    text = f"{op} {value:g}" if isinstance(value, (int, float)) else op
    return text if raw.get("MetricName") else f"{text} (on a metric-math expression)"


@dataclass(frozen=True)
class AlarmIndex:
    """The region's alarms, with composite alarms resolved to the metrics they watch."""

    alarms: tuple[Alarm, ...]
    by_name: Mapping[str, Alarm] = field(default_factory=dict)

    def watched(self, alarm: Alarm, _seen: frozenset[str] = frozenset()) -> tuple[Metric, ...]:
        """Metrics an alarm watches, through composite children (cycles ignored)."""
        if not alarm.composite:
            return alarm.metrics
        found: list[Metric] = []
        for child in alarm.children:
            if child in self.by_name and child not in _seen:
                found += self.watched(self.by_name[child], _seen | {alarm.name})
        return tuple(found)

    def watching(self, matches: Callable[[Metric], bool]) -> list[Alarm]:
        return [a for a in self.alarms if any(matches(m) for m in self.watched(a))]

    def notifying_parent(self, alarm: Alarm) -> Alarm | None:
        """A composite alarm with alarm actions that has `alarm` among its children, directly
        or through other composites (cycles ignored); None when there is none."""
        todo, seen = [alarm.name], {alarm.name}
        while todo:
            name = todo.pop()
            for parent in self.alarms:
                if parent.composite and name in parent.children and parent.name not in seen:
                    if parent.alarm_actions:
                        return parent
                    seen.add(parent.name)
                    todo.append(parent.name)
        return None


def alarm_index(ctx: Context, region: str) -> AlarmIndex:
    """DescribeAlarms (metric and composite) once per region; raises `AwsError`."""

    def build(ctx: Context) -> AlarmIndex:
        listed = ctx.call(
            "cloudwatch",
            "DescribeAlarms",
            region,
            AlarmTypes=["MetricAlarm", "CompositeAlarm"],
            MaxRecords=100,  # the most AWS allows per page: fewer requests in big accounts
        )
        alarms = [parse_alarm(a, region, False) for a in listed.get("MetricAlarms", ())]
        alarms += [parse_alarm(a, region, True) for a in listed.get("CompositeAlarms", ())]
        alarms.sort(key=lambda a: a.name)
        return AlarmIndex(tuple(alarms), {a.name: a for a in alarms})

    return ctx.shared(f"alarms:{region}", ("cloudwatch:DescribeAlarms",), build)


# -- do the actions reach anyone? ------------------------------------------------------------

VALID, INVALID, UNKNOWN = "valid", "invalid", "unknown"


@dataclass(frozen=True)
class Target:
    """One action target's verdict."""

    arn: str
    status: str  # valid | invalid | unknown
    reason: str
    error: AwsError | None = None


_NON_SNS = {
    "autoscaling": "an Auto Scaling policy",
    "automate": "an EC2 action",
    "ssm": "a Systems Manager OpsItem",
    "ssm-incidents": "an Incident Manager response plan",
    "lambda": "a Lambda function",
}


def check_target(ctx: Context, arn: str) -> Target:
    """Is this action target valid? (memoized per scan)."""
    return ctx.shared(
        f"alarm-target:{arn}", ("sns:ListSubscriptionsByTopic",), lambda c: _check_target(c, arn)
    )


def _check_target(ctx: Context, arn: str) -> Target:
    parts = arn.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service != "sns":
        if service in _NON_SNS:
            return Target(arn, VALID, _NON_SNS[service])
        return Target(arn, UNKNOWN, f"{arn} is not a target awsobs recognises")
    region, account, name = parts[3], parts[4], parts[5] if len(parts) > 5 else arn
    if account != ctx.account_id:
        return Target(arn, UNKNOWN, f"topic {name} is in account {account}; check it there")
    try:
        subs = ctx.call("sns", "ListSubscriptionsByTopic", region, TopicArn=arn)
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            return Target(arn, INVALID, f"topic {name} does not exist")
        return Target(arn, UNKNOWN, f"could not read topic {name}: {err.describe()}", err)
    subscriptions = subs.get("Subscriptions", ())
    confirmed = [s for s in subscriptions if str(s.get("SubscriptionArn", "")).startswith("arn:")]
    if confirmed:
        return Target(arn, VALID, f"topic {name} has {len(confirmed)} confirmed subscription(s)")
    pending = len(subscriptions)
    why = f" ({pending} pending confirmation)" if pending else ""
    return Target(arn, INVALID, f"topic {name} has no confirmed subscription{why}")


@dataclass(frozen=True)
class Reach:
    """Would this alarm, going off, reach anyone?"""

    status: str  # valid | invalid | unknown
    reason: str
    error: AwsError | None = None


def reach(ctx: Context, alarm: Alarm) -> Reach:
    """Actions enabled and at least one valid alarm action; UNKNOWN when only unverifiable."""
    if not alarm.actions_enabled:
        return Reach(INVALID, f"{alarm.label} has its actions disabled")
    if not alarm.alarm_actions:
        extra = (
            " (only OK or INSUFFICIENT_DATA actions)"
            if alarm.ok_actions or alarm.insufficient_actions
            else ""
        )
        return Reach(INVALID, f"{alarm.label} has no alarm action{extra}")
    targets = [check_target(ctx, a) for a in alarm.alarm_actions]
    valid = [t for t in targets if t.status == VALID]
    if valid:
        return Reach(VALID, f"{alarm.label} notifies {valid[0].reason}")
    unknown = [t for t in targets if t.status == UNKNOWN]
    if unknown:
        return Reach(UNKNOWN, f"{alarm.label}: {unknown[0].reason}", unknown[0].error)
    return Reach(INVALID, f"{alarm.label} reaches nobody: {targets[0].reason}")


# -- coverage of one resource's metric -----------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A metric a resource should have an alarm on: exact dimension sets that count."""

    namespace: str
    names: tuple[str, ...]
    dims: tuple[Mapping[str, str | frozenset[str]], ...]  # each: key -> value or values
    misnamed: tuple[str, ...] = ()  # names people use by mistake (REST's 5XXError on HTTP)

    def matches(self, m: Metric) -> bool:
        return m.namespace == self.namespace and m.name in self.names and self._dims_match(m)

    def _dims_match(self, m: Metric) -> bool:
        have = dict(m.dims)
        return any(
            set(have) == set(option)
            and all(
                have[k] in v if isinstance(v, frozenset) else have[k] == v
                for k, v in option.items()
            )
            for option in self.dims
        )

    def near(self, m: Metric) -> bool:
        """Right namespace and metric, other dimensions: the usual mis-targeted alarm."""
        return m.namespace == self.namespace and m.name in self.names and not self.matches(m)

    def misnamed_here(self, m: Metric) -> bool:
        """This resource's dimensions under a metric name it does not publish."""
        return m.namespace == self.namespace and m.name in self.misnamed and self._dims_match(m)

    @property
    def label(self) -> str:
        return " or ".join(self.names)


@dataclass(frozen=True)
class Cover:
    """How well a resource's metric is covered by alarms."""

    covered_by: tuple[str, ...]  # alarms that watch it and reach someone
    unverified: tuple[Reach, ...]  # watch it, but their targets cannot be checked
    broken: tuple[str, ...]  # watch it, but would reach nobody (reasons)
    near: tuple[str, ...]  # watch the same metric with other dimensions

    @property
    def ok(self) -> bool:
        return bool(self.covered_by)


Claimed = Callable[[Metric], bool]


def nobody(_: Metric) -> bool:
    return False


def cover(ctx: Context, index: AlarmIndex, need: Need, claimed: Claimed = nobody) -> Cover:
    """Which alarms cover `need`, and why the others do not. A near miss is an alarm on
    the same metric whose dimensions match no other known resource (`claimed`): a typo
    or a deleted resource, not another resource's legitimate alarm."""
    covered, unverified, broken = [], [], []
    for alarm in index.watching(need.matches):
        r = reach(ctx, alarm)
        if r.status == VALID:
            covered.append(alarm.name)
        elif r.status == UNKNOWN:
            unverified.append(r)
        else:
            broken.append(r.reason)
    near = [
        f"alarm '{a.name}' watches {m.describe()}"
        + (
            f", a metric never published here (it is {need.label})"
            if m.name in need.misnamed
            else ""
        )
        for a in index.alarms
        if not a.composite
        for m in a.metrics
        if need.misnamed_here(m) or (need.near(m) and not claimed(m))
    ]
    return Cover(tuple(covered), tuple(unverified), tuple(broken), tuple(dict.fromkeys(near)))


def explain(cover_: Cover, what: str) -> str:
    """`no alarm on X reaches anyone: ...` (for a FAIL message)."""
    reasons = list(cover_.broken) + list(cover_.near)
    base = f"no alarm on {what} would reach anyone"
    if not reasons:
        return f"no alarm on {what}"
    shown = "; ".join(reasons[:3]) + (f"; and {len(reasons) - 3} more" if len(reasons) > 3 else "")
    return f"{base}: {shown}"


def all_targets(alarms: Iterable[Alarm]) -> set[str]:
    return {t for a in alarms for t in (*a.alarm_actions, *a.ok_actions, *a.insufficient_actions)}
