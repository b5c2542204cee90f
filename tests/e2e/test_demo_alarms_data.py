"""`awsobs demo`: the RDS, Aurora and ECS alarms of awsobs/demo/alarms_data.py show a PASS
and a FAIL of rds.health_alarms and ecs.service_alarms, and no UNKNOWN."""

from __future__ import annotations

from awsobs import Report, Status

ACCOUNT = "123456789012"
RDS = f"arn:aws:rds:us-east-1:{ACCOUNT}"
ECS = f"arn:aws:ecs:us-east-1:{ACCOUNT}"
CHECKS = ("rds.health_alarms", "ecs.service_alarms")


def statuses(report: Report, check: str) -> dict[str, Status]:
    return {f.resource_id: f.status for f in report.findings if f.check_id == check}


def test_no_data_alarm_finding_is_unknown(demo_report: Report) -> None:
    unknown = [
        f.message
        for f in demo_report.findings
        if f.check_id in CHECKS and f.status is Status.UNKNOWN
    ]
    assert unknown == []


def test_rds_alarms(demo_report: Report) -> None:
    got = statuses(demo_report, "rds.health_alarms")
    assert got[f"{RDS}:db:shop-pg"] is Status.PASS
    assert got[f"{RDS}:db:shop-mysql"] is Status.FAIL
    assert got[f"{RDS}:cluster:orders"] is Status.PASS  # cluster-level alarms
    assert got[f"{RDS}:cluster:reports"] is Status.FAIL  # keyed by the wrong dimension
    assert got[f"{RDS}:db:orders-1"] is Status.NOT_APPLICABLE  # judged with its cluster
    assert got["eu-west-1"] is Status.NOT_APPLICABLE
    (reports,) = [
        f
        for f in demo_report.findings
        if f.check_id == "rds.health_alarms" and f.resource_id == f"{RDS}:cluster:reports"
    ]
    assert "(DBInstanceIdentifier=reports)" in reports.message


def test_ecs_service_alarms(demo_report: Report) -> None:
    got = statuses(demo_report, "ecs.service_alarms")
    assert got[f"{ECS}:service/shop/web"] is Status.PASS
    assert got[f"{ECS}:service/batch/worker"] is Status.FAIL
    (worker,) = [
        f
        for f in demo_report.findings
        if f.check_id == "ecs.service_alarms" and f.resource_id == f"{ECS}:service/batch/worker"
    ]
    assert "Container Insights disabled" in worker.message
