"""ecs.container_insights_reporting: clusters with Container Insights on and running
tasks have recent `ECS/ContainerInsights` metrics.

moto publishes no Container Insights metrics: they are put with PutMetricData, and
ListMetrics' `RecentlyActive=PT3H` (ignored by moto) is served by
awsobs/demo/moto_delivery.py's recently-active extension, so a datum older than 3 h is
not listed. moto leaves `runningTasksCount` at 0 for Fargate tasks, so it is set with
moto_delivery.set_cluster_running_tasks. Denied ECS reads come
from moto's IAM authorizer; ListMetrics is denied with botocore's Stubber.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import boto3
import pytest
from delivery_metrics_seed import put_datum
from helpers import ACCOUNT, findings, only, restricted_session, run, stub_error
from moto_ext import iam_enforced

import awsobs.checks.ecs.delivery  # noqa: F401  (registers the check)
from awsobs import Status
from awsobs.demo.containers import ecs_cluster
from awsobs.demo.moto_delivery import (
    install_recently_active_extension,
    set_cluster_running_tasks,
    uninstall_recently_active_extension,
)

CHECK = "ecs.container_insights_reporting"
REGION = "us-east-1"


@pytest.fixture(autouse=True)
def recently_active() -> Iterator[None]:
    install_recently_active_extension()
    yield
    uninstall_recently_active_extension()


def _cluster(aws: boto3.Session, name: str, insights: str | None, tasks: int = 1) -> str:
    arn = ecs_cluster(aws, name, insights, REGION)
    set_cluster_running_tasks(ACCOUNT, REGION, name, tasks)
    return arn


def _reported(aws: boto3.Session, name: str, ago: dt.timedelta) -> None:
    dims = {"ClusterName": name}
    put_datum(aws, "ECS/ContainerInsights", "CpuUtilized", dims, ago, 12.5)


def test_fresh_stale_idle_and_off(aws: boto3.Session) -> None:
    fresh = _cluster(aws, "fresh", "enhanced")
    stale = _cluster(aws, "stale", "enabled", tasks=2)
    idle = _cluster(aws, "idle", "enabled", tasks=0)
    off = _cluster(aws, "off", "disabled")
    _reported(aws, "fresh", dt.timedelta(minutes=5))
    _reported(aws, "stale", dt.timedelta(hours=6))  # listed without RecentlyActive only
    report = run(aws, [CHECK])
    got = {f.resource_id: f for f in findings(report, CHECK)}
    assert got[fresh].status is Status.PASS
    assert got[fresh].resource_type == "AWS::ECS::Cluster"
    assert "reported Container Insights metrics to ECS/ContainerInsights" in got[fresh].message
    assert got[stale].status is Status.FAIL
    assert "cluster 'stale' runs 2 tasks with Container Insights enabled" in got[stale].message
    assert "no CpuUtilized metric for it in the last 3 h" in got[stale].message
    assert "ECS agent older than 1.29" in got[stale].message
    assert got[stale].evidence["running_tasks"] == 2
    assert got[idle].status is Status.NOT_APPLICABLE
    assert "runs no task" in got[idle].message
    assert got[off].status is Status.NOT_APPLICABLE
    assert "not configured, see ecs.container_insights" in got[off].message
    assert report.api_calls_by_operation["cloudwatch:ListMetrics"] == 1  # one per region


def test_the_listing_is_shared_and_not_read_without_a_judged_cluster(
    aws: boto3.Session,
) -> None:
    import awsobs.checks.ecs.clusters  # noqa: F401

    _cluster(aws, "off", "disabled")
    report = run(aws, [CHECK, "ecs.container_insights"])
    assert only(report, CHECK).status is Status.NOT_APPLICABLE
    assert "cloudwatch:ListMetrics" not in report.api_calls_by_operation
    assert report.api_calls_by_operation["ecs:DescribeClusters"] == 1  # shared


def test_no_cluster_is_not_applicable(aws: boto3.Session) -> None:
    assert only(run(aws, [CHECK]), CHECK).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("denied", ["ecs:ListClusters", "ecs:DescribeClusters"])
def test_denied_ecs_read_is_unknown(aws: boto3.Session, denied: str) -> None:
    _cluster(aws, "fresh", "enabled")
    scanner = restricted_session(aws, ["ecs:*", "ec2:*", "sts:*"], deny=[denied])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.evidence["error"]["action"] == denied


def test_denied_list_metrics_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cluster(aws, "fresh", "enabled")
    stub_error(monkeypatch, "cloudwatch", "list_metrics", "AccessDenied")
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "cloudwatch:ListMetrics" in f.message
