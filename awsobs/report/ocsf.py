"""OCSF 1.5.0 Compliance Finding events (class_uid 2003), for security data lakes and SIEMs.

`--format ocsf` writes a JSON array with one event for each finding, in report order and
for every status, NOT_APPLICABLE included. Amazon Security Lake, Splunk, Sentinel and
others read OCSF without a custom parser. A compliance finding fits awsobs better than a
detection finding: each finding is one check's verdict on one resource. `finding_info.uid`
is `awsobs-<check>-<sarif fingerprint>`, which hashes check, account, region and resource,
so the same gap keeps its uid from one scan to the next.

- PASS, FAIL and UNKNOWN become `compliance.status_id` 1 Pass, 3 Fail and 2 Warning (OCSF:
  "did not yield a result due to missing information"). NOT_APPLICABLE has no OCSF status,
  so it is 99 Other with `status` "Not Applicable". OCSF says the source defines the
  caption of Other. `compliance.status_code` and the event's `status_code` hold the awsobs
  status; `checks[].status` is the caption, as OCSF asks (Prowler writes "PASS" there).
- `compliance.standards` names the frameworks the check maps to, and `requirements` lists
  `<framework id>/<id>` (`cis-aws-3.0/3.1`). A check that maps to none has the standard
  "awsobs" and the requirement `awsobs/<check>`.
- A suppressed finding keeps its verdict and has the finding `status_id` 3 Suppressed.

Differences from Prowler's `json-ocsf` output:

- Prowler's default OCSF output is a Detection Finding (2004), with compliance only in
  `unmapped.compliance`. Here each event is a Compliance Finding (2003) with a real
  `compliance` object. `unmapped.compliance` is also filled in Prowler's shape
  (`{framework: [ids]}`), for tools that read that.
- Times are in milliseconds, as OCSF's `timestamp_t` says. Prowler writes seconds.
- The top-level `cloud` is filled, because the cloud profile is declared. Prowler's
  compliance output leaves it in `unmapped.cloud`, so its events lack a required attribute.
- UNKNOWN is 2 Warning. Prowler never writes 2, and its MANUAL status is 0 Unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from awsobs.compliance import FRAMEWORKS, benchmarks, mappings_of, tags
from awsobs.model import Finding, Report, Severity, Status, thaw
from awsobs.report.sarif import _no_lone_surrogates, fingerprint
from awsobs.resources import registry_meta

OCSF_VERSION = "1.5.0"
CLASS_UID, CLASS_NAME = 2003, "Compliance Finding"
CATEGORY_UID, CATEGORY_NAME = 2, "Findings"
ACTIVITY_ID, ACTIVITY_NAME = 1, "Create"
PROFILES = ("cloud", "datetime")
PRODUCT = "awsobs"
OWN_STANDARD = "awsobs"
"""The standard of a check that maps to no framework."""

SEVERITY = {
    Severity.CRITICAL: (5, "Critical"),
    Severity.HIGH: (4, "High"),
    Severity.MEDIUM: (3, "Medium"),
    Severity.LOW: (2, "Low"),
    Severity.INFO: (1, "Informational"),
}
COMPLIANCE_STATUS = {
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.UNKNOWN: (2, "Warning"),
    Status.NOT_APPLICABLE: (99, "Not Applicable"),
}
"""awsobs status -> OCSF 1.5.0 compliance/check `status_id` and `status`."""

NEW, SUPPRESSED = (1, "New"), (3, "Suppressed")  # the finding's own status_id
AWS_ACCOUNT = (10, "AWS Account")  # account.type_id
_REGION_PARTITIONS = (
    ("us-isob-", "aws-iso-b"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("cn-", "aws-cn"),
)


def millis(ts: dt.datetime) -> int:
    """`ts` as OCSF `timestamp_t`: integer milliseconds since the epoch (naive = UTC)."""
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return int(ts.timestamp() * 1000)


def _iso(ts: dt.datetime) -> str:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=dt.UTC)
    return ts.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def partition(f: Finding) -> str:
    """The partition the resource's ARN names, else the one the region implies, else "aws"."""
    parts = f.resource_id.split(":", 2)
    if len(parts) == 3 and parts[0] == "arn" and parts[1]:
        return parts[1]
    return next((p for prefix, p in _REGION_PARTITIONS if f.region.startswith(prefix)), "aws")


def finding_uid(f: Finding) -> str:
    """Stable per check, account, region and resource: the SARIF fingerprint."""
    return f"awsobs-{f.check_id}-{fingerprint(f)}"


def _references(mapping: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The pages of the benchmarks the check maps into (CIS, Security Hub FSBP)."""
    urls = [b.url for b in benchmarks().values() if b.mapping in mapping and b.url]
    return list(dict.fromkeys(urls))


def _compliance(f: Finding, title: str, mapping: Mapping[str, tuple[str, ...]]) -> dict[str, Any]:
    status_id, caption = COMPLIANCE_STATUS[f.status]
    if mapping:
        standards = [FRAMEWORKS[fw].name if fw in FRAMEWORKS else fw for fw in mapping]
        requirements = tags(mapping)
    else:
        standards, requirements = [OWN_STANDARD], [f"{OWN_STANDARD}/{f.check_id}"]
    check = {"uid": f.check_id, "name": title, "status": caption, "status_id": status_id}
    return {
        "standards": standards,
        "requirements": requirements,
        "control": title,
        "status_id": status_id,
        "status": caption,
        "status_code": f.status.value,
        "checks": [check],
    }


def event(f: Finding, report: Report) -> dict[str, Any]:
    """One finding as one OCSF 1.5.0 Compliance Finding event."""
    meta = registry_meta(f.check_id)
    mapping = mappings_of(f.check_id)
    title = meta.title if meta else f.title
    time, time_dt = millis(report.finished_at), _iso(report.finished_at)
    severity_id, severity = SEVERITY[f.severity]
    status_id, status = SUPPRESSED if f.suppressed else NEW
    info: dict[str, Any] = {
        "uid": finding_uid(f),
        "title": title,
        "desc": (meta.docs.strip() if meta else "") or f.message,
        "created_time": time,
        "created_time_dt": time_dt,
    }
    if meta and meta.signal:
        info["types"] = [meta.signal.value]
    resource = {
        "uid": f.resource_id,
        "type": f.resource_type,
        "region": f.region,
        "cloud_partition": partition(f),
        "group": {"name": f.check_id.split(".", 1)[0]},
        "data": {"evidence": thaw(f.evidence)},
    }
    unmapped: dict[str, Any] = {"compliance": {fw: list(ids) for fw, ids in mapping.items()}}
    if meta and meta.compliance_note:
        unmapped["compliance_note"] = meta.compliance_note
    if f.suppressed:
        unmapped["suppression_reason"] = f.suppression_reason or ""
    out: dict[str, Any] = {
        "activity_id": ACTIVITY_ID,
        "activity_name": ACTIVITY_NAME,
        "category_uid": CATEGORY_UID,
        "category_name": CATEGORY_NAME,
        "class_uid": CLASS_UID,
        "class_name": CLASS_NAME,
        "type_uid": CLASS_UID * 100 + ACTIVITY_ID,
        "type_name": f"{CLASS_NAME}: {ACTIVITY_NAME}",
        "time": time,
        "time_dt": time_dt,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "status_code": f.status.value,
        "status_detail": f.message,
        "message": f.message,
        "compliance": _compliance(f, title, mapping),
        "finding_info": info,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": PRODUCT,
                "uid": PRODUCT,
                "vendor_name": PRODUCT,
                "version": report.tool_version or "0",
            },
            "event_code": f.check_id,
            "profiles": list(PROFILES),
        },
        "cloud": {
            "provider": "AWS",
            "region": f.region,
            "account": {"uid": f.account_id, "type_id": AWS_ACCOUNT[0], "type": AWS_ACCOUNT[1]},
        },
        "resources": [resource],
    }
    remediation = (f.remediation or (meta.remediation if meta else "")).strip()
    if remediation:
        out["remediation"] = {"desc": remediation, "references": _references(mapping)}
    out["unmapped"] = unmapped
    return out


def to_ocsf(report: Report) -> list[dict[str, Any]]:
    """Every finding as an OCSF event, in report order (what `render` serializes)."""
    return [event(f, report) for f in report.findings]


def render(report: Report) -> str:
    """The events as an indented JSON array (lone surrogates replaced), one trailing newline."""
    return json.dumps(_no_lone_surrogates(to_ocsf(report)), indent=2) + "\n"
