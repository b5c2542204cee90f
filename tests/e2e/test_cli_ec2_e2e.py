"""`awsobs scan` over HTTP against a moto server with running instances, some publishing
CWAgent memory and disk metrics (PutMetricData) and some not, plus a stopped one.

Plain moto cannot serve the SSM reads (DescribeInstanceInformation, inventory,
associations): the first test runs that way and asserts those verdicts are UNKNOWN. The
second serves them with the moto extension in awsobs/demo/moto_ext.py (installed in this
process, where the threaded server runs) and asserts every verdict.
"""

from __future__ import annotations

import os

import boto3
from ec2_seed import WINDOWS, allow, instance, metrics, profile
from helpers import ACCOUNT, scan_json, verdicts

from awsobs.demo.moto_ext import ssm_inventory, ssm_managed

EC2 = (
    "ec2.cwagent_metrics",
    "ec2.cwagent_installed",
    "ec2.agent_permissions",
    "ec2.ssm_managed",
    "ec2.ssm_online",
    "ec2.detailed_monitoring",
)


def seed(session: boto3.Session) -> dict[str, dict[str, str]]:
    profile(session, "agent", inline=[allow("cloudwatch:PutMetricData", "logs:PutLogEvents")])
    linux = instance(session, "linux", profile="agent", monitoring=True)
    windows = instance(session, "windows", profile="agent")
    by_host = instance(session, "by-host", profile="agent")
    silent = instance(session, "silent", profile="agent")
    bare = instance(session, "bare")
    stopped = instance(session, "stopped", stopped=True)
    eu = instance(session, "eu", region="eu-west-1")
    metrics(session, linux["id"])
    metrics(session, windows["id"], WINDOWS)
    metrics(session, by_host["dns"], dimension="host")
    metrics(session, eu["id"], region="eu-west-1")
    return {
        "linux": linux,
        "windows": windows,
        "by_host": by_host,
        "silent": silent,
        "bare": bare,
        "stopped": stopped,
        "eu": eu,
    }


def test_without_ssm_data_the_ssm_verdicts_are_unknown(session: boto3.Session) -> None:
    seen = seed(session)
    env = {**os.environ, "AWS_MAX_ATTEMPTS": "1"}  # moto answers the SSM reads with a 500
    code, doc = scan_json("--regions", "us-east-1", "--checks", *EC2, env=env)
    got = verdicts(doc)
    for name in ("silent", "bare"):
        assert got[("ec2.cwagent_installed", seen[name]["arn"])] == "UNKNOWN"
    for name in ("linux", "windows", "by_host", "silent", "bare"):
        for check_id in ("ec2.ssm_managed", "ec2.ssm_online"):
            assert got[(check_id, seen[name]["arn"])] == "UNKNOWN", (check_id, name)
    messages = [
        f["message"]
        for f in doc["findings"]
        if f["check_id"] == "ec2.ssm_managed" and f["status"] == "UNKNOWN"
    ]
    assert all("ssm:DescribeInstanceInformation" in m for m in messages)
    # What does not need SSM is still judged.
    assert got[("ec2.cwagent_metrics", seen["linux"]["arn"])] == "PASS"
    assert got[("ec2.cwagent_metrics", seen["silent"]["arn"])] == "FAIL"
    assert got[("ec2.agent_permissions", seen["bare"]["arn"])] == "FAIL"
    assert code == 1


def test_every_instance_gets_its_verdict(session: boto3.Session, ssm: None) -> None:
    seen = seed(session)
    for name in ("linux", "windows", "by_host", "silent"):
        ssm_managed(ACCOUNT, "us-east-1", seen[name]["id"])
    ssm_inventory(
        ACCOUNT,
        "us-east-1",
        seen["silent"]["id"],
        [{"Name": "amazon-cloudwatch-agent", "Version": "1.300"}],
    )
    code, doc = scan_json("--regions", "us-east-1,eu-west-1", "--checks", *EC2)
    got = verdicts(doc)
    a = {name: i["arn"] for name, i in seen.items()}
    expected = {
        "ec2.cwagent_metrics": {
            "linux": "PASS",
            "windows": "PASS",
            "by_host": "PASS",
            "silent": "FAIL",
            "bare": "FAIL",
            "stopped": "NOT_APPLICABLE",
            "eu": "PASS",
        },
        "ec2.cwagent_installed": {
            "linux": "PASS",
            "windows": "PASS",
            "by_host": "PASS",
            "silent": "FAIL",
            "bare": "UNKNOWN",
            "stopped": "NOT_APPLICABLE",
            "eu": "PASS",
        },
        "ec2.agent_permissions": {
            "linux": "PASS",
            "windows": "PASS",
            "by_host": "PASS",
            "silent": "PASS",
            "bare": "FAIL",
            "stopped": "NOT_APPLICABLE",
            "eu": "FAIL",
        },
        "ec2.ssm_managed": {
            "linux": "PASS",
            "windows": "PASS",
            "by_host": "PASS",
            "silent": "PASS",
            "bare": "FAIL",
            "stopped": "NOT_APPLICABLE",
            "eu": "FAIL",
        },
        "ec2.ssm_online": {
            "linux": "PASS",
            "windows": "PASS",
            "by_host": "PASS",
            "silent": "PASS",
            "bare": "NOT_APPLICABLE",
            "stopped": "NOT_APPLICABLE",
            "eu": "NOT_APPLICABLE",
        },
        "ec2.detailed_monitoring": {
            "linux": "PASS",
            "windows": "FAIL",
            "by_host": "FAIL",
            "silent": "FAIL",
            "bare": "FAIL",
            "stopped": "NOT_APPLICABLE",
            "eu": "FAIL",
        },
    }
    for check_id, by_name in expected.items():
        for name, status in by_name.items():
            assert got[(check_id, a[name])] == status, (check_id, name)
    assert len(doc["findings"]) == 6 * 7  # one finding per instance and per check
    evidence = {
        f["resource_id"]: f["evidence"]
        for f in doc["findings"]
        if f["check_id"] == "ec2.cwagent_metrics"
    }
    assert evidence[a["by_host"]]["matched_by"] == "host"
    assert evidence[a["windows"]]["memory_metrics"] == ["Memory % Committed Bytes In Use"]
    calls = doc["scan"]["api_calls_by_operation"]
    assert calls["cloudwatch:ListMetrics"] == 2  # once per region and namespace
    assert calls["ec2:DescribeInstances"] == 2
    assert calls["ssm:DescribeInstanceInformation"] == 2
    assert calls["ssm:ListInventoryEntries"] == 1  # only the silent, managed instance
    assert code == 1
