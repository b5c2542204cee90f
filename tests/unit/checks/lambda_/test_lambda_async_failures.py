"""`lambda.async_failure_destination`: a function that S3, SNS or EventBridge may invoke
asynchronously (its resource policy says so) keeps its failed events in an on-failure
destination or a dead-letter queue.

moto 5.2 drops `DeadLetterConfig` from CreateFunction / UpdateFunctionConfiguration and
ListFunctions: `install_lambda_dlq_extension` (awsobs/demo/moto_misc.py) keeps and lists
it. moto's IAM authorizer does not enforce on Lambda's REST paths: denied reads are scripted
with botocore's Stubber (`stub_client`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from helpers import ACCOUNT, only, run, stub_client
from resources import lambda_function

from awsobs import Status
from awsobs.checks.lambda_.async_failures import async_triggers
from awsobs.demo.moto_misc import install_lambda_dlq_extension

CHECK = "lambda.async_failure_destination"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:failed-events"


@pytest.fixture(autouse=True)
def dlq_ext() -> Iterator[None]:
    install_lambda_dlq_extension()
    yield


def fn_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:{name}"


def grant(session: boto3.Session, name: str, principal: str, sid: str = "trigger") -> None:
    session.client("lambda").add_permission(
        FunctionName=name,
        StatementId=sid,
        Action="lambda:InvokeFunction",
        Principal=principal,
        SourceArn=f"arn:aws:s3:::{name}-bucket",
    )


def on_failure(session: boto3.Session, name: str, destination: str | None) -> None:
    config = {"OnFailure": {"Destination": destination}} if destination else {}
    session.client("lambda").put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=2, DestinationConfig=config
    )


def test_s3_triggered_function_without_destination_fails(aws: boto3.Session) -> None:
    lambda_function(aws, "thumbnails")
    grant(aws, "thumbnails", "s3.amazonaws.com", "s3-put")
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (fn_arn("thumbnails"), Status.FAIL)
    assert "function 'thumbnails' is invoked asynchronously by S3 (statement 's3-put')" in (
        f.message
    )
    assert "no asynchronous invocation configuration" in f.message
    assert "discarded" in f.message
    assert "put-function-event-invoke-config --function-name thumbnails" in f.remediation


def test_config_without_on_failure_fails(aws: boto3.Session) -> None:
    """An asynchronous invocation configuration that only sets retries (or only an
    on-success destination) keeps no failed event."""
    lambda_function(aws, "fanout")
    grant(aws, "fanout", "sns.amazonaws.com")
    on_failure(aws, "fanout", None)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "by SNS" in f.message and "without an on-failure destination" in f.message
    assert f.evidence["event_invoke_config"]["MaximumRetryAttempts"] == 2


def test_on_failure_destination_passes(aws: boto3.Session) -> None:
    lambda_function(aws, "nightly")
    grant(aws, "nightly", "events.amazonaws.com")
    on_failure(aws, "nightly", QUEUE)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert "by EventBridge (statement 'trigger'); failed events go to its on-failure " in (
        f.message
    )
    assert QUEUE in f.message


def test_dead_letter_queue_passes(aws: boto3.Session) -> None:
    lambda_function(aws, "ingest")
    aws.client("lambda").update_function_configuration(
        FunctionName="ingest", DeadLetterConfig={"TargetArn": QUEUE}
    )
    grant(aws, "ingest", "s3.amazonaws.com")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS and f"dead-letter queue {QUEUE}" in f.message


def test_function_without_async_trigger_is_not_applicable(aws: boto3.Session) -> None:
    """No resource policy (GetPolicy: ResourceNotFoundException), or one that only lets
    API Gateway (synchronous) invoke it: nothing to judge, and the message says what
    was looked at."""
    lambda_function(aws, "plain")
    lambda_function(aws, "api")
    grant(aws, "api", "apigateway.amazonaws.com")
    got = {f.resource_id: f for f in run(aws, [CHECK]).findings if f.check_id == CHECK}
    assert {k: f.status for k, f in got.items()} == {
        fn_arn("plain"): Status.NOT_APPLICABLE,
        fn_arn("api"): Status.NOT_APPLICABLE,
    }
    assert "'plain' has no resource policy" in got[fn_arn("plain")].message
    assert "no asynchronous trigger found" in got[fn_arn("api")].message


def test_no_function_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE and "no Lambda functions" in f.message


S3_POLICY = json.dumps(
    {
        "Statement": [
            {
                "Sid": "s3",
                "Effect": "Allow",
                "Principal": {"Service": "s3.amazonaws.com"},
                "Action": "lambda:InvokeFunction",
                "Resource": fn_arn("thumbnails"),
            }
        ]
    }
)
LISTED = {"FunctionName": "thumbnails", "FunctionArn": fn_arn("thumbnails")}
WITH_DLQ = {**LISTED, "DeadLetterConfig": {"TargetArn": QUEUE}}
DENIED = "AccessDeniedException"


@pytest.mark.parametrize(
    ("script", "action", "status"),
    [
        pytest.param(
            [("list_functions", DENIED)], "lambda:ListFunctions", Status.UNKNOWN, id="list"
        ),
        pytest.param(
            [("list_functions", {"Functions": [LISTED]}), ("get_policy", DENIED)],
            "lambda:GetPolicy",
            Status.UNKNOWN,
            id="policy",
        ),
        pytest.param(
            [
                ("list_functions", {"Functions": [LISTED]}),
                ("get_policy", {"Policy": S3_POLICY}),
                ("get_function_event_invoke_config", DENIED),
            ],
            "lambda:GetFunctionEventInvokeConfig",
            Status.UNKNOWN,
            id="invoke-config",
        ),
        pytest.param(
            [
                ("list_functions", {"Functions": [WITH_DLQ]}),
                ("get_policy", {"Policy": S3_POLICY}),
                ("get_function_event_invoke_config", DENIED),
            ],
            None,
            Status.PASS,
            id="dlq-needs-no-invoke-config",
        ),
    ],
)
def test_denied_reads_are_unknown(
    aws: boto3.Session,
    monkeypatch: pytest.MonkeyPatch,
    script: list[tuple[str, object]],
    action: str | None,
    status: Status,
) -> None:
    """A denied read is UNKNOWN naming the action, for what depended on it only: a dead-
    letter queue read from the listing needs no invocation configuration. moto's IAM
    authorizer does not enforce on Lambda's REST paths, so the Lambda client is scripted
    with botocore's Stubber (`stub_client`)."""
    stub_client(monkeypatch, "lambda", script)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is status, f.message
    if action is not None:
        assert action in f.message
    else:
        assert f"dead-letter queue {QUEUE}" in f.message


@pytest.mark.parametrize(
    ("statement", "found"),
    [
        ({"Principal": {"Service": "s3.amazonaws.com"}}, ["S3 (statement 'x')"]),
        ({"Principal": {"Service": ["sns.amazonaws.com"]}}, ["SNS (statement 'x')"]),
        ({"Principal": {"Service": "s3.amazonaws.com"}, "Effect": "Deny"}, []),
        ({"Principal": {"Service": "s3.amazonaws.com"}, "Action": "lambda:GetPolicy"}, []),
        ({"Principal": {"AWS": "arn:aws:iam::111111111111:root"}}, []),
        ({"Principal": "*"}, []),
    ],
)
def test_policy_parsing(statement: dict[str, object], found: list[str]) -> None:
    st = {"Sid": "x", "Effect": "Allow", "Action": "lambda:InvokeFunction", **statement}
    assert async_triggers(json.dumps({"Statement": [st]})) == found
    assert async_triggers("not json") == []
