"""An account on which every check makes every read it declares: for the tests that hold
declared permissions, and the `awsobs policy` output, to the requests really sent."""

from __future__ import annotations

from typing import Any

import boto3
from alarm_seed import log_group, seed_every_alarm_read
from apigw_seed import seed_every_apigw_read
from config_seed import seed_every_config_read
from containers_seed import seed_every_containers_read
from data_alarm_seed import seed_every_data_alarm_read
from delivery_apps_seed import seed_every_delivery_apps_read
from delivery_infra_seed import seed_every_infra_delivery_read
from delivery_metrics_seed import seed_every_metrics_read
from delivery_rds_seed import seed_every_rds_delivery_read
from delivery_s3_seed import seed_every_delivery_s3_read
from ec2_seed import seed_every_ec2_read
from edge_seed import seed_every_edge_read
from elb_seed import seed_every_elb_read
from helpers import MGMT_ALL, trail
from lbcdn_alarm_seed import seed_every_lbcdn_alarm_read
from logging_seed import seed_every_vpc_s3_read
from logs_seed import seed_every_logs_read
from misc_alarm_seed import seed_every_misc_alarm_read
from queues_alarm_seed import seed_every_queues_alarm_read
from rds_seed import seed_every_rds_read
from resources import dynamodb_table, lambda_function
from workflows_seed import seed_every_workflows_read

SCAN_KW: dict[str, Any] = {
    "regions": ["us-east-1", "eu-west-1"],
    "options": {"bucket_tag": "traffic"},  # the tag filter reads bucket tags
}


def seed_every_read(aws: boto3.Session) -> None:
    """Trails, a table, a function, APIs, instances, alarms, log groups, flow logs,
    buckets and Config recorders in two regions."""
    group = log_group(aws)
    trail(aws, "main", multi_region=True, advanced=MGMT_ALL, CloudWatchLogsLogGroupArn=group)
    trail(aws, "eu-local", region="eu-west-1")
    dynamodb_table(aws, "orders")
    lambda_function(aws, "checkout")
    seed_every_apigw_read(aws)
    seed_every_ec2_read(aws)
    seed_every_alarm_read(aws, trail_name="main", api="shop")
    seed_every_logs_read(aws)
    seed_every_vpc_s3_read(aws)
    seed_every_config_read(aws)
    seed_every_elb_read(aws)
    seed_every_edge_read(aws)
    seed_every_containers_read(aws)
    seed_every_rds_read(aws)
    seed_every_workflows_read(aws)
    seed_every_lbcdn_alarm_read(aws)
    seed_every_data_alarm_read(aws)
    seed_every_queues_alarm_read(aws)
    seed_every_misc_alarm_read(aws)
    seed_every_delivery_apps_read(aws)
    seed_every_infra_delivery_read(aws)
    seed_every_delivery_s3_read(aws)  # last: it adds delivery to the resources above
    seed_every_metrics_read(aws)
    seed_every_rds_delivery_read(aws)  # after seed_every_rds_read: its resources
