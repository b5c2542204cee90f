"""The demo account's state machines, trail Insights and trail-bucket exposure: a good and
a bad case per check.

- Step Functions (us-east-1): `orders-flow` (Standard) logs ALL to an existing log group
  and traces to X-Ray (PASS both); `notify-express` (Express) logs nothing and does not
  trace (FAIL both: Express workflows keep no execution history); `billing-flow`
  (Standard) logs ERROR to a log group that was deleted (FAIL logging).
- CloudTrail Insights: the demo's good trail `audit-trail` (eu-west-1) gets both Insights
  types, so eu-west-1 PASSes; us-east-1 (a stopped trail) and us-west-2 (no trail) FAIL.
- Trail buckets: the stopped trail's bucket `demo-legacy-trail-logs` gets a public
  bucket policy (FAIL); the good trail's bucket `demo-audit-trail-logs` gets Block
  Public Access (PASS).
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from awsobs.demo.moto_workflows import install_insights_extension

ACCOUNT = "123456789012"
REGION = "us-east-1"
BOTH_INSIGHTS = [{"InsightType": "ApiCallRateInsight"}, {"InsightType": "ApiErrorRateInsight"}]
BLOCK_ALL: dict[str, Any] = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def _definition() -> str:
    return json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})


def state_machine_role(session: boto3.Session) -> str:
    """The role the demo's state machines run as (created once)."""
    iam = session.client("iam")
    try:
        return str(iam.get_role(RoleName="demo-states")["Role"]["Arn"])
    except iam.exceptions.NoSuchEntityException:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "states.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        role = iam.create_role(RoleName="demo-states", AssumeRolePolicyDocument=json.dumps(trust))
        return str(role["Role"]["Arn"])


def log_group_arn(session: boto3.Session, name: str, region: str, *, create: bool = True) -> str:
    """The `:*` ARN Step Functions wants for log group `name` (created unless told not)."""
    if create:
        session.client("logs", region_name=region).create_log_group(logGroupName=name)
    return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}:*"


def state_machine(
    session: boto3.Session,
    name: str,
    region: str = REGION,
    *,
    kind: str = "STANDARD",
    level: str | None = None,
    log_group: str | None = None,
    tracing: bool = False,
) -> str:
    """Create a state machine; returns its ARN."""
    kw: dict[str, Any] = {"tracingConfiguration": {"enabled": tracing}}
    if level is not None:
        logging: dict[str, Any] = {"level": level, "includeExecutionData": False}
        if log_group:
            logging["destinations"] = [{"cloudWatchLogsLogGroup": {"logGroupArn": log_group}}]
        kw["loggingConfiguration"] = logging
    sfn = session.client("stepfunctions", region_name=region)
    made = sfn.create_state_machine(
        name=name,
        definition=_definition(),
        roleArn=state_machine_role(session),
        type=kind,
        **kw,
    )
    return str(made["stateMachineArn"])


def enable_insights(
    session: boto3.Session, trail: str, region: str, selectors: list[dict[str, Any]] | None = None
) -> None:
    install_insights_extension()
    session.client("cloudtrail", region_name=region).put_insight_selectors(
        TrailName=trail, InsightSelectors=BOTH_INSIGHTS if selectors is None else selectors
    )


def public_read_policy(bucket: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                }
            ],
        }
    )


def cloudtrail_write_policy(bucket: str) -> str:
    """The bucket policy CloudTrail needs: not public."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"arn:aws:s3:::{bucket}/AWSLogs/{ACCOUNT}/*",
                    "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}},
                }
            ],
        }
    )


def block_public_access(session: boto3.Session, bucket: str, region: str) -> None:
    s3: Any = session.client("s3", region_name=region)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=BLOCK_ALL)


def seed_workflows(session: boto3.Session) -> None:
    """Create the demo's state machines, trail Insights and trail-bucket settings."""
    install_insights_extension()
    group = log_group_arn(session, "/aws/vendedlogs/states/orders-flow", REGION)
    state_machine(session, "orders-flow", level="ALL", log_group=group, tracing=True)
    state_machine(session, "notify-express", kind="EXPRESS", level="OFF")
    gone = log_group_arn(session, "/aws/vendedlogs/states/billing-flow", REGION, create=False)
    state_machine(session, "billing-flow", level="ERROR", log_group=gone)
    enable_insights(session, "audit-trail", "eu-west-1")
    s3 = session.client("s3", region_name=REGION)
    s3.put_bucket_policy(
        Bucket="demo-legacy-trail-logs", Policy=public_read_policy("demo-legacy-trail-logs")
    )
    block_public_access(session, "demo-audit-trail-logs", "eu-west-1")
