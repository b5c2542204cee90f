"""`awsobs demo`: the load balancers of awsobs/demo/elb.py show a PASS and a FAIL of
elb.access_logs, the pitfalls as the check reports them, and no UNKNOWN."""

from __future__ import annotations

from awsobs import Report, Status

V2 = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/{kind}/{name}/"
CLASSIC = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy"


def by_name(report: Report) -> dict[str, tuple[Status, str]]:
    """elb.access_logs findings keyed by load balancer name (or region)."""
    found = {}
    for f in report.findings:
        if f.check_id == "elb.access_logs":
            name = str(f.evidence.get("load_balancer_name") or f.resource_id)
            found[name] = (f.status, f.message)
    return found


def test_load_balancer_access_logs(demo_report: Report) -> None:
    found = by_name(demo_report)
    assert found["shop-web"][0] is Status.PASS
    assert "s3://shop-elb-logs/shop-web" in found["shop-web"][1]
    assert found["admin-web"][0] is Status.FAIL
    status, message = found["shop-tls"]
    assert status is Status.FAIL and "'old-elb-logs', which does not exist" in message
    status, message = found["shop-tcp"]
    assert status is Status.NOT_APPLICABLE and "no TLS listener" in message
    assert found["legacy"][0] is Status.FAIL
    assert found["eu-west-1"][0] is Status.NOT_APPLICABLE
    assert found["us-west-2"][0] is Status.NOT_APPLICABLE
    assert not [m for s, m in found.values() if s is Status.UNKNOWN]


def test_load_balancer_resource_ids_are_arns(demo_report: Report) -> None:
    ids = {f.resource_id for f in demo_report.findings if f.check_id == "elb.access_logs"}
    assert CLASSIC in ids
    assert any(i.startswith(V2.format(kind="app", name="shop-web")) for i in ids)
    # moto names every v2 load balancer `app/...` (AWS: `net/` for a Network Load
    # Balancer); the check reports the ARN DescribeLoadBalancers gave, whatever its form.
    assert any(i.startswith(V2.format(kind="app", name="shop-tcp")) for i in ids)
