"""Seed state machines, trail Insights and trail-bucket settings in moto: every read the
checks stepfunctions.logging, stepfunctions.xray, cloudtrail.insights and
cloudtrail.bucket_not_public declare happens, with no UNKNOWN.

- us-east-1: a Standard state machine logging ALL to an existing log group, with X-Ray
  (ListStateMachines, DescribeStateMachine, DescribeLogGroups); eu-west-1 has none
  (NOT_APPLICABLE).
- The full scan's multi-region trail `main` (seed_all.py) gets both Insights types; the
  single-region `eu-local` keeps none (GetInsightSelectors answers
  InsightNotEnabledException, as AWS does, through awsobs/demo/moto_workflows.py).
- The trail buckets `main-logs` (CloudTrail's write policy, Block Public Access on) and
  `eu-local-logs` (no policy, no Block Public Access): GetBucketPolicyStatus,
  GetPublicAccessBlock, GetBucketAcl and the account's GetPublicAccessBlock are read.
The creation helpers live in awsobs/demo/workflows.py, shared with the demo.
"""

from __future__ import annotations

import boto3

from awsobs.demo.moto_workflows import install_insights_extension
from awsobs.demo.workflows import (
    block_public_access,
    cloudtrail_write_policy,
    enable_insights,
    log_group_arn,
    state_machine,
)

SEED_REGION = "us-east-1"


def seed_every_workflows_read(session: boto3.Session) -> None:
    """A logging, tracing state machine; Insights on trail `main`; its bucket's policy."""
    install_insights_extension()
    group = log_group_arn(session, "/aws/vendedlogs/states/seed-flow", SEED_REGION)
    state_machine(session, "seed-flow", SEED_REGION, level="ALL", log_group=group, tracing=True)
    enable_insights(session, "main", SEED_REGION)
    s3 = session.client("s3", region_name=SEED_REGION)
    s3.put_bucket_policy(Bucket="main-logs", Policy=cloudtrail_write_policy("main-logs"))
    block_public_access(session, "main-logs", SEED_REGION)
