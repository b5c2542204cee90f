"""lambda.xray_traces_received: X-Ray has recent traces of each actively traced function.

moto delivers no traces: they are put with PutTraceSegments, and GetTraceSummaries with a
`service(id(...))` filter (a 500 in plain moto) is served by
awsobs/demo/moto_delivery.py's X-Ray filter extension. Invocations are put with
PutMetricData. Denials are scripted with botocore's Stubber (helpers.stub_error).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import boto3
import pytest
from delivery_metrics_seed import put_datum, put_trace
from helpers import findings, only, run, stub_error
from resources import traced_function

import awsobs.checks.lambda_.tracing  # registers lambda.xray_active too
import awsobs.checks.lambda_.xray_delivery  # noqa: F401
from awsobs import Status
from awsobs.demo.moto_delivery import (
    install_xray_filter_extension,
    uninstall_xray_filter_extension,
)

CHECK = "lambda.xray_traces_received"
FUNCTION = "AWS::Lambda::Function"
MINUTES = dt.timedelta(minutes=1)


@pytest.fixture(autouse=True)
def xray_filter() -> Iterator[None]:
    install_xray_filter_extension()
    yield
    uninstall_xray_filter_extension()


def _invoked(aws: boto3.Session, name: str, ago: dt.timedelta = 20 * MINUTES) -> None:
    put_datum(aws, "AWS/Lambda", "Invocations", {"FunctionName": name}, ago, 7.0)


def test_recent_trace_passes_with_one_read(aws: boto3.Session) -> None:
    arn = traced_function(aws, "orders", "Active")
    put_trace(aws, "orders", FUNCTION, 10 * MINUTES)
    put_trace(aws, "orders", "AWS::Lambda", 10 * MINUTES)  # the service node, not the function's
    report = run(aws, [CHECK])
    f = only(report, CHECK)
    assert (f.resource_type, f.resource_id, f.status) == (FUNCTION, arn, Status.PASS)
    assert "function 'orders' sent traces to X-Ray in the last 1 h" in f.message
    assert f.evidence["traces_found"] == 1
    assert f.evidence["filter_expression"] == (
        'service(id(name: "orders", type: "AWS::Lambda::Function"))'
    )
    assert report.api_calls_by_operation["xray:GetTraceSummaries"] == 1
    assert "cloudwatch:GetMetricData" not in report.api_calls_by_operation  # fresh: no gate


def test_invoked_without_traces_fails_naming_causes(aws: boto3.Session) -> None:
    arn = traced_function(aws, "orders", "Active")
    put_trace(aws, "orders", FUNCTION, dt.timedelta(hours=3))  # before the window
    _invoked(aws, "orders")
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (arn, Status.FAIL)
    assert "function 'orders' served 7 invocations since" in f.message
    assert "received nothing in the last 1 h: nothing since" in f.message
    assert "xray:PutTraceSegments" in f.message  # the usual causes
    assert f.evidence["traffic"]["value"] == 7.0
    assert f.evidence["traces_found"] == 0


def test_not_invoked_is_not_applicable(aws: boto3.Session) -> None:
    traced_function(aws, "idle", "Active")
    _invoked(aws, "idle", dt.timedelta(hours=5))  # before the window: not counted
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert "served no invocations since" in f.message
    assert "no delivery was expected" in f.message


def test_without_active_tracing_is_not_applicable(aws: boto3.Session) -> None:
    traced_function(aws, "plain", "PassThrough")
    report = run(aws, [CHECK, "lambda.xray_active"])
    f = only(report, CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert "not configured, see lambda.xray_active" in f.message
    assert only(report, "lambda.xray_active").status is Status.FAIL
    assert "xray:GetTraceSummaries" not in report.api_calls_by_operation
    assert report.api_calls_by_operation["lambda:ListFunctions"] == 1  # listing shared


def test_reads_per_function_and_one_traffic_read(aws: boto3.Session) -> None:
    for name in ("a", "b", "c"):
        traced_function(aws, name, "Active")
        _invoked(aws, name)
    put_trace(aws, "a", FUNCTION, 5 * MINUTES)
    report = run(aws, [CHECK])
    got = {f.resource_id.rsplit(":", 1)[1]: f.status for f in findings(report, CHECK)}
    assert got == {"a": Status.PASS, "b": Status.FAIL, "c": Status.FAIL}
    assert report.api_calls_by_operation["xray:GetTraceSummaries"] == 3
    assert report.api_calls_by_operation["cloudwatch:GetMetricData"] == 1  # b and c at once


def test_option_widens_the_window(aws: boto3.Session) -> None:
    traced_function(aws, "orders", "Active")
    put_trace(aws, "orders", FUNCTION, dt.timedelta(hours=3))
    f = only(run(aws, [CHECK], options={CHECK: {"max_age_hours": 6}}), CHECK)
    assert f.status is Status.PASS
    assert f.evidence["max_age_hours"] == 6


@pytest.mark.parametrize(
    ("service", "method", "action"),
    [
        ("lambda", "list_functions", "lambda:ListFunctions"),
        ("xray", "get_trace_summaries", "xray:GetTraceSummaries"),
        ("cloudwatch", "get_metric_data", "cloudwatch:GetMetricData"),
    ],
)
def test_each_denied_read_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, service: str, method: str, action: str
) -> None:
    traced_function(aws, "orders", "Active")
    _invoked(aws, "orders")
    stub_error(monkeypatch, service, method, "AccessDeniedException")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert action in f.message
