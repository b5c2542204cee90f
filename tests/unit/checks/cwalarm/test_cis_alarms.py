"""The CIS CloudTrail-alarm chain: trail -> log group -> metric filter -> alarm -> topic.

Each broken link gives its own message; a log group in another account is UNKNOWN.
Spellings of filter patterns are tested in test_filter_pattern.py.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from alarm_seed import alarm, log_group, topic
from helpers import (
    ACCOUNT,
    MGMT_ALL,
    ORG_ACCOUNT,
    assume,
    only,
    restricted_session,
    run,
    stub_error,
    trail,
)
from moto_ext import iam_enforced, organization_trails_visible

from awsobs import Status

CHANGES = "cwalarm.cloudtrail_config_changes"
PATTERN = (
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || "
    "($.eventName = DeleteTrail) || ($.eventName = StartLogging) || "
    "($.eventName = StopLogging) }"
)


def metric_filter(
    session: boto3.Session,
    pattern: str = PATTERN,
    *,
    group: str = "cloudtrail",
    name: str = "CloudTrailChanges",
    namespace: str = "CISBenchmark",
) -> None:
    session.client("logs").put_metric_filter(
        logGroupName=group,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[
            {"metricName": name, "metricNamespace": namespace, "metricValue": "1"}
        ],
    )


def chain(session: boto3.Session, **overrides: Any) -> None:
    """A complete chain for cloudtrail_config_changes; `overrides` break one link."""
    group = log_group(session)
    cwl = {"CloudWatchLogsLogGroupArn": group} if overrides.get("cwl", True) else {}
    trail(
        session,
        "main",
        multi_region=overrides.get("multi_region", True),
        advanced=overrides.get("selectors", MGMT_ALL),
        **cwl,
    )
    if overrides.get("filter", True):
        metric_filter(session, overrides.get("pattern", PATTERN))
    if overrides.get("alarm", True):
        alarm(
            session,
            "trail-changes",
            overrides.get("alarm_namespace", "CISBenchmark"),
            "CloudTrailChanges",
            enabled=overrides.get("enabled", True),
            actions=[topic(session, confirmed=overrides.get("confirmed", True))],
        )


def test_complete_chain_passes_and_shows_it(aws: boto3.Session, alarm_ext: None) -> None:
    chain(aws)
    f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.PASS
    assert f.message == (
        "trail 'main' -> log group cloudtrail -> filter 'CloudTrailChanges' "
        "(CISBenchmark/CloudTrailChanges) -> alarm 'trail-changes' -> topic "
        "oncall has 1 confirmed subscription(s)"
    )
    assert f.region == "global" and f.resource_id == ACCOUNT


@pytest.mark.parametrize(
    ("overrides", "text"),
    [
        pytest.param(
            {"cwl": False}, "trail 'main' does not send events to CloudWatch Logs", id="no-cwl"
        ),
        pytest.param(
            {"multi_region": False},
            "no multi-region trail that is logging all "
            "management events sends them to CloudWatch Logs",
            id="single-region",
        ),
        pytest.param(
            {
                "selectors": [
                    {
                        "Name": "reads",
                        "FieldSelectors": [
                            {"Field": "eventCategory", "Equals": ["Management"]},
                            {"Field": "readOnly", "Equals": ["true"]},
                        ],
                    }
                ]
            },
            "trail 'main' does not record all write management events",
            id="read-only-management",
        ),
        pytest.param(
            {"filter": False},
            "trail 'main' -> log group cloudtrail: no metric filter matches: alarm on "
            "cloudtrail configuration changes",
            id="no-filter",
        ),
        pytest.param(
            {"pattern": PATTERN.replace(" || ($.eventName = DeleteTrail)", "")},
            "(closest: filter 'CloudTrailChanges' does not match eventName=DeleteTrail)",
            id="filter-misses-an-event",
        ),
        pytest.param(
            {"alarm": False},
            "-> filter 'CloudTrailChanges' (CISBenchmark/CloudTrailChanges): no alarm "
            "on metric CISBenchmark/CloudTrailChanges",
            id="no-alarm",
        ),
        pytest.param(
            {"alarm_namespace": "CIS"},
            "(alarms on CloudTrailChanges exist in namespace CIS, not CISBenchmark)",
            id="namespace-mismatch",
        ),
        pytest.param(
            {"enabled": False},
            "-> alarm 'trail-changes': alarm 'trail-changes' has its actions disabled",
            id="actions-disabled",
        ),
        pytest.param(
            {"confirmed": False},
            "topic oncall has no confirmed subscription (1 pending confirmation)",
            id="pending-subscription",
        ),
    ],
)
def test_first_broken_link(aws: boto3.Session, alarm_ext: None, overrides: dict, text: str) -> None:
    chain(aws, **overrides)
    f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.FAIL
    assert text in f.message, f.message
    # The fix is for the link that broke, not a filter that already exists.
    fixes = {
        "cwl": "aws cloudtrail update-trail --name arn:aws:cloudtrail:us-east-1:",
        "alarm": "aws cloudwatch put-metric-alarm --alarm-name cloudtrail_config_changes "
        "--namespace CISBenchmark --metric-name CloudTrailChanges",
        "alarm_namespace": "--namespace CISBenchmark --metric-name CloudTrailChanges",
        "enabled": "aws cloudwatch enable-alarm-actions --alarm-names 'trail-changes'",
        "confirmed": "make alarm 'trail-changes' notify a topic with a confirmed subscription",
    }
    expected = next((fixes[k] for k in overrides if k in fixes), "aws logs put-metric-filter")
    assert expected in f.remediation, f.remediation


def test_trail_excluding_kms_events_cannot_feed_the_cmk_alarm(
    aws: boto3.Session, alarm_ext: None
) -> None:
    """controls.md §2.0 step 9: without KMS management events the CMK filter never matches."""
    cmk = "cwalarm.cmk_disable_or_deletion"
    no_kms = [
        {
            "Name": "management without KMS",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]},
            ],
        }
    ]
    pattern = (
        "{ ($.eventSource = kms.amazonaws.com) && "
        "(($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }"
    )
    chain(aws, pattern=pattern, selectors=no_kms)
    f = only(run(aws, [cmk]), cmk)
    assert f.status is Status.FAIL
    assert "does not record all read and write management events" in f.message, f.message
    assert "kms.amazonaws.com" in f.message, f.message


def test_stopped_trail_is_named(aws: boto3.Session, alarm_ext: None) -> None:
    chain(aws)
    aws.client("cloudtrail").stop_logging(Name="main")
    f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.FAIL and f.message == "trail 'main' is not logging"


def test_another_controls_filter_is_not_named_as_the_closest(
    aws: boto3.Session, alarm_ext: None
) -> None:
    chain(aws)  # a complete chain for CloudTrail changes only
    root = "cwalarm.root_usage"
    f = only(run(aws, [root]), root)
    assert f.status is Status.FAIL
    assert f.message.endswith("no metric filter matches: alarm on root account usage")


def test_no_trail_at_all(aws: boto3.Session) -> None:
    f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.FAIL and f.message.startswith("no multi-region trail")


def test_log_group_in_another_account_is_unknown(aws: boto3.Session, alarm_ext: None) -> None:
    trail(
        aws,
        "main",
        multi_region=True,
        advanced=MGMT_ALL,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:us-east-1:{ORG_ACCOUNT}:log-group:org:*",
    )
    f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.UNKNOWN
    assert "the log group is in account 111111111111; follow the chain there" in f.message


def test_unreadable_organization_trail_is_unknown(aws: boto3.Session, alarm_ext: None) -> None:
    with organization_trails_visible(status_readable=False):
        trail(assume(aws, ORG_ACCOUNT), "org-trail", multi_region=True, IsOrganizationTrail=True)
        f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.UNKNOWN and "cannot be read" in f.message
    assert "repair" not in f.evidence  # awsobs fix builds nothing on an unread chain


def test_filters_unreadable_is_unknown(
    aws: boto3.Session, alarm_ext: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    chain(aws)
    stub_error(monkeypatch, "logs", "describe_metric_filters")
    f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.UNKNOWN and "logs:DescribeMetricFilters" in f.message
    assert "repair" not in f.evidence


def test_fifteen_controls_read_the_chain_once(aws: boto3.Session, alarm_ext: None) -> None:
    chain(aws)
    report = run(aws, ["cwalarm.*"])
    assert len(report.findings) == 15
    assert only(report, CHANGES).status is Status.PASS
    calls = report.api_calls_by_operation
    assert calls["logs:DescribeMetricFilters"] == 1
    assert calls["cloudwatch:DescribeAlarms"] == 1
    assert calls["sns:ListSubscriptionsByTopic"] == 1


@pytest.mark.parametrize(
    ("overrides", "repair"),
    [
        pytest.param({"multi_region": False}, {"step": "trail"}, id="no-multi-region-trail"),
        pytest.param(
            {"filter": False},
            {"step": "filter", "log_group": "cloudtrail", "region": "us-east-1"},
            id="no-filter",
        ),
        pytest.param(
            {"alarm": False},
            {
                "step": "alarm",
                "log_group": "cloudtrail",
                "region": "us-east-1",
                "namespace": "CISBenchmark",
                "metric": "CloudTrailChanges",
            },
            id="no-alarm",
        ),
    ],
)
def test_the_broken_link_is_named_for_awsobs_fix(
    aws: boto3.Session, alarm_ext: None, overrides: dict[str, Any], repair: dict[str, str]
) -> None:
    """`awsobs fix` adds what the chain lacks from here on, on the log group it reached
    (evidence `repair`), never a second filter beside an alarm that only lacks itself."""
    chain(aws, **overrides)
    f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.FAIL
    assert f.evidence["repair"] == repair


def test_no_repair_is_named_when_the_chain_is_whole(aws: boto3.Session, alarm_ext: None) -> None:
    chain(aws)
    f = only(run(aws, [CHANGES]), CHANGES)
    assert f.status is Status.PASS and "repair" not in f.evidence


def test_an_unread_trail_names_no_repair(aws: boto3.Session, alarm_ext: None) -> None:
    """The only multi-region trail's selectors cannot be read: UNKNOWN, and no `repair`
    (awsobs fix would otherwise plan a second trail beside one that may be complete)."""
    chain(aws)
    scanner = restricted_session(aws, ["*"], deny=["cloudtrail:GetEventSelectors"])
    with iam_enforced():
        f = only(run(scanner, [CHANGES]), CHANGES)
    assert f.status is Status.UNKNOWN and "cloudtrail:GetEventSelectors" in f.message
    assert "repair" not in f.evidence
