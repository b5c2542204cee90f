"""route53.query_logging: each public hosted zone has a DNS query logging configuration;
private zones are NOT_APPLICABLE (Resolver query logging's); global, read in us-east-1.

moto serves ListHostedZones and ListQueryLoggingConfigs (and refuses a configuration whose
log group does not exist in us-east-1, as AWS does). Denied reads are one operation denied
by the replay gateway (tests/replay.py over an empty recording; every other read goes to
moto), as for the other edge checks.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from helpers import ACCOUNT, assert_sends_exactly_its_permissions, findings, only, run
from replay import Recording, replaying

import awsobs.checks.route53.query_logging  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.edge import hosted_zone, query_logging

CHECK = "route53.query_logging"


def by_arn(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def arn(zone: str) -> str:
    return f"arn:aws:route53:::hostedzone/{zone}"


def denied(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, operation: str) -> Any:
    with replaying(monkeypatch, Recording(), deny=lambda key: key[2] == operation):
        return run(aws, [CHECK])


def test_a_public_zone_that_logs_queries_passes(aws: boto3.Session) -> None:
    zone = hosted_zone(aws, "shop.example.com")
    query_logging(aws, zone, "shop.example.com")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert f.resource_id == arn(zone)
    assert f.resource_type == "AWS::Route53::HostedZone"
    assert f.region == "global"
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/route53/shop.example.com:*"
    assert f.message == (
        f"public hosted zone 'shop.example.com.' ({zone}) logs DNS queries to {group}"
    )
    assert f.evidence["log_groups"] == [group]


def test_a_public_zone_without_query_logging_fails(aws: boto3.Session) -> None:
    zone = hosted_zone(aws, "admin.example.com")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.message.startswith(
        f"public hosted zone 'admin.example.com.' ({zone}) has no query logging configuration"
    )
    assert "--log-group-name /aws/route53/admin.example.com" in f.remediation
    assert f"create-query-logging-config --hosted-zone-id {zone}" in f.remediation


def test_a_private_zone_is_not_applicable_and_says_why(aws: boto3.Session) -> None:
    zone = hosted_zone(aws, "corp.internal", private=True)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.resource_id == arn(zone)
    assert "query logging exists for public hosted zones only" in f.message
    assert "Route 53 Resolver query logging" in f.message


def test_query_logging_is_not_read_without_a_public_zone(aws: boto3.Session) -> None:
    hosted_zone(aws, "corp.internal", private=True)
    calls: list[str] = []
    scan(
        aws, checks=[CHECK], regions=["us-east-1"], on_request=lambda s, op, r, p: calls.append(op)
    )
    assert "ListQueryLoggingConfigs" not in calls


def test_no_hosted_zone_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.resource_id == ACCOUNT
    assert f.message == "no Route 53 hosted zone in the account"


def test_reads_happen_once_in_us_east_1_whatever_the_regions(aws: boto3.Session) -> None:
    zone = hosted_zone(aws, "shop.example.com")
    query_logging(aws, zone, "shop.example.com")
    calls: list[tuple[str, str]] = []
    report = scan(
        aws,
        checks=[CHECK],
        regions=["eu-west-1", "us-west-2"],
        on_request=lambda s, op, r, p: calls.append((op, r)) if s == "route53" else None,
    )
    assert [f.status for f in findings(report, CHECK)] == [Status.PASS]
    assert sorted(calls) == [
        ("ListHostedZones", "us-east-1"),
        ("ListQueryLoggingConfigs", "us-east-1"),
    ]


def test_zone_listing_denied_is_one_unknown_for_the_account(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    hosted_zone(aws, "shop.example.com")
    f = only(denied(aws, monkeypatch, "ListHostedZones"), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == ACCOUNT
    assert f.message.startswith("could not list Route 53 hosted zones: access denied")
    assert f.evidence["error"]["action"] == "route53:ListHostedZones"


def test_query_logging_denied_is_unknown_for_public_zones_only(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    public = hosted_zone(aws, "shop.example.com")
    query_logging(aws, public, "shop.example.com")
    private = hosted_zone(aws, "corp.internal", private=True)
    got = by_arn(denied(aws, monkeypatch, "ListQueryLoggingConfigs"))
    assert got[arn(public)].status is Status.UNKNOWN
    assert got[arn(public)].evidence["error"]["action"] == "route53:ListQueryLoggingConfigs"
    assert "could not list query logging configurations" in got[arn(public)].message
    assert got[arn(private)].status is Status.NOT_APPLICABLE  # decided by the zone listing


def test_the_edge_seed_makes_every_declared_read_with_no_unknown(aws: boto3.Session) -> None:
    """tests/seeds/edge_seed.py: alone, the check sends exactly what it declares."""
    from edge_seed import seed_every_edge_read

    seed_every_edge_read(aws)
    assert_sends_exactly_its_permissions(aws, CHECK)
