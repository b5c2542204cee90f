"""The IAM documents the generated resources need, shared by every format: the log bucket's
policy (CloudTrail, AWS Config and VPC flow logs deliver into `AWSLogs/<account>/`), and the
roles CloudTrail (to CloudWatch Logs) and AWS Config assume. Statements follow the AWS
documentation of each service's bucket policy and role."""

from __future__ import annotations

from typing import Any

CONFIG_MANAGED_POLICY = "arn:{p}:iam::aws:policy/service-role/AWS_ConfigRole"


def bucket_policy(partition: str, bucket: str, account: str) -> dict[str, Any]:
    arn = f"arn:{partition}:s3:::{bucket}"
    services = ["cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com"]
    source = {"StringEquals": {"aws:SourceAccount": account}}
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AwsobsLogDeliveryAclCheck",
                "Effect": "Allow",
                "Principal": {"Service": services},
                "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                "Resource": arn,
                "Condition": source,
            },
            {
                "Sid": "AwsobsLogDeliveryWrite",
                "Effect": "Allow",
                "Principal": {"Service": services},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/AWSLogs/{account}/*",
                "Condition": {
                    "StringEquals": {
                        "s3:x-amz-acl": "bucket-owner-full-control",
                        "aws:SourceAccount": account,
                    }
                },
            },
            {
                "Sid": "AwsobsDenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        ],
    }


def trust(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
        ],
    }


def trail_logs_policy(log_group_arn: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{log_group_arn}:log-stream:*",
            }
        ],
    }


def trail_role(region: str) -> str:
    return f"awsobs-cloudtrail-logs-{region}"


def config_role(region: str) -> str:
    return f"awsobs-config-{region}"


def log_group_arn(partition: str, region: str, account: str, group: str) -> str:
    return f"arn:{partition}:logs:{region}:{account}:log-group:{group}"


def role_arn(partition: str, account: str, role: str) -> str:
    return f"arn:{partition}:iam::{account}:role/{role}"
