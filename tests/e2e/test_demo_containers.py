"""`awsobs demo`: the ECS and EKS resources of awsobs/demo/containers.py show a PASS and a
FAIL of each of their checks, and no UNKNOWN."""

from __future__ import annotations

import pytest

from awsobs import Report, Status

ACCOUNT = "123456789012"
PREFIX = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
CHECKS = ("ecs.container_insights", "ecs.task_logging", "eks.control_plane_logging")


@pytest.fixture(scope="module")
def report(demo_report: Report) -> Report:
    return demo_report


def statuses(report: Report, check: str) -> dict[str, Status]:
    return {f.resource_id: f.status for f in report.findings if f.check_id == check}


def test_no_container_finding_is_unknown(report: Report) -> None:
    unknown = [
        f.message for f in report.findings if f.check_id in CHECKS and f.status is Status.UNKNOWN
    ]
    assert unknown == []


def test_container_insights(report: Report) -> None:
    got = statuses(report, "ecs.container_insights")
    assert got[f"{PREFIX}:cluster/shop"] is Status.PASS  # enhanced: the pitfall
    assert got[f"{PREFIX}:cluster/batch"] is Status.FAIL
    assert got["eu-west-1"] is Status.NOT_APPLICABLE
    (batch,) = [
        f
        for f in report.findings
        if f.resource_id == f"{PREFIX}:cluster/batch" and f.check_id == "ecs.container_insights"
    ]
    assert batch.evidence["account_default"] == "enabled"


def test_task_logging(report: Report) -> None:
    got = statuses(report, "ecs.task_logging")
    assert got[f"{PREFIX}:task-definition/shop-web:2"] is Status.PASS
    assert got[f"{PREFIX}:task-definition/nightly-report:1"] is Status.FAIL
    assert f"{PREFIX}:task-definition/shop-web:1" not in got  # registered, never run
    (fail,) = [
        f for f in report.findings if f.resource_id == f"{PREFIX}:task-definition/nightly-report:1"
    ]
    assert "container(s) 'report' have no logConfiguration" in fail.message


def test_eks_control_plane_logging(report: Report) -> None:
    got = statuses(report, "eks.control_plane_logging")
    eks = f"arn:aws:eks:us-east-1:{ACCOUNT}:cluster"
    assert got[f"{eks}/platform"] is Status.PASS
    assert got[f"{eks}/sandbox"] is Status.FAIL
    assert got["us-west-2"] is Status.NOT_APPLICABLE
