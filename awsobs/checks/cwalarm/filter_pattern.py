"""CloudWatch Logs JSON filter patterns: parse them, and test them against events.

    { ($.eventName = CreateTrail) || ($.eventName = "UpdateTrail") }

Grammar: `{ expr }`; `expr` is comparisons joined by `&&` and `||` (`&&` binds tighter),
grouped with parentheses. A comparison is a selector (`$.a.b`, `$.a[0]`) and one of
`= != < > <= >=` and a value (quoted or bare; `*` is a wildcard; `%regex%`), or
`IS NULL`, `IS TRUE`, `IS FALSE`, `EXISTS`, `NOT EXISTS`. Whitespace and newlines are free.

The CIS checks do not compare pattern text: they ask whether a filter matches the events
a control is about, so every equivalent spelling (quotes, spacing, clause order,
redundant parentheses) is accepted and a near miss (a missing event name, a typo in a
field) is not. A missing field compares unequal: `=` is false and `!=` is true.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class PatternError(ValueError):
    """The text is not a JSON filter pattern this module understands."""


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<brace>[{}])
      | (?P<paren>[()])
      | (?P<logic>&&|\|\|)
      | (?P<op>!=|<=|>=|=|<|>)
      | (?P<selector>\$[\w.\[\]\-*:@]*)
      | (?P<quoted>"(?:[^"\\]|\\.)*")
      | (?P<regex>%(?:[^%\\]|\\.)*%)
      | (?P<word>[^\s(){}&|="<>!]+)
    )""",
    re.VERBOSE,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise PatternError(f"unexpected text at {pos}: {text[pos : pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
    return out


@dataclass(frozen=True)
class Compare:
    path: tuple[str | int, ...]
    op: str  # = != < > <= >= | is | exists | not-exists
    value: Any


@dataclass(frozen=True)
class Logic:
    op: str  # && or ||
    items: tuple[Node, ...]


Node = Compare | Logic


def parse(text: str) -> Node:
    """Parse a JSON filter pattern; raises `PatternError`."""
    tokens = _tokens(text)
    if len(tokens) < 2 or tokens[0] != ("brace", "{") or tokens[-1] != ("brace", "}"):
        raise PatternError("not a JSON filter pattern (expected { ... })")
    parser = _Parser(tokens[1:-1])
    node = parser.expr()
    if parser.pos != len(parser.tokens):
        raise PatternError(f"unexpected {parser.tokens[parser.pos][1]!r}")
    return node


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, kind: str | None = None) -> str:
        tok = self.peek()
        if tok[0] == "end" or (kind and tok[0] != kind):
            raise PatternError(f"expected {kind or 'more'}, found {tok[1] or 'the end'!r}")
        self.pos += 1
        return tok[1]

    def expr(self) -> Node:
        items = [self.conj()]
        while self.peek() == ("logic", "||"):
            self.take()
            items.append(self.conj())
        return items[0] if len(items) == 1 else Logic("||", tuple(items))

    def conj(self) -> Node:
        items = [self.primary()]
        while self.peek() == ("logic", "&&"):
            self.take()
            items.append(self.primary())
        return items[0] if len(items) == 1 else Logic("&&", tuple(items))

    def primary(self) -> Node:
        if self.peek() == ("paren", "("):
            self.take()
            node = self.expr()
            if self.take("paren") != ")":
                raise PatternError("unbalanced parentheses")
            return node
        path = _path(self.take("selector"))
        kind, text = self.peek()
        if kind == "op":
            self.take()
            return Compare(path, text, _value(*self.peek_value()))
        word = text.upper()
        if word == "IS":
            self.take()
            what = self.take("word").upper()
            if what not in ("NULL", "TRUE", "FALSE"):
                raise PatternError(f"IS {what} is not a filter test")
            return Compare(path, "is", {"NULL": None, "TRUE": True, "FALSE": False}[what])
        if word == "EXISTS":
            self.take()
            return Compare(path, "exists", None)
        if word == "NOT":
            self.take()
            if self.take("word").upper() != "EXISTS":
                raise PatternError("expected NOT EXISTS")
            return Compare(path, "not-exists", None)
        raise PatternError(f"expected a comparison after {'$.' + '.'.join(map(str, path))}")

    def peek_value(self) -> tuple[str, str]:
        kind, text = self.peek()
        if kind not in ("quoted", "word", "regex"):
            raise PatternError(f"expected a value, found {text or 'the end'!r}")
        self.pos += 1
        return kind, text


def _path(selector: str) -> tuple[str | int, ...]:
    if not selector.startswith("$.") and selector != "$":
        raise PatternError(f"bad selector {selector!r}")
    parts: list[str | int] = []
    for piece in re.findall(r"\[(\d+)\]|([^.\[\]]+)", selector[2:]):
        parts.append(int(piece[0]) if piece[0] else piece[1])
    return tuple(parts)


@dataclass(frozen=True)
class _Regex:
    pattern: re.Pattern[str]


def _value(kind: str, text: str) -> Any:
    if kind == "quoted":
        return text[1:-1].replace('\\"', '"')
    if kind == "regex":
        return _Regex(re.compile(text[1:-1]))
    return text


_MISSING = object()


def _resolve(event: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        in_list = isinstance(part, int) and isinstance(event, list | tuple) and part < len(event)
        in_map = isinstance(part, str) and isinstance(event, Mapping) and part in event
        if not (in_list or in_map):
            return _MISSING
        event = event[part]
    return event


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _equals(actual: Any, expected: Any) -> bool:
    if actual is _MISSING or actual is None:
        return False
    if isinstance(expected, _Regex):
        return bool(expected.pattern.search(str(actual)))
    a, e = _number(actual), _number(expected)
    if a is not None and e is not None and "*" not in str(expected):
        return a == e
    pattern = "".join(".*" if ch == "*" else re.escape(ch) for ch in str(expected))
    return (
        re.fullmatch(
            pattern, str(actual).lower() if isinstance(actual, bool) else str(actual), re.DOTALL
        )
        is not None
    )


def matches(node: Node, event: Mapping[str, Any]) -> bool:
    """Does the pattern match this (JSON) log event?"""
    if isinstance(node, Logic):
        results = (matches(item, event) for item in node.items)
        return all(results) if node.op == "&&" else any(results)
    actual = _resolve(event, node.path)
    if node.op == "exists":
        return actual is not _MISSING
    if node.op == "not-exists":
        return actual is _MISSING
    if node.op == "is":
        return actual is not _MISSING and actual is node.value
    if node.op == "=":
        return _equals(actual, node.value)
    if node.op == "!=":
        return not _equals(actual, node.value)
    a, e = _number(actual), _number(node.value)
    if a is None or e is None:
        return False
    return {"<": a < e, ">": a > e, "<=": a <= e, ">=": a >= e}[node.op]
