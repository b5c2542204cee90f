"""eks.control_plane_logging: api, audit and authenticator by default, the required set an
option, each disabled required type named.

moto serves ListClusters and DescribeCluster with the `logging` a cluster was created
with (all five types off when none is given, as on AWS). Stubbed with botocore's Stubber
(helpers.stub_client / stub_error) in eu-west-1: a cluster being deleted and one whose
answer has no `logging` (moto always reports both fields as set), and the denied reads:
with moto's IAM enforcement on, moto rejects every EKS (REST) request, even an allowed
ListClusters, so `restricted_session` cannot deny one EKS read alone.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from containers_seed import seed_every_containers_read
from helpers import ACCOUNT, findings, only, run, stub_client, stub_error

import awsobs.checks.eks.control_plane  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.containers import eks_cluster

CHECK = "eks.control_plane_logging"
REGION = "us-east-1"
ALL_FIVE = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


def by_id(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:eks:{region}:{ACCOUNT}:cluster/{name}"


def with_option(session: boto3.Session, types: list[str], regions: list[str] | None = None) -> Any:
    return run(session, [CHECK], regions or [REGION], options={CHECK: {"eks_log_types": types}})


def test_api_audit_authenticator_pass_and_a_disabled_type_is_named(aws: boto3.Session) -> None:
    eks_cluster(aws, "platform", ["api", "audit", "authenticator"], REGION)
    eks_cluster(aws, "sandbox", ["api", "authenticator"], REGION)
    got = by_id(run(aws, [CHECK]))
    ok = got[arn("platform")]
    assert ok.status is Status.PASS
    assert ok.resource_type == "AWS::EKS::Cluster"
    assert ok.message == (
        "EKS cluster 'platform' sends its api, audit, authenticator control plane logs to "
        "CloudWatch Logs"
    )
    bad = got[arn("sandbox")]
    assert bad.status is Status.FAIL
    assert bad.message.startswith(
        "EKS cluster 'sandbox' does not send its audit control plane logs to CloudWatch Logs "
        "(enabled: api, authenticator; required: api, audit, authenticator)"
    )
    assert "without audit logs nothing records who did what inside the cluster" in bad.message
    assert bad.evidence["disabled_types"] == ["audit", "controllerManager", "scheduler"]
    assert bad.remediation == (
        "aws eks update-cluster-config --region us-east-1 --name sandbox --logging "
        '\'{"clusterLogging": [{"types": ["audit"], "enabled": true}]}\''
    )


def test_a_cluster_created_without_logging_fails_naming_every_required_type(
    aws: boto3.Session,
) -> None:
    aws.client("eks").create_cluster(
        name="bare", roleArn=f"arn:aws:iam::{ACCOUNT}:role/r", resourcesVpcConfig={}
    )
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "does not send its api, audit, authenticator control plane logs" in f.message
    assert "(enabled: none;" in f.message


def test_the_option_changes_the_required_set(aws: boto3.Session) -> None:
    """Prowler's all five: the default PASS turns FAIL naming the two extra types; a set
    of only audit (spelt in any case) PASSes a cluster without api."""
    eks_cluster(aws, "platform", ["api", "audit", "authenticator"], REGION)
    f = only(with_option(aws, ALL_FIVE), CHECK)
    assert f.status is Status.FAIL
    assert "does not send its controllerManager, scheduler control plane logs" in f.message
    assert f.evidence["required_types"] == ALL_FIVE
    assert "without audit logs" not in f.message
    f = only(with_option(aws, ["AUDIT", "controllermanager"]), CHECK)
    assert f.status is Status.FAIL
    assert f.evidence["required_types"] == ["audit", "controllerManager"]
    f = only(with_option(aws, ["audit"]), CHECK)
    assert f.status is Status.PASS
    assert f.message.endswith("CloudWatch Logs (also api, authenticator)")


def test_an_option_naming_an_unknown_type_is_unknown_and_reads_nothing(
    aws: boto3.Session,
) -> None:
    eks_cluster(aws, "platform", ALL_FIVE, REGION)
    calls: list[str] = []
    report = scan(
        aws,
        checks=[CHECK],
        regions=[REGION],
        options={CHECK: {"eks_log_types": ["audit", "kubelet"]}},
        on_request=lambda service, op, region, params: calls.append(f"{service}:{op}"),
    )
    f = only(report, CHECK)
    assert (f.status, f.resource_id) == (Status.UNKNOWN, REGION)
    assert f.message.startswith("option eks_log_types names 'kubelet', which EKS does not offer")
    assert not [c for c in calls if c.startswith("eks:")]


def test_no_cluster_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert (f.status, f.message) == (Status.NOT_APPLICABLE, "no EKS clusters in eu-west-1")


def _described(name: str, **fields: Any) -> dict[str, Any]:
    return {"cluster": {"name": name, "arn": arn(name, "eu-west-1"), **fields}}


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        (
            {"status": "DELETING", "logging": {}},
            Status.NOT_APPLICABLE,
            "EKS cluster 'edge' is being deleted: no control plane to log",
        ),
        (
            {"status": "FAILED", "logging": {}},
            Status.NOT_APPLICABLE,
            "EKS cluster 'edge' failed to be created: no control plane to log",
        ),
        (
            {"status": "ACTIVE"},
            Status.UNKNOWN,
            "EKS cluster 'edge' reports no control plane logging configuration",
        ),
    ],
)
def test_a_cluster_gone_is_not_applicable_and_no_logging_is_unknown(
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    fields: dict[str, Any],
    status: Status,
    message: str,
) -> None:
    """Stubbed: moto's clusters are ACTIVE and always report `logging`."""
    stub_client(
        monkeypatch,
        "eks",
        [
            ("list_clusters", {"clusters": ["edge"]}),
            ("describe_cluster", _described("edge", **fields)),
        ],
        region="eu-west-1",
    )
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert (f.status, f.message) == (status, message)
    assert f.resource_id == arn("edge", "eu-west-1")


def test_describe_denied_is_unknown_for_the_cluster(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_client(
        monkeypatch,
        "eks",
        [("list_clusters", {"clusters": ["platform"]}), ("describe_cluster", "AccessDenied")],
        region="eu-west-1",
    )
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == arn("platform", "eu-west-1")
    assert f.message.startswith(
        "could not read the logging configuration of EKS cluster 'platform'"
    )
    assert f.evidence["error"]["action"] == "eks:DescribeCluster"


def test_listing_denied_is_one_unknown_for_the_region(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_error(monkeypatch, "eks", "list_clusters", region="eu-west-1")
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert (f.status, f.resource_id) == (Status.UNKNOWN, "eu-west-1")
    assert f.message.startswith("could not list EKS clusters")
    assert f.evidence["error"]["action"] == "eks:ListClusters"


def test_requests_are_one_listing_and_one_describe_per_cluster(aws: boto3.Session) -> None:
    seed_every_containers_read(aws)
    for i in range(3):
        eks_cluster(aws, f"extra-{i}", ["api", "audit", "authenticator"], REGION)
    calls: list[str] = []
    report = scan(
        aws,
        checks=[CHECK],
        regions=[REGION],
        on_request=lambda service, op, region, params: calls.append(op),
    )
    assert {f.status for f in findings(report, CHECK)} == {Status.PASS}
    assert sorted(c for c in calls if c in ("ListClusters", "DescribeCluster")) == sorted(
        ["ListClusters"] + ["DescribeCluster"] * 4
    )
