"""lambda.xray_active: Active tracing passes; PassThrough and an absent TracingConfig fail.

moto always reports a TracingConfig (PassThrough by default), so the listing without one
(older functions in AWS answers) is scripted with botocore's Stubber (helpers.stub_client).
"""

from __future__ import annotations

import boto3
import pytest
from helpers import findings, only, run, stub_client, stub_error
from resources import traced_function

import awsobs.checks.lambda_.tracing  # noqa: F401  (registers the check)
from awsobs import Status

XRAY = "lambda.xray_active"


def test_active_passes_and_pass_through_fails(aws: boto3.Session) -> None:
    traced = traced_function(aws, "traced", "Active")
    default = traced_function(aws, "default")  # moto, like AWS, reports Mode=PassThrough
    explicit = traced_function(aws, "explicit", "PassThrough")
    got = {f.resource_id: f for f in findings(run(aws, [XRAY]), XRAY)}
    assert set(got) == {traced, default, explicit}
    assert got[traced].status is Status.PASS
    assert got[traced].resource_type == "AWS::Lambda::Function"
    for arn in (default, explicit):
        assert got[arn].status is Status.FAIL
        assert "only passes trace headers through (Mode=PassThrough)" in got[arn].message
        assert got[arn].evidence["tracing_mode"] == "PassThrough"
    assert "--function-name explicit --tracing-config Mode=Active" in got[explicit].remediation
    assert "xray:PutTraceSegments" in got[explicit].remediation


def test_absent_tracing_config_fails(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:legacy"
    listing = {"Functions": [{"FunctionName": "legacy", "FunctionArn": arn}]}
    stub_client(monkeypatch, "lambda", [("list_functions", listing)])
    f = only(run(aws, [XRAY]), XRAY)
    assert (f.resource_id, f.status) == (arn, Status.FAIL)
    assert "has no tracing configuration" in f.message
    assert f.evidence["tracing_mode"] is None


def test_no_functions_is_not_applicable(aws: boto3.Session) -> None:
    traced_function(aws, "elsewhere", "Active")
    f = only(run(aws, [XRAY], ["eu-west-1"]), XRAY)
    assert f.status is Status.NOT_APPLICABLE
    assert "no Lambda functions in eu-west-1" in f.message


def test_listing_error_is_unknown(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    stub_error(monkeypatch, "lambda", "list_functions", "AccessDeniedException")
    f = only(run(aws, [XRAY]), XRAY)
    assert f.status is Status.UNKNOWN
    assert "lambda:ListFunctions" in f.message
