"""Log retention, S3 access logs, VPC Flow Logs, AWS Config and Lambda tracing end to end:
`awsobs scan` as a subprocess against the moto server, two regions seeded with passing and
failing cases. moto lacks DescribeDeliveryChannelStatus; awsobs/demo/moto_ext.py serves it
(installed in this process, which runs the server)."""

from __future__ import annotations

import boto3
from config_seed import recorder
from helpers import ACCOUNT, awsobs, bucket, scan_json, trail
from logging_seed import access_logs
from logs_seed import group
from resources import lambda_function, traced_function

from awsobs.demo.moto_ext import install_config_extension

CHECKS = (
    "logs.*",
    "lambda.log_retention",
    "lambda.xray_active",
    "s3.server_access_logging",
    "vpc.flow_logs_enabled",
    "config.*",
)


def _default_vpc(session: boto3.Session, region: str) -> str:
    ec2 = session.client("ec2", region_name=region)
    vpcs = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    return str(vpcs[0]["VpcId"])


def seed(session: boto3.Session) -> None:
    """us-east-1 mostly right, eu-west-1 mostly wrong."""
    install_config_extension()
    # Logs: a trail's group kept 30 days (audit data: too short), a debug group forever.
    audit = group(session, "/aws/cloudtrail/main", days=30)
    trail(session, "main", multi_region=True, CloudWatchLogsLogGroupArn=audit + ":*")
    group(session, "/app/debug")
    group(session, "/aws/lambda/fn-kept", days=14)
    traced_function(session, "fn-kept", "Active")  # its group keeps 14 days
    lambda_function(session, "fn-new")  # never invoked: no group yet; PassThrough tracing
    # Buckets: one logs to a sink, one does not, one receives flow logs.
    bucket(session, "site")
    bucket(session, "access-sink")
    bucket(session, "quiet")
    bucket(session, "flow-sink")
    access_logs(session, "site", "access-sink")
    # Flow logs: us-east-1's default VPC to S3 (no log group: fine), eu-west-1's ACCEPT only.
    session.client("ec2").create_flow_logs(
        ResourceIds=[_default_vpc(session, "us-east-1")],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-sink",
    )
    group(session, "/vpc/eu", days=400, region="eu-west-1")
    role = session.client("iam").create_role(RoleName="fl", AssumeRolePolicyDocument="{}")
    session.client("ec2", region_name="eu-west-1").create_flow_logs(
        ResourceIds=[_default_vpc(session, "eu-west-1")],
        ResourceType="VPC",
        TrafficType="ACCEPT",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/vpc/eu",
        DeliverLogsPermissionArn=role["Role"]["Arn"],
    )
    # Config: recording in us-east-1 (with IAM), set up but stopped in eu-west-1.
    recorder(session, "us-east-1")
    recorder(session, "eu-west-1", start=False)


def test_the_rest_of_the_picture_end_to_end(session: boto3.Session) -> None:
    seed(session)
    code, doc = scan_json("--regions", "us-east-1,eu-west-1", "--checks", *CHECKS)
    assert code == 1
    got = {(f["check_id"], f["region"], f["resource_id"].rsplit(":", 1)[-1].rsplit("/", 1)[-1]):
           f["status"] for f in doc["findings"]}  # fmt: skip
    lg = "logs.retention_defined"
    assert got[(lg, "us-east-1", "debug")] == "FAIL"
    assert got[(lg, "us-east-1", "main")] == "PASS"  # 30 days is a retention
    assert got[("logs.retention_minimum", "us-east-1", "main")] == "FAIL"  # audit, < 365
    assert got[("logs.retention_minimum", "eu-west-1", "eu")] == "PASS"  # flow logs, 400 days
    assert ("logs.retention_minimum", "us-east-1", "debug") not in got  # not audit data
    assert got[("lambda.log_retention", "us-east-1", "fn-kept")] == "PASS"
    assert got[("lambda.log_retention", "us-east-1", "fn-new")] == "FAIL"
    assert got[("lambda.xray_active", "us-east-1", "fn-kept")] == "PASS"
    assert got[("lambda.xray_active", "us-east-1", "fn-new")] == "FAIL"
    s3 = "s3.server_access_logging"
    assert got[(s3, "us-east-1", "site")] == "PASS"
    assert got[(s3, "us-east-1", "quiet")] == "FAIL"
    assert got[(s3, "us-east-1", "access-sink")] == "NOT_APPLICABLE"
    assert got[(s3, "us-east-1", "flow-sink")] == "NOT_APPLICABLE"
    assert got[(s3, "us-east-1", "main-logs")] == "NOT_APPLICABLE"  # the trail's bucket
    vpc = {(k[1], v) for k, v in got.items() if k[0] == "vpc.flow_logs_enabled"}
    assert vpc == {("us-east-1", "PASS"), ("eu-west-1", "FAIL")}
    cfg = "config.recorder_all_regions"
    assert got[(cfg, "us-east-1", "us-east-1")] == "PASS"
    assert got[(cfg, "eu-west-1", "eu-west-1")] == "FAIL"
    assert got[(cfg, "global", ACCOUNT)] == "PASS"  # IAM recorded in us-east-1
    assert got[("config.delivery_channel_ok", "us-east-1", "us-east-1")] == "PASS"
    assert doc["summary"]["UNKNOWN"] == 0
    debug = next(f for f in doc["findings"] if f["resource_id"].endswith("/app/debug"))
    assert isinstance(debug["evidence"]["storedBytes"], int)

    table = awsobs("scan", "--regions", "us-east-1,eu-west-1", "--checks", *CHECKS)
    # moto reports storedBytes 0; the line still names the group that will grow forever.
    assert "Cost: 1 log group never expires, holding 0 B (largest: /app/debug, 0 B)" in (
        table.stdout
    )
