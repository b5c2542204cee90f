"""vpc.flow_logs_enabled: one DescribeFlowLogs per region, VPC-level logs only.

moto creates a default VPC in every region, so every scan sees at least that one. moto
always reports a flow log as ACTIVE with DeliverLogsStatus SUCCESS, and its VPCs are all
owned by the scanning account: delivery failures, inactive logs, shared VPCs and a region
with no VPC are produced with botocore's Stubber (tests/helpers.stub_client), in eu-west-1
so that the engine's DescribeRegions (us-east-1) is not stubbed.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from helpers import ACCOUNT, bucket, findings, only, run, stub_client, stub_error
from logging_seed import default_vpc, flow_log_to_s3

import awsobs.checks.vpc.flow_logs  # noqa: F401
from awsobs import Finding, Status, scan

CHECK = "vpc.flow_logs_enabled"
OTHER = "210987654321"


def arn(vpc: str, region: str = "us-east-1", owner: str = ACCOUNT) -> str:
    return f"arn:aws:ec2:{region}:{owner}:vpc/{vpc}"


def new_vpc(session: boto3.Session, region: str = "us-east-1") -> str:
    ec2 = session.client("ec2", region_name=region)
    return str(ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"])


def by_vpc(session: boto3.Session, regions: tuple[str, ...] = ("us-east-1",)) -> dict:
    return {f.resource_id: f for f in findings(run(session, [CHECK], regions), CHECK)}


def vpc(vpc_id: str, owner: str = ACCOUNT) -> dict[str, Any]:
    return {"VpcId": vpc_id, "OwnerId": owner, "IsDefault": False, "CidrBlock": "10.0.0.0/16"}


def flow(vpc_id: str, **fields: Any) -> dict[str, Any]:
    base = {
        "FlowLogId": f"fl-{vpc_id}",
        "ResourceId": vpc_id,
        "FlowLogStatus": "ACTIVE",
        "DeliverLogsStatus": "SUCCESS",
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogGroupName": "/vpc/flow",
    }
    return {**base, **fields}


def stubbed(monkeypatch: pytest.MonkeyPatch, vpcs: list, flow_logs: list | None) -> None:
    """eu-west-1's EC2 answers `vpcs`, then (unless None) `flow_logs`."""
    script: list[tuple[str, Any]] = [("describe_vpcs", {"Vpcs": vpcs})]
    if flow_logs is not None:
        script.append(("describe_flow_logs", {"FlowLogs": flow_logs}))
    stub_client(monkeypatch, "ec2", script, region="eu-west-1")


def stubbed_findings(session: boto3.Session) -> dict[str, Finding]:
    return by_vpc(session, ("eu-west-1",))


def test_flow_log_to_s3_without_log_group_passes(aws: boto3.Session) -> None:
    bucket(aws, "flow-logs")
    default = default_vpc(aws)
    fid = flow_log_to_s3(aws, default, "flow-logs")
    reject_only = new_vpc(aws)
    flow_log_to_s3(aws, reject_only, "flow-logs", traffic="REJECT")
    got = by_vpc(aws)
    assert set(got) == {arn(default), arn(reject_only)}
    ok = got[arn(default)]
    assert ok.status is Status.PASS, ok.message
    assert f"default VPC {default} has an active flow log ({fid}) recording ALL" in ok.message
    assert "s3 (arn:aws:s3:::flow-logs)" in ok.message
    assert ok.evidence["flow_logs"][0]["destination_type"] == "s3"
    assert got[arn(reject_only)].status is Status.PASS  # REJECT is what the control needs


def test_no_flow_log_fails_and_subnet_logs_do_not_count(aws: boto3.Session) -> None:
    bucket(aws, "flow-logs")
    default = default_vpc(aws)
    subnet = aws.client("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [default]}])[
        "Subnets"
    ][0]["SubnetId"]
    fid = flow_log_to_s3(aws, subnet, "flow-logs", resource_type="Subnet")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.resource_id == arn(default)
    assert f.status is Status.FAIL
    assert f"default VPC {default} has no flow log" in f.message
    assert "subnet/ENI-level flow log(s) in us-east-1 do not count" in f.message
    assert f.evidence["subnet_or_eni_flow_logs_in_region"] == [f"{fid} on {subnet}"]
    assert f"--resource-type VPC --resource-ids {default} --traffic-type ALL" in f.remediation


def test_accept_only_traffic_fails(aws: boto3.Session) -> None:
    bucket(aws, "flow-logs")
    default = default_vpc(aws)
    fid = flow_log_to_s3(aws, default, "flow-logs", traffic="ACCEPT")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f"flow log {fid} records only ACCEPT traffic" in f.message


def test_one_flow_log_listing_per_region(aws: boto3.Session) -> None:
    """DescribeFlowLogs is called once per region, unfiltered, however many VPCs."""
    for _ in range(3):
        new_vpc(aws)
        new_vpc(aws, "eu-west-1")
    calls: list[tuple[str, str, dict]] = []
    report = scan(
        aws,
        checks=[CHECK],
        regions=["us-east-1", "eu-west-1"],
        on_request=lambda service, op, region, params: calls.append((op, region, params)),
    )
    listed = [(region, params) for op, region, params in calls if op == "DescribeFlowLogs"]
    assert sorted(listed) == [("eu-west-1", {}), ("us-east-1", {})]
    got = findings(report, CHECK)
    assert len(got) == 8  # 3 + the default VPC, in each region
    assert {f.status for f in got} == {Status.FAIL}
    assert {f.region for f in got} == {"us-east-1", "eu-west-1"}


def test_delivery_failed_and_inactive_fail(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto cannot fail a delivery or deactivate a flow log: stubbed (Stubber)."""
    failing = flow(
        "vpc-a",
        DeliverLogsStatus="FAILED",
        DeliverLogsErrorMessage="Access error",
        LogDestinationType="kinesis-data-firehose",
        LogDestination="arn:aws:firehose:eu-west-1:123456789012:deliverystream/flows",
    )
    del failing["LogGroupName"]
    inactive = flow("vpc-b", FlowLogStatus="INACTIVE")
    no_status = flow("vpc-c", TrafficType="REJECT")
    del no_status["DeliverLogsStatus"]  # absent delivery status is not a failure
    stubbed(monkeypatch, [vpc("vpc-a"), vpc("vpc-b"), vpc("vpc-c")], [failing, inactive, no_status])
    got = stubbed_findings(aws)
    a = got[arn("vpc-a", "eu-west-1")]
    assert a.status is Status.FAIL
    assert "flow log fl-vpc-a is failing to deliver to kinesis-data-firehose" in a.message
    assert a.message.endswith(": Access error")
    b = got[arn("vpc-b", "eu-west-1")]
    assert b.status is Status.FAIL
    assert "flow log fl-vpc-b is not active (FlowLogStatus INACTIVE)" in b.message
    assert got[arn("vpc-c", "eu-west-1")].status is Status.PASS


def test_one_good_flow_log_is_enough(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stubbed: an ACCEPT-only log beside an ALL log on the same VPC."""
    accept = flow("vpc-a", FlowLogId="fl-accept", TrafficType="ACCEPT")
    stubbed(monkeypatch, [vpc("vpc-a")], [accept, flow("vpc-a")])
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.PASS
    assert "(fl-vpc-a) recording ALL traffic to cloud-watch-logs (/vpc/flow)" in f.message
    assert len(f.evidence["flow_logs"]) == 2


def test_shared_vpc_is_not_applicable(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stubbed: moto's VPCs all belong to the caller; a shared VPC has another OwnerId."""
    stubbed(monkeypatch, [vpc("vpc-shared", owner=OTHER), vpc("vpc-own")], [flow("vpc-own")])
    got = stubbed_findings(aws)
    shared = got[arn("vpc-shared", "eu-west-1", OTHER)]
    assert shared.status is Status.NOT_APPLICABLE
    assert f"owned by account {OTHER}" in shared.message
    assert got[arn("vpc-own", "eu-west-1")].status is Status.PASS


def test_only_shared_vpcs_need_no_flow_log_listing(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stubbed(monkeypatch, [vpc("vpc-shared", owner=OTHER)], None)  # no describe_flow_logs
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.NOT_APPLICABLE


def test_no_vpc_in_region_is_not_applicable(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stubbed(monkeypatch, [], None)  # stubbed: moto always has a default VPC
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.resource_id == "eu-west-1"
    assert f.message == "no VPC in eu-west-1"


def test_vpc_listing_denied_is_one_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_error(monkeypatch, "ec2", "describe_vpcs", region="eu-west-1")
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.resource_id == "eu-west-1"
    assert "could not list VPCs: access denied to ec2:DescribeVpcs" in f.message


def test_flow_log_listing_denied_is_one_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_client(
        monkeypatch,
        "ec2",
        [
            ("describe_vpcs", {"Vpcs": [vpc("vpc-a"), vpc("vpc-b")]}),
            ("describe_flow_logs", "AccessDenied"),
        ],
        region="eu-west-1",
    )
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "could not list flow logs: access denied to ec2:DescribeFlowLogs" in f.message
