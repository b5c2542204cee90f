"""`awsobs demo`: the state machines, trail Insights and trail-bucket settings of
awsobs/demo/workflows.py show a PASS and a FAIL of each of their checks, and no UNKNOWN.
"""

from __future__ import annotations

import pytest

from awsobs import Report, Status

CHECKS = (
    "stepfunctions.logging",
    "stepfunctions.xray",
    "cloudtrail.insights",
    "cloudtrail.bucket_not_public",
)
MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:{}"


@pytest.fixture(scope="module")
def got(demo_report: Report) -> dict[tuple[str, str], tuple[Status, str]]:
    report = demo_report
    return {
        (f.check_id, f.resource_id): (f.status, f.message)
        for f in report.findings
        if f.check_id in CHECKS
    }


def status(got: dict[tuple[str, str], tuple[Status, str]], check: str, resource: str) -> Status:
    return got[(check, resource)][0]


def test_no_finding_of_these_checks_is_unknown(
    got: dict[tuple[str, str], tuple[Status, str]],
) -> None:
    assert [m for s, m in got.values() if s is Status.UNKNOWN] == []


def test_state_machines(got: dict[tuple[str, str], tuple[Status, str]]) -> None:
    orders, notify, billing = (
        MACHINE.format(n) for n in ("orders-flow", "notify-express", "billing-flow")
    )
    assert status(got, "stepfunctions.logging", orders) is Status.PASS
    assert status(got, "stepfunctions.logging", notify) is Status.FAIL
    assert (
        "Express workflows keep no execution history at all"
        in got[("stepfunctions.logging", notify)][1]
    )
    assert status(got, "stepfunctions.logging", billing) is Status.FAIL
    assert "which does not exist" in got[("stepfunctions.logging", billing)][1]
    assert status(got, "stepfunctions.xray", orders) is Status.PASS
    assert status(got, "stepfunctions.xray", notify) is Status.FAIL
    assert status(got, "stepfunctions.logging", "eu-west-1") is Status.NOT_APPLICABLE


def test_insights(got: dict[tuple[str, str], tuple[Status, str]]) -> None:
    assert status(got, "cloudtrail.insights", "eu-west-1") is Status.PASS
    assert status(got, "cloudtrail.insights", "us-east-1") is Status.FAIL
    assert "is not logging" in got[("cloudtrail.insights", "us-east-1")][1]
    assert status(got, "cloudtrail.insights", "us-west-2") is Status.FAIL
    assert "priced per management event analysed" in got[("cloudtrail.insights", "us-west-2")][1]


def test_trail_buckets(got: dict[tuple[str, str], tuple[Status, str]]) -> None:
    legacy = ("cloudtrail.bucket_not_public", "arn:aws:s3:::demo-legacy-trail-logs")
    assert got[legacy][0] is Status.FAIL
    assert "its bucket policy is public" in got[legacy][1]
    audit = ("cloudtrail.bucket_not_public", "arn:aws:s3:::demo-audit-trail-logs")
    assert got[audit][0] is Status.PASS
    assert (
        "Block Public Access (RestrictPublicBuckets, IgnorePublicAcls) guards it" in got[audit][1]
    )
