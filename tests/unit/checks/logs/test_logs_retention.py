"""CloudWatch Logs retention: never-expire groups, audit groups kept too briefly, and the
log groups of Lambda functions.

moto reports `storedBytes` 0 and does not return a function's `LoggingConfig`; where a
test needs either, it stubs that answer with botocore's Stubber (helpers.stub_client).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from apigw_seed import access, rest_api, v2_access, v2_api
from helpers import ACCOUNT, findings, only, run, stub_client, stub_error, trail
from logs_seed import flow_log, group, seed_every_logs_read
from resources import lambda_function

import awsobs.checks.logs.retention  # noqa: F401  (registers the checks)
from awsobs import REGISTRY, Finding, Status, engine, scan
from awsobs.aws.gateway import RequestHook
from awsobs.aws.iam import iam_action
from awsobs.aws.session import ENGINE_PERMISSIONS
from awsobs.units import human_bytes

DEFINED = "logs.retention_defined"
MINIMUM = "logs.retention_minimum"
LAMBDA = "lambda.log_retention"
TWO = ("us-east-1", "eu-west-1")


def by_id(found: list[Finding]) -> dict[str, Finding]:
    return {f.resource_id: f for f in found}


def fn_arn(name: str, region: str = "us-east-1") -> str:
    return f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"


# -- logs.retention_defined ------------------------------------------------------------------


def test_defined_pass_fail_and_not_applicable_per_region(aws: boto3.Session) -> None:
    kept = group(aws, "kept", 30)
    forever = group(aws, "forever")
    report = run(aws, [DEFINED], TWO)
    got = by_id(findings(report, DEFINED))
    assert got[kept].status is Status.PASS
    assert "after 30 days" in got[kept].message
    f = got[forever]
    assert f.status is Status.FAIL
    assert "never expires" in f.message and "(0 B stored)" in f.message
    assert f.evidence["storedBytes"] == 0 and f.evidence["retention_days"] is None
    assert "put-retention-policy --log-group-name forever" in f.remediation
    eu = got["eu-west-1"]
    assert (eu.status, eu.region) == (Status.NOT_APPLICABLE, "eu-west-1")


def test_defined_unknown_when_log_groups_cannot_be_listed(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    group(aws, "forever")
    stub_error(monkeypatch, "logs", "describe_log_groups")
    f = only(run(aws, [DEFINED]), DEFINED)
    assert f.status is Status.UNKNOWN
    assert "logs:DescribeLogGroups" in f.message


def _group(name: str, stored: int, days: int | None = None) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "logGroupName": name,
        "arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{name}:*",
        "storedBytes": stored,
    }
    if days is not None:
        raw["retentionInDays"] = days
    return raw


def test_defined_fails_come_largest_first(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto always says storedBytes 0: stub the listing. The scan report re-sorts findings
    by resource, so the check's own output order is captured at the engine's unit level."""
    answer = {
        "logGroups": [
            _group("small", 10),
            _group("kept", 10**12, 90),
            _group("huge", 5 * 1024**3),
            _group("medium", 3 * 1024**2),
        ]
    }
    stub_client(monkeypatch, "logs", [("describe_log_groups", answer)])
    emitted: list[Finding] = []
    original = engine._run_unit

    def recording(*args: Any) -> list[Finding]:
        out = original(*args)
        emitted.extend(out)
        return out

    monkeypatch.setattr(engine, "_run_unit", recording)
    run(aws, [DEFINED])
    order = [(f.resource_id.rsplit(":", 1)[-1], f.status) for f in emitted]
    assert order == [
        ("huge", Status.FAIL),
        ("medium", Status.FAIL),
        ("small", Status.FAIL),
        ("kept", Status.PASS),
    ]
    assert "(5.0 GiB stored)" in emitted[0].message
    assert emitted[0].evidence["storedBytes"] == 5 * 1024**3
    assert emitted[0].resource_id == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:huge"


def test_human_bytes() -> None:
    assert human_bytes(0) == "0 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(2 * 1024**5) == "2048.0 TiB"


# -- logs.retention_minimum ------------------------------------------------------------------


def test_minimum_judges_audit_groups_only(aws: boto3.Session) -> None:
    ct = group(aws, "ct-30", 30)
    trail(aws, "audit", CloudWatchLogsLogGroupArn=f"{ct}:*")
    flow = group(aws, "flow-400", 400)
    fl = flow_log(aws, "flow-400")
    api = group(aws, "api-forever")
    rest_api(aws, "shop", {"prod": access(api)})
    other = group(aws, "debug-1", 1)
    report = run(aws, [MINIMUM, DEFINED])
    got = by_id(findings(report, MINIMUM))
    assert set(got) == {ct, flow, api}  # the non-audit group gets no finding
    assert other not in got
    f = got[ct]
    assert f.status is Status.FAIL
    assert "CloudTrail trail 'audit'" in f.message and "only 30 days" in f.message
    assert "--retention-in-days 365" in f.remediation
    assert f.evidence["min_retention_days"] == 365
    assert got[flow].status is Status.PASS
    assert f"flow log {fl} of vpc-" in got[flow].message
    # never-expire: keeps everything (PASS here) yet costs forever (FAIL for retention_defined)
    assert got[api].status is Status.PASS
    assert "never expires" in got[api].message
    assert "access logs of stage 'prod' of REST API 'shop'" in got[api].message
    assert by_id(findings(report, DEFINED))[api].status is Status.FAIL


def test_minimum_option_changes_the_verdict(aws: boto3.Session) -> None:
    ct = group(aws, "ct-30", 30)
    trail(aws, "audit", CloudWatchLogsLogGroupArn=ct)
    report = run(aws, [MINIMUM], options={MINIMUM: {"min_retention_days": 30}})
    f = only(report, MINIMUM)
    assert (f.resource_id, f.status) == (ct, Status.PASS)
    assert "(minimum 30)" in f.message


def test_minimum_v2_access_logs_and_cross_region_trail(aws: boto3.Session) -> None:
    eu_group = group(aws, "eu-trail", 90, region="eu-west-1")
    trail(aws, "global", multi_region=True, CloudWatchLogsLogGroupArn=f"{eu_group}:*")
    ws = group(aws, "ws-access", 7)
    v2_api(aws, "chat", "WEBSOCKET", {"prod": v2_access(ws)})
    report = run(aws, [MINIMUM], TWO)
    got = by_id(findings(report, MINIMUM))
    assert got[eu_group].region == "eu-west-1"  # judged where the group lives
    assert got[eu_group].status is Status.FAIL
    assert "CloudTrail trail 'global'" in got[eu_group].message
    assert got[ws].status is Status.FAIL
    assert "access logs of stage 'prod' of WebSocket API 'chat'" in got[ws].message


def test_minimum_not_applicable_and_missing_destination(aws: boto3.Session) -> None:
    group(aws, "app", 1)
    missing = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:gone"
    trail(aws, "audit", CloudWatchLogsLogGroupArn=f"{missing}:*")
    report = run(aws, [MINIMUM], TWO)
    got = by_id(findings(report, MINIMUM))
    assert set(got) == {"us-east-1", "eu-west-1"}
    us = got["us-east-1"]
    assert us.status is Status.NOT_APPLICABLE
    assert us.evidence["missing_destinations"] == ["gone"]
    assert got["eu-west-1"].status is Status.NOT_APPLICABLE  # no log groups at all


def test_minimum_unknown_source_still_judges_the_others(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = group(aws, "flow-7", 7)
    flow_log(aws, "flow-7")
    stub_error(monkeypatch, "cloudtrail", "describe_trails")
    got = findings(run(aws, [MINIMUM]), MINIMUM)
    status = {f.resource_id: f.status for f in got}
    assert status == {flow: Status.FAIL, "us-east-1": Status.UNKNOWN}
    unknown = by_id(got)["us-east-1"]
    assert "could not read CloudTrail trails" in unknown.message
    assert "cloudtrail:DescribeTrails" in unknown.message


def test_minimum_unknown_when_flow_logs_cannot_be_read(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = group(aws, "flow-eu", 7, region="eu-west-1")
    flow_log(aws, "flow-eu", region="eu-west-1")
    stub_error(monkeypatch, "ec2", "describe_flow_logs", region="eu-west-1")
    got = findings(run(aws, [MINIMUM], ["eu-west-1"]), MINIMUM)
    assert [(f.resource_id, f.status) for f in got] == [("eu-west-1", Status.UNKNOWN)]
    assert "could not read VPC flow logs" in got[0].message
    assert flow not in {f.resource_id for f in got}


def test_minimum_unknown_when_log_groups_cannot_be_listed(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    group(aws, "ct")
    stub_error(monkeypatch, "logs", "describe_log_groups")
    f = only(run(aws, [MINIMUM]), MINIMUM)
    assert f.status is Status.UNKNOWN and "could not list log groups" in f.message


# -- lambda.log_retention --------------------------------------------------------------------


def test_lambda_pass_fail_and_not_yet_created(aws: boto3.Session) -> None:
    lambda_function(aws, "kept")
    group(aws, "/aws/lambda/kept", 14)
    lambda_function(aws, "forever")
    group(aws, "/aws/lambda/forever")
    lambda_function(aws, "new")  # never invoked: no group yet
    got = by_id(findings(run(aws, [LAMBDA], TWO), LAMBDA))
    assert got[fn_arn("kept")].status is Status.PASS
    assert "expires data after 14 days" in got[fn_arn("kept")].message
    f = got[fn_arn("forever")]
    assert f.status is Status.FAIL and "never expires" in f.message
    assert f.evidence["storedBytes"] == 0 and f.evidence["log_group_kind"] == "default"
    new = got[fn_arn("new")]
    assert new.status is Status.FAIL
    assert "creates it on the first invocation with no retention" in new.message
    assert new.evidence["exists"] is False
    assert new.remediation.startswith("aws logs create-log-group --log-group-name /aws/lambda/new")
    assert "put-retention-policy" in new.remediation
    assert got["eu-west-1"].status is Status.NOT_APPLICABLE


def _fn(name: str, log_group: str | None = None) -> dict[str, Any]:
    raw: dict[str, Any] = {"FunctionName": name, "FunctionArn": fn_arn(name)}
    if log_group:
        raw["LoggingConfig"] = {"LogFormat": "JSON", "LogGroup": log_group}
    return raw


def test_lambda_custom_shared_log_group(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto does not return LoggingConfig: stub ListFunctions."""
    group(aws, "/shared/app")
    group(aws, "/aws/lambda/plain", 30)
    answer = {
        "Functions": [
            _fn("a", "/shared/app"),
            _fn("b", "/shared/app"),
            _fn("plain", "/aws/lambda/plain"),  # AWS reports the default group too
        ]
    }
    stub_client(monkeypatch, "lambda", [("list_functions", answer)])
    got = by_id(findings(run(aws, [LAMBDA]), LAMBDA))
    a = got[fn_arn("a")]
    assert a.status is Status.FAIL
    assert "shared custom log group '/shared/app'" in a.message
    assert a.evidence["log_group_kind"] == "custom" and a.evidence["shared_with"] == ["b"]
    plain = got[fn_arn("plain")]
    assert plain.status is Status.PASS
    assert plain.evidence["log_group_kind"] == "default" and plain.evidence["shared_with"] == []


def test_lambda_unknown_when_functions_or_groups_cannot_be_read(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    lambda_function(aws, "f")
    with monkeypatch.context() as m:
        stub_error(m, "lambda", "list_functions")
        f = only(run(aws, [LAMBDA]), LAMBDA)
        assert f.status is Status.UNKNOWN and "lambda:ListFunctions" in f.message
    stub_error(monkeypatch, "logs", "describe_log_groups")
    f = only(run(aws, [LAMBDA]), LAMBDA)
    assert f.status is Status.UNKNOWN and "logs:DescribeLogGroups" in f.message


# -- declared permissions --------------------------------------------------------------------


def _recorder(used: set[str]) -> RequestHook:
    return lambda service, op, region, params: used.add(iam_action(service, op))


@pytest.mark.parametrize("check_id", [DEFINED, MINIMUM, LAMBDA])
def test_each_check_uses_exactly_the_permissions_it_declares(
    aws: boto3.Session, check_id: str
) -> None:
    seed_every_logs_read(aws)
    used: set[str] = set()
    report = scan(aws, checks=[check_id], regions=list(TWO), on_request=_recorder(used))
    assert all(f.status is not Status.UNKNOWN for f in report.findings), [
        f.message for f in report.findings
    ]
    declared = next(c.meta.permissions for c in REGISTRY.all() if c.id == check_id)
    assert used - set(ENGINE_PERMISSIONS) == set(declared)
