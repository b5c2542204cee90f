"""What the gateway may send, and what it drops from an answer as soon as it arrives.

Three rules, applied to every request whoever asks for it (docs/design.md, "Reading
AWS"):

1. Only reads: an operation whose name starts with `Describe`, `Get`, `List` or `Lookup`.
2. Never a read that exists to hand out secrets or content (`REFUSED`), nor a write that
   is named like a read (`cognito-identity:GetId` creates an identity). The name pattern
   `_SECRET_NAME` catches the families this list does not spell out.
3. Some reads that checks do need carry secrets beside the metadata: Lambda and ECS
   environment values, launch-configuration user data, a state machine's definition.
   `SCRUBBED` lists, per operation, the fields that are removed from each page right
   after it is parsed (botocore's `after-call` event), before pagination, caching or
   any check sees them.

A check is further limited to the operations it declares (`Context.call`): these rules
are what no declaration can lift.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

READ_PREFIXES = ("Describe", "Get", "List", "Lookup")

# Reads that return secrets, credentials or customer content, and writes named like
# reads: never sent, whatever a check declares. (botocore service, operation).
REFUSED: frozenset[tuple[str, str]] = frozenset(
    {
        ("apigateway", "GetApiKey"),  # key values
        ("apigateway", "GetApiKeys"),
        ("apigateway", "GetUsagePlanKey"),  # key values
        ("apigateway", "GetUsagePlanKeys"),
        ("apigateway", "GetExport"),  # the API definition, integrations' secrets included
        ("apigateway", "GetSdk"),
        ("athena", "GetQueryResults"),  # query results: content
        ("cloudformation", "GetTemplate"),  # templates may hold plain-text secrets
        ("codecommit", "GetBlob"),  # repository content
        ("codecommit", "GetFile"),
        ("codecommit", "GetFolder"),
        ("cognito-identity", "GetId"),  # a write: creates an identity
        ("dynamodb", "GetItem"),  # item content
        ("ec2", "DescribeInstanceAttribute"),  # user data
        ("ec2", "DescribeLaunchTemplateVersions"),  # user data
        ("ec2", "GetConsoleOutput"),
        ("ec2", "GetConsoleScreenshot"),
        ("ec2", "GetLaunchTemplateData"),  # user data
        ("ecr", "GetDownloadUrlForLayer"),  # image content
        ("elasticbeanstalk", "DescribeConfigurationSettings"),  # environment values
        ("glue", "GetConnection"),  # connection passwords
        ("glue", "GetConnections"),
        ("kinesis", "GetRecords"),  # stream content
        ("kinesis", "GetShardIterator"),
        ("lambda", "GetFunction"),  # environment variables and a code download URL
        ("lambda", "GetFunctionConfiguration"),  # environment variables
        ("lambda", "GetLayerVersion"),  # a code download URL
        ("lambda", "GetLayerVersionByArn"),
        ("logs", "GetLogEvents"),  # log content
        ("logs", "GetLogRecord"),
        ("logs", "GetQueryResults"),
        ("s3", "GetObject"),  # object content
        ("s3", "GetObjectTorrent"),
        ("ssm", "GetCommandInvocation"),  # command output
        ("ssm", "GetParameter"),  # parameter values
        ("ssm", "GetParameters"),
        ("ssm", "GetParametersByPath"),
        ("ssm", "GetParameterHistory"),
    }
)
_SECRET_NAME = re.compile(r"Secret|Password|Credential|Token|Key(Pair)?Material|Decrypt")


def is_read(service: str, operation: str) -> bool:
    """True for the operations the gateway may send at all (rules 1 and 2)."""
    if (service, operation) in REFUSED or _SECRET_NAME.search(operation):
        return False
    return operation.startswith(READ_PREFIXES)


def is_sendable_action(action: str) -> bool:
    """Could a check that declares this IAM action ever have it sent? (`apigateway:GET`
    is API Gateway's one read action; the rest must pass `is_read`.)"""
    prefix, _, operation = action.partition(":")
    return action == "apigateway:GET" or is_read(prefix, operation)


# Fields dropped from each page of an answer, per (service, operation). A path is dotted
# keys; `[]` walks every item of a list. The last key is removed from its parent mapping.
SCRUBBED: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("lambda", "ListFunctions"): ("Functions[].Environment",),
    ("lambda", "ListVersionsByFunction"): ("Versions[].Environment",),
    ("ecs", "DescribeTaskDefinition"): (
        "taskDefinition.containerDefinitions[].environment[].value",
        # log driver options may carry a token in plain text (splunk-token, FireLens keys)
        "taskDefinition.containerDefinitions[].logConfiguration.options",
    ),
    ("ecs", "DescribeTasks"): (
        "tasks[].overrides.containerOverrides[].environment[].value",
        "tasks[].containers[].environment[].value",
    ),
    ("batch", "DescribeJobDefinitions"): (
        "jobDefinitions[].containerProperties.environment[].value",
    ),
    ("autoscaling", "DescribeLaunchConfigurations"): ("LaunchConfigurations[].UserData",),
    ("stepfunctions", "DescribeStateMachine"): ("definition",),
    ("apprunner", "DescribeService"): (
        "Service.SourceConfiguration.CodeRepository.CodeConfiguration."
        "CodeConfigurationValues.RuntimeEnvironmentVariables",
        "Service.SourceConfiguration.ImageRepository.ImageConfiguration."
        "RuntimeEnvironmentVariables",
    ),
}


def drop(node: Any, path: str) -> None:
    """Remove the field `path` (see SCRUBBED) from a parsed answer, in place."""
    head, _, rest = path.partition(".")
    many = head.endswith("[]")
    key = head.removesuffix("[]")
    if not isinstance(node, dict) or key not in node:
        return
    if not rest and not many:
        node.pop(key, None)
        return
    children = node[key]
    if many:
        if not isinstance(children, list):
            return
        if not rest:  # `Items[]` at the end: drop the whole list
            node.pop(key, None)
            return
        for child in children:
            drop(child, rest)
    else:
        drop(children, rest)


def scrubber(paths: tuple[str, ...]) -> Callable[..., None]:
    """An `after-call` handler that drops `paths` from the parsed page."""

    def scrub(parsed: dict[str, Any], **_: Any) -> None:
        for path in paths:
            drop(parsed, path)

    return scrub


def scrub_events(service: str, event_name: str) -> tuple[tuple[str, Callable[..., None]], ...]:
    """(botocore event, handler) for the operations of `service` in SCRUBBED.

    `event_name` is the service's name in botocore events (`service_id.hyphenize()`:
    `sfn` for stepfunctions, `auto-scaling` for autoscaling)."""
    return tuple(
        (f"after-call.{event_name}.{operation}", scrubber(paths))
        for (svc, operation), paths in SCRUBBED.items()
        if svc == service
    )
