"""`awsobs demo`: the README's first command shows exactly the gaps it seeded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from awsobs.cli import main

LEGACY = "arn:aws:cloudtrail:us-east-1:123456789012:trail/legacy-trail"
AUDIT = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/audit-trail"


def test_demo_reports_the_seeded_gaps_and_exits_1() -> None:
    # A user's endpoint override must not leak into the demo's simulated account.
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_PROFILE": "nobody"}
    result = subprocess.run(
        [sys.executable, "-m", "awsobs", "demo", "--format", "json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    got = {(f["check_id"], f["resource_id"]): f["status"] for f in doc["findings"]}
    # Seeded gaps: a stopped single-region trail, nothing in us-west-2, no data events,
    # no access logging on the stopped trail's bucket.
    assert got[("cloudtrail.trail_logging", "us-east-1")] == "FAIL"
    assert got[("cloudtrail.trail_logging", "us-west-2")] == "FAIL"
    assert got[("cloudtrail.multi_region", "123456789012")] == "FAIL"
    assert got[("cloudtrail.s3_delivery", LEGACY)] == "FAIL"
    assert got[("cloudtrail.s3_data_events_read", "123456789012")] == "FAIL"
    assert got[("cloudtrail.s3_data_events_write", "123456789012")] == "FAIL"
    assert (
        got[("cloudtrail.bucket_access_logging", "arn:aws:s3:::demo-legacy-trail-logs")] == "FAIL"
    )
    assert (
        got[
            (
                "cloudtrail.dynamodb_data_events",
                "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
            )
        ]
        == "FAIL"
    )
    # The good trail in eu-west-1 passes everything but data events.
    assert got[("cloudtrail.trail_logging", "eu-west-1")] == "PASS"
    for check_id in (
        "management_events_rw",
        "s3_delivery",
        "log_file_validation",
        "kms_encryption",
        "cloudwatch_logs",
    ):
        assert got[(f"cloudtrail.{check_id}", AUDIT)] == "PASS", check_id
    assert got[("cloudtrail.bucket_access_logging", "arn:aws:s3:::demo-audit-trail-logs")] == "PASS"
    # One instance reports agent metrics, the other has no agent and an SSM-only role.
    ec2 = {}
    for f in doc["findings"]:
        if f["check_id"].startswith("ec2.") and f["resource_type"] == "AWS::EC2::Instance":
            name = "web-1" if "(web-1)" in f["message"] else "web-2"
            ec2[(f["check_id"], name)] = f["status"]
    assert ec2[("ec2.cwagent_metrics", "web-1")] == "PASS"
    assert ec2[("ec2.cwagent_metrics", "web-2")] == "FAIL"
    assert ec2[("ec2.cwagent_installed", "web-2")] == "FAIL"  # never installed
    assert ec2[("ec2.agent_permissions", "web-1")] == "PASS"
    assert ec2[("ec2.agent_permissions", "web-2")] == "FAIL"
    # Alarms: some reach someone, some reach nobody, some are missing (awsobs/demo/alarms.py).
    by_name = {
        (f["check_id"], f["resource_id"].rsplit("/", 1)[-1].rsplit(":", 1)[-1]): f
        for f in doc["findings"]
    }

    def alarm_verdict(check_id: str, name: str) -> str:
        return str(by_name[(check_id, name)]["status"])

    assert alarm_verdict("apigw.rest.error_alarms", "prod") == "PASS"
    assert alarm_verdict("apigw.rest.error_alarms", "dev") == "FAIL"
    orders = by_name[("dynamodb.throttle_alarms", "orders")]
    assert orders["status"] == "FAIL" and "pending confirmation" in orders["message"]
    assert alarm_verdict("s3.error_alarms", "demo-web-assets") == "PASS"
    assert alarm_verdict("s3.error_alarms", "demo-uploads") == "FAIL"
    assert alarm_verdict("s3.error_alarms", "demo-audit-trail-logs") == "NOT_APPLICABLE"
    assert alarm_verdict("lambda.error_throttle_alarms", "checkout") == "PASS"
    assert alarm_verdict("cloudwatch.alarm_actions_enabled", "web-2-cpu") == "FAIL"
    assert alarm_verdict("cloudwatch.alarm_not_stale", "web-1-status") == "PASS"
    status = {
        f["message"].split("(", 1)[1].split(")", 1)[0]: f["status"]
        for f in doc["findings"]
        if f["check_id"] == "ec2.status_alarms" and f["status"] != "NOT_APPLICABLE"
    }
    assert status == {"web-1": "PASS", "web-2": "FAIL"}
    assert got[("cwalarm.root_usage", "123456789012")] == "FAIL"  # no multi-region trail
    # Logs, flow logs, AWS Config, tracing (awsobs/demo/logs.py): a good and a bad case of each.
    assert alarm_verdict("logs.retention_defined", "debug") == "FAIL"
    assert alarm_verdict("logs.retention_defined", "shop-access") == "PASS"
    assert alarm_verdict("logs.retention_minimum", "shop-access") == "FAIL"  # 7 days
    assert alarm_verdict("logs.retention_minimum", "audit-trail") == "PASS"
    assert alarm_verdict("lambda.log_retention", "checkout") == "PASS"
    assert alarm_verdict("lambda.xray_active", "checkout") == "FAIL"
    assert alarm_verdict("s3.server_access_logging", "demo-uploads") == "FAIL"
    assert alarm_verdict("s3.server_access_logging", "demo-access-logs") == "NOT_APPLICABLE"
    assert alarm_verdict("s3.server_access_logging", "demo-flow-logs") == "NOT_APPLICABLE"
    flow = {f["region"]: f["status"] for f in doc["findings"]
            if f["check_id"] == "vpc.flow_logs_enabled"}  # fmt: skip
    assert flow == {"eu-west-1": "PASS", "us-east-1": "FAIL", "us-west-2": "FAIL"}
    assert got[("config.recorder_all_regions", "eu-west-1")] == "PASS"
    assert got[("config.recorder_all_regions", "us-east-1")] == "FAIL"  # stopped
    assert got[("config.recorder_all_regions", "123456789012")] == "PASS"  # IAM in eu-west-1
    assert got[("config.delivery_channel_ok", "eu-west-1")] == "PASS"
    assert doc["summary"]["UNKNOWN"] == 0


def test_demo_without_moto_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # as if moto were not installed
    monkeypatch.delitem(sys.modules, "awsobs.demo", raising=False)
    assert main(["demo"]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err
        == "awsobs: error: `awsobs demo` needs moto (moto is missing): pip install 'awsobs[demo]'"
    )
