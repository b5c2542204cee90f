"""Just enough IAM policy evaluation to answer "may this role call X?".

Identity policies only: Allow and Deny statements, `Action`/`NotAction` with wildcards
(case-insensitive, as IAM matches actions). Conditions, resource scoping, permission
boundaries and SCPs are not evaluated; a statement with a `Condition` still counts as
allowing, and the check's docs say so.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from typing import Any


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return [value] if isinstance(value, str | Mapping) else list(value)


def _matches(patterns: Iterable[str], action: str) -> bool:
    action = action.lower()
    return any(fnmatch.fnmatchcase(action, str(p).lower()) for p in patterns)


def _statement_covers(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not _matches(_as_list(statement["NotAction"]), action)
    return _matches(_as_list(statement.get("Action")), action)


def decide(documents: Iterable[Mapping[str, Any]], action: str) -> str:
    """`allow`, `deny` (an explicit Deny wins) or `none` for `action` over all documents."""
    allowed = False
    for doc in documents:
        for statement in _as_list(doc.get("Statement")):
            if not isinstance(statement, Mapping) or not _statement_covers(statement, action):
                continue
            if statement.get("Effect") == "Deny":
                return "deny"
            if statement.get("Effect") == "Allow":
                allowed = True
    return "allow" if allowed else "none"
