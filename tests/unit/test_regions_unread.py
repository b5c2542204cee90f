"""Regions: every check answers for every region named, and "the account has no X" is
only concluded from regions that were read.

moto lists ap-east-1 as "not-opted-in", like a fresh AWS account: a region a user can
name that is not enabled.
"""

from __future__ import annotations

import boto3
import pytest
from helpers import MGMT_ALL, only, restricted_session, run, stub_error, trail
from moto_ext import iam_enforced

from awsobs import REGISTRY, Scope, Status, scan

DISABLED = "ap-east-1"
ACCOUNT_WIDE = [c.id for c in REGISTRY.all() if c.meta.scope is Scope.ACCOUNT]
ALL_READS = ["cloudtrail:*", "s3:*", "logs:*", "cloudwatch:*", "sns:*", "ec2:*", "sts:*"]


def test_every_check_answers_for_a_named_region_that_is_not_enabled(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True, advanced=MGMT_ALL)
    report = scan(aws, regions=["us-east-1", DISABLED])
    for chk in REGISTRY.all():
        there = [f for f in report.findings if f.check_id == chk.id and f.region == DISABLED]
        assert [f.status for f in there] == [Status.UNKNOWN], chk.id
        assert "not enabled" in there[0].message
        assert there[0].evidence["region_enabled"] is False


@pytest.mark.parametrize("check_id", ACCOUNT_WIDE)
def test_only_regions_that_are_not_enabled_give_no_verdict(
    aws: boto3.Session, check_id: str
) -> None:
    """A logging multi-region trail exists, but none of the named regions can be read: no
    check may FAIL "no multi-region trail" (or anything else) on no data."""
    trail(aws, "main", multi_region=True, advanced=MGMT_ALL)
    report = run(aws, [check_id], regions=[DISABLED])
    assert report.findings and {f.status for f in report.findings} == {Status.UNKNOWN}
    assert report.exit_code() == 3
    assert not any(op.startswith("cloudtrail:") for op in report.api_calls_by_operation)


def test_config_recorder_answers_for_the_region_that_is_not_enabled(aws: boto3.Session) -> None:
    report = run(aws, ["config.recorder_all_regions"], regions=["us-east-1", DISABLED])
    by_region = {f.region: f.status for f in report.findings}
    assert by_region == {
        "us-east-1": Status.FAIL,  # no recorder
        DISABLED: Status.UNKNOWN,
        "global": Status.FAIL,  # us-east-1 was read: no region records IAM
    }


@pytest.mark.parametrize(
    "check_id",
    [
        "cloudtrail.multi_region",
        "cloudtrail.s3_data_events_read",
        "cloudtrail.s3_data_events_write",
        "cwalarm.root_usage",
        "cloudtrail.log_file_validation",
    ],
)
def test_no_readable_region_is_unknown_naming_the_denied_action(
    aws: boto3.Session, check_id: str
) -> None:
    trail(aws, "main", multi_region=True, advanced=MGMT_ALL)
    scanner = restricted_session(aws, ALL_READS, deny=["cloudtrail:DescribeTrails"])
    with iam_enforced():
        report = run(scanner, [check_id], regions=["us-east-1", "eu-west-1"])
    assert {f.status for f in report.findings} == {Status.UNKNOWN}
    for f in report.findings:
        assert f.evidence["error"]["action"] == "cloudtrail:DescribeTrails"


def test_a_multi_region_trail_is_seen_from_any_region_that_was_read(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """us-east-1 cannot be listed, but eu-west-1 shows the multi-region trail: the
    account-wide verdict stands on the region that was read (botocore Stubber: moto's
    IAM authorizer has no per-region deny)."""
    trail(aws, "main", region="eu-west-1", multi_region=True, advanced=MGMT_ALL)
    stub_error(monkeypatch, "cloudtrail", "describe_trails", region="us-east-1")
    report = run(aws, ["cloudtrail.multi_region"], regions=["us-east-1", "eu-west-1"])
    assert only(report, "cloudtrail.multi_region").status is Status.PASS
    # ... and with nothing but the unreadable region, no verdict.
    report = run(aws, ["cloudtrail.multi_region"], regions=["us-east-1"])
    f = only(report, "cloudtrail.multi_region")
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == "cloudtrail:DescribeTrails"
