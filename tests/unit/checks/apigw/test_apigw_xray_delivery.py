"""apigw.rest.xray_traces_received: X-Ray has recent traces of each traced REST stage.

moto delivers no traces: they are put with PutTraceSegments (node "<api>/<stage>"), and
GetTraceSummaries with a `service(id(...))` filter (a 500 in plain moto) is served by
awsobs/demo/moto_delivery.py's X-Ray filter extension. `Count` is put with
PutMetricData. Denials are scripted with botocore's Stubber (helpers.stub_error): moto's
signature check rejects API Gateway requests under IAM enforcement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import boto3
import pytest
from apigw_seed import rest_api, rest_stage_arn
from delivery_metrics_seed import put_datum, put_trace
from helpers import findings, only, run, stub_error

import awsobs.checks.apigw.xray_delivery  # noqa: F401  (registers the check)
from awsobs import Status
from awsobs.demo.moto_delivery import (
    install_xray_filter_extension,
    uninstall_xray_filter_extension,
)

CHECK = "apigw.rest.xray_traces_received"
NODE = "AWS::ApiGateway::Stage"
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def xray_filter() -> Iterator[None]:
    install_xray_filter_extension()
    yield
    uninstall_xray_filter_extension()


def _requests(aws: boto3.Session, api: str, stage: str, ago: dt.timedelta = 20 * MINUTE) -> None:
    put_datum(aws, "AWS/ApiGateway", "Count", {"ApiName": api, "Stage": stage}, ago, 40.0)


def test_fresh_stale_idle_and_untraced(aws: boto3.Session) -> None:
    shop = rest_api(aws, "shop", {"prod": [], "beta": [], "dev": []}, tracingEnabled=True)
    plain = rest_api(aws, "plain", {"prod": []})
    put_trace(aws, "shop/prod", NODE, 10 * MINUTE)
    put_trace(aws, "shop/beta", NODE, dt.timedelta(hours=2))  # before the window
    _requests(aws, "shop", "prod")
    _requests(aws, "shop", "beta")
    report = run(aws, [CHECK])
    got = {f.resource_id: f for f in findings(report, CHECK)}
    prod, beta, dev = (rest_stage_arn(shop, s) for s in ("prod", "beta", "dev"))
    assert got[prod].status is Status.PASS
    assert got[prod].resource_type == "AWS::ApiGateway::Stage"
    assert "stage 'prod' of REST API 'shop' sent traces to X-Ray" in got[prod].message
    assert got[prod].evidence["xray_service"] == "shop/prod"
    assert got[beta].status is Status.FAIL
    assert "served 40 requests since" in got[beta].message
    assert "X-Ray (service shop/beta, AWS::ApiGateway::Stage) received nothing" in (
        got[beta].message
    )
    assert "sampling rule" in got[beta].message
    assert got[dev].status is Status.NOT_APPLICABLE
    assert "served no requests since" in got[dev].message
    untraced = got[rest_stage_arn(plain, "prod")]
    assert untraced.status is Status.NOT_APPLICABLE
    assert "not configured, see apigw.rest.xray_tracing" in untraced.message
    calls = report.api_calls_by_operation
    assert calls["xray:GetTraceSummaries"] == 3
    assert calls["cloudwatch:GetMetricData"] == 1


def test_no_api_is_not_applicable(aws: boto3.Session) -> None:
    assert only(run(aws, [CHECK]), CHECK).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("service", "method", "action"),
    [
        ("apigateway", "get_rest_apis", "apigateway:GET"),
        ("xray", "get_trace_summaries", "xray:GetTraceSummaries"),
        ("cloudwatch", "get_metric_data", "cloudwatch:GetMetricData"),
    ],
)
def test_each_denied_read_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, service: str, method: str, action: str
) -> None:
    rest_api(aws, "shop", {"prod": []}, tracingEnabled=True)
    _requests(aws, "shop", "prod")
    stub_error(monkeypatch, service, method, "AccessDeniedException")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert action in f.message
