"""The demo account's observability map (issue 16): the rows a newcomer sees first."""

from __future__ import annotations

from awsobs import Report, Signal, Status
from awsobs.report import render


def test_the_demo_map_answers_per_resource(demo_report: Report) -> None:
    resources = demo_report.resources()
    assert resources.unmapped_checks == ()
    by_id = {r.resource_id.rsplit("/", 1)[-1]: r for r in resources if r.service == "ApiGateway"}
    dev, prod = by_id["dev"], by_id["prod"]
    # The REST API's prod stage logs, traces and alarms; dev does none of it.
    assert [prod.status(s) for s in ("logs", "alarms", "traces")] == [Status.PASS] * 3
    assert [dev.status(s) for s in ("logs", "alarms", "traces")] == [Status.FAIL] * 3
    # us-east-1's trail is stopped: every resource there inherits the audit FAIL.
    assert prod.status("audit") is Status.FAIL
    inherited = [resources.findings[i] for i in prod.cells[Signal.AUDIT].inherited]
    assert ("cloudtrail.trail_logging", "us-east-1") in {(f.check_id, f.region) for f in inherited}
    # eu-west-1 is recorded by the audit trail, and its Config recorder runs.
    (eu,) = [r for r in resources if r.resource_type == "AWS::Region" and r.region == "eu-west-1"]
    assert (eu.status("audit"), eu.status("config")) == (Status.PASS, Status.PASS)
    # Each column of the demo shows a pass and a gap somewhere.
    for s in Signal:
        seen = {r.status(s) for r in resources}
        assert {Status.PASS, Status.FAIL} <= seen, s
    assert 0.1 < (resources.coverage.ratio or 0) < 0.6


def test_the_demo_map_in_a_terminal(demo_report: Report) -> None:
    text = render(demo_report, "table", view="resources")
    first = text.splitlines()[0]
    assert first.startswith("Observability map: ") and "resources in 1 account" in first
    for service in ("ApiGateway", "Lambda", "DynamoDB", "S3", "ECS", "RDS", "CloudFront"):
        assert f"== {service}: " in text
    dev = next(
        line.split()
        for line in text.splitlines()
        if line.strip().endswith(")") and "/stages/dev" in line
    )
    assert dev[0] == "Stage" and dev[3:9] == ["✗", "✗", "-", "✗", "✗", "✗"]
