"""cloudfront.error_alarms: a 5xxErrorRate alarm per distribution, in us-east-1, with the
dimensions DistributionId and Region=Global.

moto serves every read (ListDistributions, DescribeAlarms, ListSubscriptionsByTopic);
pending subscriptions come from the `alarm_ext` fixture. Denied reads are one operation
answered AccessDenied by the replay gateway (tests/replay.py, over an empty recording,
every other read going to moto): with moto's IAM enforcement on, moto refuses every
CloudFront request, even an allowed one.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from alarm_seed import topic
from helpers import findings, only, run
from replay import Recording, replaying

import awsobs.checks.cloudfront.alarms  # noqa: F401
from awsobs import Finding, Status
from awsobs.demo.alarms_lbcdn import error_rate_alarm
from awsobs.demo.edge import distribution

CHECK = "cloudfront.error_alarms"


@pytest.fixture
def oncall(aws: boto3.Session, alarm_ext: None) -> str:
    return topic(aws)


def by_arn(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def test_an_alarm_in_us_east_1_with_region_global_passes(aws: boto3.Session, oncall: str) -> None:
    dist_id, arn = distribution(aws, "shop")
    error_rate_alarm(aws, "shop-5xx", dist_id, [oncall])
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS and f.resource_id == arn and f.region == "global"
    assert f.message == (
        f"distribution {dist_id} ('shop'): 5xxErrorRate by 'shop-5xx' (OriginLatency: no alarm)"
    )
    assert f.evidence["alarm_region"] == "us-east-1"


def test_the_us_east_1_alarms_count_whatever_regions_are_scanned(
    aws: boto3.Session, oncall: str
) -> None:
    dist_id, _ = distribution(aws, "shop")
    error_rate_alarm(aws, "shop-5xx", dist_id, [oncall])
    assert only(run(aws, [CHECK], ["eu-west-1"]), CHECK).status is Status.PASS


def test_an_alarm_without_region_global_is_the_near_miss(aws: boto3.Session, oncall: str) -> None:
    dist_id, _ = distribution(aws, "shop")
    error_rate_alarm(aws, "shop-5xx", dist_id, [oncall], global_dim=False)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f"alarm 'shop-5xx' watches AWS/CloudFront 5xxErrorRate (DistributionId={dist_id})" in (
        f.message
    )
    assert "lacks the dimension Region=Global" in f.message
    assert f.remediation.startswith("aws cloudwatch put-metric-alarm --region us-east-1 ")
    assert "Name=Region,Value='Global'" in f.remediation
    assert "--statistic Average" in f.remediation


def test_an_alarm_in_another_region_never_fires(aws: boto3.Session, oncall: str) -> None:
    """The pitfall: CloudFront publishes only in us-east-1."""
    dist_id, _ = distribution(aws, "shop")
    eu = topic(aws, "eu-oncall", region="eu-west-1")
    error_rate_alarm(aws, "shop-5xx", dist_id, [eu], region="eu-west-1")
    f = only(run(aws, [CHECK], ["us-east-1", "eu-west-1"]), CHECK)
    assert f.status is Status.FAIL
    assert f.message.endswith(
        "alarm 'shop-5xx' in eu-west-1 watches it outside us-east-1, where CloudFront "
        "publishes no metric, so it never fires"
    )
    assert f.evidence["alarms_in_other_regions"] == ["'shop-5xx' in eu-west-1"]


def test_another_distributions_alarm_is_not_a_near_miss(aws: boto3.Session, oncall: str) -> None:
    shop, shop_arn = distribution(aws, "shop")
    _, media_arn = distribution(aws, "media")
    error_rate_alarm(aws, "shop-5xx", shop, [oncall])
    got = by_arn(run(aws, [CHECK]))
    assert got[shop_arn].status is Status.PASS
    assert got[media_arn].status is Status.FAIL and "shop-5xx" not in got[media_arn].message


def test_an_alarm_to_a_pending_topic_reaches_nobody(aws: boto3.Session, oncall: str) -> None:
    dist_id, _ = distribution(aws, "shop")
    error_rate_alarm(aws, "shop-5xx", dist_id, [topic(aws, "nobody", confirmed=False)])
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "topic nobody has no confirmed subscription" in f.message


def test_no_distribution_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.message == "no CloudFront distribution in the account"


def test_listing_denied_is_one_unknown(
    aws: boto3.Session, oncall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    distribution(aws, "shop")
    with replaying(monkeypatch, Recording(), deny=lambda k: k[2] == "ListDistributions"):
        f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == "cloudfront:ListDistributions"


def test_alarms_denied_in_us_east_1_is_unknown_per_distribution(
    aws: boto3.Session, oncall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dist_id, arn = distribution(aws, "shop")
    error_rate_alarm(aws, "shop-5xx", dist_id, [oncall])
    deny = lambda k: k[2] == "DescribeAlarms" and k[0] == "us-east-1"  # noqa: E731
    with replaying(monkeypatch, Recording(), deny=deny):
        f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN and f.resource_id == arn
    assert f.message.startswith("could not read alarms in us-east-1: access denied")
    assert f.evidence["error"]["action"] == "cloudwatch:DescribeAlarms"
