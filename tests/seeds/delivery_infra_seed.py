"""Seed the infrastructure delivery checks (vpc.flow_logs_delivered,
eks.control_plane_logs_delivered, route53.query_logs_delivered): for each, a fresh
destination and a stale one whose source had traffic, so every read they declare is sent
(the traffic read only for stale destinations) and none is UNKNOWN.

moto delivers nothing: streams are seeded with PutLogEvents and backdated with
awsobs/demo/moto_delivery.py, DNS traffic with PutMetricData. The flow logs to S3 of
logging_seed (default VPCs, no key delivered) are the S3 case: stale, a FAIL, after one
ListObjectsV2 each.
"""

from __future__ import annotations

import datetime as dt

import boto3
from helpers import ACCOUNT

from awsobs.demo.containers import eks_cluster
from awsobs.demo.edge import hosted_zone, log_group, query_logging
from awsobs.demo.moto_delivery import set_stream_ingestion

REGION = "us-east-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/flow-logs"


def _stream(
    session: boto3.Session, group: str, stream: str, last: dt.datetime | None, region: str = REGION
) -> None:
    """One record in `stream` of `group`; ingested now, or backdated to `last`."""
    logs = session.client("logs", region_name=region)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    logs.put_log_events(
        logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": stamp, "message": "x"}]
    )
    if last is not None:
        set_stream_ingestion(ACCOUNT, region, group, stream, last)


def seed_every_infra_delivery_read(session: boto3.Session) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=9)
    # VPC: a flow log to a fresh group (the S3 ones of logging_seed are stale)
    ec2 = session.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    log_group(session, "/vpc/seed-flow", REGION)
    ec2.create_flow_logs(
        ResourceType="VPC",
        ResourceIds=[vpc],
        TrafficType="ALL",
        LogGroupName="/vpc/seed-flow",
        DeliverLogsPermissionArn=ROLE,
    )
    _stream(session, "/vpc/seed-flow", "eni-seed-all", None)
    # EKS: seed-eks (containers_seed) delivers; a second cluster's group is stale
    log_group(session, "/aws/eks/seed-eks/cluster", REGION)
    _stream(session, "/aws/eks/seed-eks/cluster", "kube-apiserver-1", None)
    eks_cluster(session, "seed-eks-stale", ["audit"], REGION)
    log_group(session, "/aws/eks/seed-eks-stale/cluster", REGION)
    _stream(session, "/aws/eks/seed-eks-stale/cluster", "kube-apiserver-audit-1", old)
    # Route 53: a fresh zone, and a stale one that answered queries
    for name, last in (("fresh.seed.example", None), ("stale.seed.example", old)):
        zone = hosted_zone(session, name)
        query_logging(session, zone, name)
        _stream(session, f"/aws/route53/{name}", f"{zone}/IAD89-C1", last)
        if last is not None:
            session.client("cloudwatch", region_name=REGION).put_metric_data(
                Namespace="AWS/Route53",
                MetricData=[
                    {
                        "MetricName": "DNSQueries",
                        "Dimensions": [{"Name": "HostedZoneId", "Value": zone}],
                        "Timestamp": dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
                        "Value": 40.0,
                    }
                ],
            )
