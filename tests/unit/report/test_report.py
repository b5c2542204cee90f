"""Report contracts: exit codes, the JSON shape of DESIGN.md, and the table layout."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from awsobs import Finding, Report, Severity, Status
from awsobs.report import render
from awsobs.report.table import short_resource

T0 = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)


def finding(status: Status, severity: Severity = Severity.MEDIUM, **kw: object) -> Finding:
    base = {
        "check_id": "cloudtrail.kms_encryption",
        "title": "Each trail encrypts its log files with a KMS key",
        "severity": severity,
        "status": status,
        "account_id": "123456789012",
        "region": "us-east-1",
        "resource_type": "AWS::CloudTrail::Trail",
        "resource_id": f"arn:aws:cloudtrail:us-east-1:123456789012:trail/{status.value.lower()}",
        "message": f"a {status.value} finding",
        "evidence": {"when": T0, "values": (1, 2)},
        "remediation": "aws cloudtrail update-trail --name x --kms-key-id k",
    }
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def report(*items: Finding, errors: tuple[str, ...] = ()) -> Report:
    return Report(
        findings=items,
        started_at=T0,
        finished_at=T0 + dt.timedelta(seconds=1.5),
        accounts=("123456789012",),
        regions=("us-east-1",),
        checks=("cloudtrail.kms_encryption",),
        api_calls=7,
        api_calls_by_operation={"cloudtrail:DescribeTrails": 7},
        errors=errors,
        tool_version="0.1.0",
    )


@pytest.mark.parametrize(
    ("items", "fail_on", "code"),
    [
        ([finding(Status.PASS)], Severity.LOW, 0),
        ([finding(Status.PASS), finding(Status.NOT_APPLICABLE)], Severity.LOW, 0),
        ([finding(Status.FAIL, Severity.LOW)], Severity.LOW, 1),
        ([finding(Status.FAIL, Severity.INFO)], Severity.LOW, 0),  # info is below the default
        ([finding(Status.FAIL, Severity.MEDIUM)], Severity.HIGH, 0),
        ([finding(Status.FAIL, Severity.MEDIUM), finding(Status.UNKNOWN)], Severity.HIGH, 3),
        ([finding(Status.FAIL, Severity.CRITICAL), finding(Status.UNKNOWN)], Severity.HIGH, 1),
        ([finding(Status.UNKNOWN)], Severity.LOW, 3),
        ([finding(Status.FAIL, Severity.CRITICAL)], None, 0),  # --fail-on none
        ([finding(Status.FAIL, suppressed=True, suppression_reason="accepted")], Severity.LOW, 0),
    ],
)
def test_exit_codes(items: list[Finding], fail_on: Severity | None, code: int) -> None:
    assert report(*items).exit_code(fail_on) == code


def test_scan_errors_make_the_scan_incomplete() -> None:
    assert report(finding(Status.PASS), errors=("plugin x failed",)).exit_code() == 3


def test_json_follows_design_md() -> None:
    items = [finding(s) for s in (Status.FAIL, Status.PASS, Status.UNKNOWN)]
    doc = json.loads(render(report(*items), "json"))
    assert doc["schema_version"] == 1
    assert doc["tool"] == {"name": "awsobs", "version": "0.1.0"}
    assert set(doc["scan"]) >= {
        "started_at",
        "finished_at",
        "duration_s",
        "accounts",
        "regions",
        "checks",
        "api_calls",
    }
    assert doc["scan"]["api_calls"] == 7 and doc["scan"]["duration_s"] == 1.5
    assert dt.datetime.fromisoformat(doc["scan"]["started_at"]) == T0
    assert doc["summary"] == {"PASS": 1, "FAIL": 1, "UNKNOWN": 1, "NOT_APPLICABLE": 0}
    first = doc["findings"][0]
    assert set(first) == {
        "check_id",
        "title",
        "severity",
        "status",
        "account_id",
        "region",
        "resource_type",
        "resource_id",
        "message",
        "evidence",
        "remediation",
        "suppressed",
        "suppression_reason",
        "compliance",
    }
    assert first["severity"] == "medium" and first["status"] == "FAIL"
    assert first["evidence"] == {"when": "2026-11-21T12:00:00+00:00", "values": [1, 2]}
    assert first["suppressed"] is False and first["suppression_reason"] is None


def test_table_shows_gaps_first_and_hides_pass() -> None:
    fail = finding(Status.FAIL, message="the trail is not encrypted")
    unknown = finding(Status.UNKNOWN, message="access denied to cloudtrail:DescribeTrails")
    ok = finding(Status.PASS, message="encrypted with key k")
    text = render(report(ok, unknown, fail), "table")
    assert text.index("the trail is not encrypted") < text.index("access denied")
    assert "encrypted with key k" not in text
    assert "trail/fail" in text and "arn:aws:cloudtrail" not in text.split("fix:")[0]
    assert "fix: aws cloudtrail update-trail" in text
    assert text.rstrip().splitlines()[-1].startswith("Summary: 1 PASS, 1 FAIL, 1 UNKNOWN")
    shown = render(report(ok, unknown, fail), "table", show_pass=True)
    assert "encrypted with key k" in shown


def test_table_with_no_gaps_says_so() -> None:
    text = render(report(finding(Status.PASS)), "table")
    assert "No gaps found." in text


def test_findings_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding(Status.PASS).status = Status.FAIL  # type: ignore[misc]


@pytest.mark.parametrize(
    ("resource", "short"),
    [
        ("arn:aws:cloudtrail:us-east-1:123456789012:trail/main", "trail/main"),
        ("arn:aws:s3:::bucket", "bucket"),
        ("arn:aws:lambda:us-east-1:123456789012:function:f", "function:f"),
        ("us-east-1", "us-east-1"),
    ],
)
def test_short_resource(resource: str, short: str) -> None:
    assert short_resource(resource) == short


def test_table_ranks_never_expiring_log_groups_by_size_and_sums_them() -> None:
    def group(name: str, stored: int, status: Status = Status.FAIL) -> Finding:
        return finding(
            status,
            Severity.LOW,
            check_id="logs.retention_defined",
            resource_id=f"arn:aws:logs:us-east-1:123456789012:log-group:{name}",
            message=f"{name} never expires",
            evidence={"storedBytes": stored},
        )

    text = render(
        report(
            group("/a", 10),
            group("/b", 3 * 1024**3),
            group("/c", 1536),
            group("/kept", 9, Status.PASS),
        ),
        "table",
    )
    assert text.index("/b never expires") < text.index("/c never expires") < text.index("/a never")
    assert "Cost: 3 log groups never expire, holding 3.0 GiB (largest: /b, 3.0 GiB)" in text
    plain = render(report(finding(Status.FAIL)), "table")
    assert "Cost:" not in plain
