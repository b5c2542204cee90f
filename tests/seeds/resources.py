"""Resources several tests create in moto: a DynamoDB table and a Lambda function (with or
without an explicit TracingConfig)."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
from helpers import ACCOUNT


def dynamodb_table(session: boto3.Session, name: str, region: str = "us-east-1") -> str:
    """An on-demand DynamoDB table keyed by `id`; returns its ARN."""
    session.client("dynamodb", region_name=region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/{name}"


def lambda_function(
    session: boto3.Session,
    name: str,
    env: dict[str, str] | None = None,
    *,
    tracing: str | None = None,
) -> str:
    """A Lambda function (its own role); `tracing`: TracingConfig mode, else moto's default."""
    role = session.client("iam").create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("h.py", "def h(e, c):\n    return 1\n")
    arn: str = session.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="h.h",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": env or {}},
        **({"TracingConfig": {"Mode": tracing}} if tracing else {}),
    )["FunctionArn"]
    return arn


def traced_function(session: boto3.Session, name: str, mode: str | None = None) -> str:
    """`lambda_function` with the tracing mode as its third argument (no environment)."""
    return lambda_function(session, name, tracing=mode)
