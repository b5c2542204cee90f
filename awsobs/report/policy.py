"""The least-privilege IAM policy for a set of checks, derived from the registry.

Every check declares the IAM actions it calls, and a test runs each check with a request
recorder to hold the declarations to what is really sent. The policy is therefore the
union of those declarations plus the two reads every scan makes before any check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from awsobs.aws.session import ENGINE_PERMISSIONS
from awsobs.registry import Check

POLICY_SID = "AwsobsReadOnly"
APIGATEWAY_SID = "AwsobsApiGatewayReads"

APIGATEWAY_PATHS = ("/account", "/restapis", "/restapis/*/stages", "/apis", "/apis/*/stages")
"""The API Gateway resources the checks read. API Gateway authorises management reads as
`apigateway:GET` on a resource path, so `Resource: "*"` would also allow reading API key
values (`/apikeys?includeValues=true`); the policy names these paths instead."""


def required_actions(checks: Iterable[Check]) -> list[str]:
    """Sorted IAM actions that a scan running `checks` may send, and nothing else."""
    actions = set(ENGINE_PERMISSIONS)
    for chk in checks:
        actions.update(chk.meta.permissions)
    return sorted(actions, key=lambda a: (a.split(":", 1)[0], a.lower()))


def policy_document(checks: Iterable[Check], partition: str = "aws") -> dict[str, Any]:
    """An identity-based policy document allowing exactly `required_actions(checks)`.

    `Resource` is `*` for all but API Gateway: the reads are List/Describe calls that
    either support no resource ARN or must see every resource in the account to judge
    coverage. `apigateway:GET` is limited to `APIGATEWAY_PATHS` in any region.
    """
    actions = required_actions(checks)
    statements: list[dict[str, Any]] = []
    general = [a for a in actions if a != "apigateway:GET"]
    if general:
        statements.append(
            {"Sid": POLICY_SID, "Effect": "Allow", "Action": general, "Resource": "*"}
        )
    if "apigateway:GET" in actions:
        statements.append(
            {
                "Sid": APIGATEWAY_SID,
                "Effect": "Allow",
                "Action": ["apigateway:GET"],
                "Resource": [f"arn:{partition}:apigateway:*::{p}" for p in APIGATEWAY_PATHS],
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


def render_policy(checks: Iterable[Check], partition: str = "aws") -> str:
    """The policy as `awsobs policy` prints it (two-space indented JSON, one action a line)."""
    return json.dumps(policy_document(checks, partition), indent=2) + "\n"
