"""ASFF reporter: findings botocore's own Security Hub model accepts, within ASFF's
documented limits, with stable ids, and an import into moto's Security Hub."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, cast

import boto3
import botocore.session
from botocore.model import ListShape, StructureShape
from botocore.validate import ParamValidator
from report_helpers import ACCOUNT, STAGE, T0, finding, report

from awsobs.compliance import FRAMEWORKS, mappings_of
from awsobs.model import Finding, Report, Status
from awsobs.report.asff import RESOURCE_TYPES, UNKNOWN_REASON, clip, render, to_asff

_MODEL = botocore.session.get_session().get_service_model("securityhub")
OP = _MODEL.operation_model("BatchImportFindings")
INPUT = cast(StructureShape, OP.input_shape)
FINDING_SHAPE = cast(StructureShape, cast(ListShape, INPUT.members["Findings"]).member)
RESOURCE = cast(StructureShape, cast(ListShape, FINDING_SHAPE.members["Resources"]).member)
DETAIL_TYPES = set(cast(StructureShape, RESOURCE.members["Details"]).members)
NAMESPACES = {
    "Software and Configuration Checks",
    "TTPs",
    "Effects",
    "Unusual Behaviors",
    "Sensitive Data Identifications",
}
# A control char, a lone surrogate and an astral char (2 UTF-16 units) in a long message.
HOSTILE = ('logs\x01off\x1b \ud800 <&> "q" \U0001f4a5 ' * 80)[:2500]
TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"
CN_TRAIL = f"arn:aws-cn:cloudtrail:cn-north-1:{ACCOUNT}:trail/main"
TABLE = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders"
DENIED = {"error": {"kind": "denied", "action": "config:DescribeConfigurationRecorders"}}


def full_report(finished: dt.datetime | None = None) -> Report:
    """FAIL, PASS, UNKNOWN, NOT_APPLICABLE, a suppressed FAIL, global findings in two
    partitions, mapped and unmapped checks, a plugin check and a hostile message."""
    access, xray, eu = "apigw.rest.access_logging", "apigw.rest.xray_tracing", "eu-west-1"
    multi, config = "cloudtrail.multi_region", "config.recorder_all_regions"
    items = (
        finding(multi, Status.PASS, TRAIL, region="global", resource_type="AWS::CloudTrail::Trail"),
        finding(multi, Status.FAIL, ACCOUNT, region="global", resource_type="AWS::::Account"),
        finding(
            multi, Status.PASS, CN_TRAIL, region="global", resource_type="AWS::CloudTrail::Trail"
        ),
        finding(config, Status.UNKNOWN, ACCOUNT, resource_type="AWS::::Account", evidence=DENIED),
        finding(
            "cloudtrail.dynamodb_data_events",
            Status.FAIL,
            TABLE,
            region=eu,
            resource_type="AWS::DynamoDB::Table",
        ),
        finding(access, Status.FAIL, STAGE.format("prod"), message=HOSTILE),
        finding(
            access,
            Status.FAIL,
            STAGE.format("dev"),
            suppressed=True,
            suppression_reason="sandbox stage",
        ),
        finding(xray, Status.NOT_APPLICABLE, eu, region=eu, message="no REST APIs"),
        finding(
            "plugin.custom", Status.FAIL, "thing-1", resource_type="AWS::Foo::Bar", message="   "
        ),
    )
    rep: Report = report(*items)
    return dataclasses.replace(rep, finished_at=finished) if finished else rep


def by_resource(batch: list[dict[str, Any]], check: str, resource: str) -> dict[str, Any]:
    (hit,) = (
        a
        for a in batch
        if a["ProductFields"]["awsobs/check_id"] == check and a["Resources"][0]["Id"] == resource
    )
    return hit


def chunks(batch: list[dict[str, Any]], size: int = 100) -> Iterator[list[dict[str, Any]]]:
    """BatchImportFindings takes at most 100 findings a call."""
    for i in range(0, len(batch), size):
        yield batch[i : i + size]


def validate(batch: list[dict[str, Any]]) -> None:
    for part in chunks(batch):
        errors = ParamValidator().validate({"Findings": part}, INPUT)
        assert not errors.has_errors(), errors.generate_report()


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


# ---------------------------------------------------------------------------- format


def test_validates_against_botocore_model() -> None:
    rep = full_report()
    batch = to_asff(rep)
    validate(batch)
    assert json.loads(render(rep)) == batch
    text = render(rep)
    assert text.endswith("]\n") and "\\ud800" not in text
    text.encode("utf-8")  # no lone surrogate left to fail encoding


def test_required_fields_types_and_limits() -> None:
    batch = to_asff(full_report())
    assert batch
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    for a in batch:
        assert set(FINDING_SHAPE.required_members) <= set(a)
        assert a["SchemaVersion"] == "2018-10-08"
        assert re.fullmatch(r"\d{12}", a["AwsAccountId"])
        for key in ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"):
            assert iso.match(a[key]), a[key]
            assert dt.datetime.fromisoformat(a[key]) == T0 + dt.timedelta(seconds=2.25)
        assert 1 <= len(a["Types"]) <= 50
        for t in a["Types"] + a["FindingProviderFields"]["Types"]:
            parts = t.split("/")
            assert len(parts) == 3 and parts[0] in NAMESPACES and all(parts), t
        assert utf16(a["Title"]) <= 256
        assert utf16(a["Description"]) <= 1024
        assert len(a["Id"]) <= 512 and len(a["GeneratorId"]) <= 512
        assert 12 <= len(a["ProductArn"]) <= 2048
        assert len(a["Region"]) <= 16 and a["Region"] != "global"
        assert len(a["Severity"]["Original"]) <= 64
        assert a["FindingProviderFields"]["Severity"] == a["Severity"]
        assert len(a["Compliance"].get("RelatedRequirements", [])) <= 32
        fields = a["ProductFields"]
        assert len(fields) <= 50
        assert all(len(k) <= 128 and utf16(v) <= 2048 for k, v in fields.items())
        (res,) = a["Resources"]
        assert len(res["Type"]) <= 256 and len(res["Region"]) <= 16
        if "Remediation" in a:
            assert utf16(a["Remediation"]["Recommendation"]["Text"]) <= 512
        # Every ASFF string has the pattern `.*\S.*`: something besides whitespace.
        assert all(s.strip() for s in strings(a))
        assert a["RecordState"] == "ACTIVE"


def test_hostile_message_kept_exact_then_cut() -> None:
    a = by_resource(to_asff(full_report()), "apigw.rest.access_logging", STAGE.format("prod"))
    desc = a["Description"]
    assert desc.endswith("…") and utf16(desc) <= 1024
    assert desc[:-1] == HOSTILE.replace("\ud800", "\ufffd")[: len(desc) - 1]
    assert "\x01" in desc and "\U0001f4a5" in desc
    assert clip("ab\U0001f4a5", 3) == "ab…"  # an astral char is 2 units: never half kept
    assert clip("abc", 3) == "abc"


def test_blank_message_falls_back_to_title() -> None:
    a = by_resource(to_asff(full_report()), "plugin.custom", "thing-1")
    assert a["Description"] == a["Title"] == "Title of plugin.custom"
    assert a["Resources"][0]["Type"] == "Other"
    assert "RelatedRequirements" not in a["Compliance"]


# ---------------------------------------------------------------------------- ids


def test_id_is_stable_across_scans_and_distinct_per_resource() -> None:
    later = T0 + dt.timedelta(days=1)
    first, second = to_asff(full_report()), to_asff(full_report(later))
    assert [a["Id"] for a in first] == [a["Id"] for a in second]
    assert all(b["UpdatedAt"] > a["UpdatedAt"] for a, b in zip(first, second, strict=True))
    ids = [a["Id"] for a in first]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("awsobs/") and len(i) <= 512 for i in ids)
    a = by_resource(first, "cloudtrail.multi_region", TRAIL)
    assert a["GeneratorId"] == "awsobs/cloudtrail.multi_region"
    assert re.fullmatch(r"awsobs/cloudtrail\.multi_region/[0-9a-f]{64}", a["Id"])


# ---------------------------------------------------------------------------- statuses


def test_statuses_and_severities() -> None:
    rep = full_report()
    batch = to_asff(rep)
    assert len(batch) == sum(f.status is not Status.NOT_APPLICABLE for f in rep.findings)
    assert "NOT_APPLICABLE" not in {a["ProductFields"]["awsobs/status"] for a in batch}
    passed = by_resource(batch, "cloudtrail.multi_region", TRAIL)
    assert passed["Compliance"]["Status"] == "PASSED"
    assert passed["Severity"] == {"Label": "INFORMATIONAL", "Original": "high"}
    failed = by_resource(batch, "cloudtrail.multi_region", ACCOUNT)
    assert failed["Compliance"]["Status"] == "FAILED"
    assert failed["Severity"] == {"Label": "HIGH", "Original": "high"}
    assert failed["Workflow"] == {"Status": "NEW"}
    assert failed["Resources"][0]["Type"] == "AwsAccount"
    unknown = by_resource(batch, "config.recorder_all_regions", ACCOUNT)
    assert unknown["Compliance"]["Status"] == "WARNING"
    (reason,) = unknown["Compliance"]["StatusReasons"]
    assert reason == {"ReasonCode": UNKNOWN_REASON, "Description": f"UNKNOWN on {ACCOUNT}"}
    assert unknown["ProductFields"]["awsobs/error_action"] == DENIED["error"]["action"]
    assert "awsobs/error_code" not in unknown["ProductFields"]  # empty values are left out
    assert "StatusReasons" not in failed["Compliance"]


def test_suppressed_finding_is_suppressed_in_the_workflow() -> None:
    a = by_resource(to_asff(full_report()), "apigw.rest.access_logging", STAGE.format("dev"))
    assert a["Workflow"] == {"Status": "SUPPRESSED"}
    assert a["Compliance"]["Status"] == "FAILED"  # the verdict stays
    assert a["ProductFields"]["awsobs/suppressed"] == "true"
    assert a["ProductFields"]["awsobs/suppression_reason"] == "sandbox stage"


def test_global_findings_use_the_partitions_global_region() -> None:
    batch = to_asff(full_report())
    aws = by_resource(batch, "cloudtrail.multi_region", TRAIL)
    assert aws["Region"] == aws["Resources"][0]["Region"] == "us-east-1"
    assert aws["ProductArn"] == (
        f"arn:aws:securityhub:us-east-1:{ACCOUNT}:product/{ACCOUNT}/default"
    )
    cn = by_resource(batch, "cloudtrail.multi_region", CN_TRAIL)
    assert cn["Region"] == "cn-north-1"
    assert cn["Resources"][0]["Partition"] == "aws-cn"
    assert cn["ProductArn"].startswith("arn:aws-cn:securityhub:cn-north-1:")
    eu = by_resource(batch, "cloudtrail.dynamodb_data_events", TABLE)
    assert eu["Region"] == "eu-west-1" and eu["ProductArn"].startswith("arn:aws:securityhub:eu-")


# ---------------------------------------------------------------------------- compliance


def test_compliance_comes_from_the_mappings() -> None:
    batch = to_asff(full_report())
    a = by_resource(batch, "cloudtrail.multi_region", TRAIL)
    mapping = mappings_of("cloudtrail.multi_region")
    assert a["Compliance"]["SecurityControlId"] == "CloudTrail.1"
    reqs = a["Compliance"]["RelatedRequirements"]
    assert "CIS AWS Foundations Benchmark v3.0.0/3.1" in reqs
    expected = [
        f"{FRAMEWORKS[fw].name}/{i}"
        for fw, ids in mapping.items()
        if fw.startswith("cis-")
        for i in ids
    ]
    assert reqs == expected
    assert not any("CloudTrail.1" in r or "multi-region" in r for r in reqs)
    fields = a["ProductFields"]
    assert fields["awsobs/aws-config-rules"] == "multi-region-cloudtrail-enabled"
    assert fields["awsobs/aws-securityhub-controls"] == "CloudTrail.1"
    assert a["Types"][-1].endswith("/CIS AWS Foundations Benchmark")

    config = by_resource(batch, "config.recorder_all_regions", ACCOUNT)
    assert config["Compliance"]["SecurityControlId"] == "Config.1"
    assert "CIS AWS Foundations Benchmark v3.0.0/3.3" in config["Compliance"]["RelatedRequirements"]
    assert config["ProductFields"]["awsobs/compliance_note"].startswith("looser than CIS")
    assert "awsobs/aws-config-rules" not in config["ProductFields"]

    bare = by_resource(batch, "cloudtrail.dynamodb_data_events", TABLE)
    assert bare["Compliance"] == {"Status": "FAILED"}
    assert bare["Types"] == [
        "Software and Configuration Checks/AWS Security Best Practices/Observability"
    ]
    assert bare["Resources"][0]["Type"] == "AwsDynamoDbTable"
    assert bare["Remediation"]["Recommendation"]["Text"].startswith("aws cloudtrail")


def test_resource_types_are_asff_types() -> None:
    # AwsAccount has no Details object, but Security Hub's own account findings use it.
    assert set(RESOURCE_TYPES.values()) - DETAIL_TYPES == {"AwsAccount"}


# ---------------------------------------------------------------------------- moto


def import_all(session: boto3.Session, batch: list[dict[str, Any]]) -> int:
    """Import the way Security Hub wants it: per Region of the ProductArn, 100 a call.
    Returns the FailedCount total."""
    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in batch:
        by_region[a["ProductArn"].split(":")[3]].append(a)
    failed = 0
    for region, items in by_region.items():
        hub = session.client("securityhub", region_name=region)
        hub.enable_security_hub()
        for part in chunks(items):
            failed += hub.batch_import_findings(Findings=part)["FailedCount"]
    return failed


def stored(session: boto3.Session, regions: set[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for region in sorted(regions):
        pages = session.client("securityhub", region_name=region).get_paginator("get_findings")
        found += [f for page in pages.paginate() for f in page["Findings"]]
    return found


def many(n: int) -> list[Finding]:
    return [
        finding("apigw.rest.access_logging", Status.FAIL, STAGE.format(f"s{i}")) for i in range(n)
    ]


def test_import_into_moto_updates_instead_of_duplicating(aws: boto3.Session) -> None:
    # aws-cn findings cannot go to an aws-partition endpoint: import the aws ones.
    def batch_of(finished: dt.datetime) -> list[dict[str, Any]]:
        rep = full_report(finished)
        rep = dataclasses.replace(rep, findings=rep.findings + tuple(many(150)))
        return [a for a in to_asff(rep) if a["ProductArn"].startswith("arn:aws:")]

    first = batch_of(T0)
    assert len(first) > 100  # more than one call in us-east-1
    regions = {a["Region"] for a in first}
    assert import_all(aws, first) == 0
    assert len(stored(aws, regions)) == len(first)

    later = batch_of(T0 + dt.timedelta(days=1))
    assert import_all(aws, later) == 0
    again = stored(aws, regions)
    # moto, like Security Hub, keys a finding by Id (Security Hub: Id and ProductArn), so
    # the second scan updates the findings. moto replaces the whole record (it ignores
    # Security Hub's rules that only a later UpdatedAt counts and that Workflow is kept).
    assert len(again) == len(first)
    assert {f["Id"] for f in again} == {a["Id"] for a in first}
    assert {f["UpdatedAt"] for f in again} == {later[0]["UpdatedAt"]}
