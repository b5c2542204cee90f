"""Seed API Gateway set-ups in moto (in process or over HTTP): APIs, stages, role, logs."""

from __future__ import annotations

import json
from typing import Any

import boto3
from helpers import ACCOUNT


def trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def account_role(
    session: boto3.Session,
    region: str = "us-east-1",
    *,
    service: str = "apigateway.amazonaws.com",
    name: str = "apigw-cloudwatch",
    create: bool = True,
) -> str:
    """Set API Gateway's CloudWatch role in `region` (creating the role unless create=False)."""
    arn = f"arn:aws:iam::{ACCOUNT}:role/{name}"
    if create:
        session.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=trust(service))
    session.client("apigateway", region_name=region).update_account(
        patchOperations=[{"op": "replace", "path": "/cloudwatchRoleArn", "value": arn}]
    )
    return arn


def log_group(session: boto3.Session, name: str, region: str = "us-east-1") -> str:
    """Create a log group; returns its ARN the way stages take it (no `:*`)."""
    logs = session.client("logs", region_name=region)
    logs.create_log_group(logGroupName=name)
    return f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{name}"


def firehose(session: boto3.Session, name: str, region: str = "us-east-1") -> str:
    s3 = session.client("s3", region_name=region)
    bucket = f"{name}-sink"
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    return str(
        session.client("firehose", region_name=region).create_delivery_stream(
            DeliveryStreamName=name,
            ExtendedS3DestinationConfiguration={
                "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose",
                "BucketARN": f"arn:aws:s3:::{bucket}",
            },
        )["DeliveryStreamARN"]
    )


def patch(path: str, value: str) -> dict[str, str]:
    return {"op": "replace", "path": path, "value": value}


def access(
    destination: str, fmt: str = "$context.requestId $context.status"
) -> list[dict[str, str]]:
    return [
        patch("/accessLogSettings/destinationArn", destination),
        patch("/accessLogSettings/format", fmt),
    ]


def rest_api(
    session: boto3.Session,
    name: str,
    stages: dict[str, list[dict[str, str]]],
    region: str = "us-east-1",
    **stage_kwargs: Any,
) -> str:
    """A REST API with methods GET / and GET /pets, and `stages` patched as given."""
    api_gw = session.client("apigateway", region_name=region)
    api = api_gw.create_rest_api(name=name)["id"]
    root = api_gw.get_resources(restApiId=api)["items"][0]["id"]
    pets = api_gw.create_resource(restApiId=api, parentId=root, pathPart="pets")["id"]
    for resource in (root, pets):
        api_gw.put_method(
            restApiId=api, resourceId=resource, httpMethod="GET", authorizationType="NONE"
        )
        api_gw.put_integration(restApiId=api, resourceId=resource, httpMethod="GET", type="MOCK")
    deployment = api_gw.create_deployment(restApiId=api)["id"]
    for stage, ops in stages.items():
        api_gw.create_stage(restApiId=api, stageName=stage, deploymentId=deployment, **stage_kwargs)
        if ops:
            api_gw.update_stage(restApiId=api, stageName=stage, patchOperations=ops)
    return str(api)


def rest_stage_arn(api: str, stage: str, region: str = "us-east-1") -> str:
    return f"arn:aws:apigateway:{region}::/restapis/{api}/stages/{stage}"


def v2_api(
    session: boto3.Session,
    name: str,
    protocol: str,
    stages: dict[str, dict[str, Any]],
    region: str = "us-east-1",
) -> str:
    """An HTTP or WEBSOCKET API with `stages` created with the given settings."""
    client = session.client("apigatewayv2", region_name=region)
    kwargs = {"RouteSelectionExpression": "$request.body.action"} if protocol == "WEBSOCKET" else {}
    api = client.create_api(Name=name, ProtocolType=protocol, **kwargs)["ApiId"]
    for stage, settings in stages.items():
        client.create_stage(ApiId=api, StageName=stage, **settings)
    return str(api)


def v2_stage_arn(api: str, stage: str, region: str = "us-east-1") -> str:
    return f"arn:aws:apigateway:{region}::/apis/{api}/stages/{stage}"


def v2_access(destination: str) -> dict[str, Any]:
    return {"AccessLogSettings": {"DestinationArn": destination, "Format": "$context.requestId"}}


def seed_every_apigw_read(session: boto3.Session) -> None:
    """An account on which every API Gateway check makes every read it declares."""
    account_role(session)
    group = log_group(session, "/apigw/access")
    stream = firehose(session, "apigw-access")
    rest_api(
        session,
        "shop",
        {
            "prod": [patch("/*/*/logging/loglevel", "ERROR"), *access(group)],
            "dev": access(stream),
        },
    )
    v2_api(
        session,
        "chat",
        "WEBSOCKET",
        {"prod": {**v2_access(group), "DefaultRouteSettings": {"LoggingLevel": "INFO"}}},
    )
    v2_api(session, "web", "HTTP", {"$default": v2_access(stream)})
