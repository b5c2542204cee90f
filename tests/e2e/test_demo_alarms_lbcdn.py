"""The demo's issue 15 lbcdn alarms (awsobs/demo/alarms_lbcdn.py): a good and a bad case
of elb.error_alarms, elb.unhealthy_host_alarms and cloudfront.error_alarms."""

from __future__ import annotations

from awsobs import Report, Status


def _by_name(report: Report, check_id: str) -> dict[str, Status]:
    """name (the `<kind>/<name>/<id>` ARN part, or a CloudFront comment) -> status."""
    out: dict[str, Status] = {}
    for f in report.findings:
        if f.check_id != check_id:
            continue
        rid = f.resource_id
        if ":loadbalancer/" in rid or ":targetgroup/" in rid:
            out[rid.split("/")[-2]] = f.status
        elif f.evidence.get("comment"):
            out[str(f.evidence["comment"])] = f.status
        else:
            out[f"{f.region}:{rid}"] = f.status
    return out


def test_load_balancer_5xx_alarms(demo_report: Report) -> None:
    got = _by_name(demo_report, "elb.error_alarms")
    assert got["shop-web"] is Status.PASS
    assert got["admin-web"] is Status.FAIL
    assert got["eu-west-1:eu-west-1"] is Status.NOT_APPLICABLE


def test_unhealthy_host_alarms(demo_report: Report) -> None:
    got = _by_name(demo_report, "elb.unhealthy_host_alarms")
    assert got["shop-web-pool"] is Status.PASS
    assert got["shop-tls-443"] is Status.PASS
    assert got["shop-tcp-443"] is Status.FAIL
    assert got["admin-web-pool"] is Status.FAIL
    assert got["spare-pool"] is Status.NOT_APPLICABLE


def test_cloudfront_error_alarms(demo_report: Report) -> None:
    got = _by_name(demo_report, "cloudfront.error_alarms")
    assert got["shop-cdn"] is Status.PASS
    assert got["media-cdn"] is Status.FAIL
    assert got["api-cdn"] is Status.FAIL
    assert got["admin-cdn"] is Status.FAIL
    api = next(
        f
        for f in demo_report.findings
        if f.check_id == "cloudfront.error_alarms" and f.evidence.get("comment") == "api-cdn"
    )
    assert "'api-cdn-5xx' in eu-west-1" in api.message


def test_no_unknown(demo_report: Report) -> None:
    mine = {"elb.error_alarms", "elb.unhealthy_host_alarms", "cloudfront.error_alarms"}
    assert not [
        f.message for f in demo_report.findings if f.check_id in mine and f.status is Status.UNKNOWN
    ]
