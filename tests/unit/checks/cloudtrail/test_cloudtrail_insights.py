"""cloudtrail.insights: per region, a logging trail that covers it has both Insights
types (API call rate, API error rate) on management events.

moto serves DescribeTrails, GetTrailStatus and GetInsightSelectors, but answers the last
with an empty result for a trail without Insights and appends on PutInsightSelectors;
AWS raises InsightNotEnabledException and replaces the selectors. The `insights` fixture
installs awsobs/demo/moto_workflows.py, which makes moto answer as AWS does. An
organization trail of another account comes from tests/moto_ext.py
(`organization_trails_visible`). Denied reads come from moto's IAM authorizer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from helpers import ORG_ACCOUNT, assume, findings, only, restricted_session, run, statuses, trail
from moto_ext import iam_enforced, organization_trails_visible

import awsobs.checks.cloudtrail.insight_events  # noqa: F401
from awsobs import Report, Severity, Status, scan
from awsobs.demo.moto_workflows import install_insights_extension
from awsobs.demo.workflows import enable_insights

CHECK = "cloudtrail.insights"
TWO = ("us-east-1", "eu-west-1")
ALL_READS = ["cloudtrail:*", "ec2:DescribeRegions", "sts:GetCallerIdentity"]


@pytest.fixture(autouse=True)
def insights() -> Iterator[None]:
    install_insights_extension()
    yield


def _calls(session: boto3.Session, regions: tuple[str, ...] = TWO) -> tuple[Report, list[Any]]:
    calls: list[tuple[str, str, str, dict[str, Any]]] = []
    report = scan(
        session,
        checks=[CHECK],
        regions=list(regions),
        on_request=lambda service, op, region, params: calls.append((service, op, region, params)),
    )
    return report, calls


def test_a_multi_region_trail_with_both_types_passes_every_region_reading_it_once(
    aws: boto3.Session,
) -> None:
    arn = trail(aws, "main", multi_region=True)
    enable_insights(aws, "main", "us-east-1")
    report, calls = _calls(aws)
    assert statuses(report, CHECK) == {"us-east-1": Status.PASS, "eu-west-1": Status.PASS}
    f = findings(report, CHECK)[0]
    assert "trail 'main' (home us-east-1) records Insights events for the API call rate and " in (
        f.message
    )
    assert f.evidence["trails"][0]["insight_types"] == ["ApiCallRateInsight", "ApiErrorRateInsight"]
    reads = [c for c in calls if c[1] == "GetInsightSelectors"]
    assert reads == [("cloudtrail", "GetInsightSelectors", "us-east-1", {"TrailName": arn})]


def test_insights_off_fails_and_says_it_is_priced_per_event(aws: boto3.Session) -> None:
    """GetInsightSelectors answers InsightNotEnabledException: no Insights, not UNKNOWN."""
    arn = trail(aws, "main", multi_region=True)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.severity is Severity.LOW
    assert "trail 'main' has no Insights on management events" in f.message
    assert "Insights is priced per management event analysed" in f.message
    assert f.remediation == (
        f"aws cloudtrail put-insight-selectors --trail-name {arn} --insight-selectors "
        '\'[{"InsightType":"ApiCallRateInsight"},{"InsightType":"ApiErrorRateInsight"}]\''
    )


def test_one_type_only_fails_naming_the_missing_one(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True)
    enable_insights(aws, "main", "us-east-1", [{"InsightType": "ApiCallRateInsight"}])
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "trail 'main' lacks ApiErrorRateInsight" in f.message


def test_insights_on_data_events_only_do_not_count(aws: boto3.Session) -> None:
    """`EventCategories: ["Data"]` turns management-event Insights off (AWS docs)."""
    trail(aws, "main", multi_region=True)
    data_only = [
        {"InsightType": t, "EventCategories": ["Data"]}
        for t in ("ApiCallRateInsight", "ApiErrorRateInsight")
    ]
    enable_insights(aws, "main", "us-east-1", data_only)
    assert only(run(aws, [CHECK]), CHECK).status is Status.FAIL
    both = [{**s, "EventCategories": ["Management", "Data"]} for s in data_only]
    enable_insights(aws, "main", "us-east-1", both)
    assert only(run(aws, [CHECK]), CHECK).status is Status.PASS


def test_a_stopped_trail_with_insights_fails_and_its_selectors_are_not_read(
    aws: boto3.Session,
) -> None:
    trail(aws, "main", multi_region=True, logging=False)
    enable_insights(aws, "main", "us-east-1")
    report, calls = _calls(aws, ("us-east-1",))
    f = only(report, CHECK)
    assert f.status is Status.FAIL
    assert "trail 'main' is not logging, so it analyses nothing" in f.message
    assert not [c for c in calls if c[1] == "GetInsightSelectors"]


def test_a_single_region_trail_with_insights_covers_its_home_only(aws: boto3.Session) -> None:
    trail(aws, "local", region="eu-west-1")
    enable_insights(aws, "local", "eu-west-1")
    report = run(aws, [CHECK], regions=TWO)
    assert statuses(report, CHECK) == {"us-east-1": Status.FAIL, "eu-west-1": Status.PASS}
    east = next(f for f in findings(report, CHECK) if f.region == "us-east-1")
    assert east.message.startswith("no trail records API activity in us-east-1")


def test_one_trail_with_insights_is_enough(aws: boto3.Session) -> None:
    """Insights is billed per trail: a second trail without it is not a gap."""
    trail(aws, "main", multi_region=True)
    trail(aws, "second", multi_region=True)
    enable_insights(aws, "second", "us-east-1")
    assert only(run(aws, [CHECK]), CHECK).status is Status.PASS


def test_no_trail_is_fail_not_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.resource_id == "us-east-1"
    assert "no trail records API activity in us-east-1" in f.message


@pytest.mark.parametrize(
    "denied",
    ["cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", "cloudtrail:GetInsightSelectors"],
)
def test_each_denied_read_is_unknown_naming_it(aws: boto3.Session, denied: str) -> None:
    trail(aws, "main", multi_region=True)
    enable_insights(aws, "main", "us-east-1")
    scanner = restricted_session(aws, ALL_READS, deny=[denied])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == denied
    assert "access denied to " + denied in f.message


def test_an_organization_trail_of_another_account_is_unknown(aws: boto3.Session) -> None:
    with organization_trails_visible(status_readable=True):
        trail(
            assume(aws, ORG_ACCOUNT),
            "org-trail",
            multi_region=True,
            IsOrganizationTrail=True,
            bucket_name="org-archive",
        )
        f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "organization trail 'org-trail' belongs to account 111111111111" in f.message
