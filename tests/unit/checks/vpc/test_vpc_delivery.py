"""vpc.flow_logs_delivered: each VPC's active flow log, read at its destination.

moto delivers no flow-log records. Delivery is seeded with moto's own APIs (PutLogEvents
into the group, PutObject of a key in the flow log's S3 layout) and moved into the past
with awsobs/demo/moto_delivery.py (`set_stream_ingestion`). moto answers no
`DestinationOptions` and always SUCCESS: both are set on moto's flow log with
`set_flow_log_fields` (a stub, said where used). Denied reads come from moto's IAM
authorizer (`restricted_session` + `iam_enforced`), as from AWS.
"""

from __future__ import annotations

import datetime as dt

import boto3
import pytest
from helpers import ACCOUNT, bucket, findings, restricted_session, run
from logging_seed import default_vpc, flow_log_to_s3
from moto_ext import iam_enforced

import awsobs.checks.vpc.delivery  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.checks.vpc.delivery import s3_day_prefix
from awsobs.demo.moto_delivery import set_flow_log_fields, set_stream_ingestion

CHECK = "vpc.flow_logs_delivered"
REGION = "us-east-1"
GROUP = "/vpc/flow"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/flow-logs"
READS = ["ec2:*", "logs:*", "s3:*"]


def arn(vpc: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:vpc/{vpc}"


def new_vpc(aws: boto3.Session) -> str:
    return str(aws.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"])


def to_logs(aws: boto3.Session, vpc: str, group: str = GROUP, traffic: str = "ALL") -> str:
    made = aws.client("ec2").create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[vpc],
        TrafficType=traffic,
        LogGroupName=group,
        DeliverLogsPermissionArn=ROLE,
    )
    assert not made["Unsuccessful"], made["Unsuccessful"]
    return str(made["FlowLogIds"][0])


def log_group(aws: boto3.Session, group: str = GROUP, last: dt.datetime | None = None) -> None:
    """A group with one stream holding a record; ingested now, or at `last`."""
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="eni-1-all")
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    logs.put_log_events(
        logGroupName=group,
        logStreamName="eni-1-all",
        logEvents=[{"timestamp": stamp, "message": "2 123 eni-1 10.0.0.1 10.0.0.2 ACCEPT OK"}],
    )
    if last is not None:
        set_stream_ingestion(ACCOUNT, REGION, group, "eni-1-all", last)


def flow_file(aws: boto3.Session, fl: dict, name: str = "flow-logs") -> str:
    """PutObject of one flow-log file in today's directory of `fl`'s layout."""
    now = dt.datetime.now(dt.UTC)
    _, directory, token = s3_day_prefix(fl, ACCOUNT, REGION, now.date())
    if token is None:
        hive = (fl.get("DestinationOptions") or {}).get("HiveCompatiblePartitions")
        directory += f"hour={now:%H}/" if hive else f"{now:%H}/"
        token = f"{ACCOUNT}_vpcflowlogs_{REGION}_{fl['FlowLogId']}_"
    key = f"{directory}{token}{now:%Y%m%dT%H%M}Z_abc.log.gz"
    aws.client("s3").put_object(Bucket=name, Key=key, Body=b"records")
    return key


def by_vpc(aws: boto3.Session) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(run(aws, [CHECK]), CHECK)}


def describe(aws: boto3.Session, fid: str) -> dict:
    return aws.client("ec2").describe_flow_logs(FlowLogIds=[fid])["FlowLogs"][0]


def test_fresh_log_group_passes_and_a_vpc_without_flow_log_is_not_applicable(
    aws: boto3.Session,
) -> None:
    log_group(aws)
    vpc = new_vpc(aws)
    fid = to_logs(aws, vpc)
    got = by_vpc(aws)
    f = got[arn(vpc)]
    assert f.status is Status.PASS, f.message
    assert f"flow log {fid} of VPC {vpc} delivers to log group {GROUP}; last delivery" in f.message
    assert f.evidence["newest_stream"] == "eni-1-all"
    none = got[arn(default_vpc(aws))]
    assert none.status is Status.NOT_APPLICABLE
    assert "not configured, see vpc.flow_logs_enabled" in none.message


def test_stale_log_group_fails_naming_the_last_delivery_and_causes(aws: boto3.Session) -> None:
    log_group(aws, last=dt.datetime.now(dt.UTC) - dt.timedelta(days=9))
    vpc = new_vpc(aws)
    to_logs(aws, vpc)
    f = by_vpc(aws)[arn(vpc)]
    assert f.status is Status.FAIL
    assert f"log group {GROUP} received nothing in the last 24 h" in f.message
    assert "last delivery 9 days ago" in f.message
    assert "usual causes: the flow log's IAM role" in f.message
    assert f.evidence["traffic_signal"] == "always active"


def test_deleted_group_fails(aws: boto3.Session) -> None:
    log_group(aws)
    vpc = new_vpc(aws)
    to_logs(aws, vpc)
    aws.client("logs").delete_log_group(logGroupName=GROUP)
    f = by_vpc(aws)[arn(vpc)]
    assert f.status is Status.FAIL
    assert f"delivers to log group {GROUP}, which does not exist" in f.message


def test_delivery_failed_fails_with_aws_error_and_reads_nothing(aws: boto3.Session) -> None:
    """moto reports SUCCESS: FAILED and the message are set on its flow log (stub)."""
    log_group(aws)
    vpc = new_vpc(aws)
    fid = to_logs(aws, vpc)
    set_flow_log_fields(
        ACCOUNT,
        REGION,
        fid,
        deliver_logs_status="FAILED",
        deliver_logs_error_message="Access error",
    )
    calls: list[str] = []
    report = scan(
        aws, checks=[CHECK], regions=[REGION], on_request=lambda s, op, r, p: calls.append(op)
    )
    f = {x.resource_id: x for x in findings(report, CHECK)}[arn(vpc)]
    assert f.status is Status.FAIL
    assert f"flow log {fid} is failing to deliver to cloud-watch-logs ({GROUP}): Access error" in (
        f.message
    )
    assert "DescribeLogStreams" not in calls


def test_accept_only_flow_log_is_not_judged(aws: boto3.Session) -> None:
    log_group(aws)
    vpc = new_vpc(aws)
    to_logs(aws, vpc, traffic="ACCEPT")
    assert by_vpc(aws)[arn(vpc)].status is Status.NOT_APPLICABLE


def test_fresh_s3_key_passes_and_empty_layout_fails(aws: boto3.Session) -> None:
    bucket(aws, "flow-logs")
    fresh, silent = new_vpc(aws), new_vpc(aws)
    fid = flow_log_to_s3(aws, fresh, "flow-logs")
    flow_log_to_s3(aws, silent, "flow-logs")
    key = flow_file(aws, describe(aws, fid))
    got = by_vpc(aws)
    ok = got[arn(fresh)]
    assert ok.status is Status.PASS, ok.message
    assert ok.evidence["newest_key"] == key
    assert f"delivers to s3://flow-logs/AWSLogs/{ACCOUNT}/vpcflowlogs/{REGION}/" in ok.message
    bad = got[arn(silent)]
    assert bad.status is Status.FAIL
    assert "nothing since" in bad.message  # another flow log's file does not count
    assert "usual causes: the bucket policy" in bad.message


@pytest.mark.parametrize("hive", [False, True])
def test_hourly_and_hive_layouts_are_read_from_destination_options(
    aws: boto3.Session, hive: bool
) -> None:
    """moto has no DestinationOptions: set on its flow log (stub)."""
    bucket(aws, "flow-logs")
    vpc = new_vpc(aws)
    fid = flow_log_to_s3(aws, vpc, "flow-logs")
    options = {
        "FileFormat": "plain-text",
        "HiveCompatiblePartitions": hive,
        "PerHourPartition": True,
    }
    set_flow_log_fields(ACCOUNT, REGION, fid, destination_options=options)
    fl = describe(aws, fid)
    assert fl["DestinationOptions"]["PerHourPartition"] is True
    key = flow_file(aws, fl)
    assert ("aws-account-id=" in key) is hive
    f = by_vpc(aws)[arn(vpc)]
    assert f.status is Status.PASS, f.message
    assert f.evidence["newest_key"] == key


def test_s3_day_prefix_keeps_the_destination_prefix() -> None:
    fl = {"FlowLogId": "fl-1", "LogDestination": "arn:aws:s3:::logs/team/flows/"}
    day = dt.date(2030, 1, 2)
    assert s3_day_prefix(fl, ACCOUNT, REGION, day) == (
        "logs",
        f"team/flows/AWSLogs/{ACCOUNT}/vpcflowlogs/{REGION}/2030/01/02/",
        f"{ACCOUNT}_vpcflowlogs_{REGION}_fl-1_",
    )


def test_one_read_per_distinct_destination(aws: boto3.Session) -> None:
    log_group(aws)
    first, second = new_vpc(aws), new_vpc(aws)
    to_logs(aws, first)
    to_logs(aws, second)  # the same group
    calls: list[str] = []
    report = scan(
        aws, checks=[CHECK], regions=[REGION], on_request=lambda s, op, r, p: calls.append(op)
    )
    got = {f.resource_id: f.status for f in findings(report, CHECK)}
    assert got[arn(first)] is got[arn(second)] is Status.PASS
    assert calls.count("DescribeLogStreams") == 1
    assert calls.count("DescribeFlowLogs") == 1


@pytest.mark.parametrize(
    ("action", "where"),
    [
        ("ec2:DescribeVpcs", "region"),
        ("ec2:DescribeFlowLogs", "region"),
        ("logs:DescribeLogStreams", "logs"),
        ("s3:ListBucket", "s3"),
    ],
)
def test_each_denied_read_is_unknown_naming_it(aws: boto3.Session, action: str, where: str) -> None:
    log_group(aws)
    bucket(aws, "flow-logs")
    to_cwl, to_s3 = new_vpc(aws), new_vpc(aws)
    to_logs(aws, to_cwl)
    flow_log_to_s3(aws, to_s3, "flow-logs")
    scanner = restricted_session(aws, READS, deny=[action])
    with iam_enforced():
        report = run(scanner, [CHECK])
    got = {f.resource_id: f for f in findings(report, CHECK)}
    if where == "region":
        f = got[REGION]
    else:
        f = got[arn(to_cwl if where == "logs" else to_s3)]
        other = got[arn(to_s3 if where == "logs" else to_cwl)]
        assert other.status is not Status.UNKNOWN  # only the denied destination
    assert f.status is Status.UNKNOWN, f.message
    assert f.evidence["error"]["action"] == action
