"""IAM action names for the API operations awsobs makes.

Most actions are `<signing prefix>:<Operation>`; the exceptions are listed here, so that
"access denied" messages and the permissions each check declares name the action a
person would put in a policy.
"""

from __future__ import annotations

# botocore service name -> IAM service prefix, where they differ.
_PREFIX = {
    "monitoring": "cloudwatch",
    "elb": "elasticloadbalancing",
    "elbv2": "elasticloadbalancing",
    "stepfunctions": "states",
    "s3control": "s3",
    "resourcegroupstaggingapi": "tag",  # the Resource Groups Tagging API
}

# (botocore service, operation) -> IAM action, where the action is not the operation name.
_ACTION = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "ListObjectsV2"): "s3:ListBucket",  # keys only; there is no s3:ListObjectsV2
    ("s3", "ListBucketMetricsConfigurations"): "s3:GetMetricsConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
}


def iam_action(service: str, operation: str) -> str:
    """`cloudtrail`, `GetEventSelectors` -> `cloudtrail:GetEventSelectors`."""
    if (service, operation) in _ACTION:
        return _ACTION[(service, operation)]
    if service in ("apigateway", "apigatewayv2"):
        # API Gateway management reads are authorised as HTTP verbs on resource paths.
        return "apigateway:GET"
    return f"{_PREFIX.get(service, service)}:{operation}"
