"""`awsobs demo`: the application log pipelines of awsobs/demo/delivery_apps.py. A
configured-but-silent pipeline (HTTP API `payments`, stage `v1`) FAILs naming its last
delivery, a delivering one (REST `shop/prod`) PASSes, and no finding of the delivery
checks is UNKNOWN.
"""

from __future__ import annotations

import re

import pytest

from awsobs import Report, Status

CHECKS = ("apigw.access_logs_delivered", "lambda.logs_delivered", "stepfunctions.logs_delivered")
Got = dict[tuple[str, str], tuple[Status, str]]


@pytest.fixture(scope="module")
def got(demo_report: Report) -> Got:
    return {
        (f.check_id, f.resource_id): (f.status, f.message)
        for f in demo_report.findings
        if f.check_id in CHECKS
    }


def stage(got: Got, api: str, name: str) -> tuple[Status, str]:
    """The access-log delivery finding of stage `name` of API `api`."""
    (found,) = [
        v
        for (c, r), v in got.items()
        if c == "apigw.access_logs_delivered" and f"of {api}" in v[1] and r.endswith(f"/{name}")
    ]
    return found


def test_no_finding_is_unknown(got: Got, demo_report: Report) -> None:
    assert {c for c, _ in got} == set(CHECKS)
    assert [m for s, m in got.values() if s is Status.UNKNOWN] == []
    unknown = [
        f"{f.check_id}: {f.message}" for f in demo_report.findings if f.status is Status.UNKNOWN
    ]
    assert unknown == []


def test_a_silent_access_log_pipeline_fails_with_its_last_delivery(got: Got) -> None:
    status, message = stage(got, "HTTP API 'payments'", "v1")
    assert status is Status.FAIL
    assert "served 1,250 requests since" in message
    assert "log group /aws/apigateway/payments-access received nothing in the last 24 h" in message
    assert "last delivery 9 days ago (" in message
    assert "usual causes:" in message


def test_a_delivering_access_log_pipeline_passes(got: Got) -> None:
    status, message = stage(got, "REST API 'shop'", "prod")
    assert status is Status.PASS
    assert re.search(
        r"delivers to log group /aws/apigateway/shop-access; last delivery \d+ min ago", message
    )


def test_unconfigured_and_idle_sources_are_not_applicable(got: Got) -> None:
    assert stage(got, "REST API 'shop'", "dev")[0] is Status.NOT_APPLICABLE
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:orders-flow"
    status, message = got[("stepfunctions.logs_delivered", machine)]
    assert status is Status.NOT_APPLICABLE and "served no executions since" in message
