"""Stable names: every generated name derives from the resource it fixes, so generating
again after a partial apply yields the same names, and nothing applied changes."""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def part(value: str) -> str:
    """One resource identifier as a name part: the tail of an ARN, other characters -> '-'."""
    if value.startswith("arn:"):
        value = value.rsplit(":", 1)[-1]
    return _UNSAFE.sub("-", value).strip("-") or "x"


def alarm_name(dimensions: dict[str, str], metric: str) -> str:
    """`awsobs-<resource>-<metric>`: the dimension values in their order (e.g.
    `awsobs-shop-dev-5XXError`); CloudWatch allows 255 characters."""
    parts = [part(v) for v in dimensions.values()] or ["account"]
    name = "-".join(["awsobs", *parts, part(metric)])
    return name if len(name) <= 255 else f"{name[:246]}-{digest(name)}"


def digest(text: str, size: int = 8) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:size]


def logical_id(kind: str, name: str) -> str:
    """A CloudFormation logical id (alphanumeric): the name's words, and a digest of the kind
    and name so that two names that differ only in punctuation never collide."""
    words = re.findall(r"[A-Za-z0-9]+", name)
    stem = "".join(w[:1].upper() + w[1:] for w in words)[:200] or "Item"
    if not stem[0].isalpha():
        stem = "R" + stem
    return f"{stem}{digest(kind + chr(0) + name)}"


def tf_name(kind: str, name: str) -> str:
    """A Terraform resource name (letters, digits, _ and -, not starting with a digit)."""
    stem = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_")[:120] or "item"
    if not stem[0].isalpha():
        stem = "r_" + stem
    return f"{stem}_{digest(kind + chr(0) + name)}"
