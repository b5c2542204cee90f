"""ecs.service_alarms: CPU and memory alarms per ECS service, or a Container Insights
RunningTaskCount alarm on a cluster that publishes it.

moto serves ListClusters, DescribeClusters (settings), ListServices, DescribeServices and
DescribeAlarms; `alarm_ext` adds composite alarms and pending subscriptions
(awsobs/demo/moto_ext.py). Denied reads come from moto's IAM authorizer
(restricted_session + iam_enforced) or botocore's Stubber (helpers.stub_error).
"""

from __future__ import annotations

import boto3
import pytest
from alarm_seed import alarm, topic
from helpers import ACCOUNT, findings, restricted_session, run, stub_error
from moto_ext import iam_enforced

import awsobs.checks.ecs.alarms  # noqa: F401
from awsobs import Finding, Report, Status
from awsobs.demo.alarms_data import ecs_alarms
from awsobs.demo.containers import container, ecs_cluster, service, task_definition

CHECK = "ecs.service_alarms"
REGION = "us-east-1"
BOTH = ("CPUUtilization", "MemoryUtilization")


def svc(cluster: str, name: str) -> str:
    return f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{name}"


def by_id(report: Report) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


@pytest.fixture
def oncall(aws: boto3.Session, alarm_ext: None) -> str:
    return topic(aws)


def services(aws: boto3.Session, cluster: str, insights: str, *names: str) -> None:
    ecs_cluster(aws, cluster, insights, REGION)
    revision = task_definition(aws, f"{cluster}-app", [container("app")], REGION)
    for name in names:
        service(aws, cluster, name, revision, REGION)


def test_cpu_and_memory_alarms_pass_and_none_fails(aws: boto3.Session, oncall: str) -> None:
    services(aws, "shop", "disabled", "web", "api")
    ecs_alarms(aws, "shop", "web", oncall, BOTH)
    got = by_id(run(aws, [CHECK]))
    web, api = got[svc("shop", "web")], got[svc("shop", "api")]
    assert web.status is Status.PASS
    assert "CPUUtilization by 'web-CPUUtilization'" in web.message
    assert api.status is Status.FAIL
    assert api.message == (
        "service 'api' (cluster 'shop'): no alarm on CPUUtilization; no alarm on "
        "MemoryUtilization (RunningTaskCount: no alarm)"
    )
    assert "web-" not in api.message  # another service's alarms are not near misses
    assert "Name=ClusterName,Value='shop' Name=ServiceName,Value='api'" in (api.remediation or "")


def test_cpu_alone_is_not_enough(aws: boto3.Session, oncall: str) -> None:
    services(aws, "shop", "disabled", "web")
    ecs_alarms(aws, "shop", "web", oncall, ("CPUUtilization",))
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL and "no alarm on MemoryUtilization" in f.message


def test_running_task_count_counts_only_with_container_insights(
    aws: boto3.Session, oncall: str
) -> None:
    services(aws, "shop", "enhanced", "web")
    services(aws, "batch", "disabled", "worker")
    ecs_alarms(aws, "shop", "web", oncall, ("RunningTaskCount",))
    ecs_alarms(aws, "batch", "worker", oncall, ("RunningTaskCount",))
    got = by_id(run(aws, [CHECK]))
    web, worker = got[svc("shop", "web")], got[svc("batch", "worker")]
    assert web.status is Status.PASS
    assert "RunningTaskCount by 'web-RunningTaskCount'" in web.message
    assert "Container Insights enhanced on cluster 'shop'" in web.message
    assert worker.status is Status.FAIL
    assert "cluster 'batch' has Container Insights disabled" in worker.message
    assert (worker.remediation or "").startswith("aws ecs update-cluster-settings --cluster batch")


def test_alarm_keyed_by_the_service_arn_is_the_near_miss(aws: boto3.Session, oncall: str) -> None:
    services(aws, "shop", "disabled", "web")
    ecs_alarms(aws, "shop", "web", oncall, ("MemoryUtilization",))
    alarm(aws, "web-cpu", "AWS/ECS", "CPUUtilization",
          {"ClusterName": "shop", "ServiceName": svc("shop", "web")})  # fmt: skip
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    dims = f"(ClusterName=shop, ServiceName={svc('shop', 'web')})"
    assert f"alarm 'web-cpu' watches AWS/ECS CPUUtilization {dims}" in f.message


def test_cluster_level_alarm_is_not_a_services_near_miss(aws: boto3.Session, oncall: str) -> None:
    services(aws, "shop", "disabled", "web")
    alarm(aws, "shop-cpu", "AWS/ECS", "CPUUtilization", {"ClusterName": "shop"})
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL and "shop-cpu" not in f.message


def test_target_tracking_alarms_notify_no_one(aws: boto3.Session, oncall: str) -> None:
    services(aws, "shop", "disabled", "web")
    policy = (
        f"arn:aws:autoscaling:{REGION}:{ACCOUNT}:scalingPolicy:0a1b:resource/ecs/service/"
        "shop/web:policyName/cpu"
    )
    for metric in BOTH:
        alarm(aws, f"TargetTracking-service/shop/web-{metric}", "AWS/ECS", metric,
              {"ClusterName": "shop", "ServiceName": "web"}, actions=[policy])  # fmt: skip
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "only drives Application Auto Scaling: it notifies no one" in f.message
    assert len(f.evidence["scaling_only_alarms"]) == 2


def test_unconfirmed_topic_does_not_cover(aws: boto3.Session, oncall: str) -> None:
    nobody = topic(aws, "nobody", confirmed=False)
    services(aws, "shop", "disabled", "web")
    ecs_alarms(aws, "shop", "web", nobody, BOTH)
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL and "topic nobody has no confirmed subscription" in f.message


def test_no_cluster_or_no_service_is_not_applicable(aws: boto3.Session) -> None:
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE and f.resource_id == REGION
    ecs_cluster(aws, "empty", "enabled", REGION)
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE and f.message == f"no ECS service in {REGION}"


def test_alarms_denied_is_unknown(
    aws: boto3.Session, oncall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    services(aws, "shop", "disabled", "web")
    stub_error(monkeypatch, "cloudwatch", "describe_alarms")
    (f,) = findings(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN and f.resource_id == svc("shop", "web")
    assert f.evidence["error"]["action"] == "cloudwatch:DescribeAlarms"


@pytest.mark.parametrize("denied", ["ecs:ListClusters", "ecs:ListServices", "ecs:DescribeServices"])
def test_a_denied_listing_is_unknown(aws: boto3.Session, oncall: str, denied: str) -> None:
    services(aws, "shop", "disabled", "web")
    limited = restricted_session(aws, ["*"], [denied])
    with iam_enforced():
        (f,) = findings(run(limited, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN and f.evidence["error"]["action"] == denied


def test_denied_cluster_settings_leave_a_running_task_count_alarm_unknown(
    aws: boto3.Session, oncall: str
) -> None:
    services(aws, "shop", "enabled", "web")
    ecs_alarms(aws, "shop", "web", oncall, ("RunningTaskCount",))
    limited = restricted_session(aws, ["*"], ["ecs:DescribeClusters"])
    with iam_enforced():
        (f,) = findings(run(limited, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "settings of cluster 'shop' (Container Insights) could not be read" in f.message
