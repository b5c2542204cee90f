"""cloudtrail.trail_logging, cloudtrail.multi_region, cloudtrail.management_events_rw.

Pitfalls from controls.md §1: shadow copies of multi-region trails, stopped trails that
still exist, classic vs advanced selectors, readOnly halving coverage, KMS exclusions,
selector names that lie, organization trails seen from a member account, AccessDenied.
AccessDenied comes from moto's own IAM enforcement (moto_ext.iam_enforced).
"""

from __future__ import annotations

import boto3
import pytest
from helpers import (
    ACCOUNT,
    MGMT_ALL,
    ORG_ACCOUNT,
    assume,
    findings,
    only,
    restricted_session,
    run,
    statuses,
    trail,
)
from moto_ext import iam_enforced, organization_trails_visible

from awsobs import Status

LOGGING = "cloudtrail.trail_logging"
MULTI = "cloudtrail.multi_region"
MGMT = "cloudtrail.management_events_rw"
TWO_REGIONS = ("us-east-1", "eu-west-1")
ALL_READS = [
    "sts:GetCallerIdentity",
    "ec2:DescribeRegions",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
]


# -- cloudtrail.trail_logging -------------------------------------------------------------


def test_multi_region_trail_covers_every_region_through_its_shadows(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True)
    report = run(aws, [LOGGING], regions=TWO_REGIONS)
    assert statuses(report, LOGGING) == {"us-east-1": Status.PASS, "eu-west-1": Status.PASS}
    assert "trail 'main'" in findings(report, LOGGING)[0].message


def test_region_without_any_trail_fails(aws: boto3.Session) -> None:
    trail(aws, "local", region="eu-west-1")
    report = run(aws, [LOGGING], regions=TWO_REGIONS)
    result = statuses(report, LOGGING)
    assert result == {"us-east-1": Status.FAIL, "eu-west-1": Status.PASS}
    us = next(f for f in findings(report, LOGGING) if f.region == "us-east-1")
    assert "no trail records API activity in us-east-1" in us.message
    assert "create-trail" in us.remediation


def test_stopped_trail_exists_but_never_counts(aws: boto3.Session) -> None:
    trail(aws, "legacy")
    aws.client("cloudtrail").stop_logging(Name="legacy")
    f = only(run(aws, [LOGGING]), LOGGING)
    assert f.status is Status.FAIL
    assert "trail 'legacy' (stopped 0 min ago)" in f.message and "no trail is logging" in f.message
    assert f.remediation.startswith("aws cloudtrail start-logging --name arn:aws:cloudtrail:")
    assert f.evidence["trails"][0]["is_logging"] is False


def test_stopped_multi_region_trail_shadow_does_not_cover_other_regions(aws: boto3.Session) -> None:
    trail(aws, "org-wide", multi_region=True)
    aws.client("cloudtrail").stop_logging(Name="org-wide")
    report = run(aws, [LOGGING], regions=TWO_REGIONS)
    assert set(statuses(report, LOGGING).values()) == {Status.FAIL}


def test_unreadable_trail_status_is_unknown_naming_the_action(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True)
    scanner = restricted_session(aws, ALL_READS, deny=["cloudtrail:GetTrailStatus"])
    with iam_enforced():
        f = only(run(scanner, [LOGGING]), LOGGING)
    assert f.status is Status.UNKNOWN
    assert "cloudtrail:GetTrailStatus" in f.message
    assert f.evidence["error"]["kind"] == "access_denied"


def test_unlistable_region_is_unknown_naming_describe_trails(aws: boto3.Session) -> None:
    scanner = restricted_session(aws, ALL_READS, deny=["cloudtrail:DescribeTrails"])
    with iam_enforced():
        f = only(run(scanner, [LOGGING]), LOGGING)
    assert f.status is Status.UNKNOWN
    assert "cloudtrail:DescribeTrails" in f.message


def test_region_that_is_not_enabled_is_unknown_without_a_request(aws: boto3.Session) -> None:
    # moto lists ap-east-1 as "not-opted-in", like a fresh AWS account.
    report = run(aws, [LOGGING], regions=["ap-east-1"])
    f = only(report, LOGGING)
    assert f.status is Status.UNKNOWN
    assert "not enabled" in f.message
    assert "cloudtrail:DescribeTrails" not in report.api_calls_by_operation


# -- cloudtrail.multi_region -------------------------------------------------------------


@pytest.mark.parametrize(
    ("selectors", "advanced"),
    [
        pytest.param(None, None, id="default-selectors"),
        pytest.param(
            [{"ReadWriteType": "All", "IncludeManagementEvents": True}], None, id="classic-all"
        ),
        pytest.param(None, MGMT_ALL, id="advanced-management"),
        pytest.param(
            None,
            [
                {
                    "Name": "reads",
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Management"]},
                        {"Field": "readOnly", "Equals": ["true"]},
                    ],
                },
                {
                    "Name": "writes",
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Management"]},
                        {"Field": "readOnly", "Equals": ["false"]},
                    ],
                },
            ],
            id="advanced-read-plus-write",
        ),
    ],
)
def test_multi_region_passes(aws: boto3.Session, selectors: list, advanced: list) -> None:
    trail(aws, "main", multi_region=True, selectors=selectors, advanced=advanced)
    f = only(run(aws, [MULTI], regions=TWO_REGIONS), MULTI)
    assert f.status is Status.PASS, f.message
    assert f.region == "global" and f.resource_id == ACCOUNT


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({"multi_region": False}, "no multi-region trail", id="single-region-only"),
        pytest.param(
            {"multi_region": True, "logging": False},
            "trail 'main' is not logging",
            id="multi-region-stopped",
        ),
        pytest.param(
            {
                "multi_region": True,
                "advanced": [
                    {
                        "Name": "Management events",
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "readOnly", "Equals": ["true"]},
                        ],
                    }
                ],
            },
            "trail 'main' records only read-only management events",
            id="advanced-readonly",
        ),
        pytest.param(
            {
                "multi_region": True,
                "selectors": [{"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}],
            },
            "trail 'main' records only write management events",
            id="classic-writeonly",
        ),
        pytest.param(
            {
                "multi_region": True,
                "selectors": [
                    {
                        "ReadWriteType": "All",
                        "IncludeManagementEvents": True,
                        "ExcludeManagementEventSources": ["kms.amazonaws.com"],
                    }
                ],
            },
            "excludes management events from kms.amazonaws.com",
            id="classic-kms-excluded",
        ),
        pytest.param(
            {
                "multi_region": True,
                "advanced": [
                    {
                        "Name": "Management events",
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "eventSource", "NotEquals": ["rdsdata.amazonaws.com"]},
                        ],
                    }
                ],
            },
            "eventSource NotEquals rdsdata.amazonaws.com",
            id="advanced-rdsdata-excluded",
        ),
        pytest.param(
            {
                "multi_region": True,
                "advanced": [
                    {
                        "Name": "Management events selector",  # the name is not semantic
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Data"]},
                            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                        ],
                    }
                ],
            },
            "records no management events",
            id="name-says-management-but-data-only",
        ),
    ],
)
def test_multi_region_fails_and_says_why(aws: boto3.Session, kwargs: dict, expected: str) -> None:
    trail(aws, "main", **kwargs)
    f = only(run(aws, [MULTI], regions=TWO_REGIONS), MULTI)
    assert f.status is Status.FAIL
    assert expected in f.message


def test_multi_region_unknown_when_selectors_are_denied(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True)
    scanner = restricted_session(aws, ALL_READS, deny=["cloudtrail:GetEventSelectors"])
    with iam_enforced():
        f = only(run(scanner, [MULTI]), MULTI)
    assert f.status is Status.UNKNOWN
    assert "cloudtrail:GetEventSelectors" in f.message


# -- cloudtrail.management_events_rw -----------------------------------------------------


def test_each_trail_reported_once_in_its_home_region(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True, advanced=MGMT_ALL)
    trail(aws, "eu-reads", region="eu-west-1", selectors=[{"ReadWriteType": "ReadOnly"}])
    report = run(aws, [MGMT], regions=("us-east-1", "eu-west-1", "us-west-2"))
    result = {f.resource_id: (f.status, f.region) for f in findings(report, MGMT)}
    assert result == {
        f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main": (Status.PASS, "us-east-1"),
        f"arn:aws:cloudtrail:eu-west-1:{ACCOUNT}:trail/eu-reads": (Status.FAIL, "eu-west-1"),
    }
    # Selectors read once per trail, in its home region, whatever the number of shadows.
    assert report.api_calls_by_operation["cloudtrail:GetEventSelectors"] == 2
    assert report.api_calls_by_operation["cloudtrail:DescribeTrails"] == 3


def test_stopped_trail_records_no_management_events(aws: boto3.Session) -> None:
    trail(aws, "main", logging=False)
    f = only(run(aws, [MGMT]), MGMT)
    assert f.status is Status.FAIL and "is not logging" in f.message


def test_no_trail_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [MGMT]), MGMT)
    assert f.status is Status.NOT_APPLICABLE


def test_management_events_unknown_when_denied(aws: boto3.Session) -> None:
    trail(aws, "main")
    scanner = restricted_session(aws, ALL_READS, deny=["cloudtrail:GetEventSelectors"])
    with iam_enforced():
        f = only(run(scanner, [MGMT]), MGMT)
    assert f.status is Status.UNKNOWN and "cloudtrail:GetEventSelectors" in f.message


# -- organization trail seen from a member account ---------------------------------------


def _org_trail(aws: boto3.Session) -> str:
    """A multi-region organization trail owned by the management account 111111111111."""
    return trail(
        assume(aws, ORG_ACCOUNT),
        "org-trail",
        multi_region=True,
        IsOrganizationTrail=True,
        bucket_name="org-archive",
    )


def test_org_trail_with_unreadable_status_counts_for_coverage(aws: boto3.Session) -> None:
    with organization_trails_visible(status_readable=False):
        arn = _org_trail(aws)
        report = run(aws, [LOGGING, MULTI, MGMT], regions=TWO_REGIONS)
    assert set(statuses(report, LOGGING).values()) == {Status.PASS}
    logging_msg = findings(report, LOGGING)[0].message
    assert "organization trail 'org-trail' of account 111111111111" in logging_msg
    assert "cannot be read from this account" in logging_msg
    assert findings(report, LOGGING)[0].evidence["trails"][0]["is_logging"] is None
    multi = only(report, MULTI)
    assert multi.status is Status.PASS and "cannot be read from this account" in multi.message
    mgmt = only(report, MGMT)
    assert (mgmt.status, mgmt.resource_id) == (Status.UNKNOWN, arn)
    assert "belongs to account 111111111111" in mgmt.message


def test_org_trail_with_readable_status_uses_it(aws: boto3.Session) -> None:
    with organization_trails_visible(status_readable=True):
        _org_trail(aws)
        assume(aws, ORG_ACCOUNT).client("cloudtrail").stop_logging(Name="org-trail")
        report = run(aws, [LOGGING, MULTI], regions=TWO_REGIONS)
    # A readable "not logging" is a fact: the organization trail no longer covers us.
    assert set(statuses(report, LOGGING).values()) == {Status.FAIL}
    multi = only(report, MULTI)
    assert multi.status is Status.FAIL and "is not logging" in multi.message


def test_trail_that_never_started_says_so(aws: boto3.Session) -> None:
    trail(aws, "fresh", logging=False)
    f = only(run(aws, [LOGGING]), LOGGING)
    assert f.status is Status.FAIL and "trail 'fresh' (never started logging)" in f.message
