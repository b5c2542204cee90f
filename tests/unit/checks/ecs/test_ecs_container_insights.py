"""ecs.container_insights: `enabled` and `enhanced` are both on; the account default is
evidence, never the verdict.

moto serves ListClusters, DescribeClusters (with its settings) and ListAccountSettings;
moto ignores `effectiveSettings` and answers no setting until one is put, where AWS
answers the effective default. What moto cannot produce is stubbed with botocore's
Stubber (tests/helpers.stub_client) in eu-west-1, where the engine sends nothing of its
own: a cluster without a `containerInsights` setting or with a value AWS does not
document, and a cluster DescribeClusters answers under `failures`. Denied reads come from
moto's own IAM authorizer (`restricted_session` + `iam_enforced`).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from helpers import ACCOUNT, findings, only, restricted_session, run, stub_client
from moto_ext import iam_enforced

import awsobs.checks.ecs.clusters  # noqa: F401
from awsobs import Finding, Status
from awsobs.demo.containers import ecs_cluster

CHECK = "ecs.container_insights"
REGION = "us-east-1"
ALL_READS = ["ecs:*", "ec2:*", "sts:*"]


def by_id(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:ecs:{region}:{ACCOUNT}:cluster/{name}"


def test_enhanced_passes_like_enabled_and_disabled_fails(aws: boto3.Session) -> None:
    """The pitfall: a scanner that knows only `enabled` FAILs `enhanced` (checkov #7000)."""
    ecs_cluster(aws, "shop", "enhanced", REGION)
    ecs_cluster(aws, "web", "enabled", REGION)
    ecs_cluster(aws, "batch", "disabled", REGION)
    got = by_id(run(aws, [CHECK]))
    assert got[arn("shop")].status is Status.PASS
    assert got[arn("shop")].message == (
        "cluster 'shop' has Container Insights enhanced (with enhanced observability)"
    )
    assert got[arn("shop")].resource_type == "AWS::ECS::Cluster"
    assert got[arn("web")].status is Status.PASS
    assert got[arn("web")].evidence["container_insights"] == "enabled"
    batch = got[arn("batch")]
    assert batch.status is Status.FAIL
    assert batch.message.startswith("cluster 'batch' has Container Insights disabled")
    assert batch.remediation.startswith(
        "aws ecs update-cluster-settings --cluster batch "
        "--settings name=containerInsights,value=enhanced"
    )


def test_a_cluster_created_without_settings_is_disabled(aws: boto3.Session) -> None:
    """moto, like AWS for an account whose default is off, reports `disabled`."""
    ecs_cluster(aws, "plain", None, REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.evidence["settings"] == {"containerInsights": "disabled"}


def test_the_account_default_is_evidence_and_never_the_verdict(aws: boto3.Session) -> None:
    """The default applies to clusters created later: an existing disabled cluster still
    FAILs, and the message says the default will not change it."""
    ecs_cluster(aws, "batch", "disabled", REGION)
    aws.client("ecs").put_account_setting(name="containerInsights", value="enhanced")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.evidence["account_default"] == "enhanced"
    assert f.evidence["account_default_applies_to"] == "clusters created later in this region"
    assert "the account default in us-east-1 is 'enhanced', but it applies only to" in f.message


def test_a_disabled_account_default_adds_the_default_fix(aws: boto3.Session) -> None:
    ecs_cluster(aws, "batch", "disabled", REGION)
    aws.client("ecs").put_account_setting(name="containerInsights", value="disabled")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "is 'disabled' too, so new clusters will not have it either" in f.message
    assert "aws ecs put-account-setting-default --name containerInsights --value enhanced" in (
        f.remediation
    )


def test_an_unreadable_account_default_is_noted_not_unknown(aws: boto3.Session) -> None:
    ecs_cluster(aws, "shop", "enhanced", REGION)
    scanner = restricted_session(aws, ALL_READS, deny=["ecs:ListAccountSettings"])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert f.evidence["account_default"] is None
    assert f.evidence["account_default_error"]["action"] == "ecs:ListAccountSettings"


def test_describe_denied_is_unknown_per_cluster(aws: boto3.Session) -> None:
    ecs_cluster(aws, "shop", "enhanced", REGION)
    ecs_cluster(aws, "batch", "disabled", REGION)
    scanner = restricted_session(aws, ALL_READS, deny=["ecs:DescribeClusters"])
    with iam_enforced():
        got = by_id(run(scanner, [CHECK]))
    assert set(got) == {arn("shop"), arn("batch")}
    for name, f in (("shop", got[arn("shop")]), ("batch", got[arn("batch")])):
        assert f.status is Status.UNKNOWN
        assert f.message.startswith(f"could not read the settings of cluster '{name}'")
        assert f.evidence["error"]["action"] == "ecs:DescribeClusters"


def test_listing_denied_is_one_unknown_for_the_region(aws: boto3.Session) -> None:
    ecs_cluster(aws, "shop", "enhanced", REGION)
    scanner = restricted_session(aws, ALL_READS, deny=["ecs:ListClusters"])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == REGION
    assert f.message.startswith("could not list ECS clusters")
    assert f.evidence["error"]["action"] == "ecs:ListClusters"


def test_no_cluster_and_a_deleted_cluster_are_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.message == "no ECS clusters in eu-west-1"
    ecs_cluster(aws, "old", "disabled", REGION)
    aws.client("ecs").delete_cluster(cluster="old")  # INACTIVE, still listed by moto
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.message == "cluster 'old' is deleted (INACTIVE): nothing runs in it"


def _stub_cluster(monkeypatch: pytest.MonkeyPatch, described: dict[str, Any]) -> None:
    name = "edge"
    stub_client(
        monkeypatch,
        "ecs",
        [
            ("list_clusters", {"clusterArns": [arn(name, "eu-west-1")]}),
            ("describe_clusters", described),
            ("list_account_settings", {"settings": []}),
        ],
        region="eu-west-1",
    )


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (None, "cluster 'edge' reports no containerInsights setting"),
        ([], "cluster 'edge' reports no containerInsights setting"),
        (
            [{"name": "containerInsights", "value": "turbo"}],
            "cluster 'edge' reports containerInsights 'turbo', which AWS does not document",
        ),
    ],
)
def test_no_setting_or_an_undocumented_value_is_unknown(
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    settings: list[dict[str, str]] | None,
    expected: str,
) -> None:
    """Stubbed: moto always reports a setting, and only values it was given."""
    cluster: dict[str, Any] = {
        "clusterArn": arn("edge", "eu-west-1"),
        "clusterName": "edge",
        "status": "ACTIVE",
    }
    if settings is not None:
        cluster["settings"] = settings
    _stub_cluster(monkeypatch, {"clusters": [cluster], "failures": []})
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.message.startswith(expected)


def test_a_cluster_described_as_missing_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed: a cluster listed, then deleted before DescribeClusters (`failures`)."""
    failure = {"arn": arn("edge", "eu-west-1"), "reason": "MISSING"}
    _stub_cluster(monkeypatch, {"clusters": [], "failures": [failure]})
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.message == "cluster 'edge' was listed but DescribeClusters reported it as MISSING"


def test_requests_are_one_listing_one_describe_and_one_default_per_region(
    aws: boto3.Session,
) -> None:
    for i in range(5):
        ecs_cluster(aws, f"cluster-{i}", "enabled", REGION)
    calls: list[tuple[str, str]] = []
    from awsobs import scan

    report = scan(
        aws,
        checks=[CHECK],
        regions=[REGION],
        on_request=lambda service, op, region, params: calls.append((service, op)),
    )
    assert {f.status for f in findings(report, CHECK)} == {Status.PASS}
    assert sorted(c for c in calls if c[0] == "ecs") == sorted(
        [("ecs", "ListClusters"), ("ecs", "DescribeClusters"), ("ecs", "ListAccountSettings")]
    )
