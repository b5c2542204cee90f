"""Which findings `awsobs fix` fixes and how, from the report alone: only un-suppressed
FAILs; alarms to the topic the account's alarms already reach; a trail only where there is
none; the retention a finding asks for; awsobs's own alarms written again once they pass."""

from __future__ import annotations

from typing import Any

from awsobs.fix import plan

ACCOUNT = "123456789012"
FN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:pay"


def finding(check: str, status: str = "FAIL", resource: str = ACCOUNT, **kw: Any) -> dict[str, Any]:
    return {
        "check_id": check,
        "status": status,
        "account_id": ACCOUNT,
        "region": kw.pop("region", "us-east-1"),
        "resource_id": resource,
        "message": f"{check} says so",
        "evidence": kw.pop("evidence", {}),
        **kw,
    }


def lambda_alarms(
    status: str = "FAIL", covered_by: list[str] | None = None, **kw: Any
) -> dict[str, Any]:
    return finding(
        "lambda.error_throttle_alarms",
        status,
        FN,
        evidence={
            "alarms": {"Errors": {"covered_by": covered_by or []}},
            "alarm_specs": [
                {
                    "label": "Errors",
                    "namespace": "AWS/Lambda",
                    "metric": "Errors",
                    "dimensions": {"FunctionName": "pay"},
                }
            ],
        },
        **kw,
    )


def report(*findings: dict[str, Any]) -> dict[str, Any]:
    return {"scan": {"regions": ["us-east-1"]}, "findings": list(findings)}


def test_suppressed_and_unknown_findings_are_left_alone() -> None:
    p = plan(report(lambda_alarms(suppressed=True), lambda_alarms("UNKNOWN")))
    assert p.items == [] and p.failed == 0 and p.manual == []


def test_alarms_go_to_the_topic_most_alarms_already_reach() -> None:
    targets = finding(
        "cloudwatch.alarm_action_targets_valid",
        "PASS",
        evidence={
            "targets": {
                f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall": "valid (1 confirmed)",
                f"arn:aws:sns:us-east-1:{ACCOUNT}:rarely": "valid (1 confirmed)",
                f"arn:aws:sns:us-east-1:{ACCOUNT}:nobody": "no confirmed subscription",
            }
        },
    )
    other = {
        **targets,
        "resource_id": "another alarm",
        "evidence": {"targets": {f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall": "valid (1 confirmed)"}},
    }
    p = plan(report(targets, other, lambda_alarms()))
    (alarm,) = [i for i in p.items if i.kind == "alarm"]
    assert alarm.props["topic"] == f"arn:aws:sns:us-east-1:{ACCOUNT}:oncall"
    assert not [i for i in p.items if i.kind == "topic"]


def test_with_no_confirmed_topic_a_new_one_asks_for_an_address() -> None:
    p = plan(report(lambda_alarms()))
    assert [i.kind for i in p.items] == ["topic", "alarm"]
    from awsobs.fix import render

    (template,) = render(p, "cloudformation").values()
    assert "AlarmEmail" in template
    assert 'variable "alarm_email"' in render(p, "terraform")["awsobs-fix.tf"]
    assert "${ALARM_EMAIL:?" in render(p, "sh")["awsobs-fix.sh"]


def test_an_alarm_awsobs_made_is_written_again_once_it_passes() -> None:
    """Regenerating after the apply keeps the alarm in the template (a stack update would
    otherwise delete it), and claims nothing: the finding already passes."""
    p = plan(report(lambda_alarms("PASS", covered_by=["awsobs-pay-Errors"])))
    (alarm,) = [i for i in p.items if i.kind == "alarm"]
    assert alarm.name == "awsobs-pay-Errors" and alarm.claims == []
    # someone else's alarm: nothing to write
    assert [
        i
        for i in plan(report(lambda_alarms("PASS", covered_by=["pay-errors"]))).items
        if i.kind == "alarm"
    ] == []


def test_a_trail_only_where_there_is_no_multi_region_trail() -> None:
    cis = finding("cwalarm.root_usage", evidence={"repair": {"step": "trail"}})
    none = finding("cloudtrail.multi_region", evidence={"trails": []})
    p = plan(report(none, cis))
    assert {i.name for i in p.items if i.kind == "trail"} == {"awsobs-trail"}
    assert {i.name for i in p.items if i.kind == "metric_filter"} == {"awsobs-root_usage"}
    # a multi-region trail that is broken (no CloudWatch Logs): no second trail, no filter
    broken = finding("cloudtrail.multi_region", evidence={"trails": [{"is_multi_region": True}]})
    p = plan(report(broken, cis))
    assert [i for i in p.items if i.kind in ("trail", "metric_filter")] == []
    assert {c.check_id for c in p.manual} == {"cwalarm.root_usage", "cloudtrail.multi_region"}


def test_a_filter_on_the_log_group_the_chain_reached() -> None:
    cis = finding(
        "cwalarm.root_usage",
        evidence={"repair": {"step": "filter", "log_group": "org-trail", "region": "eu-west-1"}},
    )
    p = plan(report(cis))
    (flt,) = [i for i in p.items if i.kind == "metric_filter"]
    assert (flt.region, flt.props["log_group"], flt.props["namespace"]) == (
        "eu-west-1",
        "org-trail",
        "CISBenchmark",
    )
    (alarm,) = [i for i in p.items if i.kind == "alarm"]
    assert (alarm.props["metric"], alarm.props["threshold"]) == ("root_usage", 1.0)


def test_retention_is_the_higher_of_the_flag_and_the_findings_minimum() -> None:
    group = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/audit"
    short = finding(
        "logs.retention_minimum",
        resource=group,
        evidence={"log_group": "/audit", "retention_days": 30, "min_retention_days": 400},
    )
    (item,) = plan(report(short), retention_days=90).items
    assert (item.kind, item.props["retention"]) == ("retention", 400)
    forever = finding(
        "logs.retention_defined",
        resource=group,
        evidence={"log_group": "/audit", "retention_days": None},
    )
    (item,) = plan(report(forever), retention_days=90).items
    assert item.props["retention"] == 90
    # a configured minimum PutRetentionPolicy does not take: the next value it does
    odd = finding(
        "logs.retention_minimum",
        resource=group,
        evidence={"log_group": "/audit", "retention_days": 30, "min_retention_days": 100},
    )
    (item,) = plan(report(odd), retention_days=90).items
    assert item.props["retention"] == 120


def test_what_awsobs_made_is_planned_again_once_it_passes() -> None:
    """The trail and CIS chain awsobs made, seen passing: the same items, claiming nothing
    (a Terraform file regenerated without them would try to destroy them)."""
    trail_arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/awsobs-trail"
    passing = finding(
        "cloudtrail.multi_region", "PASS", evidence={"trails": [{"trail_arn": trail_arn}]}
    )
    chain = [
        "trail 'awsobs-trail'",
        "log group /awsobs/cloudtrail",
        "filter 'awsobs-root_usage' (CISBenchmark/root_usage)",
        "alarm 'awsobs-root_usage'",
        "topic oncall has 1 confirmed subscription(s)",
    ]
    cis = finding("cwalarm.root_usage", "PASS", evidence={"chain": chain})
    p = plan(report(passing, cis))
    assert {(i.kind, i.name) for i in p.items} >= {
        ("trail", "awsobs-trail"),
        ("metric_filter", "awsobs-root_usage"),
        ("alarm", "awsobs-root_usage"),
    }
    assert all(i.claims == [] for i in p.items) and p.failed == 0
    # someone else's chain: nothing
    theirs = finding(
        "cwalarm.root_usage",
        "PASS",
        evidence={
            "chain": [
                "trail 'main'",
                "log group ct",
                "filter 'root' (CIS/root)",
                "alarm 'root'",
                "topic t",
            ]
        },
    )
    assert plan(report(theirs)).items == []
