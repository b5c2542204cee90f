"""SARIF and JUnit reporters: schema-valid SARIF that GitHub code scanning accepts, and
strict, allow-listed JUnit XML with the counts CI test views show."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from report_helpers import _SCHEME, ACCOUNT, META, STAGE, counts, finding, junit, report, sarif

from awsobs.model import Report, Severity, Status, SuppressionNote
from awsobs.report import render
from awsobs.report.sarif import _code_span

# Control characters, a lone surrogate and U+FFFF (all invalid in XML 1.0) around markup.
NASTY = 'stage "prod" <&> logs\x01off\x1b\ud800\uffff café'
NASTY_CLEAN = 'stage "prod" <&> logsoff café'


def full_report() -> Report:
    """Every status, suppressed FAIL and UNKNOWN, a scan error and an expired suppression."""
    trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"
    access, xray, eu = "apigw.rest.access_logging", "apigw.rest.xray_tracing", "eu-west-1"
    items = (
        finding("cloudtrail.multi_region", Status.PASS, trail, region="global"),
        finding("cloudtrail.multi_region", Status.FAIL, ACCOUNT, region="global"),
        finding(access, Status.FAIL, STAGE.format("prod"), message=NASTY),
        finding(access, Status.FAIL, STAGE.format("sandbox"), **suppressed("sandbox stage")),
        finding(access, Status.UNKNOWN, STAGE.format("eu"), region=eu, message="AccessDenied"),
        finding(xray, Status.FAIL, STAGE.format("prod")),
        finding(xray, Status.NOT_APPLICABLE, eu, region=eu, message="no REST APIs"),
        finding("ec2.cwagent_metrics", Status.UNKNOWN, "i-0abc", **suppressed("agent rollout")),
    )
    note = SuppressionNote("expired", "ec2.*", "old", expires=dt.date(2026, 1, 1), matched=2)
    return report(
        *items,
        checks=(*dict.fromkeys(f.check_id for f in items), "apigw.rest.execution_logging"),
        errors=("could not load checks from plugin 'x': ImportError: boom",),
        suppression_notes=(note,),
    )


def suppressed(reason: str) -> dict[str, Any]:
    return {"suppressed": True, "suppression_reason": reason}


# ---------------------------------------------------------------------------- SARIF


def test_sarif_validates_and_maps_statuses() -> None:
    rep = full_report()
    log = sarif(rep)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "awsobs"
    assert driver["version"] == driver["semanticVersion"] == "0.3.0"
    results = run["results"]
    assert len(results) == sum(f.status is Status.FAIL for f in rep.findings) == 4
    assert {r["properties"]["status"] for r in results} == {"FAIL"}
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(rep.checks)
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        (loc,) = r["locations"]
        art = loc["physicalLocation"]["artifactLocation"]
        assert art["uriBaseId"] == "AWSOBS_ACCOUNT"
        assert art["uri"].startswith(f"aws/{ACCOUNT}/") and ":" not in art["uri"]
        assert loc["logicalLocations"][0]["fullyQualifiedName"] == r["properties"]["resource_id"]
    prod = next(r for r in results if r["properties"]["resource_id"] == STAGE.format("prod"))
    art = prod["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art["uri"] == f"aws/{ACCOUNT}/us-east-1/apigw"
    assert prod["message"]["text"].startswith(NASTY.replace("\ud800", "\ufffd") + " Fix: ")
    base = run["originalUriBaseIds"]["AWSOBS_ACCOUNT"]["uri"]
    assert base.endswith("/") and _SCHEME.match(base)


def test_sarif_suppressed_fail_carries_external_suppression() -> None:
    results = sarif(full_report())["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["properties"]["resource_id"] == STAGE.format("sandbox")
    assert suppressed[0]["suppressions"] == [{"kind": "external", "justification": "sandbox stage"}]


def test_sarif_unknown_and_errors_become_notifications() -> None:
    (invocation,) = sarif(full_report())["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["startTimeUtc"] == "2026-11-21T12:00:00.000Z"
    assert invocation["endTimeUtc"] == "2026-11-21T12:00:02.250Z"
    notes = invocation["toolExecutionNotifications"]
    warnings = [n for n in notes if n["level"] == "warning"]
    assert [n["message"]["text"] for n in warnings] == [
        f"apigw.rest.access_logging on {STAGE.format('eu')} (eu-west-1): AccessDenied"
    ]
    assert warnings[0]["descriptor"] == {"id": "apigw.rest.access_logging"}
    errors = [n["message"]["text"] for n in notes if n["level"] == "error"]
    assert errors == ["could not load checks from plugin 'x': ImportError: boom"]
    quiet = [n["message"]["text"] for n in notes if n["level"] == "note"]
    assert any("ec2.cwagent_metrics" in t and "suppressed: agent rollout" in t for t in quiet)
    assert any("expired" in t for t in quiet)
    clean = sarif(report(finding("cloudtrail.multi_region", Status.PASS, ACCOUNT)))
    assert clean["runs"][0]["invocations"][0]["executionSuccessful"] is True
    assert clean["runs"][0]["results"] == []


def fingerprints(log: dict[str, Any]) -> dict[str, str]:
    results = log["runs"][0]["results"]
    return {r["properties"]["resource_id"]: r["partialFingerprints"]["awsobs/v1"] for r in results}


def test_sarif_fingerprints_are_stable_per_resource() -> None:
    key = finding("apigw.rest.access_logging", Status.FAIL, STAGE.format("prod"))
    other = finding("apigw.rest.access_logging", Status.FAIL, STAGE.format("dev"))
    first = sarif(report(key, tool_version="0.3.0"))
    second = sarif(
        report(other, dataclasses.replace(key, message="worded differently"), tool_version="")
    )
    a, b = (fingerprints(log) for log in (first, second))
    expected = f"apigw.rest.access_logging|{ACCOUNT}|us-east-1|{STAGE.format('prod')}"
    assert a[STAGE.format("prod")] == b[STAGE.format("prod")]
    assert a[STAGE.format("prod")] == hashlib.sha256(expected.encode()).hexdigest()
    assert b[STAGE.format("dev")] != b[STAGE.format("prod")]
    assert second["runs"][0]["tool"]["driver"]["version"] == "0"
    assert "semanticVersion" not in second["runs"][0]["tool"]["driver"]


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.0"),
        (Severity.HIGH, "error", "7.0"),
        (Severity.MEDIUM, "warning", "5.0"),
        (Severity.LOW, "note", "3.0"),
        (Severity.INFO, "note", "0.0"),
    ],
)
def test_sarif_levels_follow_severity(severity: Severity, level: str, score: str) -> None:
    item = finding("plugin.custom_check", Status.FAIL, "r-1", severity=severity)
    run = sarif(report(item))["runs"][0]
    (rule,) = run["tool"]["driver"]["rules"]
    assert run["results"][0]["level"] == level
    assert rule["defaultConfiguration"]["level"] == level
    assert rule["properties"]["security-severity"] == score
    assert rule["shortDescription"]["text"] == "Title of plugin.custom_check"  # fallback


def test_sarif_rules_carry_registry_metadata() -> None:
    meta = META["cloudtrail.multi_region"]
    rules = sarif(full_report())["runs"][0]["tool"]["driver"]["rules"]
    rule = next(r for r in rules if r["id"] == "cloudtrail.multi_region")
    assert rule["name"] == "CloudtrailMultiRegion"
    assert rule["shortDescription"]["text"] == meta.title
    assert rule["fullDescription"]["text"] == meta.docs.strip()
    assert meta.remediation in rule["help"]["text"] and meta.docs.strip() in rule["help"]["text"]
    assert rule["help"]["markdown"].endswith(f"**Remediation:** `{meta.remediation}`")
    assert rule["properties"] == {
        "security-severity": "7.0",
        "tags": [
            "observability",
            "cloudtrail",
            "cis-aws-1.4/3.1",
            "cis-aws-3.0/3.1",
            "cis-aws-5.0/3.1",
            "aws-securityhub/CloudTrail.1",
            "aws-config/multi-region-cloudtrail-enabled",
        ],
        "precision": "high",
        "compliance": {
            "cis-aws-1.4": ["3.1"],
            "cis-aws-3.0": ["3.1"],
            "cis-aws-5.0": ["3.1"],
            "aws-securityhub": ["CloudTrail.1"],
            "aws-config": ["multi-region-cloudtrail-enabled"],
        },
    }
    assert "helpUri" not in rule
    assert _code_span("run `a` then") == "``run `a` then``"  # placeholders stay literal


def test_sarif_output_is_deterministic() -> None:
    assert render(full_report(), "sarif") == render(full_report(), "sarif")
    assert render(full_report(), "sarif").endswith("}\n")


# ---------------------------------------------------------------------------- JUnit


def test_junit_counts_at_root_and_per_suite() -> None:
    root = junit(full_report())
    assert root.attrib["name"] == "awsobs"
    assert root.attrib["time"] == "2.250"
    assert counts(root) == (9, 3, 2, 3)
    suites = {s.attrib["name"]: s for s in root}
    # apigw.rest.execution_logging ran but found nothing: no suite
    assert list(suites) == [*full_report().checks[:-1], "awsobs.errors"]
    assert counts(suites["cloudtrail.multi_region"]) == (2, 1, 0, 0)
    assert counts(suites["apigw.rest.access_logging"]) == (3, 1, 1, 1)
    assert counts(suites["apigw.rest.xray_tracing"]) == (2, 1, 0, 1)
    assert counts(suites["ec2.cwagent_metrics"]) == (1, 0, 0, 1)
    assert counts(suites["awsobs.errors"]) == (1, 0, 1, 0)
    for suite in root:
        assert len(suite.findall("testcase")) == int(suite.attrib["tests"])
        assert suite.attrib["timestamp"] == "2026-11-21T12:00:00"


def test_junit_outcomes_per_status() -> None:
    suites = {s.attrib["name"]: s for s in junit(full_report())}
    cases = {c.attrib["name"]: c for s in suites.values() for c in s.findall("testcase")}
    passed = cases[f"global arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"]
    assert passed.attrib["classname"] == "awsobs.cloudtrail.multi_region"
    assert list(passed) == []
    failure = cases[f"global {ACCOUNT}"].find("failure")
    assert failure is not None and failure.attrib["type"] == "high"
    meta = META["cloudtrail.multi_region"]
    assert f"Remediation: {meta.remediation}" in (failure.text or "")
    error = cases[f"eu-west-1 {STAGE.format('eu')}"].find("error")
    assert error is not None
    assert error.attrib == {"message": "AccessDenied", "type": "UNKNOWN"}
    skipped = cases["eu-west-1 eu-west-1"].find("skipped")
    assert skipped is not None and skipped.attrib == {"message": "no REST APIs"}
    for name, reason in [
        (f"us-east-1 {STAGE.format('sandbox')}", "sandbox stage"),
        ("us-east-1 i-0abc", "agent rollout"),
    ]:
        (only,) = list(cases[name])
        assert only.tag == "skipped" and only.attrib == {"message": f"suppressed: {reason}"}
    (scan_error,) = suites["awsobs.errors"].findall("testcase/error")
    assert scan_error.attrib["message"].startswith("could not load checks from plugin 'x'")


def test_junit_strips_invalid_characters_but_keeps_text() -> None:
    text = render(full_report(), "junit")
    assert text.isascii()
    for bad in ("\x01", "\x1b", "&#1;", "&#27;", "\ud800", "\uffff"):
        assert bad not in text
    root = junit(full_report())
    case = root.find(f"testsuite/testcase[@name='us-east-1 {STAGE.format('prod')}']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None
    assert failure.attrib["message"] == NASTY_CLEAN
    assert (failure.text or "").startswith(NASTY_CLEAN + "\n")


def test_junit_names_the_account_when_a_report_spans_several() -> None:
    items = [finding("ec2.cwagent_metrics", Status.PASS, "i-1", account_id=a) for a in "12"]
    names = [c.attrib["name"] for c in junit(report(*items)).iter("testcase")]
    assert names == ["1 us-east-1 i-1", "2 us-east-1 i-1"]


def test_junit_without_findings_or_errors_is_an_empty_valid_document() -> None:
    root = junit(report(checks=("cloudtrail.multi_region",)))
    assert counts(root) == (0, 0, 0, 0)
    assert list(root) == []


def test_junit_suites_name_their_checks_compliance_as_properties() -> None:
    rep = report(
        finding("config.recorder_all_regions", Status.FAIL, ACCOUNT),
        finding("cloudtrail.dynamodb_data_events", Status.FAIL, "trail"),
    )
    suites = {s.attrib["name"]: s for s in junit(rep)}
    config = suites["config.recorder_all_regions"]
    assert config[0].tag == "properties"  # before the test cases, as the JUnit XSD orders it
    props = {p.attrib["name"]: p.attrib["value"] for p in config[0]}
    assert props == {
        "compliance.cis-aws-1.4": "3.5",
        "compliance.cis-aws-3.0": "3.3",
        "compliance.cis-aws-5.0": "3.3",
        "compliance.aws-securityhub": "Config.1",
    }
    assert suites["cloudtrail.dynamodb_data_events"].find("properties") is None


def test_a_lone_surrogate_in_a_resource_id_gets_a_fingerprint_not_a_crash() -> None:
    from awsobs.report.sarif import fingerprint

    odd = finding("apigw.rest.execution_logging", Status.FAIL, "stage-\ud800")
    plain = finding("apigw.rest.execution_logging", Status.FAIL, "stage-a")
    assert len(fingerprint(odd)) == 64 and fingerprint(odd) != fingerprint(plain)
    for fmt in ("sarif", "ocsf", "asff"):
        json.loads(render(report(odd), fmt))  # strict JSON, no UnicodeEncodeError
