"""Reports read back from JSON, and merged: shards of a run, or per-account reports."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import boto3
import pytest
from helpers import run, trail

from awsobs import Finding, Report, Severity, Status, UsageError, merge_reports
from awsobs.model import SuppressionNote
from awsobs.report_io import report_from_dict

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
A, B = "111111111111", "222222222222"


def _f(check: str, account: str, status: Status, resource: str = "r", **kw: Any) -> Finding:
    return Finding(
        check_id=check,
        title=f"title of {check}",
        severity=Severity.HIGH,
        status=status,
        account_id=account,
        region=kw.pop("region", "us-east-1"),
        resource_type="AWS::Test::Thing",
        resource_id=resource,
        message=f"{status} {resource}",
        **kw,
    )


def _note(kind: str, check: str = "a.one", matched: int = 0, **kw: Any) -> SuppressionNote:
    return SuppressionNote(
        kind=kind, check=check, reason="why", source="awsobs.toml:3", matched=matched, **kw
    )


def _report(account: str, findings: list[Finding], minutes: int = 0, **kw: Any) -> Report:
    base: dict[str, Any] = {
        "started_at": T0 + dt.timedelta(minutes=minutes),
        "finished_at": T0 + dt.timedelta(minutes=minutes + 5),
        "accounts": (account,),
        "regions": ("us-east-1",),
        "checks": ("a.one", "b.two"),
        "api_calls": 10,
        "tool_version": "0.1.0",
    }
    base.update(kw)
    return Report(findings=tuple(findings), **base)


def test_round_trip_is_exact() -> None:
    report = _report(
        A,
        [
            _f("a.one", A, Status.FAIL, evidence={"nested": {"list": [1, "x"], "n": None}}),
            _f("b.two", A, Status.UNKNOWN, suppressed=True, suppression_reason="accepted"),
        ],
        api_calls_by_operation={"ec2.DescribeRegions": 1, "sts.GetCallerIdentity": 1},
        errors=("plugin x failed",),
        suppression_notes=(
            _note("expired", matched=2, expires=dt.date(2024, 4, 1), resource="r*"),
            _note("unused", check="b.*", region="eu-west-1", account=A),
        ),
    )
    doc = json.loads(json.dumps(report.to_dict()))
    back = report_from_dict(doc)
    assert back.to_dict() == doc
    assert (
        back.started_at == report.started_at and back.suppression_notes == report.suppression_notes
    )
    assert back.findings[0].evidence == {"nested": {"list": [1, "x"], "n": None}}


def test_round_trip_of_a_real_scan(aws: boto3.Session) -> None:
    trail(aws, "main-trail", multi_region=True)
    doc = json.loads(json.dumps(run(aws, ["cloudtrail.*"]).to_dict()))
    assert report_from_dict(doc).to_dict() == doc


def test_extra_fields_are_tolerated() -> None:
    doc = _report(A, [_f("a.one", A, Status.PASS)]).to_dict()
    doc["future"] = {"x": 1}
    doc["scan"]["new_field"] = 3
    doc["findings"][0]["cvss"] = 9.8
    assert report_from_dict(doc).findings[0].status is Status.PASS


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.pop("findings"), "no findings"),
        (lambda d: d.update(schema_version=99), "schema_version 99"),
        (lambda d: d["scan"].update(started_at="yesterday"), "scan.started_at"),
        (lambda d: d["scan"].pop("finished_at"), "scan.finished_at"),
        (lambda d: d["scan"].update(api_calls="many"), "scan.api_calls"),
        (lambda d: d["findings"][0].update(status="MAYBE"), "unknown status"),
        (lambda d: d["findings"][0].update(evidence=[1]), "evidence"),
        (lambda d: d["scan"]["suppressions"].update(expired=[{"check": 1}]), "expired"),
        (
            lambda d: d["scan"]["suppressions"]["unused"].append({"check": "x", "expires": "soon"}),
            "expires",
        ),
    ],
)
def test_bad_input_is_one_line_naming_the_source(mutate: Any, expected: str) -> None:
    doc = _report(A, [_f("a.one", A, Status.PASS)]).to_dict()
    mutate(doc)
    with pytest.raises(UsageError) as err:
        report_from_dict(doc, "shard-2.json")
    msg = str(err.value)
    assert msg.startswith("shard-2.json: ") and expected in msg and "\n" not in msg


def test_not_an_object() -> None:
    with pytest.raises(UsageError, match=r"^report: not an awsobs JSON report"):
        report_from_dict([])  # type: ignore[arg-type]


def test_merge_orders_findings_and_sums_counters() -> None:
    one = _report(
        B,
        [_f("b.two", B, Status.PASS), _f("a.one", B, Status.FAIL, "z")],
        api_calls_by_operation={"sts.GetCallerIdentity": 1, "ec2.DescribeRegions": 1},
        errors=("plugin x failed",),
    )
    two = _report(
        A,
        [_f("a.one", A, Status.PASS, "y", region="global"), _f("c.three", A, Status.FAIL)],
        minutes=-3,
        checks=("a.one", "c.three"),
        regions=("eu-west-1", "us-east-1"),
        api_calls=5,
        api_calls_by_operation={"sts.GetCallerIdentity": 1},
        errors=("plugin x failed", "plugin y failed"),
        tool_version="0.2.0",
    )
    merged = merge_reports([one, two])
    keys = [(f.check_id, f.account_id, f.region) for f in merged.findings]
    assert keys == [
        ("a.one", A, "global"),
        ("a.one", B, "us-east-1"),
        ("b.two", B, "us-east-1"),
        ("c.three", A, "us-east-1"),
    ]
    assert merged.checks == ("a.one", "b.two", "c.three")
    assert merged.accounts == (A, B)
    assert merged.regions == ("us-east-1", "eu-west-1")
    assert merged.started_at == two.started_at and merged.finished_at == one.finished_at
    assert merged.api_calls == 15
    assert merged.api_calls_by_operation == {"sts.GetCallerIdentity": 2, "ec2.DescribeRegions": 1}
    assert merged.errors == ("plugin x failed", "plugin y failed")
    assert merged.tool_version == "0.1.0"
    # Check order is first-seen, so it follows the reports' order when their checks differ.
    assert merge_reports([two, one]).checks == ("a.one", "c.three", "b.two")


def test_overlapping_reports_keep_the_worst_status_once() -> None:
    a = _report(A, [_f("a.one", A, Status.PASS)])
    b = _report(A, [_f("a.one", A, Status.FAIL)])
    c = _report(A, [_f("a.one", A, Status.FAIL, suppressed=True, suppression_reason="ok")])
    merged = merge_reports([a, c, b])
    assert len(merged.findings) == 1
    assert merged.findings[0].status is Status.FAIL and not merged.findings[0].suppressed


def test_merge_suppression_notes() -> None:
    expired = _note("expired", matched=1, expires=dt.date(2024, 1, 1))
    everywhere = _note("unused", check="a.one", resource="gone")
    used_in_b = _note("unused", check="a.one", resource="fixed-in-a-only")
    other_check = _note("unused", check="c.*")
    notes = (expired, everywhere, used_in_b, other_check)
    a = _report(A, [], checks=("a.one", "c.three"), suppression_notes=notes)
    b = _report(
        B,
        [],
        suppression_notes=(_note("expired", matched=2, expires=dt.date(2024, 1, 1)), everywhere),
    )
    c = _report(B, [], checks=("b.two",))  # did not run a.one or c.*: has no say on them
    merged = merge_reports([a, b, c])
    got = {(n.kind, n.check, n.resource, n.matched) for n in merged.suppression_notes}
    assert got == {
        ("expired", "a.one", "*", 3),
        ("unused", "a.one", "gone", 0),
        ("unused", "c.*", "*", 0),  # only report a ran a c.* check, and it did not use it
    }
    doc = merged.to_dict()["scan"]["suppressions"]
    assert len(doc["expired"]) == 1 and len(doc["unused"]) == 2


def test_merge_of_one_report_is_that_report() -> None:
    r = _report(A, [_f("b.two", A, Status.FAIL), _f("a.one", A, Status.PASS)])
    assert merge_reports([r]).to_dict()["findings"] == [
        f.to_dict() for f in sorted(r.findings, key=lambda f: f.check_id)
    ]


def test_merge_nothing_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no reports"):
        merge_reports([])
