"""The alarm shapes `awsobs fix` writes (awsobs/fix/recommended.py): one for every metric an
alarm check asks for, each a valid PutMetricAlarm, AWS's numbers where AWS gives them.

The wanted metrics are read from the checks' own code: every `Need(namespace, names, ...)`
under awsobs/checks, its arguments followed through constants, loops, tuple unpacking and
the calls of the helper functions they are parameters of. A check that asks for a new
metric fails here until the table has a row for it.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from helpers import REPO

from awsobs.checks.cloudwatch.missing_data import heartbeat
from awsobs.checks.cloudwatch.readers import Metric
from awsobs.checks.sqs.readers import fires_on_first_message
from awsobs.fix.recommended import DEAD_LETTER, DEFAULT, RECOMMENDED, Shape, shape

CHECKS = REPO / "awsobs" / "checks"


class Unresolved(Exception):
    """An argument of Need this reader cannot follow: teach it, or simplify the check."""


Scope = ast.FunctionDef | ast.Module
Source = tuple[Any, ...]  # how a local name gets a value: ("expr" | "iter", node, scope), ...


class _Module:
    """One check module: where each name of each function gets its value, so that Need's
    arguments can be followed to the strings they hold."""

    def __init__(self, path: Path) -> None:
        self.path = path
        dotted = ".".join(path.relative_to(REPO).with_suffix("").parts)
        self.globals = vars(importlib.import_module(dotted))
        self.tree = ast.parse(path.read_text())
        self.scopes: dict[Scope, dict[str, list[Source]]] = {self.tree: {}}
        self.outer: dict[Scope, Scope] = {}
        self.calls: dict[str, list[tuple[ast.Call, Scope]]] = {}
        self.needs_at: list[tuple[ast.Call, Scope]] = []
        self._visit(self.tree, self.tree)

    def _visit(self, node: ast.AST, scope: Scope) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef):
                self.scopes[child] = {}
                self.outer[child] = scope
                for i, arg in enumerate(child.args.args):
                    self._bind(child, arg.arg, ("param", child.name, i))
                self._visit(child, child)
                continue
            self._scan(child, scope)
            self._visit(child, scope)

    def _bind(self, scope: Scope, name: str, source: Source) -> None:
        self.scopes[scope].setdefault(name, []).append(source)

    def _scan(self, node: ast.AST, scope: Scope) -> None:
        """Bindings (`x = e`, `a, b = e`, `for x in e`, `[... for x in e]`) and calls."""
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    self._bind(scope, target.id, ("expr", node.value, scope))
                elif isinstance(target, ast.Tuple):
                    for i, elt in enumerate(target.elts):
                        if isinstance(elt, ast.Name):
                            self._bind(scope, elt.id, ("elem", node.value, scope, i))
        elif isinstance(node, ast.For | ast.comprehension) and isinstance(node.target, ast.Name):
            self._bind(scope, node.target.id, ("iter", node.iter, scope))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            self.calls.setdefault(node.func.id, []).append((node, scope))
            if node.func.id == "Need":
                self.needs_at.append((node, scope))

    def values(self, node: ast.expr, scope: Scope, seen: frozenset[Any] = frozenset()) -> set[str]:
        """Every string `node` may hold, or any element of it when it is a collection."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return {v for elt in node.elts for v in self.values(elt, scope, seen)}
        if isinstance(node, ast.Starred):
            return self.values(node.value, scope, seen)
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            table = self.globals.get(node.value.id)
            if isinstance(table, dict):  # NAMESPACE[kind]: any of its values
                return {v for v in table.values() if isinstance(v, str)}
        if isinstance(node, ast.Name):
            return self._name(node.id, scope, seen)
        raise Unresolved(f"{self.path}:{node.lineno}: {ast.unparse(node)}")

    def _sources(self, name: str, scope: Scope) -> tuple[Scope, list[Source]] | None:
        """The innermost function binding `name`, from `scope` outwards; None: a global."""
        at: Scope | None = scope
        while at is not None and at is not self.tree:
            if name in self.scopes[at]:
                return at, self.scopes[at][name]
            at = self.outer.get(at)
        return None

    def _name(self, name: str, scope: Scope, seen: frozenset[Any]) -> set[str]:
        local = self._sources(name, scope)
        if local is None:
            value = self.globals.get(name)
            if isinstance(value, str):
                return {value}
            if isinstance(value, tuple | list | frozenset | set):
                return {v for v in value if isinstance(v, str)}
            raise Unresolved(f"{self.path}: name {name!r}")
        where, sources = local
        if (where, name) in seen:
            return set()
        seen = seen | {(where, name)}
        found: set[str] = set()
        for source in sources:
            if source[0] in ("expr", "iter"):
                found |= self.values(source[1], source[2], seen)
            elif source[0] == "elem":
                for items, at in self._items(source[1], source[2], seen):
                    found |= self.values(items[source[3]], at, seen)
            else:  # a parameter: what its function's callers pass
                for arg, at in self._arguments(source[1], source[2], name):
                    found |= self.values(arg, at, seen)
        return found

    def _items(
        self, node: ast.expr, scope: Scope, seen: frozenset[Any]
    ) -> Iterator[tuple[list[ast.expr], Scope]]:
        """The element lists `node` may be, for unpacking (`five, four = metrics`)."""
        if isinstance(node, ast.Tuple | ast.List):
            yield list(node.elts), scope
            return
        local = self._sources(node.id, scope) if isinstance(node, ast.Name) else None
        if local is None:
            raise Unresolved(f"{self.path}:{node.lineno}: unpacking {ast.unparse(node)}")
        for source in local[1]:
            if source[0] == "expr":
                yield from self._items(source[1], source[2], seen)
            elif source[0] == "param":
                for arg, at in self._arguments(source[1], source[2], ast.unparse(node)):
                    yield from self._items(arg, at, seen)

    def _arguments(self, function: str, index: int, name: str) -> Iterator[tuple[ast.expr, Scope]]:
        for call, scope in self.calls.get(function, ()):
            if index < len(call.args):
                yield call.args[index], scope
            yield from ((k.value, scope) for k in call.keywords if k.arg == name)

    def needs(self) -> set[tuple[str, str]]:
        return {
            (namespace, metric)
            for call, scope in self.needs_at
            for namespace in self.values(call.args[0], scope)
            for metric in self.values(call.args[1], scope)
        }


def wanted() -> set[tuple[str, str]]:
    """(namespace, metric) of every Need in the check modules."""
    found: set[tuple[str, str]] = set()
    for path in sorted(CHECKS.rglob("*.py")):
        if "Need(" in path.read_text():
            found |= _Module(path).needs()
    return found


WANTED = wanted()
SHAPES = {**{f"{ns} {m}": s for (ns, m), s in RECOMMENDED.items()}, "DEFAULT": DEFAULT}
SHAPES["DEAD_LETTER"] = DEAD_LETTER


def test_the_reader_finds_the_metrics_of_every_alarm_check() -> None:
    # one from each area, so a reader that silently finds nothing cannot pass
    assert {
        ("AWS/ApiGateway", "5xx"),  # through _stage_error_alarms' tuple and _need
        ("AWS/CloudFront", "5xxErrorRate"),
        ("AWS/DynamoDB", "ThrottledRequests"),
        ("AWS/EC2", "StatusCheckFailed_Instance"),
        ("ECS/ContainerInsights", "RunningTaskCount"),
        ("AWS/GatewayELB", "UnHealthyHostCount"),  # NAMESPACE[kind]
        ("AWS/Lambda", "Throttles"),  # a comprehension's loop
        ("AWS/RDS", "FreeStorageSpace"),  # ("FreeStorageSpace", *_COMMON)
        ("AWS/S3", "4xxErrors"),
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),  # _need(AGE, q)
        ("AWS/States", "ExecutionThrottled"),
    } <= WANTED


def test_every_metric_a_check_wants_has_a_row() -> None:
    assert sorted(WANTED - RECOMMENDED.keys()) == []


def test_every_row_is_a_metric_a_check_wants() -> None:
    assert sorted(RECOMMENDED.keys() - WANTED) == []


CLOUDWATCH = botocore.session.get_session().get_service_model("cloudwatch")
STATISTICS = CLOUDWATCH.shape_for("Statistic").enum
# the static comparisons (the others compare with an anomaly detection band)
COMPARISONS = [c for c in CLOUDWATCH.shape_for("ComparisonOperator").enum if "Upper" not in c
               and "Lower" not in c]  # fmt: skip
TREAT_MISSING = ("breaching", "notBreaching", "ignore", "missing")  # PutMetricAlarm


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_a_shape_is_a_valid_metric_alarm(name: str) -> None:
    s = SHAPES[name]
    assert s.statistic in STATISTICS or re.fullmatch(r"p(100|\d{1,2}(\.\d{1,2})?)", s.statistic)
    assert s.comparison in COMPARISONS
    assert s.treat_missing_data in TREAT_MISSING
    assert s.period in (10, 20, 30) or (s.period > 0 and s.period % 60 == 0)
    assert 1 <= s.datapoints_to_alarm <= s.evaluation_periods
    assert s.period * s.evaluation_periods <= 86_400  # a day: the limit below hourly periods
    assert isinstance(s.default, float)
    assert s.source in ("recommended", "awsobs")
    # one sentence a reviewer reads in the template
    assert s.why.endswith(".") and ". " not in s.why and len(s.why) <= 200
    if s.threshold is not None:
        assert s.default == s.threshold  # a fixed number is written as it is


def test_a_percentile_is_only_where_aws_recommends_one() -> None:
    # The renderers write `statistic` as Statistic; CloudWatch wants a percentile in
    # ExtendedStatistic. This names the rows that need it.
    percentiles = {n for n, s in SHAPES.items() if s.statistic not in STATISTICS}
    assert percentiles == {"AWS/CloudFront OriginLatency"}


def _heartbeat(namespace: str, metric: str) -> bool:
    dims = {"InstanceId": "i-0123456789abcdef0"} if namespace == "AWS/EC2" else {"Id": "x"}
    return heartbeat(Metric(namespace, metric, frozenset(dims.items()))) is not None


@pytest.mark.parametrize("key", sorted(RECOMMENDED))
def test_silence_breaches_only_where_it_is_the_failure(key: tuple[str, str]) -> None:
    s = RECOMMENDED[key]
    if _heartbeat(*key):
        # published every period: silence is the resource gone (cloudwatch.alarm_missing_data
        # fails an alarm on it that stays quiet then)
        assert s.treat_missing_data == "breaching"
    elif s.treat_missing_data == "breaching":
        assert s.comparison.startswith("LessThan")  # an alarm on a value going low
    if key[0] == "AWS/DynamoDB":
        assert s.treat_missing_data == "ignore"  # what CloudWatch does with them anyway


def test_a_dead_letter_queue_alarms_on_its_first_message() -> None:
    s = shape("AWS/SQS", "ApproximateNumberOfMessagesVisible", dead_letter=True)
    assert s is DEAD_LETTER
    # sqs.dlq_alarms's own test: no "no alarm goes off on the first message" note
    assert fires_on_first_message(f"{s.comparison} {s.default}")
    assert s.period == 60 and s.evaluation_periods == s.datapoints_to_alarm == 1
    assert s.source == "awsobs" and s.treat_missing_data == "notBreaching"


def test_an_ordinary_queue_gets_the_backlog_alarm() -> None:
    s = shape("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert s is not DEAD_LETTER and s.source == "recommended" and s.threshold is None
    assert not fires_on_first_message(f"{s.comparison} {s.default}")
    # dead_letter matters for that metric only
    age = ("AWS/SQS", "ApproximateAgeOfOldestMessage")
    assert shape(*age, dead_letter=True) is RECOMMENDED[age]


def test_an_unknown_metric_gets_the_default() -> None:
    assert shape("AWS/Nothing", "Errors") is DEFAULT
    assert shape("AWS/Lambda", "Duration") is DEFAULT  # recommended, but no check wants it
    assert shape("CISBenchmark", "root_usage", dead_letter=True) is DEFAULT
    assert DEFAULT.source == "awsobs" and DEFAULT.threshold is None and DEFAULT.why


def _numbers(s: Shape) -> tuple[object, ...]:
    return (s.statistic, s.period, s.datapoints_to_alarm, s.evaluation_periods, s.comparison,
            s.threshold, s.source)  # fmt: skip


# AWS's numbers (Recommended alarms, read 2026-12-03): statistic, period, datapoints to
# alarm, evaluation periods, comparison, threshold (None: "Depends on your situation").
AWS_NUMBERS = {
    ("AWS/Lambda", "Errors"): ("Sum", 60, 3, 3, "GreaterThanThreshold", None),
    ("AWS/Lambda", "Throttles"): ("Sum", 60, 5, 5, "GreaterThanOrEqualToThreshold", None),
    ("AWS/ApiGateway", "5XXError"): ("Average", 60, 3, 3, "GreaterThanThreshold", 0.05),
    ("AWS/ApiGateway", "4xx"): ("Average", 60, 5, 5, "GreaterThanThreshold", 0.05),
    ("AWS/SQS", "ApproximateAgeOfOldestMessage"):
        ("Maximum", 60, 15, 15, "GreaterThanOrEqualToThreshold", None),
    ("AWS/SQS", "NumberOfMessagesSent"): ("Sum", 60, 15, 15, "LessThanOrEqualToThreshold", 0.0),
    ("AWS/EC2", "StatusCheckFailed"): ("Maximum", 300, 2, 2, "GreaterThanOrEqualToThreshold", 1.0),
    ("AWS/DynamoDB", "SystemErrors"): ("Sum", 60, 15, 15, "GreaterThanThreshold", None),
    ("AWS/RDS", "CPUUtilization"): ("Average", 60, 5, 5, "GreaterThanThreshold", 90.0),
    ("AWS/RDS", "FreeStorageSpace"): ("Minimum", 60, 5, 5, "LessThanThreshold", None),
    ("AWS/ECS", "CPUUtilization"): ("Average", 60, 5, 5, "GreaterThanThreshold", 80.0),
    ("ECS/ContainerInsights", "RunningTaskCount"):
        ("Average", 60, 5, 5, "LessThanOrEqualToThreshold", 0.0),
    ("AWS/S3", "5xxErrors"): ("Average", 60, 15, 15, "GreaterThanThreshold", 0.05),
    ("AWS/CloudFront", "OriginLatency"): ("p90", 60, 5, 5, "GreaterThanThreshold", None),
}  # fmt: skip


@pytest.mark.parametrize("key", sorted(AWS_NUMBERS))
def test_aws_numbers(key: tuple[str, str]) -> None:
    assert _numbers(RECOMMENDED[key]) == (*AWS_NUMBERS[key], "recommended")


def test_a_threshold_that_depends_on_the_workload_says_what_to_tune_it_to() -> None:
    vague = {k: s for k, s in RECOMMENDED.items() if s.threshold is None}
    assert ("AWS/Lambda", "Errors") in vague and ("AWS/RDS", "FreeStorageSpace") in vague
    for s in vague.values():
        assert re.search(r"\bset it\b|\braise it\b|\bkeep it\b|\btuned?\b|AWS says", s.why), s.why
    # AWS: "a number greater than zero" for Lambda errors and throttles
    assert RECOMMENDED[("AWS/Lambda", "Errors")].default > 0
    assert RECOMMENDED[("AWS/Lambda", "Throttles")].default > 0


def test_the_pages_missing_sections_are_awsobs_rows_that_say_so() -> None:
    # The page has no Elastic Load Balancing or Step Functions section.
    ours = {k for k, s in RECOMMENDED.items() if s.source == "awsobs"}
    assert {k for k in RECOMMENDED if k[0].endswith("ELB") or k[0] == "AWS/States"} <= ours
    assert all(RECOMMENDED[k].why.startswith("Not on AWS's list") for k in ours)
