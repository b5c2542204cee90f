"""Builders and validators for the report tests: findings and reports with fixed times and
registry metadata, SARIF validated against its 2.1.0 schema, and JUnit XML held to the
common XSD's elements and attributes."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import jsonschema
from helpers import DATA

from awsobs.model import Finding, Report, Severity, Status
from awsobs.registry import REGISTRY
from awsobs.report import render

SCHEMA = DATA / "sarif-schema-2.1.0.json"
T0 = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
ACCOUNT = "123456789012"
STAGE = "arn:aws:apigateway:us-east-1::/restapis/a1b2c3/stages/{}"
META = {c.id: c.meta for c in REGISTRY.all()}


def finding(check_id: str, status: Status, resource: str, **kw: Any) -> Finding:
    meta = META.get(check_id)
    base: dict[str, Any] = {
        "check_id": check_id,
        "title": meta.title if meta else f"Title of {check_id}",
        "severity": meta.severity if meta else Severity.MEDIUM,
        "status": status,
        "account_id": ACCOUNT,
        "region": "us-east-1",
        "resource_type": "AWS::ApiGateway::Stage",
        "resource_id": resource,
        "message": f"{status.value} on {resource}",
        "remediation": meta.remediation if meta else "",
    }
    base.update(kw)
    return Finding(**base)


def report(*items: Finding, errors: tuple[str, ...] = (), **kw: Any) -> Report:
    checks = kw.pop("checks", None) or tuple(dict.fromkeys(f.check_id for f in items))
    return Report(
        findings=items,
        started_at=T0,
        finished_at=T0 + dt.timedelta(seconds=2.25),
        accounts=(ACCOUNT,),
        regions=("us-east-1", "eu-west-1"),
        checks=checks,
        api_calls=12,
        errors=errors,
        tool_version=kw.pop("tool_version", "0.3.0"),
        **kw,
    )


# ---------------------------------------------------------------------------- SARIF

_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_FORMATS = jsonschema.FormatChecker()


def _is_uri_reference(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_CHARS.match(value))


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or (_is_uri_reference(value) and bool(_SCHEME.match(value)))


_FORMATS.checks("uri-reference")(_is_uri_reference)
_FORMATS.checks("uri")(_is_uri)


def sarif(rep: Report) -> dict[str, Any]:
    """Render, then validate against the SARIF 2.1.0 schema (formats included)."""
    log: dict[str, Any] = json.loads(render(rep, "sarif"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema, format_checker=_FORMATS).validate(log)
    return log


# ---------------------------------------------------------------------------- JUnit

_COUNTS = ("tests", "failures", "errors", "skipped")
_ATTRS = {
    "testsuites": {"name", "disabled", "time", *_COUNTS},
    "testsuite": {"name", "disabled", "time", "timestamp", "hostname", "id", "package", *_COUNTS},
    "testcase": {"name", "classname", "time", "assertions", "status"},
    "property": {"name", "value"},
    "skipped": {"message"},
    **dict.fromkeys(("failure", "error"), frozenset({"message", "type"})),
    **dict.fromkeys(("system-out", "system-err", "properties"), frozenset[str]()),
}
_CHILDREN = {
    "testsuites": {"testsuite"},
    "testsuite": {"properties", "testcase", "system-out", "system-err"},
    "testcase": {"failure", "error", "skipped", "system-out", "system-err"},
    "properties": {"property"},
}


def check_junit_structure(el: ET.Element) -> None:
    """Only the elements and attributes of the common JUnit XSD, counts as integers."""
    assert el.tag in _ATTRS, el.tag
    assert set(el.attrib) <= _ATTRS[el.tag], (el.tag, el.attrib)
    for name in _COUNTS:
        if name in el.attrib:
            assert el.attrib[name].isdigit(), (el.tag, name)
    if "time" in el.attrib:
        float(el.attrib["time"])
    if el.tag == "testcase":
        assert len([c for c in el if c.tag in ("failure", "error", "skipped")]) <= 1
    for child in el:
        assert child.tag in _CHILDREN.get(el.tag, set()), (el.tag, child.tag)
        check_junit_structure(child)


def junit(rep: Report) -> ET.Element:
    text = render(rep, "junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))  # expat: strict well-formedness
    assert root.tag == "testsuites"
    check_junit_structure(root)
    return root


def counts(el: ET.Element) -> tuple[int, ...]:
    return tuple(int(el.attrib[k]) for k in _COUNTS)
