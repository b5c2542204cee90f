"""The JSON report's one home: write it, read it back from a file, validate it, and turn it
back into a `Report`. `awsobs diff`, `awsobs merge` and `scan --baseline` read reports
only through here, and `--format json` writes them only through here.

The shape is the versioned contract of docs/design.md (`schema_version` 1); adding fields is
fine, renaming or removing one changes `SCHEMA_VERSION`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from collections.abc import Mapping
from typing import Any

from awsobs.errors import UsageError
from awsobs.model import SCHEMA_VERSION, Finding, Report, Severity, Status, SuppressionNote, thaw

__all__ = [
    "finding_to_dict",
    "load_report",
    "report_from_dict",
    "report_to_dict",
    "validate_report",
]


# -- write -------------------------------------------------------------------------------


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """One finding as the JSON report writes it; `compliance` is its check's mappings
    (awsobs.compliance), looked up again when a report is read back."""
    from awsobs.compliance import mappings_of

    return {
        "check_id": f.check_id,
        "title": f.title,
        "severity": f.severity.value,
        "status": f.status.value,
        "account_id": f.account_id,
        "region": f.region,
        "resource_type": f.resource_type,
        "resource_id": f.resource_id,
        "message": f.message,
        "evidence": thaw(f.evidence),
        "remediation": f.remediation,
        "suppressed": f.suppressed,
        "suppression_reason": f.suppression_reason,
        "compliance": {k: list(v) for k, v in mappings_of(f.check_id).items()},
    }


def report_to_dict(report: Report, *, findings: bool = True) -> dict[str, Any]:
    """The report in the versioned JSON shape of docs/design.md; `findings=False` leaves
    `findings` an empty list (awsobs.report.json streams them one by one)."""
    notes = report.suppression_notes
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "awsobs", "version": report.tool_version},
        "scan": {
            "started_at": report.started_at.isoformat(),
            "finished_at": report.finished_at.isoformat(),
            "duration_s": round(report.duration_s, 3),
            "accounts": list(report.accounts),
            "regions": list(report.regions),
            "checks": list(report.checks),
            "api_calls": report.api_calls,
            "api_calls_by_operation": dict(sorted(report.api_calls_by_operation.items())),
            "errors": list(report.errors),
            # --tag: only resources carrying these tags were reported ({}: no filter).
            "tag_filter": dict(report.tag_filter),
            "suppressions": {
                "suppressed": sum(f.suppressed for f in report.findings),
                "expired": [n.to_dict() for n in notes if n.kind == "expired"],
                "unused": [n.to_dict() for n in notes if n.kind == "unused"],
            },
        },
        "summary": report.summary(),
        "findings": [finding_to_dict(f) for f in report.findings] if findings else [],
        # Derived from the findings (awsobs.resources); reading a report back ignores it
        # and builds the map again.
        "resources": report.resources().to_dict(),
    }


# -- read --------------------------------------------------------------------------------


def load_report(path: str) -> dict[str, Any]:
    """Read and validate a JSON report file; any problem is one-line `UsageError` naming it."""
    try:
        with open(path, encoding="utf-8-sig") as fh:  # tolerate a UTF-8 BOM
            text = fh.read()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such report file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a directory, not a JSON report") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a JSON report (not UTF-8 text)") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        doc = json.loads(
            text, parse_int=_int, parse_float=_float, parse_constant=_not_a_json_number
        )
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except _BadNumber as exc:
        raise UsageError(f"{path}: invalid JSON: {exc}") from None
    except RecursionError:
        raise UsageError(f"{path}: invalid JSON: nested too deeply") from None
    validate_report(doc, path)
    return dict(doc)


class _BadNumber(ValueError):
    """A number in a report that Python cannot hold as JSON meant it (message: which)."""


def _int(text: str) -> int:
    """An integer literal; Python refuses to convert more than sys.get_int_max_str_digits()
    digits (a ValueError that is not a JSONDecodeError), so it is said here in words."""
    digits = len(text.lstrip("-"))
    limit = sys.get_int_max_str_digits()
    if limit and digits > limit:
        raise _BadNumber(f"an integer of {digits} digits (at most {limit} can be read)")
    return int(text)


def _float(text: str) -> float:
    """A number with a fraction or exponent; one too large for a float (`1e400`) would be
    read as infinity, which JSON cannot hold, so it is refused."""
    value = float(text)
    if math.isinf(value):
        shown = text if len(text) <= 20 else text[:17] + "..."
        raise _BadNumber(f"a number too large to read ({shown})")
    return value


def _not_a_json_number(name: str) -> Any:
    """`NaN`, `Infinity`, `-Infinity`: Python's json reads them, JSON does not have them."""
    raise _BadNumber(f"{name} is not a JSON number")


_REQUIRED_FINDING_KEYS = ("check_id", "status", "severity", "account_id", "region", "resource_id")


_OPTIONAL_FINDING_STRINGS = ("title", "message", "resource_type", "remediation")


_REQUIRED_TOP_KEYS = ("schema_version", "findings", "scan")


_SCAN_LISTS = ("accounts", "regions", "checks")


def validate_report(doc: Any, source: str) -> None:
    """Raise a one-line `UsageError` unless `doc` is a report this awsobs can compare."""
    if not isinstance(doc, Mapping):
        raise UsageError(
            f"{source}: not an awsobs JSON report (top level is {_kind(doc)}, not an object)"
        )
    missing = [k for k in _REQUIRED_TOP_KEYS if k not in doc]
    if missing:
        raise UsageError(f"{source}: not an awsobs JSON report (no {', '.join(missing)})")
    version = doc["schema_version"]
    if type(version) is not int or version != SCHEMA_VERSION:
        raise UsageError(
            f"{source}: report has schema_version {_show(version)}; "
            f"this awsobs reads schema_version {SCHEMA_VERSION}"
        )
    scan = doc["scan"]
    if not isinstance(scan, Mapping):
        raise UsageError(f"{source}: 'scan' is {_kind(scan)}, not an object")
    for name in _SCAN_LISTS:
        values = scan.get(name)
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise UsageError(f"{source}: 'scan.{name}' is missing or not a list of strings")
    findings = doc["findings"]
    if not isinstance(findings, list):
        raise UsageError(f"{source}: 'findings' is {_kind(findings)}, not a list")
    for i, f in enumerate(findings):
        _validate_finding(f, i, source)


def _validate_finding(f: Any, i: int, source: str) -> None:
    if not isinstance(f, Mapping):
        raise UsageError(f"{source}: finding {i} is {_kind(f)}, not an object")
    for k in _REQUIRED_FINDING_KEYS:
        if k not in f:
            raise UsageError(f"{source}: finding {i} has no {k!r}")
        if not isinstance(f[k], str):
            raise UsageError(f"{source}: finding {i} has a non-string {k!r}: {_show(f[k])}")
    for k in _OPTIONAL_FINDING_STRINGS:
        if f.get(k) is not None and not isinstance(f[k], str):
            raise UsageError(f"{source}: finding {i} has a non-string {k!r}: {_show(f[k])}")
    if not isinstance(f.get("suppressed", False), bool):
        raise UsageError(
            f"{source}: finding {i} has a non-boolean 'suppressed': {_show(f['suppressed'])}"
        )
    reason = f.get("suppression_reason")
    if reason is not None and not isinstance(reason, str):
        raise UsageError(
            f"{source}: finding {i} has a non-string 'suppression_reason': {_show(reason)}"
        )
    if f["status"] not in {s.value for s in Status}:
        raise UsageError(
            f"{source}: finding {i} has unknown status {_show(f['status'])} "
            f"(expected one of {', '.join(s.value for s in Status)})"
        )
    if f["severity"] not in {s.value for s in Severity}:
        raise UsageError(
            f"{source}: finding {i} has unknown severity {_show(f['severity'])} "
            f"(expected one of {', '.join(s.value for s in Severity)})"
        )


def _kind(value: Any) -> str:
    """The JSON kind of `value`, for messages: 'an object', 'a list', 'null', ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    return type(value).__name__


def _show(value: Any, limit: int = 40) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, Mapping | list) else _kind(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- back into a Report -------------------------------------------------------------------


def report_from_dict(doc: Mapping[str, Any], source: str = "report") -> Report:
    """The `Report` of a JSON report (`Report.to_dict()` or a `--format json` file).

    Raises a one-line `UsageError` naming `source` when `doc` is not a report this awsobs
    reads. Unknown extra fields are ignored; findings' evidence stays a plain mapping.
    """
    validate_report(doc, source)
    scan = doc["scan"]
    tool = doc.get("tool") or {}
    if not isinstance(tool, Mapping):
        raise UsageError(f"{source}: 'tool' is not an object")
    api_calls = scan.get("api_calls", 0)
    if type(api_calls) is not int:
        raise UsageError(f"{source}: 'scan.api_calls' is not an integer")
    by_op = scan.get("api_calls_by_operation") or {}
    if not isinstance(by_op, Mapping) or not all(type(v) is int for v in by_op.values()):
        raise UsageError(f"{source}: 'scan.api_calls_by_operation' is not an object of integers")
    errors = scan.get("errors") or []
    if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
        raise UsageError(f"{source}: 'scan.errors' is not a list of strings")
    findings = []
    for i, f in enumerate(doc["findings"]):
        evidence = f.get("evidence") or {}
        if not isinstance(evidence, Mapping):
            raise UsageError(f"{source}: finding {i} has an 'evidence' that is not an object")
        findings.append(
            Finding(
                check_id=f["check_id"],
                title=f.get("title") or "",
                severity=Severity(f["severity"]),
                status=Status(f["status"]),
                account_id=f["account_id"],
                region=f["region"],
                resource_type=f.get("resource_type") or "",
                resource_id=f["resource_id"],
                message=f.get("message") or "",
                evidence=dict(evidence),
                remediation=f.get("remediation") or "",
                suppressed=bool(f.get("suppressed", False)),
                suppression_reason=f.get("suppression_reason"),
            )
        )
    return Report.of(
        findings,
        started_at=_time(scan, "started_at", source),
        finished_at=_time(scan, "finished_at", source),
        accounts=scan["accounts"],
        regions=scan["regions"],
        checks=scan["checks"],
        api_calls=api_calls,
        api_calls_by_operation=by_op,
        errors=errors,
        tool_version=str(tool.get("version") or ""),
        suppression_notes=_notes(scan.get("suppressions"), source),
        tag_filter=dict(_tag_pairs(scan.get("tag_filter"), f"{source}: bad 'scan.tag_filter'")),
    )


def _time(scan: Mapping[str, Any], name: str, source: str) -> dt.datetime:
    value = scan.get(name)
    if not isinstance(value, str):
        raise UsageError(f"{source}: 'scan.{name}' is missing or not an ISO 8601 time")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{source}: 'scan.{name}' is not an ISO 8601 time: {value[:40]!r}"
        ) from None
    # A time without an offset is taken as UTC, so merged reports can be compared.
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


_NOTE_STRINGS = ("check", "reason", "resource", "region", "account", "source")


def _tag_pairs(value: Any, problem: str) -> tuple[tuple[str, str], ...]:
    """`{"env": "prod"}` as sorted pairs; None or absent is no tags."""
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise UsageError(problem)
    return tuple(sorted(value.items()))


def _notes(block: Any, source: str) -> tuple[SuppressionNote, ...]:
    if block is None:
        return ()
    if not isinstance(block, Mapping):
        raise UsageError(f"{source}: 'scan.suppressions' is not an object")
    notes = []
    for kind in ("expired", "unused"):
        entries = block.get(kind) or []
        if not isinstance(entries, list):
            raise UsageError(f"{source}: 'scan.suppressions.{kind}' is not a list")
        for i, e in enumerate(entries):
            where = f"{source}: 'scan.suppressions.{kind}' entry {i}"
            if not isinstance(e, Mapping) or not isinstance(e.get("check"), str):
                raise UsageError(f"{where} is not an object with a 'check'")
            bad = [k for k in _NOTE_STRINGS if k in e and not isinstance(e[k], str)]
            if bad or type(e.get("matched", 0)) is not int:
                raise UsageError(f"{where} has a bad {(bad or ['matched'])[0]!r}")
            expires = e.get("expires")
            try:
                day = dt.date.fromisoformat(expires) if expires is not None else None
            except (TypeError, ValueError):
                raise UsageError(f"{where} has a bad 'expires': {expires!r}") from None
            notes.append(
                SuppressionNote(
                    kind=kind,
                    check=e["check"],
                    reason=e.get("reason", ""),
                    resource=e.get("resource", "*"),
                    region=e.get("region", "*"),
                    account=e.get("account", "*"),
                    expires=day,
                    source=e.get("source", ""),
                    matched=e.get("matched", 0),
                    tags=_tag_pairs(e.get("tags"), f"{where} has bad 'tags'"),
                )
            )
    return tuple(notes)
