"""`awsobs policy`: the least-privilege IAM policy, held to what a scan really sends."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import boto3
import botocore.session
from helpers import REPO, awsobs
from seed_all import SCAN_KW, seed_every_read

from awsobs import REGISTRY, Status, scan
from awsobs.aws.iam import iam_action
from awsobs.aws.session import ENGINE_PERMISSIONS
from awsobs.report.policy import APIGATEWAY_PATHS, policy_document, render_policy, required_actions
from awsobs.suppress import Suppression


def test_a_full_scan_sends_exactly_the_actions_of_the_policy(
    aws: boto3.Session, ssm: None, alarm_ext: None
) -> None:
    """Every check at once, on an account that exercises every read, with a recorder on the
    gateway: no request outside the policy, and no action in it that nothing used."""
    seed_every_read(aws)
    sent: set[str] = set()
    apigw: set[str] = set()

    def record(service: str, op: str, region: str, params: Any) -> None:
        sent.add(iam_action(service, op))
        if service.startswith("apigateway"):
            apigw.add(f"arn:aws:apigateway:{region}::{_resource_path(service, op)}")

    # A suppression by tag (matching nothing) makes the scan read tags too.
    by_tag = Suppression(check="*", reason="none match", tags=(("awsobs-test", "no-such"),))
    report = scan(aws, on_request=record, suppressions=[by_tag], **SCAN_KW)
    assert not [f for f in report.findings if f.status is Status.UNKNOWN]
    policy = set(required_actions(REGISTRY.all()))
    assert sent - policy == set(), "requests the policy does not allow"
    assert policy - sent == set(), "actions in the policy that no request used"
    # API Gateway reads are authorised on resource paths: each request is within one of
    # the policy's resources, and each of those resources was needed by some request.
    (scoped,) = [s for s in policy_document(REGISTRY.all())["Statement"] if s["Resource"] != "*"]
    allowed = scoped["Resource"]
    assert [a for a in apigw if not any(fnmatch.fnmatchcase(a, r) for r in allowed)] == []
    assert [r for r in allowed if not any(fnmatch.fnmatchcase(a, r) for a in apigw)] == []


def _resource_path(service: str, operation: str) -> str:
    """The IAM resource path of an API Gateway read: its request URI with ids as `*`
    (`/restapis/{restapi_id}/stages` -> `/restapis/*/stages`); v2 paths drop `/v2`."""
    model = botocore.session.get_session().get_service_model(service)
    uri: str = model.operation_model(operation).http["requestUri"].split("?")[0]
    parts = ["*" if p.startswith("{") else p for p in uri.split("/")]
    path = "/".join(parts)
    return path.removeprefix("/v2") if service == "apigatewayv2" else path


def test_the_policy_allows_reads_only_and_no_api_key_values() -> None:
    doc = policy_document(REGISTRY.all())
    assert doc["Version"] == "2012-10-17"
    general, apigw = doc["Statement"]
    assert general["Effect"] == "Allow" and general["Resource"] == "*"
    actions = general["Action"]
    assert len(actions) == len(set(actions)) and set(ENGINE_PERMISSIONS) <= set(actions)
    assert all(a.split(":")[1].startswith(("Describe", "Get", "List")) for a in actions)
    assert apigw["Action"] == ["apigateway:GET"]
    keys = "arn:aws:apigateway:us-east-1::/apikeys"
    for target in (keys, keys + "/abc", "arn:aws:apigateway:us-east-1::/restapis/x/resources"):
        assert not any(fnmatch.fnmatchcase(target, r) for r in apigw["Resource"]), target
    assert [r.split("::")[1] for r in apigw["Resource"]] == list(APIGATEWAY_PATHS)
    # Without an API Gateway check, no API Gateway statement; other partitions get their ARN.
    (only,) = policy_document(REGISTRY.select(["cloudtrail.*"]))["Statement"]
    assert "apigateway:GET" not in only["Action"]
    cn = policy_document(REGISTRY.select(["apigw.*"]), partition="aws-cn")["Statement"][1]
    assert all(r.startswith("arn:aws-cn:apigateway:*::/") for r in cn["Resource"])


def test_readme_shows_exactly_what_awsobs_policy_prints(tmp_path: Path) -> None:
    result = awsobs("policy", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout == render_policy(REGISTRY.all())
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- awsobs policy -->\n```json\n", 1)[1].split("```", 1)[0]
    assert block == result.stdout, "README policy is stale: paste the output of `awsobs policy`"


def test_policy_for_selected_checks_is_narrower(tmp_path: Path) -> None:
    result = awsobs("policy", "--checks", "apigw.*", "--exclude-checks", "*_alarms", cwd=tmp_path)
    assert result.returncode == 0
    statements = json.loads(result.stdout)["Statement"]
    actions = [a for s in statements for a in s["Action"]]
    chosen = REGISTRY.select(["apigw.*"], ["*_alarms"])
    assert sorted(actions) == sorted(required_actions(chosen))
    assert "apigateway:GET" in actions and "cloudtrail:DescribeTrails" not in actions
    assert "cloudwatch:DescribeAlarms" not in actions  # only the alarm checks need it
    # The config file's check selection applies too, as it does for `scan`.
    (tmp_path / "awsobs.toml").write_text('checks = ["cloudtrail.multi_region"]\n')
    narrow = json.loads(awsobs("policy", cwd=tmp_path).stdout)["Statement"][0]["Action"]
    assert narrow == required_actions(REGISTRY.select(["cloudtrail.multi_region"]))
    bad = awsobs("policy", "--checks", "nope.*", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("awsobs: error: no check matches")
