"""A small YAML writer for CloudFormation templates: mappings, lists, numbers, booleans and
strings. Every string is written double-quoted with JSON escapes (valid YAML 1.2), so no
name or description from the account can change the document's structure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any


def dump(doc: Mapping[str, Any]) -> str:
    return "".join(_lines(doc, 0))


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=True)


def _lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, Mapping):
        for key, v in value.items():
            if key.startswith("#"):  # a comment line (already sanitised by the caller)
                out.append(f"{pad}{key}\n")
                continue
            k = key if key.replace(":", "").isalnum() else scalar(key)
            if _empty(v):
                out.append(f"{pad}{k}: {'{}' if isinstance(v, Mapping) else '[]'}\n")
            elif isinstance(v, Mapping | list | tuple):
                out.append(f"{pad}{k}:\n")
                out.extend(_lines(v, indent + 2))
            else:
                out.append(f"{pad}{k}: {scalar(v)}\n")
        return out
    if isinstance(value, Sequence) and not isinstance(value, str):
        for v in value:
            if isinstance(v, Mapping) and v and not _empty(v):
                inner = _lines(v, indent + 2)
                out.append(f"{pad}- {inner[0].lstrip()}")
                out.extend(inner[1:])
            elif isinstance(v, list | tuple) and v:
                out.append(f"{pad}-\n")
                out.extend(_lines(v, indent + 2))
            else:
                out.append(f"{pad}- {scalar(v) if not _empty(v) else '{}'}\n")
        return out
    return [f"{pad}{scalar(value)}\n"]


def _empty(v: Any) -> bool:
    return isinstance(v, Mapping | list | tuple) and not v
