"""The observability map (awsobs.resources): one row per resource, one cell per signal."""

from __future__ import annotations

import json

import pytest
from report_helpers import ACCOUNT, STAGE, finding, report

from awsobs import Report, Signal, Status
from awsobs.model import CheckMeta, Severity
from awsobs.report_io import report_from_dict
from awsobs.resources import build_map

FN = "arn:aws:lambda:{}:123456789012:function:{}"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
BUCKET = "arn:aws:s3:::shop-assets"
DIST = "arn:aws:cloudfront::123456789012:distribution/E1"
V2_STAGE = "arn:aws:apigateway:us-east-1::/apis/h1/stages/live"
F, P, U, NA = Status.FAIL, Status.PASS, Status.UNKNOWN, Status.NOT_APPLICABLE


def fn(name: str, check: str, status: Status, region: str = "us-east-1") -> object:
    return finding(
        check,
        status,
        FN.format(region, name),
        region=region,
        resource_type="AWS::Lambda::Function",
    )


def region_finding(check: str, status: Status, region: str) -> object:
    return finding(check, status, region, region=region, resource_type="AWS::Region")


def account_finding(check: str, status: Status, account: str = ACCOUNT) -> object:
    return finding(
        check, status, account, region="global", resource_type="AWS::::Account", account_id=account
    )


def row(rep: Report, resource_id: str):  # type: ignore[no-untyped-def]
    (found,) = [r for r in rep.resources() if r.resource_id == resource_id]
    return found


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((P, P), P),
        ((P, F), F),
        ((U, F, P), F),
        ((P, U), U),
        ((NA, P), P),
        ((NA,), None),
    ],
)
def test_a_cell_is_its_worst_applicable_finding(
    statuses: tuple[Status, ...], expected: Status | None
) -> None:
    checks = ["lambda.log_retention", "lambda.log_retention", "lambda.log_retention"]
    items = [
        finding(c, s, FN.format("us-east-1", "f"), resource_type="AWS::Lambda::Function")
        for c, s in zip(checks, statuses, strict=False)
    ]
    r = row(report(*items), FN.format("us-east-1", "f"))
    assert r.status("config") is expected
    assert len(r.cells[Signal.CONFIG].findings) == len(statuses)  # N/A kept for the reader
    assert r.status(Signal.TRACES) is None  # no traces check ran: '-'


def test_each_check_fills_the_cell_of_its_signal() -> None:
    rep = report(
        fn("f", "lambda.xray_active", F),
        fn("f", "lambda.error_throttle_alarms", P),
        fn("f", "lambda.log_retention", U),
        fn("f", "cloudtrail.lambda_data_events", P),
    )
    r = row(rep, FN.format("us-east-1", "f"))
    assert {s.value: r.status(s) for s in Signal} == {
        "audit": P,
        "logs": None,
        "metrics": None,
        "alarms": P,
        "traces": F,
        "config": U,
    }
    assert (r.coverage.passing, r.coverage.applicable) == (2, 4)
    assert str(r.coverage) == "50% (2/4)"
    assert r.service == "Lambda" and r.kind == "Function"


def test_a_region_without_a_trail_fails_the_audit_cell_of_everything_in_it() -> None:
    rep = report(
        fn("west", "lambda.xray_active", P, region="us-west-2"),
        fn("east", "lambda.xray_active", P),
        finding(
            "cloudfront.access_logs",
            P,
            DIST,
            region="global",
            resource_type="AWS::CloudFront::Distribution",
        ),
        region_finding("cloudtrail.trail_logging", F, "us-west-2"),
        region_finding("cloudtrail.trail_logging", P, "us-east-1"),
    )
    west = row(rep, FN.format("us-west-2", "west"))
    assert west.status("audit") is F
    (inherited,) = west.cells[Signal.AUDIT].inherited
    assert rep.findings[inherited].resource_id == "us-west-2"
    assert row(rep, FN.format("us-east-1", "east")).status("audit") is P
    # A global resource is in us-east-1 for this: CloudTrail records CloudFront's calls there.
    assert row(rep, DIST).status("audit") is P
    # The region is a row of its own, and takes nothing from the other region.
    assert row(rep, "us-west-2").status("audit") is F
    assert row(rep, "us-west-2").cells[Signal.AUDIT].inherited == ()


def test_an_account_wide_finding_fills_only_the_kinds_its_check_judges() -> None:
    rep = report(
        finding("s3.server_access_logging", P, BUCKET, resource_type="AWS::S3::Bucket"),
        finding(
            "s3.server_access_logging",
            P,
            "arn:aws:s3:::eu-bucket",
            region="eu-west-1",
            resource_type="AWS::S3::Bucket",
        ),
        fn("f", "lambda.xray_active", P),
        account_finding("cloudtrail.s3_data_events_read", F),
    )
    assert row(rep, BUCKET).status("audit") is F
    assert row(rep, "arn:aws:s3:::eu-bucket").status("audit") is F  # every region
    assert row(rep, "arn:aws:s3:::eu-bucket").region == "eu-west-1"  # from its findings
    assert row(rep, FN.format("us-east-1", "f")).status("audit") is None


def test_an_unreadable_region_makes_the_cells_of_its_resources_unknown() -> None:
    """The event selectors could not be read in us-east-1: every table there is UNKNOWN
    for audit, though its alarms were judged; a function is not a table."""
    rep = report(
        finding("dynamodb.throttle_alarms", P, TABLE, resource_type="AWS::DynamoDB::Table"),
        fn("f", "lambda.xray_active", P),
        region_finding("cloudtrail.dynamodb_data_events", U, "us-east-1"),
    )
    table = row(rep, TABLE)
    assert (table.status("audit"), table.status("alarms")) == (U, P)
    assert row(rep, FN.format("us-east-1", "f")).status("audit") is None
    assert row(rep, "us-east-1").status("audit") is U


def test_not_applicable_scopes_make_no_row() -> None:
    rep = report(region_finding("cloudtrail.lambda_data_events", NA, "us-west-2"))
    assert list(rep.resources()) == []


def test_a_region_checks_account_verdict_stays_on_the_account_row() -> None:
    """Config's "IAM is recorded in one region" is about the account, not each resource."""
    rep = report(
        fn("f", "lambda.xray_active", P),
        account_finding("config.recorder_all_regions", F),
        region_finding("config.recorder_all_regions", P, "us-east-1"),
    )
    assert row(rep, FN.format("us-east-1", "f")).status("config") is P
    assert row(rep, ACCOUNT).status("config") is F
    assert row(rep, ACCOUNT).is_scope


def test_the_api_gateway_account_role_reaches_rest_stages_only() -> None:
    rep = report(
        finding("apigw.rest.access_logging", P, STAGE.format("prod")),
        finding("apigw.v2.access_logging", P, V2_STAGE, resource_type="AWS::ApiGatewayV2::Stage"),
        finding(
            "apigw.account_cloudwatch_role",
            F,
            "arn:aws:apigateway:us-east-1::/account",
            resource_type="AWS::ApiGateway::Account",
        ),
    )
    assert row(rep, STAGE.format("prod")).status("logs") is F
    assert row(rep, V2_STAGE).status("logs") is P


def test_suppressed_findings_count_as_what_they_are() -> None:
    rep = report(
        finding("apigw.rest.error_alarms", F, STAGE.format("dev"), suppressed=True),
    )
    r = row(rep, STAGE.format("dev"))
    assert r.status("alarms") is F
    assert r.cells[Signal.ALARMS].suppressed == 1


def test_checks_without_a_signal_stay_off_the_map_and_are_named() -> None:
    rep = report(
        finding("plugin.not_installed", F, STAGE.format("a")),
        finding("apigw.rest.error_alarms", P, STAGE.format("a")),
    )
    resources = rep.resources()
    assert resources.unmapped_checks == ("plugin.not_installed",)
    assert row(rep, STAGE.format("a")).status("alarms") is P

    silent = CheckMeta("apigw.rest.error_alarms", "t", Severity.LOW, ("x:Y",), "fix", "docs")
    assert list(build_map(rep, lambda _id: silent)) == []


def test_coverage_per_account_and_groups_worst_first() -> None:
    rep = report(
        finding("apigw.rest.error_alarms", P, STAGE.format("good")),
        finding("apigw.rest.error_alarms", F, STAGE.format("bad")),
        fn("ok", "lambda.xray_active", P, region="eu-west-1"),
        finding(
            "lambda.xray_active",
            F,
            FN.format("us-east-1", "other"),
            resource_type="AWS::Lambda::Function",
            account_id="210987654321",
        ),
    )
    resources = rep.resources()
    by_account = resources.coverage_by_account()
    assert {a: (c.passing, c.applicable) for a, c in by_account.items()} == {
        ACCOUNT: (2, 3),
        "210987654321": (0, 1),
    }
    assert (resources.coverage.passing, resources.coverage.applicable) == (2, 4)
    groups = resources.groups()
    assert [service for service, _ in groups] == ["ApiGateway", "Lambda"]  # 50% before 50%: by name
    assert [r.resource_id for r in groups[0][1]] == [STAGE.format("bad"), STAGE.format("good")]
    assert [r.resource_id.rsplit(":", 1)[1] for r in groups[1][1]] == ["other", "ok"]


def test_the_question_people_ask_takes_two_lines() -> None:
    """'Which production APIs have no alarm that reaches someone?'"""
    rep = report(
        finding("apigw.rest.error_alarms", F, STAGE.format("prod")),
        finding("apigw.rest.error_alarms", P, STAGE.format("prod2")),
        finding("apigw.rest.error_alarms", F, STAGE.format("dev")),
    )
    dark = [r.resource_id for r in rep.resources() if r.service == "ApiGateway"]
    dark = [r for r in dark if r.endswith("/prod") and row(rep, r).status("alarms") is F]
    assert dark == [STAGE.format("prod")]


def test_the_json_report_carries_the_map_and_reads_back_the_same() -> None:
    rep = report(
        finding("apigw.rest.error_alarms", F, STAGE.format("prod")),
        finding("apigw.rest.access_logging", P, STAGE.format("prod")),
        region_finding("cloudtrail.trail_logging", U, "us-east-1"),
    )
    doc = json.loads(json.dumps(rep.to_dict(), default=str))
    section = doc["resources"]
    assert doc["schema_version"] == 1
    assert section["signals"] == [s.value for s in Signal]
    stage = next(r for r in section["rows"] if r["resource_id"] == STAGE.format("prod"))
    assert stage["cells"]["alarms"]["status"] == "FAIL"
    assert stage["cells"]["traces"]["status"] is None
    assert stage["cells"]["audit"] == {
        "status": "UNKNOWN",
        "findings": [],
        "inherited": [stage_index(doc, "cloudtrail.trail_logging")],
        "suppressed": 0,
    }
    for i in stage["cells"]["alarms"]["findings"]:
        assert doc["findings"][i]["resource_id"] == STAGE.format("prod")
    assert stage["coverage"] == {"passing": 1, "applicable": 3, "ratio": 0.3333}
    assert section["coverage_by_account"][ACCOUNT]["applicable"] == 4  # + the region row
    again = report_from_dict(doc).to_dict()
    assert json.loads(json.dumps(again["resources"], default=str)) == section


def stage_index(doc: dict[str, object], check_id: str) -> int:
    findings = doc["findings"]
    assert isinstance(findings, list)
    return next(i for i, f in enumerate(findings) if f["check_id"] == check_id)
