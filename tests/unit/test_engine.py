"""scan(): regions, selection, failures turned into UNKNOWN, progress, one request per read."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from helpers import MGMT_ALL, findings, only, restricted_session, run, stub_error, trail
from moto_ext import iam_enforced

from awsobs import Context, CredentialsError, Finding, Progress, Status, UsageError, scan
from awsobs.registry import Registry, check

PRIVATE = Registry()  # test checks stay out of the global catalogue


@check(
    id="test.boom",
    title="Raises",
    severity="high",
    permissions=["cloudtrail:DescribeTrails"],
    remediation="none",
    docs="Raises on purpose.",
    registry=PRIVATE,
)
def boom(ctx: Context) -> Iterator[Finding]:
    raise RuntimeError("kaput")


@check(
    id="test.silent",
    title="Says nothing",
    severity="low",
    permissions=["cloudtrail:DescribeTrails"],
    remediation="none",
    docs="Returns no finding.",
    registry=PRIVATE,
)
def silent(ctx: Context) -> Iterator[Finding]:
    return iter(())


@check(
    id="test.writer",
    title="Tries to write",
    severity="low",
    permissions=["cloudtrail:GetTrailStatus"],
    remediation="none",
    docs="Declares a read, then asks the gateway for a write.",
    registry=PRIVATE,
)
def writer(ctx: Context) -> Iterator[Finding]:
    ctx.call("cloudtrail", "StopLogging", Name="main")
    yield ctx.passed("AWS::Region", "x", "unreachable")


def test_a_raising_check_is_unknown_and_the_scan_goes_on(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True)
    report = scan(aws, regions=["us-east-1"], checks=[boom, silent, "cloudtrail.trail_logging"])
    assert only(report, "test.boom").status is Status.UNKNOWN
    assert only(report, "test.boom").message == "internal error in test.boom: RuntimeError: kaput"
    assert "returned no finding" in only(report, "test.silent").message
    assert only(report, "cloudtrail.trail_logging").status is Status.PASS
    assert report.exit_code() == 3


def test_a_write_is_refused_and_nothing_changes(aws: boto3.Session) -> None:
    trail(aws, "main")
    report = scan(aws, regions=["us-east-1"], checks=[writer])
    f = only(report, "test.writer")
    assert f.status is Status.UNKNOWN
    assert "awsobs refused cloudtrail:StopLogging" in f.message
    assert f.evidence["error"]["action"] == "cloudtrail:StopLogging"
    assert report.api_calls_by_operation.get("cloudtrail:StopLogging") is None
    assert aws.client("cloudtrail").get_trail_status(Name="main")["IsLogging"] is True


def test_repeated_reads_are_not_repeated_requests(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True, advanced=MGMT_ALL)
    trail(aws, "eu-local", region="eu-west-1")
    trail(aws, "us-local", region="us-west-2", logging=False)
    regions = ["us-east-1", "eu-west-1", "us-west-2"]
    report = scan(aws, regions=regions, checks=["cloudtrail.*"])
    calls = report.api_calls_by_operation
    # Twelve checks read trails; each read happens once per trail or region.
    assert calls["cloudtrail:DescribeTrails"] == 3
    assert calls["cloudtrail:GetTrailStatus"] == 3
    assert calls["cloudtrail:GetEventSelectors"] == 3
    assert calls["dynamodb:ListTables"] == 3 and calls["lambda:ListFunctions"] == 3
    assert report.api_calls == sum(calls.values())


def test_one_worker_gives_the_same_verdicts_as_sixteen(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True)
    trail(aws, "eu-local", region="eu-west-1", logging=False)
    regions = ["us-east-1", "eu-west-1", "us-west-2"]

    def verdicts(workers: int) -> list[tuple[str, str, str]]:
        report = scan(aws, regions=regions, max_workers=workers)
        return [(f.check_id, f.resource_id, f.status.value) for f in report.findings]

    assert verdicts(1) == verdicts(16)


def test_progress_reports_every_unit(aws: boto3.Session) -> None:
    seen: list[Progress] = []
    checks = ["cloudtrail.trail_logging", "cloudtrail.multi_region"]
    scan(aws, regions=["us-east-1", "eu-west-1"], checks=checks, progress=seen.append)
    assert [p.done for p in seen] == [1, 2, 3]
    assert {p.total for p in seen} == {3}  # 2 regions x trail_logging + 1 account-wide
    assert {(p.check_id, p.region) for p in seen} == {
        ("cloudtrail.trail_logging", "us-east-1"),
        ("cloudtrail.trail_logging", "eu-west-1"),
        ("cloudtrail.multi_region", "global"),
    }


def test_throttled_region_is_unknown_while_others_are_judged(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto never throttles: stub DescribeTrails in eu-west-1 only, with botocore's Stubber.
    trail(aws, "main", multi_region=True)
    stub_error(monkeypatch, "cloudtrail", "describe_trails", "Throttling", region="eu-west-1")
    report = run(aws, ["cloudtrail.trail_logging"], regions=["us-east-1", "eu-west-1"])
    got = {f.region: f for f in findings(report, "cloudtrail.trail_logging")}
    assert got["us-east-1"].status is Status.PASS
    assert got["eu-west-1"].status is Status.UNKNOWN
    assert "throttled" in got["eu-west-1"].message


def test_default_regions_are_the_enabled_ones(aws: boto3.Session) -> None:
    report = scan(aws, checks=["cloudtrail.multi_region"])
    enabled = [
        r["RegionName"]
        for r in aws.client("ec2").describe_regions(AllRegions=True)["Regions"]
        if r["OptInStatus"] != "not-opted-in"
    ]
    assert sorted(report.regions) == sorted(enabled)
    assert "ap-east-1" not in report.regions  # not opted in
    assert report.api_calls_by_operation["cloudtrail:DescribeTrails"] == len(enabled)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"regions": ["us-east-9"]}, "unknown region 'us-east-9'"),
        ({"regions": ["all", "us-east-1"]}, "'all' cannot be combined"),
        ({"checks": ["cloudtrail.nope"]}, "no check matches 'cloudtrail.nope'"),
        ({"checks": ["nosuch.*"]}, "no check matches 'nosuch.*'"),
        ({"exclude_checks": ["x.*"]}, "no check matches 'x.*'"),
        ({"max_workers": 0}, "at least 1"),
        ({"options": {"cloudtrail.nope": {}}}, "unknown check 'cloudtrail.nope'"),
        ({"options": {"cloudtrail.s3_delivery": {"max_age_hours": "soon"}}}, "must be a number"),
        ({"options": {"buckets": "web-*"}}, "buckets must be a list of strings, got 'web-*'"),
    ],
)
def test_bad_input_is_a_usage_error(aws: boto3.Session, kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("*", r"\*").replace(".", r"\.")):
        scan(aws, **kwargs)


def test_check_globs_and_exclusions(aws: boto3.Session) -> None:
    report = scan(
        aws,
        regions=["us-east-1"],
        checks=["cloudtrail.s3_*", "cloudtrail.kms_encryption"],
        exclude_checks=["cloudtrail.s3_delivery"],
    )
    assert report.checks == (
        "cloudtrail.kms_encryption",
        "cloudtrail.s3_data_events_read",
        "cloudtrail.s3_data_events_write",
    )


def test_regions_need_describe_regions_or_an_explicit_list(aws: boto3.Session) -> None:
    scanner = restricted_session(
        aws, ["sts:GetCallerIdentity", "cloudtrail:*"], deny=["ec2:DescribeRegions"]
    )
    with iam_enforced():
        with pytest.raises(UsageError, match="pass --regions"):
            scan(scanner, checks=["cloudtrail.trail_logging"])
        report = scan(scanner, regions="eu-west-1", checks=["cloudtrail.trail_logging"])
    assert only(report, "cloudtrail.trail_logging").status is Status.FAIL


def test_missing_credentials_raise_before_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never probe 169.254.169.254
    with pytest.raises(CredentialsError, match="no AWS credentials found"):
        scan(boto3.Session(region_name="us-east-1"))
