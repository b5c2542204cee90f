"""A check sends only what it declares, and secrets are dropped as they arrive.

- The gateway never sends a write, nor a read that exists to hand out secrets or content,
  whatever a check declares; a check that declares one does not register.
- A check can read only the IAM actions it declares: anything else is refused before a
  request is built, even when another check of the same scan already made that read, and
  the finding is UNKNOWN naming the undeclared action.
- A value shared between checks is built with exactly the actions it needs, so it is the
  same whichever check asks first, and a check that does not declare them cannot get it.
- Fields that carry secrets beside metadata are dropped from every page of the answer
  before anything keeps it (awsobs/aws/readpolicy.py `SCRUBBED`): a marker test per entry,
  and real round trips through moto for the operations moto serves.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from helpers import trail
from resources import lambda_function

from awsobs import Context, Finding, Status, scan
from awsobs.aws.gateway import Gateway
from awsobs.aws.readpolicy import REFUSED, SCRUBBED, drop, is_read, scrub_events
from awsobs.checks.cloudtrail.readers import all_trails
from awsobs.registry import Registry, check

PRIVATE = Registry()
SECRET = "MARKER-5ecr3t-value"


def _sent(report_calls: dict[str, int], action: str) -> bool:
    return bool(report_calls.get(action))


@check(
    id="test.sneaky",
    title="Declares a read, sends a write named like a read",
    severity="low",
    permissions=["lambda:ListFunctions"],
    remediation="none",
    docs="cognito-identity:GetId creates an identity.",
    registry=PRIVATE,
)
def sneaky(ctx: Context) -> Iterator[Finding]:
    ctx.call("cognito-identity", "GetId", IdentityPoolId="us-east-1:x")
    yield ctx.passed("AWS::Region", "x", "unreachable")


@check(
    id="test.keys",
    title="Declares apigateway:GET, asks for usage plan key values",
    severity="low",
    permissions=["apigateway:GET"],
    remediation="none",
    docs="GetUsagePlanKeys returns key values.",
    registry=PRIVATE,
)
def keys(ctx: Context) -> Iterator[Finding]:
    ctx.call("apigateway", "GetUsagePlanKeys", usagePlanId="p")
    yield ctx.passed("AWS::Region", "x", "unreachable")


@check(
    id="test.borrower",
    title="Reads buckets without declaring it",
    severity="low",
    permissions=["cloudtrail:DescribeTrails"],
    remediation="none",
    docs="Declares DescribeTrails, reads ListBuckets.",
    registry=PRIVATE,
)
def borrower(ctx: Context) -> Iterator[Finding]:
    ctx.call("s3", "ListBuckets")
    yield ctx.passed("AWS::Region", "x", "unreachable")


@check(
    id="test.a_trails_undeclared",
    title="Asks for the shared trail listing without declaring DescribeTrails",
    severity="low",
    permissions=["s3:ListAllMyBuckets"],
    remediation="none",
    docs="Runs first (ids sort), so it would build the shared value.",
    registry=PRIVATE,
    scope="account",
)
def trails_undeclared(ctx: Context) -> Iterator[Finding]:
    listing = all_trails(ctx)
    yield ctx.passed(*ctx.account_resource(), f"{len(listing.trails)} trails")


@check(
    id="test.b_trails_declared",
    title="Asks for the shared trail listing, declaring DescribeTrails",
    severity="low",
    permissions=["cloudtrail:DescribeTrails"],
    remediation="none",
    docs="Runs second.",
    registry=PRIVATE,
    scope="account",
)
def trails_declared(ctx: Context) -> Iterator[Finding]:
    listing = all_trails(ctx)
    status = Status.UNKNOWN if listing.errors else Status.PASS
    yield ctx.finding(status, *ctx.account_resource(), f"{len(listing.trails)} trails")


def test_a_write_named_like_a_read_is_refused_and_never_sent(aws: boto3.Session) -> None:
    sent: list[str] = []
    report = scan(
        aws, regions=["us-east-1"], checks=[sneaky], on_request=lambda *a: sent.append(a[1])
    )
    (f,) = report.findings
    assert f.status is Status.UNKNOWN
    assert "awsobs refused cognito-identity:GetId" in f.message
    assert f.evidence["error"] == {
        "kind": "undeclared",
        "action": "cognito-identity:GetId",
        "code": "UndeclaredAction",
        "region": "us-east-1",
    }
    assert "GetId" not in sent and not _sent(
        report.api_calls_by_operation, "cognito-identity:GetId"
    )


@pytest.mark.parametrize(
    "action",
    [
        "cognito-identity:GetId",  # a write named like a read
        "lambda:GetFunction",  # environment variables, code URL
        "ssm:GetParameter",
        "dynamodb:GetItem",
        "s3:GetObject",
        "secretsmanager:GetSecretValue",
        "sts:GetSessionToken",
        "cloudtrail:StopLogging",
    ],
)
def test_a_check_that_declares_what_is_never_sent_does_not_register(action: str) -> None:
    with pytest.raises(ValueError, match="never sent"):
        check(
            id="test.greedy",
            title="Wants too much",
            severity="low",
            permissions=[action],
            remediation="none",
            docs="Declares a refused action.",
            registry=Registry(),
        )(lambda ctx: iter(()))


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("apigateway", "GetUsagePlanKeys"),  # key values, authorised as apigateway:GET
        ("apigateway", "GetApiKeys"),
        ("lambda", "GetFunctionConfiguration"),
        ("dynamodb", "GetItem"),
        ("cognito-identity", "GetId"),
        ("kinesis", "GetRecords"),
        ("logs", "GetLogEvents"),
    ],
)
def test_refused_reads_are_not_reads(service: str, operation: str) -> None:
    assert (service, operation) in REFUSED and not is_read(service, operation)


def test_api_key_values_are_refused_even_under_apigateway_get(aws: boto3.Session) -> None:
    report = scan(aws, regions=["us-east-1"], checks=[keys])
    (f,) = report.findings
    assert f.status is Status.UNKNOWN and "apigateway:GET" in f.message
    assert f.evidence["error"]["kind"] == "refused"
    assert not _sent(report.api_calls_by_operation, "apigateway:GetUsagePlanKeys")


def test_an_undeclared_read_is_refused_even_when_memoized(aws: boto3.Session) -> None:
    """s3.server_access_logging reads ListBuckets in the same scan; the borrower may not."""
    aws.client("s3").create_bucket(Bucket="logs-bucket")
    report = scan(
        aws, regions=["us-east-1"], checks=[borrower, "s3.server_access_logging"], max_workers=1
    )
    (f,) = [f for f in report.findings if f.check_id == "test.borrower"]
    assert f.status is Status.UNKNOWN
    assert "awsobs refused s3:ListAllMyBuckets" in f.message
    assert "test.borrower does not declare it" in f.message
    assert f.evidence["error"]["action"] == "s3:ListAllMyBuckets"
    assert report.api_calls_by_operation["s3:ListBuckets"] == 1  # the other check's, once


def test_a_shared_value_does_not_depend_on_who_asks_first(aws: boto3.Session) -> None:
    trail(aws, "main", multi_region=True)
    report = scan(
        aws, regions=["us-east-1"], checks=[trails_undeclared, trails_declared], max_workers=1
    )
    by_id = {f.check_id: f for f in report.findings}
    undeclared = by_id["test.a_trails_undeclared"]
    assert undeclared.status is Status.UNKNOWN
    assert undeclared.evidence["error"]["action"] == "cloudtrail:DescribeTrails"
    assert by_id["test.b_trails_declared"].status is Status.PASS
    assert by_id["test.b_trails_declared"].message == "1 trails"


# -- secrets dropped on arrival ----------------------------------------------------------------


def _plant(path: str) -> dict[str, Any]:
    """A parsed answer with SECRET at `path` (and a harmless sibling at every level)."""
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    inner: Any = _plant(rest) if rest else SECRET
    value = [inner, inner] if head.endswith("[]") else inner
    return {key: value, "Keep": "visible"}


@pytest.mark.parametrize(
    ("operation", "path"),
    [(op, path) for op, paths in SCRUBBED.items() for path in paths],
    ids=lambda v: v if isinstance(v, str) else ":".join(v),
)
def test_every_scrubbed_field_is_dropped(operation: tuple[str, str], path: str) -> None:
    answer = _plant(path)
    assert SECRET in json.dumps(answer)
    drop(answer, path)
    text = json.dumps(answer)
    assert SECRET not in text and "visible" in text


def test_every_scrubbed_operation_is_hooked_on_its_client(aws: boto3.Session) -> None:
    """The botocore event name of each operation (sfn, auto-scaling) is the one hooked."""
    gw = Gateway(aws)
    for service, operation in SCRUBBED:
        client = gw._client(service, "us-east-1")
        event_name = client.meta.service_model.service_id.hyphenize()
        events = [event for event, _ in scrub_events(service, event_name)]
        assert f"after-call.{event_name}.{operation}" in events
        assert operation in client.meta.service_model.operation_names


def test_lambda_environment_never_reaches_the_gateway_cache(aws: boto3.Session) -> None:
    lambda_function(aws, "f", {"TOKEN": SECRET})
    aws.client("lambda").publish_version(FunctionName="f")
    gw = Gateway(aws)
    listed = gw.call("lambda", "ListFunctions", "us-east-1")
    versions = gw.call("lambda", "ListVersionsByFunction", "us-east-1", FunctionName="f")
    assert listed["Functions"][0]["FunctionName"] == "f" and len(versions["Versions"]) >= 2
    assert SECRET not in repr(listed) + repr(versions) + repr(gw._memo._futures)


def test_ecs_environment_values_are_dropped_names_kept(aws: boto3.Session) -> None:
    ecs = aws.client("ecs")
    ecs.register_task_definition(
        family="web",
        containerDefinitions=[
            {
                "name": "app",
                "image": "nginx",
                "memory": 128,
                "environment": [{"name": "DB_PASSWORD", "value": SECRET}],
            }
        ],
    )
    got = Gateway(aws).call("ecs", "DescribeTaskDefinition", "us-east-1", taskDefinition="web")
    container = got["taskDefinition"]["containerDefinitions"][0]
    assert SECRET not in repr(got)
    assert [e["name"] for e in container["environment"]] == ["DB_PASSWORD"]


def test_launch_configuration_user_data_is_dropped(aws: boto3.Session) -> None:
    aws.client("autoscaling").create_launch_configuration(
        LaunchConfigurationName="lc",
        ImageId="ami-12345678",
        InstanceType="t3.micro",
        UserData=f"#!/bin/sh\nexport TOKEN={SECRET}\n",
    )
    got = Gateway(aws).call("autoscaling", "DescribeLaunchConfigurations", "us-east-1")
    assert got["LaunchConfigurations"][0]["LaunchConfigurationName"] == "lc"
    assert SECRET not in repr(got)


def test_state_machine_definition_is_dropped(aws: boto3.Session) -> None:
    role = aws.client("iam").create_role(RoleName="sfn", AssumeRolePolicyDocument="{}")["Role"]
    definition = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": SECRET, "End": True}}}
    arn = aws.client("stepfunctions").create_state_machine(
        name="flow", definition=json.dumps(definition), roleArn=role["Arn"]
    )["stateMachineArn"]
    got = Gateway(aws).call(
        "stepfunctions", "DescribeStateMachine", "us-east-1", stateMachineArn=arn
    )
    assert got["name"] == "flow" and "definition" not in got
    assert SECRET not in repr(got)
