"""wafv2.logging: each regional web ACL of each region and each CloudFront web ACL (read
once, in us-east-1) has a logging configuration, its own or Amazon Security Lake's.

moto serves ListWebACLs for both scopes; its ListLoggingConfigurations filters by scope
wrongly and ignores LogScope, so awsobs/demo/moto_edge.py answers it from moto's own
logging configurations (and from `security_lake_logging` for LogScope=SECURITY_LAKE,
which moto cannot model). NextMarker paging is stubbed with botocore's Stubber (moto
returns one page). Denied reads are one request denied by the replay gateway
(tests/replay.py over an empty recording; every other read goes to moto).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from helpers import ACCOUNT, assert_sends_exactly_its_permissions, findings, run, stub_client
from replay import Key, Recording, replaying

import awsobs.checks.wafv2.web_acl_logging  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.edge import waf_logging, web_acl
from awsobs.demo.moto_edge import install_edge_extension, reset_security_lake, security_lake_logging

CHECK = "wafv2.logging"


@pytest.fixture(autouse=True)
def edge_ext() -> Iterator[None]:
    install_edge_extension()
    reset_security_lake()
    yield
    reset_security_lake()


def by_arn(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def scan_counting(session: boto3.Session, regions: list[str]) -> tuple[Any, list[Any]]:
    calls: list[tuple[str, str, str, dict[str, Any]]] = []
    report = scan(
        session,
        checks=[CHECK],
        regions=regions,
        on_request=lambda service, op, region, params: calls.append((service, op, region, params)),
    )
    return report, [c for c in calls if c[0] == "wafv2"]


def denying(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, deny: Any) -> Any:
    with replaying(monkeypatch, Recording(), deny=deny):
        return run(aws, [CHECK])


def test_logged_regional_and_cloudfront_web_acls_pass(aws: boto3.Session) -> None:
    regional = web_acl(aws, "shop-waf", "REGIONAL")
    group = waf_logging(aws, regional)
    cdn = web_acl(aws, "cdn-waf", "CLOUDFRONT")
    waf_logging(aws, cdn)
    got = by_arn(run(aws, [CHECK]))
    assert got[regional].status is Status.PASS
    assert got[regional].region == "us-east-1"
    assert got[regional].resource_type == "AWS::WAFv2::WebACL"
    assert got[regional].message == f"web ACL 'shop-waf' logs to {group}"
    assert got[cdn].status is Status.PASS
    assert got[cdn].region == "global"
    assert got[cdn].message.startswith("CloudFront web ACL 'cdn-waf' logs to arn:aws:logs:")
    assert got[cdn].evidence["scope"] == "CLOUDFRONT"


def test_a_web_acl_without_logging_fails_with_the_command(aws: boto3.Session) -> None:
    arn = web_acl(aws, "admin-waf", "REGIONAL", "eu-west-1")
    f = by_arn(run(aws, [CHECK], ["eu-west-1"]))[arn]
    assert f.status is Status.FAIL
    assert f.region == "eu-west-1"
    assert f.message.startswith("web ACL 'admin-waf' has no logging configuration")
    assert f.remediation.startswith(
        "aws wafv2 put-logging-configuration --region eu-west-1 --logging-configuration "
        f"ResourceArn={arn},LogDestinationConfigs="
    )


def test_security_lake_managed_logging_passes(aws: boto3.Session) -> None:
    """A web ACL whose only logging configuration Security Lake manages logs too."""
    arn = web_acl(aws, "lake-waf", "REGIONAL")
    security_lake_logging(arn, "arn:aws:s3:::aws-security-data-lake")
    f = by_arn(run(aws, [CHECK]))[arn]
    assert f.status is Status.PASS
    assert "managed by Amazon Security Lake" in f.message
    assert f.evidence["log_scope"] == "SECURITY_LAKE"


def test_the_security_lake_listing_is_read_only_for_unlogged_web_acls(aws: boto3.Session) -> None:
    waf_logging(aws, web_acl(aws, "shop-waf", "REGIONAL"))
    _, calls = scan_counting(aws, ["us-east-1"])
    assert [c[3]["LogScope"] for c in calls if c[1] == "ListLoggingConfigurations"] == ["CUSTOMER"]
    web_acl(aws, "admin-waf", "REGIONAL")
    _, calls = scan_counting(aws, ["us-east-1"])
    assert sorted(c[3]["LogScope"] for c in calls if c[1] == "ListLoggingConfigurations") == [
        "CUSTOMER",
        "SECURITY_LAKE",
    ]


def test_cloudfront_web_acls_are_read_once_and_reported_once(aws: boto3.Session) -> None:
    """Global web ACLs: read in us-east-1 only (even when it is not scanned), reported once
    (region global), never once per scanned region."""
    cdn = web_acl(aws, "cdn-waf", "CLOUDFRONT")
    waf_logging(aws, cdn)
    for regions in (["us-east-1", "eu-west-1"], ["eu-west-1"]):
        report, calls = scan_counting(aws, regions)
        assert [f.resource_id for f in findings(report, CHECK)].count(cdn) == 1
        cloudfront = [c for c in calls if c[3].get("Scope") == "CLOUDFRONT"]
        assert {(c[1], c[2]) for c in cloudfront} == {
            ("ListWebACLs", "us-east-1"),
            ("ListLoggingConfigurations", "us-east-1"),
        }
        assert len(cloudfront) == 2
        # no regional web ACL: one regional listing per scanned region, nothing more
        assert sorted(c[2] for c in calls if c[3].get("Scope") == "REGIONAL") == sorted(regions)


def test_no_web_acl_is_not_applicable_per_region_and_for_cloudfront(aws: boto3.Session) -> None:
    got = by_arn(run(aws, [CHECK], ["us-east-1", "eu-west-1"]))
    assert {k: (f.status, f.message) for k, f in got.items()} == {
        "us-east-1": (Status.NOT_APPLICABLE, "no web ACL in us-east-1"),
        "eu-west-1": (Status.NOT_APPLICABLE, "no web ACL in eu-west-1"),
        "global": (Status.NOT_APPLICABLE, "no CloudFront web ACL"),
    }


def test_web_acl_listing_denied_is_one_unknown_for_the_scope(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    web_acl(aws, "shop-waf", "REGIONAL")
    waf_logging(aws, web_acl(aws, "cdn-waf", "CLOUDFRONT"))

    def regional(key: Key) -> bool:
        return key[2] == "ListWebACLs" and '"REGIONAL"' in key[3]

    got = by_arn(denying(aws, monkeypatch, regional))
    f = got["us-east-1"]
    assert f.status is Status.UNKNOWN
    assert f.message.startswith("could not list web ACLs in us-east-1: access denied")
    assert f.evidence["error"]["action"] == "wafv2:ListWebACLs"
    assert {x.status for k, x in got.items() if k != "us-east-1"} == {Status.PASS}


def test_logging_listing_denied_makes_each_web_acl_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    arn = web_acl(aws, "shop-waf", "REGIONAL")
    waf_logging(aws, arn)
    got = by_arn(denying(aws, monkeypatch, lambda k: k[2] == "ListLoggingConfigurations"))
    f = got[arn]
    assert f.status is Status.UNKNOWN  # never FAIL on an unread listing
    assert "could not list the logging configurations of web ACLs in us-east-1" in f.message
    assert f.evidence["error"]["action"] == "wafv2:ListLoggingConfigurations"


def test_security_lake_listing_denied_is_unknown_for_the_unlogged_only(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged = web_acl(aws, "shop-waf", "REGIONAL")
    waf_logging(aws, logged)
    bare = web_acl(aws, "admin-waf", "REGIONAL")
    got = by_arn(denying(aws, monkeypatch, lambda k: '"SECURITY_LAKE"' in k[3]))
    assert got[logged].status is Status.PASS
    assert got[bare].status is Status.UNKNOWN
    assert "whether Amazon Security Lake collects its logs could not be read" in (got[bare].message)


def test_next_marker_pages_are_followed(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed (moto returns one page): two pages of web ACLs, one of configurations."""

    def acl(name: str) -> dict[str, str]:
        return {
            "Name": name,
            "Id": f"{name}-id",
            "LockToken": "t",
            "ARN": f"arn:aws:wafv2:eu-west-1:{ACCOUNT}:regional/webacl/{name}/{name}-id",
        }

    configs = [
        {"ResourceArn": acl(n)["ARN"], "LogDestinationConfigs": [f"arn:aws:s3:::aws-waf-logs-{n}"]}
        for n in ("a", "b")
    ]
    stub_client(
        monkeypatch,
        "wafv2",
        [
            ("list_web_acls", {"WebACLs": [acl("a")], "NextMarker": "m1"}),
            ("list_web_acls", {"WebACLs": [acl("b")]}),
            ("list_logging_configurations", {"LoggingConfigurations": configs}),
        ],
        region="eu-west-1",
    )
    report = run(aws, [CHECK], ["eu-west-1"])
    statuses = {f.resource_id: f.status for f in findings(report, CHECK) if f.region != "global"}
    assert statuses == {
        configs[0]["ResourceArn"]: Status.PASS,
        configs[1]["ResourceArn"]: Status.PASS,
    }


def test_the_edge_seed_makes_every_declared_read_with_no_unknown(aws: boto3.Session) -> None:
    """tests/seeds/edge_seed.py: alone, the check sends exactly what it declares."""
    from edge_seed import seed_every_edge_read

    seed_every_edge_read(aws)
    assert_sends_exactly_its_permissions(aws, CHECK)
