"""JUnit XML for CI test views (GitHub test reporters, GitLab, Jenkins).

One test suite per check with findings, one test case per finding: FAIL is a failure,
UNKNOWN an error (the check could not run), NOT_APPLICABLE and anything suppressed are
skipped, PASS passes. A suite's properties name the check's compliance mappings
(`compliance.cis-aws-3.0` = `3.3`). Scan errors get their own suite, `awsobs.errors`. Text from the
account may hold characters XML 1.0 cannot carry, so those are dropped; the rest is
escaped by ElementTree (markup characters as entities, everything outside ASCII as
character references, so the UTF-8 declaration holds whatever encoding the caller writes
it in), and a carriage return in element text as `&#13;`, which a parser would otherwise
read as a newline.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from awsobs.compliance import mappings_of
from awsobs.model import Finding, Report, Status

ERRORS_SUITE = "awsobs.errors"
# Everything outside XML 1.0's Char production: C0 controls but tab/LF/CR, surrogates
# (only lone ones can occur in a str), U+FFFE and U+FFFF.
_INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """`text` as a string with every character XML 1.0 forbids removed."""
    return _INVALID_XML.sub("", "" if text is None else str(text))


def _el(
    parent: ET.Element | None, tag: str, text: str | None = None, **attrs: object
) -> ET.Element:
    """A sub-element whose attributes and text are made XML-safe."""
    clean = {k: xml_safe(v) for k, v in attrs.items()}
    el = ET.Element(tag, clean) if parent is None else ET.SubElement(parent, tag, clean)
    if text is not None:
        el.text = xml_safe(text)
    return el


def _timestamp(ts: dt.datetime) -> str:
    """ISO 8601 in UTC without offset, as the common JUnit schema's timestamp wants."""
    if ts.tzinfo is not None:
        ts = ts.astimezone(dt.UTC).replace(tzinfo=None)
    return ts.isoformat(timespec="seconds")


def _details(f: Finding) -> str:
    lines = [
        f.message,
        "",
        f"Check: {f.check_id} ({f.title})",
        f"Severity: {f.severity.value}",
        f"Resource: {f.resource_type} {f.resource_id}",
        f"Account: {f.account_id}  Region: {f.region}",
    ]
    if f.remediation:
        lines.append(f"Remediation: {f.remediation}")
    return "\n".join(lines)


def _outcome(f: Finding) -> str:
    """'failure', 'error', 'skipped' or 'pass' for one finding."""
    if f.status in (Status.FAIL, Status.UNKNOWN) and f.suppressed:
        return "skipped"
    return {
        Status.FAIL: "failure",
        Status.UNKNOWN: "error",
        Status.NOT_APPLICABLE: "skipped",
    }.get(f.status, "pass")


def _testcase(suite: ET.Element, f: Finding, multi_account: bool) -> str:
    name = f"{f.region} {f.resource_id}"
    if multi_account:
        name = f"{f.account_id} {name}"
    case = _el(suite, "testcase", classname=f"awsobs.{f.check_id}", name=name, time="0")
    outcome = _outcome(f)
    if outcome == "skipped" and f.suppressed:
        reason = f.suppression_reason or "no reason given"
        _el(case, "skipped", message=f"suppressed: {reason}")
    elif outcome == "skipped":
        _el(case, "skipped", message=f.message)
    elif outcome == "failure":
        _el(case, "failure", _details(f), message=f.message, type=f.severity.value)
    elif outcome == "error":
        _el(case, "error", _details(f), message=f.message, type="UNKNOWN")
    return outcome


def _properties(suite: ET.Element, check_id: str) -> None:
    """`<property name="compliance.cis-aws-3.0" value="3.3"/>`, one per framework the
    check maps to (several ids joined by spaces), before the suite's test cases."""
    mapping = mappings_of(check_id)
    if not mapping:
        return
    props = _el(suite, "properties")
    for framework, ids in mapping.items():
        _el(props, "property", name=f"compliance.{framework}", value=" ".join(ids))


def _set_counts(el: ET.Element, counts: dict[str, int]) -> None:
    el.set("tests", str(sum(counts.values())))
    for key in ("failure", "error", "skipped"):
        el.set(f"{key}s" if key != "skipped" else key, str(counts[key]))


def to_element(report: Report) -> ET.Element:
    """The report as a `<testsuites>` element (what `render` serializes)."""
    stamp = _timestamp(report.started_at)
    root = _el(None, "testsuites", name="awsobs")
    total = dict.fromkeys(("pass", "failure", "error", "skipped"), 0)
    by_check: dict[str, list[Finding]] = {c: [] for c in report.checks}
    for f in report.findings:
        by_check.setdefault(f.check_id, []).append(f)
    multi_account = len({f.account_id for f in report.findings}) > 1
    for check_id, findings in by_check.items():
        if not findings:
            continue
        suite = _el(root, "testsuite", name=check_id, timestamp=stamp, hostname="awsobs")
        _properties(suite, check_id)
        counts = dict.fromkeys(total, 0)
        for f in findings:
            counts[_testcase(suite, f, multi_account)] += 1
        _set_counts(suite, counts)
        suite.set("time", "0")
        for key, n in counts.items():
            total[key] += n
    if report.errors:
        suite = _el(root, "testsuite", name=ERRORS_SUITE, timestamp=stamp, hostname="awsobs")
        for i, error in enumerate(report.errors, 1):
            case = _el(suite, "testcase", classname=ERRORS_SUITE, name=f"error {i}", time="0")
            first = error.splitlines()[0] if error.strip() else "error"
            _el(case, "error", error, message=first, type="ScanError")
        counts = {"pass": 0, "failure": 0, "error": len(report.errors), "skipped": 0}
        _set_counts(suite, counts)
        suite.set("time", "0")
        total["error"] += len(report.errors)
    _set_counts(root, total)
    root.set("time", f"{max(report.duration_s, 0.0):.3f}")
    return root


def render(report: Report) -> str:
    """The report as a JUnit XML document (ASCII with character references)."""
    root = to_element(report)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="us-ascii", xml_declaration=False)
    # ElementTree writes CR in attributes as &#13; but raw in text, where XML parsers turn it
    # into LF; indentation adds none, so every raw CR left is text from the account.
    text = body.decode("ascii").replace("\r", "&#13;")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"
