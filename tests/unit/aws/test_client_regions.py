"""One client per service serves every region (awsobs/aws/clients.py): each request goes
to its own region's endpoint and is signed for that region.

A fence around botocore: awsobs sets the region per request through the endpoint rules'
`AWS::Region` builtin (the `before-endpoint-resolution` event) and the request context's
signing region. Should botocore stop honouring either, these fail. In-process moto answers
by the URL's host, so the data seen also proves where the request went; a `before-send`
handler on the shared client records the URL and the Authorization header's scope.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import boto3
import pytest

from awsobs.aws.clients import PER_REGION, ClientPool
from awsobs.aws.errors import AwsError
from awsobs.aws.gateway import Gateway

# Every service awsobs reads outside S3, with a read that needs no parameters.
READS = {
    "apigateway": ("GetRestApis", {}),
    "apigatewayv2": ("GetApis", {}),
    "cloudtrail": ("DescribeTrails", {}),
    "cloudwatch": ("DescribeAlarms", {}),
    "config": ("DescribeConfigurationRecorders", {}),
    "dynamodb": ("ListTables", {}),
    "ec2": ("DescribeVpcs", {}),
    "ecs": ("ListClusters", {}),
    "eks": ("ListClusters", {}),
    "elb": ("DescribeLoadBalancers", {}),
    "elbv2": ("DescribeLoadBalancers", {}),
    "firehose": ("ListDeliveryStreams", {}),
    "lambda": ("ListFunctions", {}),
    "logs": ("DescribeLogGroups", {}),
    "rds": ("DescribeDBInstances", {}),
    "sns": ("ListTopics", {}),
    "sqs": ("ListQueues", {}),
    "ssm": ("DescribeInstanceInformation", {}),
    "stepfunctions": ("ListStateMachines", {}),
    "sts": ("GetCallerIdentity", {}),
    "wafv2": ("ListWebACLs", {"Scope": "REGIONAL"}),
    "xray": ("GetSamplingRules", {}),
}
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")


class _Seen:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []  # (host, region in the signature's scope)

    def __call__(self, request: Any, **_: Any) -> None:
        host = re.sub(r"^https?://([^/]+).*", r"\1", request.url)
        auth = request.headers.get("Authorization", "")
        auth = auth.decode() if isinstance(auth, bytes) else auth
        scope = re.search(r"Credential=[^/]+/\d+/([^/]+)/", auth)
        self.sent.append((host, scope.group(1) if scope else "-"))


@pytest.mark.parametrize("service", sorted(READS))
def test_one_client_sends_each_region_its_own_requests(aws: boto3.Session, service: str) -> None:
    assert service not in PER_REGION
    gateway = Gateway(aws, clients=ClientPool(aws))
    operation, params = READS[service]
    seen = _Seen()
    gateway._client(service, REGIONS[0]).meta.events.register_first("before-send", seen)
    for region in REGIONS:
        # moto may not answer every read (it raises in its own before-send, after ours):
        # where the request went is the point.
        with contextlib.suppress(AwsError):
            gateway.call(service, operation, region, **params)
    assert [scope for _, scope in seen.sent] == list(REGIONS)
    for (host, _), region in zip(seen.sent, REGIONS, strict=True):
        assert region in host.split("."), host
    assert len({id(gateway._client(service, r)) for r in REGIONS}) == 1


def test_data_comes_from_the_region_asked(aws: boto3.Session) -> None:
    """moto keeps a backend per region, chosen by the request's host."""
    aws.client("logs", region_name="eu-west-1").create_log_group(logGroupName="only-in-eu")
    gateway = Gateway(aws, clients=ClientPool(aws))
    names = {
        region: [
            g["logGroupName"]
            for g in gateway.call("logs", "DescribeLogGroups", region)["logGroups"]
        ]
        for region in REGIONS
    }
    assert names == {"us-east-1": [], "eu-west-1": ["only-in-eu"], "ap-southeast-2": []}


def test_s3_keeps_a_client_per_region(aws: boto3.Session) -> None:
    """S3's own handlers (the bucket-region redirector) work from the client's region."""
    pool = ClientPool(aws)
    assert pool.client("s3", "us-east-1") is not pool.client("s3", "eu-west-1")
    assert pool.client("s3", "eu-west-1").meta.region_name == "eu-west-1"
