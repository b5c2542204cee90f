"""`awsobs demo`: the CloudFront, WAF and Route 53 resources of awsobs/demo/edge.py show a
PASS and a FAIL of each of their checks, and no UNKNOWN. Distribution and hosted zone ids
are random: findings are matched by the distribution's comment and the zone's name."""

from __future__ import annotations

import pytest

from awsobs import Finding, Report, Status

EDGE = ("cloudfront.access_logs", "wafv2.logging", "route53.query_logging")


@pytest.fixture(scope="module")
def report(demo_report: Report) -> Report:
    return demo_report


def of(report: Report, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check_id == check]


def test_no_edge_finding_is_unknown(report: Report) -> None:
    unknown = [
        f.message for f in report.findings if f.check_id in EDGE and f.status is Status.UNKNOWN
    ]
    assert unknown == []


def test_cloudfront_access_logs(report: Report) -> None:
    found = {f.evidence.get("comment"): f for f in of(report, "cloudfront.access_logs")}
    assert found["shop-cdn"].status is Status.PASS
    assert "standard logs (legacy)" in found["shop-cdn"].message
    assert found["media-cdn"].status is Status.PASS  # v2 only: the pitfall
    assert "standard logs (v2)" in found["media-cdn"].message
    assert found["api-cdn"].status is Status.FAIL
    assert "none on: /admin/*" in found["api-cdn"].message
    assert found["admin-cdn"].status is Status.FAIL
    assert all(f.region == "global" for f in found.values())


def test_wafv2_logging(report: Report) -> None:
    found = {
        f.resource_id.split("/webacl/")[-1].split("/")[0]: f for f in of(report, "wafv2.logging")
    }
    assert found["shop-waf"].status is Status.PASS
    assert found["admin-waf"].status is Status.FAIL
    assert found["cdn-waf"].status is Status.PASS
    assert found["cdn-waf"].region == "global"
    assert found["eu-west-1"].status is Status.NOT_APPLICABLE
    assert found["us-west-2"].status is Status.NOT_APPLICABLE


def test_route53_query_logging(report: Report) -> None:
    found = {f.evidence.get("name"): f.status for f in of(report, "route53.query_logging")}
    assert found == {
        "shop.example.com.": Status.PASS,
        "admin.example.com.": Status.FAIL,
        "corp.internal.": Status.NOT_APPLICABLE,
    }
