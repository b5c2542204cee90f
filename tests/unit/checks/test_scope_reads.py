"""The reads that decide scope, exemption and coverage: when one fails, the resources it
would have decided are UNKNOWN naming it, never judged as if it had said "in scope".

The cases the issue names, each spelled out; tests/unit/checks/test_denied_reads.py denies
every read of every check in turn. A single request is denied with the replay gateway
(tests/replay.py) over an empty recording: every other read goes to moto as usual.
"""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest
from alarm_seed import cis_chain, log_group, topic
from helpers import MGMT_ALL, bucket, findings, run, trail
from logging_seed import access_logs
from replay import Key, Recording, replaying
from resources import dynamodb_table, lambda_function

from awsobs import Finding, Report, Status

METRICS, ALARMS, LOGGING = (
    "s3.request_metrics_enabled",
    "s3.error_alarms",
    "s3.server_access_logging",
)
BUCKET_CHECKS = [METRICS, ALARMS, LOGGING]


def _scan(
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    checks: list[str],
    deny: Callable[[Key], bool],
    **kw: object,
) -> Report:
    with replaying(monkeypatch, Recording(), deny=deny):
        return run(aws, checks, **kw)  # type: ignore[arg-type]


def _of(report: Report, check_id: str, resource: str) -> Finding:
    (f,) = [f for f in findings(report, check_id) if f.resource_id.endswith(resource)]
    return f


def test_trail_buckets_are_unknown_when_the_trails_cannot_be_listed(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, alarm_ext: None
) -> None:
    trail(aws, "main")  # its bucket main-logs receives CloudTrail logs
    free = run(aws, BUCKET_CHECKS)
    assert {f.status for f in free.findings if f.resource_id.endswith("main-logs")} == {
        Status.NOT_APPLICABLE
    }
    report = _scan(aws, monkeypatch, BUCKET_CHECKS, lambda k: k[2] == "DescribeTrails")
    for check_id in BUCKET_CHECKS:
        f = _of(report, check_id, ":::main-logs")
        assert f.status is Status.UNKNOWN, (check_id, f.message)
        assert f.evidence["error"]["action"] == "cloudtrail:DescribeTrails"
        assert "whether it receives CloudTrail logs is unknown" in f.message


def test_a_log_target_is_unknown_when_its_source_logging_cannot_be_read(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, alarm_ext: None
) -> None:
    bucket(aws, "site")
    bucket(aws, "site-logs")
    access_logs(aws, "site", "site-logs")
    assert {f.status for f in run(aws, BUCKET_CHECKS).findings if "site-logs" in f.resource_id} == {
        Status.NOT_APPLICABLE
    }

    def deny(k: Key) -> bool:
        return k[2] == "GetBucketLogging" and '"site"' in k[3]

    report = _scan(aws, monkeypatch, BUCKET_CHECKS, deny)
    for check_id in BUCKET_CHECKS:
        f = _of(report, check_id, ":::site-logs")
        assert f.status is Status.UNKNOWN, (check_id, f.message)
        assert f.evidence["error"]["action"] == "s3:GetBucketLogging"
        assert "could not read the logging of bucket 'site'" in f.message


def test_a_bucket_whose_tags_cannot_be_read_is_unknown_not_in_scope(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, alarm_ext: None
) -> None:
    bucket(aws, "web")
    options = {"bucket_tag": "traffic"}
    free = run(aws, [METRICS, ALARMS], options=options)
    assert {f.status for f in free.findings} == {Status.NOT_APPLICABLE}  # no such tag
    report = _scan(
        aws, monkeypatch, [METRICS, ALARMS], lambda k: k[2] == "GetBucketTagging", options=options
    )
    for check_id in (METRICS, ALARMS):
        f = _of(report, check_id, ":::web")
        assert f.status is Status.UNKNOWN
        assert "whether it has the tag traffic (option bucket_tag) is unknown" in f.message
        assert f.evidence["error"]["action"] == "s3:GetBucketTagging"


@pytest.mark.parametrize(
    ("check_id", "make"),
    [
        ("cloudtrail.dynamodb_data_events", lambda aws: dynamodb_table(aws, "orders")),
        ("cloudtrail.lambda_data_events", lambda aws: lambda_function(aws, "checkout")),
    ],
)
def test_data_event_unknowns_keep_the_error(
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    check_id: str,
    make: Callable[[boto3.Session], object],
) -> None:
    make(aws)
    trail(aws, "main", multi_region=True, advanced=MGMT_ALL)
    report = _scan(aws, monkeypatch, [check_id], lambda k: k[2] == "GetEventSelectors")
    (f,) = findings(report, check_id)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"] == {
        "kind": "access_denied",
        "action": "cloudtrail:GetEventSelectors",
        "code": "AccessDenied",
        "region": "us-east-1",
    }
    assert "access denied to cloudtrail:GetEventSelectors" in f.message


def test_an_unreadable_trail_with_a_whole_cis_chain_keeps_the_account_from_failing(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, alarm_ext: None
) -> None:
    """Trail 'main' has the whole chain; trail 'second' breaks at the metric filter. With
    main's selectors unreadable, the account is UNKNOWN, not FAIL on second's gap."""
    topic(aws)
    trail(
        aws, "main", multi_region=True, advanced=MGMT_ALL, CloudWatchLogsLogGroupArn=log_group(aws)
    )
    cis_chain(aws)
    group = log_group(aws, "second-group")
    trail(aws, "second", multi_region=True, advanced=MGMT_ALL, CloudWatchLogsLogGroupArn=group)
    check_id = "cwalarm.root_usage"
    assert findings(run(aws, [check_id]), check_id)[0].status is Status.PASS

    def deny(k: Key) -> bool:
        return k[2] == "GetEventSelectors" and "trail/main" in k[3]

    (f,) = findings(_scan(aws, monkeypatch, [check_id], deny), check_id)
    assert f.status is Status.UNKNOWN, f.message
    assert "no metric filter matches" in f.message  # what second lacks, still said
    assert f.evidence["error"]["action"] == "cloudtrail:GetEventSelectors"


def test_audit_groups_are_open_when_another_regions_trails_cannot_be_listed(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trail of eu-west-1 might write to a group in us-east-1: not "no audit group"."""
    aws.client("logs").create_log_group(logGroupName="app")
    check_id = "logs.retention_minimum"
    free = run(aws, [check_id], regions=["us-east-1", "eu-west-1"])
    assert {f.status for f in free.findings} == {Status.NOT_APPLICABLE}

    def deny(k: Key) -> bool:
        return k[2] == "DescribeTrails" and k[0] == "eu-west-1"

    report = _scan(aws, monkeypatch, [check_id], deny, regions=["us-east-1", "eu-west-1"])
    us = [f for f in findings(report, check_id) if f.region == "us-east-1"]
    assert [f.status for f in us] == [Status.UNKNOWN]
    assert "could not read CloudTrail trails in eu-west-1" in us[0].message
