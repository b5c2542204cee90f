"""cloudtrail.s3_data_events_{read,write}, dynamodb_data_events, lambda_data_events.

Pitfalls (controls.md §1): advanced selectors that narrow by readOnly, eventName or ARN;
bucket-specific classic values; trails that are single-region or stopped; a trail
homed in another region only covers a resource when it is multi-region.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from helpers import ORG_ACCOUNT, assume, findings, only, restricted_session, run, trail
from moto_ext import iam_enforced, organization_trails_visible
from resources import dynamodb_table, lambda_function

from awsobs import Status

READ = "cloudtrail.s3_data_events_read"
WRITE = "cloudtrail.s3_data_events_write"
DDB = "cloudtrail.dynamodb_data_events"
LAMBDA = "cloudtrail.lambda_data_events"


def data_selector(resource_type: str, *extra: dict[str, Any]) -> list[dict[str, Any]]:
    fields = [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.type", "Equals": [resource_type]},
        *extra,
    ]
    return [{"Name": "data", "FieldSelectors": fields}]


def classic(resource_type: str, values: list[str], rw: str = "All") -> list[dict[str, Any]]:
    return [
        {
            "ReadWriteType": rw,
            "IncludeManagementEvents": True,
            "DataResources": [{"Type": resource_type, "Values": values}],
        }
    ]


# -- S3 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "read", "write", "text"),
    [
        pytest.param(
            {"selectors": classic("AWS::S3::Object", ["arn:aws:s3"])},
            Status.PASS,
            Status.PASS,
            "for every bucket in every region",
            id="classic-all-buckets",
        ),
        pytest.param(
            {"advanced": data_selector("AWS::S3::Object")},
            Status.PASS,
            Status.PASS,
            "for every bucket",
            id="advanced-all-buckets",
        ),
        pytest.param(
            {
                "advanced": data_selector(
                    "AWS::S3::Object", {"Field": "readOnly", "Equals": ["true"]}
                )
            },
            Status.PASS,
            Status.FAIL,
            "records only S3 read data events",
            id="advanced-readonly",
        ),
        pytest.param(
            {"selectors": classic("AWS::S3::Object", ["arn:aws:s3:::payments/"])},
            Status.FAIL,
            Status.FAIL,
            "limited to arn:aws:s3:::payments/",
            id="classic-one-bucket",
        ),
        pytest.param(
            {
                "advanced": data_selector(
                    "AWS::S3::Object", {"Field": "eventName", "Equals": ["PutObject"]}
                )
            },
            Status.FAIL,
            Status.FAIL,
            "filtered on eventName Equals PutObject",
            id="advanced-eventname",
        ),
        pytest.param(
            {"multi_region": False, "selectors": classic("AWS::S3::Object", ["arn:aws:s3"])},
            Status.FAIL,
            Status.FAIL,
            "only in us-east-1 (not multi-region)",
            id="single-region",
        ),
        pytest.param(
            {"logging": False, "selectors": classic("AWS::S3::Object", ["arn:aws:s3"])},
            Status.FAIL,
            Status.FAIL,
            "is set up for them but is not logging",
            id="stopped",
        ),
        pytest.param({}, Status.FAIL, Status.FAIL, "no trail selects them", id="management-only"),
    ],
)
def test_s3_data_events(
    aws: boto3.Session, kwargs: dict, read: Status, write: Status, text: str
) -> None:
    trail(aws, "main", **{"multi_region": True, **kwargs})
    report = run(aws, [READ, WRITE], regions=("us-east-1", "eu-west-1"))
    got = {c: only(report, c) for c in (READ, WRITE)}
    assert (got[READ].status, got[WRITE].status) == (read, write)
    shown = got[WRITE] if write is Status.FAIL else got[READ]
    assert text in shown.message


def test_s3_data_events_unknown_when_selectors_denied(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True)
    allowed = ["sts:GetCallerIdentity", "ec2:DescribeRegions", "cloudtrail:DescribeTrails"]
    scanner = restricted_session(aws, [*allowed, "cloudtrail:GetTrailStatus"], deny=[])
    with iam_enforced():
        f = only(run(scanner, [WRITE]), WRITE)
    assert f.status is Status.UNKNOWN and "cloudtrail:GetEventSelectors" in f.message


def test_s3_data_events_of_unreadable_org_trail_are_unknown(aws: boto3.Session) -> None:
    with organization_trails_visible():
        trail(assume(aws, ORG_ACCOUNT), "org-trail", multi_region=True, IsOrganizationTrail=True)
        f = only(run(aws, [READ]), READ)
    assert f.status is Status.UNKNOWN
    assert "may be recorded by organization trail 'org-trail'" in f.message


# -- DynamoDB -----------------------------------------------------------------------------


def test_region_without_tables_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [DDB]), DDB)
    assert f.status is Status.NOT_APPLICABLE and f.resource_id == "us-east-1"


def test_all_tables_token_on_a_multi_region_trail_homed_elsewhere(aws: boto3.Session) -> None:
    orders = dynamodb_table(aws, "orders", region="eu-west-1")
    trail(
        aws,
        "main",
        multi_region=True,
        selectors=classic("AWS::DynamoDB::Table", ["arn:aws:dynamodb"]),
    )
    report = run(aws, [DDB], regions=("eu-west-1",))
    f = only(report, DDB)
    assert (f.resource_id, f.status) == (orders, Status.PASS)


def test_arn_narrowed_selector_covers_only_that_table(aws: boto3.Session) -> None:
    orders = dynamodb_table(aws, "orders")
    users = dynamodb_table(aws, "users")
    trail(
        aws,
        "main",
        advanced=data_selector(
            "AWS::DynamoDB::Table", {"Field": "resources.ARN", "Equals": [orders]}
        ),
    )
    report = run(aws, [DDB])
    got = {f.resource_id: f for f in findings(report, DDB)}
    assert got[orders].status is Status.PASS
    assert got[users].status is Status.FAIL
    assert "reads and writes are not recorded" in got[users].message
    assert f"resources.ARN Equals {orders}" in got[users].message


def test_single_region_trail_elsewhere_does_not_cover(aws: boto3.Session) -> None:
    dynamodb_table(aws, "orders", region="eu-west-1")
    trail(aws, "main", selectors=classic("AWS::DynamoDB::Table", ["arn:aws:dynamodb"]))
    f = only(run(aws, [DDB], regions=("eu-west-1",)), DDB)
    assert f.status is Status.FAIL and "no logging trail in this region" in f.message


def test_write_only_table_selector_says_reads_are_missing(aws: boto3.Session) -> None:
    dynamodb_table(aws, "orders")
    trail(aws, "main", selectors=classic("AWS::DynamoDB::Table", ["arn:aws:dynamodb"], "WriteOnly"))
    f = only(run(aws, [DDB]), DDB)
    assert f.status is Status.FAIL and f.message.startswith(
        "table 'orders': reads are not recorded"
    )


def test_list_tables_denied_is_unknown(aws: boto3.Session) -> None:
    dynamodb_table(aws, "orders")
    allowed = ["sts:GetCallerIdentity", "ec2:DescribeRegions", "cloudtrail:*"]
    scanner = restricted_session(aws, allowed, deny=["dynamodb:ListTables"])
    with iam_enforced():
        f = only(run(scanner, [DDB]), DDB)
    assert f.status is Status.UNKNOWN and "dynamodb:ListTables" in f.message


def test_table_unknown_when_the_covering_trail_is_unreadable(aws: boto3.Session) -> None:
    orders = dynamodb_table(aws, "orders")
    trail(aws, "main")
    allowed = ["sts:GetCallerIdentity", "ec2:DescribeRegions", "dynamodb:ListTables"]
    scanner = restricted_session(
        aws, [*allowed, "cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus"], deny=[]
    )
    with iam_enforced():
        f = only(run(scanner, [DDB]), DDB)
    assert (f.resource_id, f.status) == (orders, Status.UNKNOWN)


# -- Lambda -------------------------------------------------------------------------------


def test_lambda_all_functions_pass(aws: boto3.Session) -> None:
    arn = lambda_function(aws, "checkout")
    trail(aws, "main", selectors=classic("AWS::Lambda::Function", ["arn:aws:lambda"]))
    f = only(run(aws, [LAMBDA]), LAMBDA)
    assert (f.resource_id, f.status) == (arn, Status.PASS)


def test_lambda_read_only_selector_records_no_invocations(aws: boto3.Session) -> None:
    lambda_function(aws, "checkout")
    trail(aws, "main", selectors=classic("AWS::Lambda::Function", ["arn:aws:lambda"], "ReadOnly"))
    f = only(run(aws, [LAMBDA]), LAMBDA)
    assert f.status is Status.FAIL and "invocations are not recorded" in f.message


def test_lambda_exact_arn_covers_only_that_function(aws: boto3.Session) -> None:
    checkout = lambda_function(aws, "checkout")
    other = lambda_function(aws, "checkout2")
    trail(aws, "main", selectors=classic("AWS::Lambda::Function", [checkout]))
    got = {f.resource_id: f.status for f in findings(run(aws, [LAMBDA]), LAMBDA)}
    assert got == {checkout: Status.PASS, other: Status.FAIL}


def test_lambda_not_applicable_without_functions(aws: boto3.Session) -> None:
    assert only(run(aws, [LAMBDA]), LAMBDA).status is Status.NOT_APPLICABLE


def test_lambda_environment_variables_never_reach_the_report(aws: boto3.Session) -> None:
    lambda_function(aws, "checkout", env={"DB_PASSWORD": "hunter2-secret"})
    report = run(aws, [LAMBDA])
    assert "hunter2-secret" not in json.dumps(report.to_dict())
    assert only(report, LAMBDA).status is Status.FAIL


def test_s3_notes_belong_to_their_direction(aws: boto3.Session) -> None:
    # A write-only selector narrowed to one bucket: reads are simply not selected, and only
    # the write finding talks about the bucket narrowing.
    narrowed = data_selector(
        "AWS::S3::Object",
        {"Field": "readOnly", "Equals": ["false"]},
        {"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payments/"]},
    )
    trail(aws, "main", multi_region=True, advanced=narrowed)
    report = run(aws, [READ, WRITE])
    assert "StartsWith arn:aws:s3:::payments/" in only(report, WRITE).message
    assert only(report, READ).message.endswith("no trail selects them")


def test_table_half_recorded_names_the_trail_that_records_the_other_half(
    aws: boto3.Session,
) -> None:
    dynamodb_table(aws, "orders")
    trail(aws, "reads", selectors=classic("AWS::DynamoDB::Table", ["arn:aws:dynamodb"], "ReadOnly"))
    f = only(run(aws, [DDB]), DDB)
    assert f.message == "table 'orders': writes are not recorded (reads are, by trail 'reads')"
