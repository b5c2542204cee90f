"""OCSF reporter: every finding is one OCSF 1.5.0 Compliance Finding (class 2003) that
validates against the schema generated from the compiled 1.5.0 export
(tests/data/gen_ocsf_compliance_schema.py), with times in milliseconds, OCSF's status
enums and the check's compliance mappings."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from helpers import DATA
from report_helpers import ACCOUNT, STAGE, T0, finding, report

from awsobs.model import Report, Severity, Status
from awsobs.report import ocsf

SCHEMA_FILE = DATA / "ocsf-1.5.0-compliance_finding.schema.json"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"
TABLE = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"
ACCESS, MULTI, DYNAMO = (
    "apigw.rest.access_logging",
    "cloudtrail.multi_region",
    "cloudtrail.dynamodb_data_events",
)
# Control characters, markup that would close a <script>, a lone surrogate, bidi, quotes.
HOSTILE = 'logs\x00\x01\x1b[2J off </script><!-- "q" \\ \ud800 \u202eevil café'
HOSTILE_ID = STAGE.format("prod</script>\x07\ud800")
EVIDENCE = {
    "destination": {"arn": "arn:aws:logs:us-east-1:1:log-group:x", "kinds": ("cwl", "fh")},
    "stages": ({"name": "prod", "format": None, "enabled": False, "n": 3},),
    "checked_at": T0,
}


@functools.cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def validators() -> tuple[jsonschema.Draft202012Validator, jsonschema.Draft202012Validator]:
    """OCSF 1.5.0 alone, and OCSF plus the opt-in Prowler-like expectations."""
    s = schema()
    jsonschema.Draft202012Validator.check_schema(s)
    strict = {"allOf": [s, s["$defs"]["x_prowler_like_expectations"]]}
    jsonschema.Draft202012Validator.check_schema(strict)
    return jsonschema.Draft202012Validator(s), jsonschema.Draft202012Validator(strict)


def errors(event: dict[str, Any], *, strict: bool = False) -> list[str]:
    v = validators()[1 if strict else 0]
    return sorted(
        f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in v.iter_errors(event)
    )


def full_report() -> Report:
    """Every status, a suppressed FAIL, global findings, hostile text, nested evidence, a
    check mapped to CIS, Security Hub and Config, one mapped to none, and a plugin check
    this install does not know."""
    return report(
        finding(MULTI, Status.PASS, TRAIL, region="global", resource_type="AWS::CloudTrail::Trail"),
        finding(MULTI, Status.FAIL, ACCOUNT, region="global", resource_type="AWS::::Account"),
        finding(ACCESS, Status.FAIL, HOSTILE_ID, message=HOSTILE, evidence=EVIDENCE),
        finding(
            ACCESS,
            Status.FAIL,
            STAGE.format("sandbox"),
            suppressed=True,
            suppression_reason="sandbox stage",
        ),
        finding(ACCESS, Status.UNKNOWN, STAGE.format("eu"), region="eu-west-1", message="Denied"),
        finding(
            DYNAMO, Status.FAIL, TABLE, region="eu-west-1", resource_type="AWS::DynamoDB::Table"
        ),
        finding(
            DYNAMO, Status.NOT_APPLICABLE, "eu-west-1", region="eu-west-1", message="no tables"
        ),
        finding("plugin.custom", Status.FAIL, "i-0abc", resource_type="AWS::EC2::Instance"),
    )


def events(rep: Report) -> list[dict[str, Any]]:
    """Render, parse back strictly, and hold every event to both schemas."""
    text = ocsf.render(rep)
    assert text.endswith("]\n")
    parsed = json.loads(text)
    assert isinstance(parsed, list)
    for e in parsed:
        assert errors(e) == [], e["finding_info"]["uid"]
        assert errors(e, strict=True) == [], e["finding_info"]["uid"]
    return parsed


def by_status(evs: list[dict[str, Any]], status: str, check: str) -> dict[str, Any]:
    return next(
        e for e in evs if e["status_code"] == status and e["metadata"]["event_code"] == check
    )


# ---------------------------------------------------------------------------- schema


def test_every_finding_is_a_valid_ocsf_1_5_compliance_finding() -> None:
    rep = full_report()
    evs = events(rep)
    assert len(evs) == len(rep.findings) == 8
    for e in evs:
        assert (e["class_uid"], e["class_name"]) == (2003, "Compliance Finding")
        assert (e["category_uid"], e["category_name"]) == (2, "Findings")
        assert (e["activity_id"], e["activity_name"]) == (1, "Create")
        assert (e["type_uid"], e["type_name"]) == (200301, "Compliance Finding: Create")
        assert e["metadata"]["profiles"] == ["cloud", "datetime"]
        assert e["metadata"]["product"] == {
            "name": "awsobs",
            "uid": "awsobs",
            "vendor_name": "awsobs",
            "version": "0.3.0",
        }
        assert e["cloud"]["provider"] == "AWS"
        assert e["cloud"]["account"] == {"uid": ACCOUNT, "type_id": 10, "type": "AWS Account"}


def test_the_schema_has_teeth() -> None:
    good = ocsf.to_ocsf(full_report())[0]
    assert errors(good) == []
    mutations: dict[str, Callable[[dict[str, Any]], object]] = {
        "class_uid 2004 (Detection Finding)": lambda e: e.update(class_uid=2004),
        "time as a string": lambda e: e.update(time="2026-11-21T12:00:02Z"),
        "type_uid of another activity": lambda e: e.update(type_uid=200302),
        "no compliance": lambda e: e.pop("compliance"),
        "compliance.status_id outside the enum": lambda e: e["compliance"].update(status_id=4),
        "cloud profile without cloud": lambda e: e.pop("cloud"),
        "finding status_id 6 (post-1.5.0)": lambda e: e.update(status_id=6),
        "no finding_info.uid": lambda e: e["finding_info"].pop("uid"),
    }
    for label, mutate in mutations.items():
        bad = copy.deepcopy(good)
        mutate(bad)
        assert errors(bad), label
    bare = copy.deepcopy(good)
    del bare["remediation"]["references"]
    assert errors(bare) == [] and errors(bare, strict=True), "the strict fragment must bite"


# ---------------------------------------------------------------------------- mapping


def test_time_is_milliseconds_and_version_is_pinned() -> None:
    rep = full_report()
    ms = int(rep.finished_at.timestamp() * 1000)
    for e in events(rep):
        assert e["time"] == e["finding_info"]["created_time"] == ms > 10**11
        assert e["time_dt"] == "2026-11-21T12:00:02.250Z"
        assert e["metadata"]["version"] == ocsf.OCSF_VERSION == "1.5.0"


def test_statuses_map_to_ocsf_enums() -> None:
    evs = events(full_report())
    expected = {
        ("PASS", MULTI): (1, "Pass"),
        ("FAIL", MULTI): (3, "Fail"),
        ("UNKNOWN", ACCESS): (2, "Warning"),
        ("NOT_APPLICABLE", DYNAMO): (99, "Not Applicable"),
    }
    for (status, check), (status_id, caption) in expected.items():
        e = by_status(evs, status, check)
        comp = e["compliance"]
        assert (comp["status_id"], comp["status"], comp["status_code"]) == (
            status_id,
            caption,
            status,
        )
        (chk,) = comp["checks"]
        assert chk == {
            "uid": check,
            "name": comp["control"],
            "status": caption,
            "status_id": status_id,
        }
        assert e["status_detail"] == e["message"]
    suppressed = [e for e in evs if e["status_id"] == 3]
    assert [e["resources"][0]["uid"] for e in suppressed] == [STAGE.format("sandbox")]
    assert suppressed[0]["status"] == "Suppressed"
    assert suppressed[0]["compliance"]["status_id"] == 3  # the verdict stays FAIL
    assert suppressed[0]["unmapped"]["suppression_reason"] == "sandbox stage"
    assert {e["status"] for e in evs if e["status_id"] == 1} == {"New"}
    assert sum(e["status_id"] == 1 for e in evs) == 7


@pytest.mark.parametrize(
    ("severity", "severity_id", "caption"),
    [
        (Severity.CRITICAL, 5, "Critical"),
        (Severity.HIGH, 4, "High"),
        (Severity.MEDIUM, 3, "Medium"),
        (Severity.LOW, 2, "Low"),
        (Severity.INFO, 1, "Informational"),
    ],
)
def test_severity(severity: Severity, severity_id: int, caption: str) -> None:
    (e,) = events(report(finding(ACCESS, Status.FAIL, STAGE.format("p"), severity=severity)))
    assert (e["severity_id"], e["severity"]) == (severity_id, caption)


def test_compliance_comes_from_the_mappings() -> None:
    evs = events(full_report())
    multi = by_status(evs, "FAIL", MULTI)
    comp = multi["compliance"]
    assert "cis-aws-3.0/3.1" in comp["requirements"]
    assert "aws-securityhub/CloudTrail.1" in comp["requirements"]
    assert "aws-config/multi-region-cloudtrail-enabled" in comp["requirements"]
    assert comp["standards"][:2] == [
        "CIS AWS Foundations Benchmark v1.4.0",
        "CIS AWS Foundations Benchmark v3.0.0",
    ]
    assert "AWS Security Hub CSPM controls" in comp["standards"]
    assert comp["control"] == multi["finding_info"]["title"]
    assert multi["unmapped"]["compliance"]["cis-aws-3.0"] == ["3.1"]
    assert multi["unmapped"]["compliance"]["aws-securityhub"] == ["CloudTrail.1"]
    assert multi["cloud"]["region"] == multi["resources"][0]["region"] == "global"
    assert multi["finding_info"]["types"] == ["audit"]
    refs = multi["remediation"]["references"]
    assert "https://www.cisecurity.org/benchmark/amazon_web_services" in refs
    assert multi["remediation"]["desc"].startswith("aws cloudtrail update-trail")

    none = by_status(evs, "FAIL", DYNAMO)
    assert none["compliance"]["standards"] == ["awsobs"]
    assert none["compliance"]["requirements"] == [f"awsobs/{DYNAMO}"]
    assert none["unmapped"]["compliance"] == {}
    assert none["remediation"]["references"] == []

    access = by_status(evs, "UNKNOWN", ACCESS)
    assert access["compliance"]["requirements"] == [
        "aws-config/apigateway-stage-access-logs-enabled"
    ]
    assert access["unmapped"]["compliance_note"].startswith("stricter")

    plugin = by_status(evs, "FAIL", "plugin.custom")  # not registered here
    assert plugin["finding_info"]["title"] == "Title of plugin.custom"
    assert plugin["finding_info"]["desc"] == plugin["message"]
    assert "types" not in plugin["finding_info"] and "remediation" not in plugin


def test_resources_keep_aws_text_and_evidence_exactly() -> None:
    evs = events(full_report())
    hostile = next(e for e in evs if e["message"].startswith("logs"))
    (res,) = hostile["resources"]
    assert hostile["message"] == HOSTILE.replace("\ud800", "\ufffd")
    assert res["uid"] == HOSTILE_ID.replace("\ud800", "\ufffd")
    assert res["type"] == "AWS::ApiGateway::Stage"
    assert res["group"] == {"name": "apigw"}
    assert (res["region"], res["cloud_partition"]) == ("us-east-1", "aws")
    assert res["data"] == {
        "evidence": {
            "destination": {"arn": "arn:aws:logs:us-east-1:1:log-group:x", "kinds": ["cwl", "fh"]},
            "stages": [{"name": "prod", "format": None, "enabled": False, "n": 3}],
            "checked_at": T0.isoformat(),
        }
    }


@pytest.mark.parametrize(
    ("resource", "region", "partition"),
    [
        ("arn:aws-us-gov:s3:::logs", "us-gov-west-1", "aws-us-gov"),
        ("arn:aws-cn:s3:::logs", "cn-north-1", "aws-cn"),
        ("123456789012", "us-gov-east-1", "aws-us-gov"),
        ("123456789012", "cn-northwest-1", "aws-cn"),
        ("123456789012", "global", "aws"),
    ],
)
def test_cloud_partition(resource: str, region: str, partition: str) -> None:
    (e,) = events(report(finding(ACCESS, Status.FAIL, resource, region=region)))
    assert e["resources"][0]["cloud_partition"] == partition


# ---------------------------------------------------------------------------- identity


def test_finding_uid_is_stable_and_distinct() -> None:
    rep = full_report()
    later_at = rep.finished_at + dt.timedelta(days=3)
    later = dataclasses.replace(rep, started_at=later_at, finished_at=later_at)
    first, again = events(rep), events(later)
    assert first[0]["time"] != again[0]["time"]
    uids = [e["finding_info"]["uid"] for e in first]
    assert uids == [e["finding_info"]["uid"] for e in again]
    assert len(set(uids)) == len(uids)
    assert all(u.startswith("awsobs-") for u in uids)
    one = finding(ACCESS, Status.FAIL, STAGE.format("a"))
    variants = [
        dataclasses.replace(one, resource_id=STAGE.format("b")),
        dataclasses.replace(one, region="eu-west-1"),
        dataclasses.replace(one, account_id="210987654321"),
    ]
    base = ocsf.finding_uid(one)
    assert base == ocsf.finding_uid(dataclasses.replace(one, status=Status.PASS, message="x"))
    assert all(ocsf.finding_uid(v) != base for v in variants)
    assert base == f"awsobs-{ACCESS}-" + ocsf.fingerprint(one)  # SARIF's fingerprint


def test_output_is_an_array_in_report_order_and_strict_json() -> None:
    rep = full_report()
    text = ocsf.render(rep)
    assert text.startswith("[\n")
    assert "\\ud800" not in text  # strict parsers reject an escaped lone surrogate
    text.encode("utf-8")
    parsed = json.loads(text)
    assert [(e["metadata"]["event_code"], e["resources"][0]["uid"]) for e in parsed] == [
        (f.check_id, f.resource_id.replace("\ud800", "\ufffd")) for f in rep.findings
    ]
    assert parsed == json.loads(json.dumps(ocsf._no_lone_surrogates(ocsf.to_ocsf(rep))))
    assert ocsf.render(report()) == "[]\n"
