"""`awsobs demo`: the RDS and Aurora resources of awsobs/demo/rds.py show a PASS and a FAIL
of each of their checks, and no UNKNOWN."""

from __future__ import annotations

import pytest

from awsobs import Report, Status

ACCOUNT = "123456789012"


def db(name: str) -> str:
    return f"arn:aws:rds:us-east-1:{ACCOUNT}:db:{name}"


def cluster(name: str) -> str:
    return f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:{name}"


@pytest.fixture(scope="module")
def report(demo_report: Report) -> Report:
    return demo_report


def got(report: Report, check: str) -> dict[str, Status]:
    return {f.resource_id: f.status for f in report.findings if f.check_id == check}


def test_log_exports(report: Report) -> None:
    found = got(report, "rds.log_exports")
    assert found[db("shop-pg")] is Status.PASS
    assert found[db("shop-mysql")] is Status.FAIL
    assert found[cluster("orders")] is Status.PASS
    assert found[db("orders-1")] is Status.NOT_APPLICABLE
    assert found[cluster("reports")] is Status.FAIL
    assert found["eu-west-1"] is Status.NOT_APPLICABLE
    assert found["us-west-2"] is Status.NOT_APPLICABLE


def test_enhanced_monitoring(report: Report) -> None:
    found = got(report, "rds.enhanced_monitoring")
    assert found[db("shop-pg")] is Status.PASS
    assert found[db("reports-1")] is Status.PASS
    assert found[db("shop-mysql")] is Status.FAIL
    assert found[db("orders-1")] is Status.FAIL
    (gone,) = [
        f
        for f in report.findings
        if f.check_id == "rds.enhanced_monitoring" and f.resource_id == db("orders-1")
    ]
    assert "old-monitoring-role does not exist" in gone.message


def test_no_rds_finding_is_unknown(report: Report) -> None:
    unknown = [
        f.message
        for f in report.findings
        if f.check_id.startswith("rds.") and f.status is Status.UNKNOWN
    ]
    assert unknown == []
