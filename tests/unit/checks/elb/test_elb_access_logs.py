"""elb.access_logs: ALB and Classic always, NLB only with a TLS listener, GWLB never; the
target bucket must still exist, in the load balancer's region.

moto serves every read: both DescribeLoadBalancers, both DescribeLoadBalancerAttributes,
DescribeListeners (a TLS listener needs an ACM certificate, which moto's ACM issues) and
GetBucketLocation (NoSuchBucket for a deleted bucket). moto omits `access_logs.s3.enabled`
until it is set, which is how the check's "absent means AWS's default, false" is tested.
What moto cannot produce is stubbed with botocore's Stubber (tests/helpers.stub_client),
in eu-west-1 where the engine's DescribeRegions is not sent: a bucket of another account
(moto answers GetBucketLocation for any account's bucket; AWS answers AccessDenied), a
denied listing of one API beside a readable other, and a load balancer type AWS has not
released. Denied reads otherwise come from moto's own IAM authorizer
(`restricted_session` + `iam_enforced`).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from elb_seed import SEED_BUCKET, seed_every_elb_read
from helpers import ACCOUNT, bucket, findings, only, restricted_session, run, stub_client
from helpers import stub_error as stub_denied
from moto_ext import iam_enforced

import awsobs.checks.elb.access_logs  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.demo.elb import (
    classic_access_logs,
    classic_load_balancer,
    listener,
    v2_access_logs,
    v2_load_balancer,
)

CHECK = "elb.access_logs"
REGION = "us-east-1"
ALL_READS = ["elasticloadbalancing:*", "s3:*", "ec2:*", "sts:*"]


def by_id(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def classic_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/{name}"


def scan_counting(session: boto3.Session, regions: list[str] | None = None) -> tuple[Any, list]:
    calls: list[tuple[str, str, str, dict]] = []
    report = scan(
        session,
        checks=[CHECK],
        regions=regions or [REGION],
        on_request=lambda service, op, region, params: calls.append((service, op, region, params)),
    )
    return report, calls


def test_alb_tls_nlb_and_classic_logging_to_an_existing_bucket_pass(aws: boto3.Session) -> None:
    seed_every_elb_read(aws)
    got = by_id(run(aws, [CHECK]))
    assert len(got) == 3
    assert {f.status for f in got.values()} == {Status.PASS}, [f.message for f in got.values()]
    classic = got[classic_arn("seed-classic")]
    assert classic.resource_type == "AWS::ElasticLoadBalancing::LoadBalancer"
    assert classic.message == (
        f"Classic Load Balancer 'seed-classic' writes access logs to s3://{SEED_BUCKET}/classic"
    )
    assert classic.evidence["emit_interval_minutes"] == 5
    (web,) = [f for f in got.values() if "seed-web" in f.resource_id]
    assert web.resource_type == "AWS::ElasticLoadBalancingV2::LoadBalancer"
    assert web.resource_id.startswith(f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:")
    assert web.evidence["access_logs"] == {"enabled": True, "bucket": SEED_BUCKET, "prefix": "web"}
    assert web.evidence["bucket_region"] == REGION
    (tls,) = [f for f in got.values() if "seed-tls" in f.resource_id]
    assert tls.evidence["listener_protocols"] == ["TLS"]
    assert tls.message.startswith("Network Load Balancer 'seed-tls' writes access logs")


def test_access_logs_off_fail_with_the_command_that_names_the_load_balancer(
    aws: boto3.Session,
) -> None:
    """moto leaves `access_logs.s3.enabled` out until it is set: absent is AWS's false."""
    arn = v2_load_balancer(aws, "web", "application", REGION)
    classic_load_balancer(aws, "legacy", REGION)
    got = by_id(run(aws, [CHECK]))
    alb = got[arn]
    assert alb.status is Status.FAIL
    assert alb.message.startswith("Application Load Balancer 'web' does not write access logs")
    assert alb.evidence["access_logs"]["enabled"] is False
    assert alb.remediation.startswith(
        f"aws elbv2 modify-load-balancer-attributes --region {REGION} --load-balancer-arn {arn} "
        "--attributes Key=access_logs.s3.enabled,Value=true"
    )
    old = got[classic_arn("legacy")]
    assert old.status is Status.FAIL
    assert "Classic Load Balancer 'legacy' does not write access logs" in old.message
    assert old.remediation.startswith(
        f"aws elb modify-load-balancer-attributes --region {REGION} --load-balancer-name legacy "
        "--load-balancer-attributes 'AccessLog={Enabled=true,"
    )


def test_connection_logs_are_evidence_not_a_substitute(aws: boto3.Session) -> None:
    bucket(aws, "conn-logs")
    arn = v2_load_balancer(aws, "web", "application", REGION)
    aws.client("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=arn,
        Attributes=[
            {"Key": "connection_logs.s3.enabled", "Value": "true"},
            {"Key": "connection_logs.s3.bucket", "Value": "conn-logs"},
        ],
    )
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.evidence["connection_logs"] == {"enabled": True, "bucket": "conn-logs", "prefix": ""}
    assert f.evidence["health_check_logs"]["enabled"] is False
    v2_access_logs(aws, arn, "conn-logs", REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS  # connection logs are not required either


def test_nlb_without_a_tls_listener_has_nothing_to_write(aws: boto3.Session) -> None:
    """N/A, not FAIL, and its attributes are not read: AWS writes NLB access logs only for
    TLS listeners (the NLB with no listener at all too)."""
    tcp = v2_load_balancer(aws, "tcp", "network", REGION)
    listener(aws, tcp, "TCP", REGION)
    bare = v2_load_balancer(aws, "bare", "network", REGION)
    report, calls = scan_counting(aws)
    got = by_id(report)
    assert got[tcp].status is Status.NOT_APPLICABLE
    assert "has no TLS listener (listener protocols: TCP)" in got[tcp].message
    assert got[bare].status is Status.NOT_APPLICABLE
    assert "(listener protocols: none)" in got[bare].message
    assert [c for c in calls if c[1] == "DescribeLoadBalancerAttributes"] == []
    assert sorted(c[3]["LoadBalancerArn"] for c in calls if c[1] == "DescribeListeners") == sorted(
        [tcp, bare]
    )


def test_nlb_with_a_tls_listener_must_log(aws: boto3.Session) -> None:
    nlb = v2_load_balancer(aws, "tls", "network", REGION)
    listener(aws, nlb, "TCP", REGION, port=80)
    listener(aws, nlb, "TLS", REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.evidence["listener_protocols"] == ["TCP", "TLS"]
    assert "CloudWatch Logs vended delivery" in f.message  # what is not read is said


def test_gateway_load_balancer_is_not_applicable_without_reads(aws: boto3.Session) -> None:
    gw = v2_load_balancer(aws, "inspect", "gateway", REGION)
    report, calls = scan_counting(aws)
    f = only(report, CHECK)
    assert f.resource_id == gw
    assert f.status is Status.NOT_APPLICABLE
    assert "Gateway Load Balancer 'inspect' has no access logs to write" in f.message
    assert {c[1] for c in calls if c[0] in ("elb", "elbv2")} == {"DescribeLoadBalancers"}


def test_a_deleted_bucket_fails_naming_it(aws: boto3.Session) -> None:
    bucket(aws, "gone-logs")
    arn = v2_load_balancer(aws, "web", "application", REGION)
    v2_access_logs(aws, arn, "gone-logs", REGION)
    classic_load_balancer(aws, "legacy", REGION)
    classic_access_logs(aws, "legacy", "gone-logs", REGION)
    aws.client("s3").delete_bucket(Bucket="gone-logs")
    report, calls = scan_counting(aws)
    got = by_id(report)
    for f in (got[arn], got[classic_arn("legacy")]):
        assert f.status is Status.FAIL
        assert "to bucket 'gone-logs', which does not exist (NoSuchBucket)" in f.message
        assert f.remediation.startswith("bucket 'gone-logs' was deleted: point the load balancer")
    # one GetBucketLocation for the bucket both load balancers name
    assert [c[3] for c in calls if c[1] == "GetBucketLocation"] == [{"Bucket": "gone-logs"}]


def test_a_bucket_in_another_region_fails(aws: boto3.Session) -> None:
    bucket(aws, "eu-logs", "eu-west-1")
    arn = v2_load_balancer(aws, "web", "application", REGION)
    v2_access_logs(aws, arn, "eu-logs", REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "which is in eu-west-1" in f.message
    assert f.evidence["bucket_region"] == "eu-west-1"


def test_enabled_without_a_bucket_fails(aws: boto3.Session) -> None:
    arn = v2_load_balancer(aws, "web", "application", REGION)
    aws.client("elbv2").modify_load_balancer_attributes(
        LoadBalancerArn=arn, Attributes=[{"Key": "access_logs.s3.enabled", "Value": "true"}]
    )
    report, calls = scan_counting(aws)
    f = only(report, CHECK)
    assert f.status is Status.FAIL
    assert "access logs enabled but names no bucket" in f.message
    assert not [c for c in calls if c[1] == "GetBucketLocation"]


def _v2_lb(name: str, kind: str, region: str = "eu-west-1") -> dict[str, Any]:
    return {
        "LoadBalancerArn": f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}:loadbalancer/"
        f"{kind[:3]}/{name}/0123456789abcdef",
        "LoadBalancerName": name,
        "Type": kind,
        "Scheme": "internet-facing",
        "State": {"Code": "active"},
        "VpcId": "vpc-1",
    }


def test_a_bucket_of_another_account_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed: AWS answers AccessDenied to GetBucketLocation on another account's bucket
    (moto answers). Neither "exists" nor "deleted": UNKNOWN naming s3:GetBucketLocation."""
    arn = v2_load_balancer(aws, "web", "application", REGION)
    v2_access_logs(aws, arn, "central-log-archive", REGION)
    stub_denied(monkeypatch, "s3", "get_bucket_location", region=REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == arn
    assert "bucket 'central-log-archive', but whether that bucket exists" in f.message
    assert f.evidence["error"]["action"] == "s3:GetBucketLocation"


def test_no_load_balancer_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.resource_id == "eu-west-1"
    assert f.message == "no load balancer in eu-west-1"


def test_listing_denied_is_one_unknown_for_the_region(aws: boto3.Session) -> None:
    v2_load_balancer(aws, "web", "application", REGION)
    scanner = restricted_session(
        aws, ALL_READS, deny=["elasticloadbalancing:DescribeLoadBalancers"]
    )
    with iam_enforced():
        report = run(scanner, [CHECK])
    f = only(report, CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == REGION
    assert f.message.startswith(
        "could not list Application, Network and Gateway Load Balancers: access denied"
    )
    assert "could not list Classic Load Balancers either" in f.message
    assert f.evidence["error"]["action"] == "elasticloadbalancing:DescribeLoadBalancers"
    assert f.evidence["unlisted"] == [
        "Application, Network and Gateway Load Balancers",
        "Classic Load Balancers",
    ]


def test_one_listing_denied_still_judges_the_other_api(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed (moto's IAM cannot deny one API of two that share an action): the v2
    listing fails in eu-west-1; the Classic Load Balancer there is still judged, and the
    region is UNKNOWN, never NOT_APPLICABLE."""
    classic_load_balancer(aws, "legacy", "eu-west-1")
    stub_denied(monkeypatch, "elbv2", "describe_load_balancers", region="eu-west-1")
    got = by_id(run(aws, [CHECK], ["eu-west-1"]))
    assert got["eu-west-1"].status is Status.UNKNOWN
    assert got["eu-west-1"].evidence["unlisted"] == [
        "Application, Network and Gateway Load Balancers"
    ]
    assert got[classic_arn("legacy", "eu-west-1")].status is Status.FAIL
    # and nothing listed with a failed listing beside it is not "no load balancer"
    aws.client("elb", region_name="eu-west-1").delete_load_balancer(LoadBalancerName="legacy")
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN


@pytest.mark.parametrize(
    "denied",
    [
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
    ],
)
def test_a_detail_read_denied_is_unknown_for_that_load_balancer(
    aws: boto3.Session, denied: str
) -> None:
    seed_every_elb_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=[denied])
    with iam_enforced():
        got = by_id(run(scanner, [CHECK]))
    assert len(got) == 3
    unknown = [f for f in got.values() if f.status is Status.UNKNOWN]
    assert unknown and all(f.evidence["error"]["action"] == denied for f in unknown)
    expected = 1 if denied.endswith("DescribeListeners") else 3  # only the NLB has listeners read
    assert len(unknown) == expected
    assert {f.status for f in got.values()} <= {Status.UNKNOWN, Status.PASS}


def test_an_unknown_load_balancer_type_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed: a type AWS might add; awsobs does not guess whether it has access logs."""
    stub_client(
        monkeypatch,
        "elbv2",
        [("describe_load_balancers", {"LoadBalancers": [_v2_lb("next", "quantum")]})],
        region="eu-west-1",
    )
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "of a type awsobs does not know (quantum)" in f.message


def test_requests_are_listings_plus_one_detail_per_load_balancer(aws: boto3.Session) -> None:
    """N ALBs logging to one bucket: two listings, N attribute reads, one bucket read."""
    bucket(aws, "shared-logs")
    for i in range(4):
        arn = v2_load_balancer(aws, f"web-{i}", "application", REGION)
        v2_access_logs(aws, arn, "shared-logs", REGION, prefix=f"web-{i}")
    report, calls = scan_counting(aws)
    assert {f.status for f in findings(report, CHECK)} == {Status.PASS}
    ops = [(c[0], c[1]) for c in calls if c[0] in ("elb", "elbv2", "s3")]
    assert sorted(ops) == sorted(
        [("elbv2", "DescribeLoadBalancers"), ("elb", "DescribeLoadBalancers")]
        + [("elbv2", "DescribeLoadBalancerAttributes")] * 4
        + [("s3", "GetBucketLocation")]
    )
