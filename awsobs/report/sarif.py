"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One rule per check, one result per FAIL finding. A suppressed FAIL is still a result, with
an external suppression, so viewers hide it while keeping the record. Findings have no
file, so each result points at a synthetic artifact `aws/<account>/<region>/<service>`
relative to the base id `AWSOBS_ACCOUNT` (`awsobs:/`), and names the resource as a
logical location. UNKNOWN findings and scan errors cannot be results (they are not
verdicts), so they become tool-execution notifications rather than vanishing.
Each rule's tags name its compliance mappings (`cis-aws-3.0/3.3`,
`aws-securityhub/Config.1`) and its property bag holds them as `compliance`.
`partialFingerprints["awsobs/v1"]` hashes check, account, region and resource, so the
same gap keeps the same alert from one scan to the next.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from awsobs.compliance import tags
from awsobs.model import CheckMeta, Finding, Report, Severity, Status
from awsobs.registry import REGISTRY

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/awsobs/awsobs"
URI_BASE_ID = "AWSOBS_ACCOUNT"
URI_BASE = "awsobs:/"
FINGERPRINT_KEY = "awsobs/v1"
_SURROGATE = re.compile("[\ud800-\udfff]")

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub reads this string: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.0",
    Severity.HIGH: "7.0",
    Severity.MEDIUM: "5.0",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def fingerprint(f: Finding) -> str:
    """A stable key for one gap: the same check on the same resource hashes the same."""
    key = f"{f.check_id}|{f.account_id}|{f.region}|{f.resource_id}"
    # surrogatepass: a name with a lone surrogate hashes instead of crashing (same bytes as
    # plain UTF-8 for every other string, so fingerprints already issued do not change)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def artifact_uri(f: Finding) -> str:
    """`aws/<account>/<region>/<service>`, each segment percent-encoded."""
    service = f.check_id.split(".", 1)[0]
    return "/".join(quote(part, safe="") for part in ("aws", f.account_id, f.region, service))


def _utc(ts: dt.datetime) -> str:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rule_name(check_id: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[._]+", check_id) if part)


def _code_span(text: str) -> str:
    """`text` as a Markdown code span, so placeholders like `<trail>` are not read as HTML."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _rule_ids(report: Report) -> list[str]:
    """The report's checks in order, then any check that only appears in a finding."""
    ids = dict.fromkeys(report.checks)
    ids.update(dict.fromkeys(f.check_id for f in report.findings))
    return list(ids)


def _rule(check_id: str, meta: CheckMeta | None, sample: Finding | None) -> dict[str, Any]:
    title = meta.title if meta else (sample.title if sample else check_id)
    severity = meta.severity if meta else (sample.severity if sample else Severity.MEDIUM)
    docs = (meta.docs if meta else "").strip() or title
    remediation = (meta.remediation if meta else (sample.remediation if sample else "")).strip()
    text, markdown = docs, docs
    if remediation:
        text += f"\n\nRemediation: {remediation}"
        markdown += f"\n\n**Remediation:** {_code_span(remediation)}"
    area = check_id.split(".", 1)[0]
    mapping = dict(meta.compliance) if meta else {}
    properties: dict[str, Any] = {
        "security-severity": SECURITY_SEVERITY[severity],
        "tags": list(dict.fromkeys(["observability", area, *tags(mapping)])),
        "precision": "high",
    }
    if mapping:
        properties["compliance"] = {k: list(v) for k, v in mapping.items()}
        if meta and meta.compliance_note:
            properties["compliance_note"] = meta.compliance_note
    return {
        "id": check_id,
        "name": _rule_name(check_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": docs},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": properties,
    }


def _result(f: Finding, index: int) -> dict[str, Any]:
    text = f.message + (f" Fix: {f.remediation}" if f.remediation else "")
    result: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(f), "uriBaseId": URI_BASE_ID},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"fullyQualifiedName": f.resource_id, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(f)},
        "properties": _properties(f),
    }
    if f.suppressed:
        result["suppressions"] = [{"kind": "external", "justification": f.suppression_reason or ""}]
    return result


def _properties(f: Finding) -> dict[str, str]:
    """Where the finding is, for SARIF consumers that read property bags."""
    return {
        "resource_type": f.resource_type,
        "resource_id": f.resource_id,
        "account_id": f.account_id,
        "region": f.region,
        "status": f.status.value,
    }


def _notifications(report: Report, index: dict[str, int]) -> Iterable[dict[str, Any]]:
    """UNKNOWN findings (warning; note when suppressed), scan errors (error), and
    suppressions that expired or went unused (note)."""
    for f in report.findings:
        if f.status is not Status.UNKNOWN:
            continue
        text = f"{f.check_id} on {f.resource_id} ({f.region}): {f.message}"
        if f.suppressed:
            text += f" [suppressed: {f.suppression_reason or 'no reason given'}]"
        yield {
            "level": "note" if f.suppressed else "warning",
            "message": {"text": text},
            "descriptor": {"id": f.check_id},
            "associatedRule": {"id": f.check_id, "index": index[f.check_id]},
            "properties": _properties(f),
        }
    for error in report.errors:
        yield {"level": "error", "message": {"text": error}}
    for note in report.suppression_notes:
        yield {"level": "note", "message": {"text": note.describe()}}


def to_sarif(report: Report) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict (what `render` serializes)."""
    metas = {c.id: c.meta for c in REGISTRY.all()}
    samples: dict[str, Finding] = {}
    for f in report.findings:
        samples.setdefault(f.check_id, f)
    ids = _rule_ids(report)
    index = {check_id: i for i, check_id in enumerate(ids)}
    driver: dict[str, Any] = {
        "name": "awsobs",
        "version": report.tool_version or "0",
        "informationUri": INFORMATION_URI,
    }
    if report.tool_version:
        driver["semanticVersion"] = report.tool_version
    driver["rules"] = [_rule(i, metas.get(i), samples.get(i)) for i in ids]
    invocation: dict[str, Any] = {
        "executionSuccessful": not report.errors,
        "startTimeUtc": _utc(report.started_at),
        "endTimeUtc": _utc(report.finished_at),
    }
    notes = list(_notifications(report, index))
    if notes:
        invocation["toolExecutionNotifications"] = notes
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {URI_BASE_ID: {"uri": URI_BASE}},
        "results": [
            _result(f, index[f.check_id]) for f in report.findings if f.status is Status.FAIL
        ],
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _no_lone_surrogates(value: Any) -> Any:
    """Replace lone surrogates (which strict JSON parsers reject) with U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {k: _no_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_no_lone_surrogates(v) for v in value]
    return value


def render(report: Report) -> str:
    """The report as a SARIF 2.1.0 log (indented ASCII JSON, one trailing newline)."""
    return json.dumps(_no_lone_surrogates(to_sarif(report)), indent=2) + "\n"
