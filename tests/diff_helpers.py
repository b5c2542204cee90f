"""Reports for the diff tests, built with the real model (`Report(...).to_dict()`), so the
tests hold the diff to the JSON contract of DESIGN.md rather than to an imitation of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from awsobs.model import Finding, Report, Severity, Status
from awsobs.report.diff import Change, Diff

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
TRAILS = "cloudtrail.multi_region"
EXEC_LOGS = "apigw.rest.execution_logging"
ACCESS_LOGS = "apigw.rest.access_logging"
MEM_AGENT = "ec2.agent.memory_metrics"
ALL_CHECKS = (TRAILS, EXEC_LOGS, ACCESS_LOGS, MEM_AGENT)
REGIONS = ("us-east-1", "eu-west-1")
T_OLD = dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)
T_NEW = dt.datetime(2024, 5, 8, 8, 0, tzinfo=dt.UTC)

_SEVERITY = {TRAILS: Severity.HIGH, EXEC_LOGS: Severity.MEDIUM, ACCESS_LOGS: Severity.MEDIUM}


def stage(api: str, name: str = "prod", region: str = "us-east-1") -> str:
    return f"arn:aws:apigateway:{region}::/restapis/{api}/stages/{name}"


def instance(iid: str, region: str = "us-east-1") -> str:
    return f"arn:aws:ec2:{region}:{ACCOUNT}:instance/{iid}"


def finding(
    check_id: str,
    status: Status,
    resource_id: str,
    *,
    region: str = "us-east-1",
    account_id: str = ACCOUNT,
    severity: Severity | None = None,
    message: str | None = None,
    suppressed: bool = False,
    suppression_reason: str | None = None,
) -> Finding:
    return Finding(
        check_id=check_id,
        title=f"Title of {check_id}",
        severity=severity or _SEVERITY.get(check_id, Severity.LOW),
        status=status,
        account_id=account_id,
        region=region,
        resource_type="AWS::Resource",
        resource_id=resource_id,
        message=message if message is not None else f"{status.value} on {resource_id}",
        suppressed=suppressed,
        suppression_reason=suppression_reason,
    )


def report(
    *findings: Finding,
    started_at: dt.datetime = T_NEW,
    accounts: tuple[str, ...] = (ACCOUNT,),
    regions: tuple[str, ...] = REGIONS,
    checks: tuple[str, ...] = ALL_CHECKS,
) -> dict[str, Any]:
    return Report(
        findings=tuple(findings),
        started_at=started_at,
        finished_at=started_at + dt.timedelta(seconds=42),
        accounts=accounts,
        regions=regions,
        checks=checks,
        api_calls=10,
        tool_version="0.1.0",
    ).to_dict()


def old(*findings: Finding, **kw: Any) -> dict[str, Any]:
    return report(*findings, started_at=T_OLD, **kw)


def keys(changes: tuple[Change, ...]) -> list[str]:
    return [c.resource_id for c in changes]


def only(changes: tuple[Change, ...]) -> Change:
    assert len(changes) == 1, changes
    return changes[0]


def no_other_changes(d: Diff, *, but: str) -> None:
    """Every category except `but` is empty."""
    for name in ("new_gaps", "resolved", "changed", "out_of_scope"):
        if name != but:
            assert getattr(d, name) == (), name
