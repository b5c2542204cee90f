"""`cloudwatch.alarm_missing_data`: an alarm on a metric published every period while its
resource lives (a heartbeat) must not treat missing data as fine, or it never fires when
the resource dies. moto lacks composite alarms: the `alarm_ext` fixture adds them
(awsobs/demo/moto_ext.py).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from alarm_seed import alarm, composite, topic
from helpers import ACCOUNT, findings, only, run, stub_error

from awsobs import Status
from awsobs.checks.cloudwatch.missing_data import heartbeat
from awsobs.checks.cloudwatch.readers import Metric

CHECK = "cloudwatch.alarm_missing_data"
ONCALL = f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall"


def alarm_arn(name: str, region: str = "us-east-1") -> str:
    return f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{name}"


def tmd_alarm(
    session: boto3.Session,
    name: str,
    namespace: str,
    metric: str,
    dims: dict[str, str],
    treat: str | None,
    **extra: Any,
) -> None:
    """A metric alarm with TreatMissingData `treat` (omitted when None)."""
    session.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=2,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[ONCALL],
        **({"TreatMissingData": treat} if treat else {}),
        **extra,
    )


def by_name(session: boto3.Session) -> dict[str, Any]:
    return {f.resource_id.rsplit(":", 1)[1]: f for f in findings(run(session, [CHECK]), CHECK)}


@pytest.mark.parametrize(
    ("namespace", "metric", "dims"),
    [
        pytest.param("AWS/EC2", "StatusCheckFailed", {"InstanceId": "i-0abc"}, id="ec2-status"),
        pytest.param("CWAgent", "mem_used_percent", {"InstanceId": "i-0abc"}, id="agent"),
        pytest.param(
            "AWS/ApplicationELB",
            "HealthyHostCount",
            {"TargetGroup": "targetgroup/web/1", "LoadBalancer": "app/web/2"},
            id="alb-healthy-hosts",
        ),
        pytest.param("AWS/RDS", "CPUUtilization", {"DBInstanceIdentifier": "db"}, id="rds-cpu"),
        pytest.param(
            "AWS/ECS", "CPUUtilization", {"ClusterName": "c", "ServiceName": "s"}, id="ecs-cpu"
        ),
    ],
)
@pytest.mark.parametrize("treat", ["notBreaching", "ignore"])
def test_heartbeat_alarm_that_ignores_silence_fails(
    aws: boto3.Session, namespace: str, metric: str, dims: dict[str, str], treat: str
) -> None:
    tmd_alarm(aws, "beat", namespace, metric, dims, treat)
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.resource_id, f.status) == (alarm_arn("beat"), Status.FAIL)
    assert f"alarm 'beat' watches {namespace} {metric}" in f.message
    assert f"TreatMissingData={treat}" in f.message
    assert "when the resource dies its data stops" in f.message
    assert "--treat-missing-data breaching" in f.remediation and "'beat'" in f.remediation
    assert f.evidence["treat_missing_data"] == treat


def test_heartbeat_alarm_with_breaching_or_default_passes(aws: boto3.Session) -> None:
    """breaching fires on silence; the default (no TreatMissingData: `missing`) goes to
    INSUFFICIENT_DATA, which the message says notifies only its INSUFFICIENT_DATA actions."""
    dims = {"InstanceId": "i-0abc"}
    tmd_alarm(aws, "breach", "AWS/EC2", "StatusCheckFailed", dims, "breaching")
    tmd_alarm(aws, "default", "AWS/EC2", "StatusCheckFailed", dims, None)
    got = by_name(aws)
    assert {k: f.status for k, f in got.items()} == {
        "breach": Status.PASS,
        "default": Status.PASS,
    }
    assert "goes to ALARM when the data stops" in got["breach"].message
    assert "TreatMissingData=missing" in got["default"].message
    assert "notifies only its 0 INSUFFICIENT_DATA action(s)" in got["default"].message
    assert got["default"].evidence["treat_missing_data_set"] is False


def test_error_count_with_breaching_passes_with_a_note(aws: boto3.Session) -> None:
    """An error count is published only when errors happen: breaching fires on silence.
    Reported in the message and evidence, not failed; notBreaching there is right."""
    tmd_alarm(aws, "errors", "AWS/Lambda", "Errors", {"FunctionName": "checkout"}, "breaching")
    tmd_alarm(aws, "quiet", "AWS/Lambda", "Errors", {"FunctionName": "checkout"}, "notBreaching")
    got = by_name(aws)
    assert got["errors"].status is Status.PASS and got["quiet"].status is Status.PASS
    assert "the alarm fires whenever nothing happens" in got["errors"].message
    assert got["errors"].evidence["fires_on_silence"] is True
    assert got["quiet"].evidence["fires_on_silence"] is False
    assert "treats missing data as notBreaching" in got["quiet"].message


def test_ec2_metric_without_instance_and_elb_request_counts_are_not_heartbeats() -> None:
    """Same as cloudwatch.alarm_not_stale: AWS/EC2 counts as continuous only per instance;
    a load balancer's 5XX count is published only when errors happen."""
    assert heartbeat(Metric("AWS/EC2", "CPUUtilization", frozenset())) is None
    elb = frozenset({("LoadBalancer", "app/web/1")})
    assert heartbeat(Metric("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", elb)) is None
    assert heartbeat(Metric("AWS/NetworkELB", "UnHealthyHostCount", elb)) is not None


def test_dynamodb_alarms_always_ignore_missing_data(aws: boto3.Session) -> None:
    tmd_alarm(aws, "ddb", "AWS/DynamoDB", "ReadThrottleEvents", {"TableName": "t"}, "breaching")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert "AWS/DynamoDB metrics always ignore missing data" in f.message


def test_metric_math_alarm_on_a_heartbeat_fails(aws: boto3.Session) -> None:
    stat = {
        "Metric": {
            "Namespace": "AWS/EC2",
            "MetricName": "StatusCheckFailed",
            "Dimensions": [{"Name": "InstanceId", "Value": "i-0abc"}],
        },
        "Period": 60,
        "Stat": "Maximum",
    }
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName="math",
        Metrics=[
            {"Id": "m0", "MetricStat": stat, "ReturnData": False},
            {"Id": "e", "Expression": "m0 * 1", "ReturnData": True},
        ],
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[ONCALL],
        TreatMissingData="notBreaching",
    )
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL and "StatusCheckFailed" in f.message


def test_composite_alarm_is_not_applicable(aws: boto3.Session, alarm_ext: None) -> None:
    topic(aws)
    alarm(aws, "child", "AWS/Lambda", "Errors", {"FunctionName": "f"})
    composite(aws, "parent", ["child"], [ONCALL])
    got = by_name(aws)
    assert got["parent"].status is Status.NOT_APPLICABLE
    assert "composite alarm" in got["parent"].message
    assert got["child"].status is Status.PASS


def test_no_alarm_is_not_applicable_and_denied_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The denied DescribeAlarms is stubbed (`stub_error`): moto's IAM authorizer does not
    deny this CloudWatch request."""
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE and "no alarms in us-east-1" in f.message
    tmd_alarm(aws, "beat", "AWS/EC2", "StatusCheckFailed", {"InstanceId": "i-1"}, "ignore")
    stub_error(monkeypatch, "cloudwatch", "describe_alarms")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN and "cloudwatch:DescribeAlarms" in f.message
