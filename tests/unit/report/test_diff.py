"""`awsobs diff`: which keys are new gaps, resolved, changed or not compared, and which
of them gate the exit code."""

from __future__ import annotations

import pytest
from diff_helpers import (
    ACCESS_LOGS,
    ACCOUNT,
    EXEC_LOGS,
    MEM_AGENT,
    OTHER_ACCOUNT,
    TRAILS,
    finding,
    instance,
    keys,
    no_other_changes,
    old,
    only,
    report,
    stage,
)

from awsobs.errors import UsageError
from awsobs.model import GLOBAL_REGION, Severity, Status
from awsobs.report.diff import diff_reports

# -- new gaps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before",
    [None, Status.PASS, Status.UNKNOWN, Status.NOT_APPLICABLE],
    ids=["absent", "pass", "unknown", "not-applicable"],
)
def test_a_fail_that_was_not_failing_before_is_a_new_gap(before: Status | None) -> None:
    api = stage("a1b2c3")
    old_findings = [finding(EXEC_LOGS, before, api)] if before else []
    d = diff_reports(old(*old_findings), report(finding(EXEC_LOGS, Status.FAIL, api)))

    gap = only(d.new_gaps)
    assert (gap.check_id, gap.account_id, gap.region, gap.resource_id) == (
        EXEC_LOGS,
        ACCOUNT,
        "us-east-1",
        api,
    )
    assert gap.old_status is before
    assert gap.new_status is Status.FAIL
    no_other_changes(d, but="new_gaps")
    assert d.exit_code(Severity.LOW) == 1


def test_a_fail_in_both_scans_is_only_counted_as_still_failing() -> None:
    trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"
    f = finding(TRAILS, Status.FAIL, trail, region=GLOBAL_REGION)
    d = diff_reports(old(f), report(f))

    assert d.unchanged_failures == 1
    assert not d.has_changes
    assert d.exit_code(Severity.INFO) == 0


def test_the_key_includes_account_and_region() -> None:
    api = stage("a1b2c3")
    before = old(finding(EXEC_LOGS, Status.FAIL, api, region="us-east-1"))
    after = report(
        finding(EXEC_LOGS, Status.FAIL, api, region="us-east-1"),
        finding(EXEC_LOGS, Status.FAIL, api, region="eu-west-1"),
        finding(EXEC_LOGS, Status.FAIL, api, account_id=OTHER_ACCOUNT),
        accounts=(ACCOUNT, OTHER_ACCOUNT),
    )
    d = diff_reports(before, after)

    assert d.unchanged_failures == 1
    assert sorted((c.account_id, c.region) for c in d.new_gaps) == [
        (ACCOUNT, "eu-west-1"),
        (OTHER_ACCOUNT, "us-east-1"),
    ]


# -- resolved ---------------------------------------------------------------------------


@pytest.mark.parametrize("now", [Status.PASS, Status.NOT_APPLICABLE])
def test_a_fail_that_now_passes_or_no_longer_applies_is_resolved(now: Status) -> None:
    api = stage("a1b2c3")
    d = diff_reports(
        old(finding(EXEC_LOGS, Status.FAIL, api)), report(finding(EXEC_LOGS, now, api))
    )

    fixed = only(d.resolved)
    assert (fixed.old_status, fixed.new_status) == (Status.FAIL, now)
    no_other_changes(d, but="resolved")
    assert d.exit_code(Severity.INFO) == 0


def test_a_deleted_resource_in_a_scan_that_covered_it_is_resolved() -> None:
    gone, kept = instance("i-0aaa1111bbbb22223"), instance("i-0ccc3333dddd44445")
    before = old(finding(MEM_AGENT, Status.FAIL, gone), finding(MEM_AGENT, Status.PASS, kept))
    after = report(finding(MEM_AGENT, Status.PASS, kept))
    d = diff_reports(before, after)

    fixed = only(d.resolved)
    assert fixed.resource_id == gone
    assert (fixed.old_status, fixed.new_status) == (Status.FAIL, None)
    assert fixed.reason_not_compared == ""
    no_other_changes(d, but="resolved")


def test_a_resolved_global_finding_is_covered_whatever_the_regions() -> None:
    trail = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/main"
    before = old(finding(TRAILS, Status.FAIL, trail, region=GLOBAL_REGION))
    after = report(finding(TRAILS, Status.PASS, "other", region=GLOBAL_REGION), regions=())
    assert keys(diff_reports(before, after).resolved) == [trail]


# -- not compared: a narrower scan is never a fix ------------------------------------------


def test_a_fail_whose_check_the_new_scan_did_not_run_is_not_compared() -> None:
    api = stage("a1b2c3")
    before = old(finding(EXEC_LOGS, Status.FAIL, api))
    after = report(checks=(TRAILS,))
    d = diff_reports(before, after)

    skipped = only(d.out_of_scope)
    assert skipped.resource_id == api
    assert skipped.new_status is None
    assert skipped.reason_not_compared == f"check {EXEC_LOGS} not run"
    no_other_changes(d, but="out_of_scope")


def test_a_fail_in_a_region_the_new_scan_left_out_is_not_compared() -> None:
    api = stage("zz9", region="eu-west-1")
    before = old(finding(EXEC_LOGS, Status.FAIL, api, region="eu-west-1"))
    after = report(finding(EXEC_LOGS, Status.PASS, stage("a1b2c3")), regions=("us-east-1",))
    d = diff_reports(before, after)

    assert only(d.out_of_scope).reason_not_compared == "region eu-west-1 not scanned"
    assert d.resolved == ()


def test_a_fail_in_an_account_the_new_scan_left_out_is_not_compared() -> None:
    api = stage("a1b2c3")
    before = old(
        finding(EXEC_LOGS, Status.FAIL, api, account_id=OTHER_ACCOUNT),
        accounts=(ACCOUNT, OTHER_ACCOUNT),
    )
    d = diff_reports(before, report())

    assert only(d.out_of_scope).reason_not_compared == f"account {OTHER_ACCOUNT} not scanned"
    assert d.resolved == ()


def test_a_fail_where_the_new_scan_could_read_nothing_is_not_compared() -> None:
    # What the engine writes when a check hits AccessDenied (or an opt-in region is off):
    # one UNKNOWN for the whole region, and none of the region's resources.
    api = stage("a1b2c3")
    before = old(finding(EXEC_LOGS, Status.FAIL, api))
    after = report(
        finding(
            EXEC_LOGS,
            Status.UNKNOWN,
            "us-east-1",
            message="could not read AWS: AccessDenied on apigateway:GET",
        )
    )
    d = diff_reports(before, after)

    skipped = only(d.out_of_scope)
    assert skipped.resource_id == api
    assert "could not read" in skipped.reason_not_compared
    assert d.resolved == ()


def test_wider_new_scan_reports_its_new_fails_as_new_gaps() -> None:
    api = stage("zz9", region="eu-west-1")
    before = old(regions=("us-east-1",))
    after = report(finding(EXEC_LOGS, Status.FAIL, api, region="eu-west-1"))
    assert keys(diff_reports(before, after).new_gaps) == [api]


# -- changed -----------------------------------------------------------------------------


def test_a_fail_that_became_unknown_is_changed_not_resolved() -> None:
    api = stage("a1b2c3")
    before = old(finding(EXEC_LOGS, Status.FAIL, api))
    after = report(finding(EXEC_LOGS, Status.UNKNOWN, api, message="AccessDenied"))
    d = diff_reports(before, after)

    moved = only(d.changed)
    assert (moved.old_status, moved.new_status) == (Status.FAIL, Status.UNKNOWN)
    no_other_changes(d, but="changed")
    assert d.exit_code(Severity.INFO) == 0


@pytest.mark.parametrize(
    ("before", "now"),
    [
        (Status.PASS, Status.UNKNOWN),
        (Status.UNKNOWN, Status.PASS),
        (Status.PASS, Status.NOT_APPLICABLE),
        (Status.NOT_APPLICABLE, Status.UNKNOWN),
    ],
)
def test_other_status_moves_are_changed(before: Status, now: Status) -> None:
    api = stage("a1b2c3")
    d = diff_reports(old(finding(EXEC_LOGS, before, api)), report(finding(EXEC_LOGS, now, api)))

    moved = only(d.changed)
    assert (moved.old_status, moved.new_status) == (before, now)
    no_other_changes(d, but="changed")


def test_passes_that_appear_or_disappear_are_not_changes() -> None:
    before = old(finding(EXEC_LOGS, Status.PASS, stage("old1")))
    after = report(finding(EXEC_LOGS, Status.PASS, stage("new1")))
    d = diff_reports(before, after)
    assert not d.has_changes
    assert d.unchanged_failures == 0


# -- duplicates, suppression, severity gating ---------------------------------------------


def test_a_duplicated_key_keeps_its_worst_status() -> None:
    api = stage("a1b2c3")
    before = old(finding(EXEC_LOGS, Status.PASS, api))
    after = report(
        finding(EXEC_LOGS, Status.PASS, api),
        finding(EXEC_LOGS, Status.FAIL, api),
        finding(EXEC_LOGS, Status.UNKNOWN, api),
    )
    d = diff_reports(before, after)
    assert only(d.new_gaps).new_status is Status.FAIL
    assert d.changed == ()

    # and on the old side: a FAIL hidden behind a PASS duplicate still counts as a FAIL
    d = diff_reports(
        old(finding(EXEC_LOGS, Status.FAIL, api), finding(EXEC_LOGS, Status.PASS, api)),
        report(finding(EXEC_LOGS, Status.PASS, api)),
    )
    assert keys(d.resolved) == [api]


def test_a_suppressed_duplicate_does_not_hide_an_unsuppressed_gap() -> None:
    api = stage("a1b2c3")
    after = report(
        finding(EXEC_LOGS, Status.FAIL, api, suppressed=True, suppression_reason="legacy"),
        finding(EXEC_LOGS, Status.FAIL, api),
    )
    d = diff_reports(old(), after)
    assert only(d.new_gaps).suppressed is False
    assert d.exit_code(Severity.LOW) == 1


def test_a_suppressed_new_gap_is_listed_but_does_not_gate() -> None:
    api = stage("a1b2c3")
    after = report(
        finding(EXEC_LOGS, Status.FAIL, api, suppressed=True, suppression_reason="JIRA-42")
    )
    d = diff_reports(old(), after)

    gap = only(d.new_gaps)
    assert gap.suppressed is True
    assert gap.suppression_reason == "JIRA-42"
    assert d.exit_code(Severity.INFO) == 0


def test_suppression_and_message_come_from_the_new_report() -> None:
    api = stage("a1b2c3")
    before = old(
        finding(
            EXEC_LOGS, Status.PASS, api, message="old text", suppressed=True, suppression_reason="x"
        )
    )
    after = report(finding(EXEC_LOGS, Status.FAIL, api, message="logging is OFF"))
    d = diff_reports(before, after)

    gap = only(d.new_gaps)
    assert gap.message == "logging is OFF"
    assert gap.suppressed is False
    assert gap.suppression_reason is None
    assert d.exit_code(Severity.LOW) == 1


@pytest.mark.parametrize(
    ("severity", "fail_on", "code"),
    [
        (Severity.MEDIUM, Severity.HIGH, 0),
        (Severity.MEDIUM, Severity.MEDIUM, 1),
        (Severity.MEDIUM, Severity.LOW, 1),
        (Severity.CRITICAL, None, 0),
        (Severity.INFO, Severity.LOW, 0),
        (Severity.INFO, Severity.INFO, 1),
    ],
)
def test_exit_code_gates_on_new_gaps_at_or_above_fail_on(
    severity: Severity, fail_on: Severity | None, code: int
) -> None:
    after = report(finding(EXEC_LOGS, Status.FAIL, stage("a1b2c3"), severity=severity))
    assert diff_reports(old(), after).exit_code(fail_on) == code


def test_only_new_gaps_gate_the_exit_code() -> None:
    still = finding(TRAILS, Status.FAIL, "trail/main", region=GLOBAL_REGION, severity=Severity.HIGH)
    unknown = finding(EXEC_LOGS, Status.UNKNOWN, stage("a1b2c3"))
    before = old(still, finding(EXEC_LOGS, Status.FAIL, stage("a1b2c3")))
    d = diff_reports(before, report(still, unknown))
    assert d.unchanged_failures == 1
    assert d.exit_code(Severity.INFO) == 0


def test_categories_are_sorted_by_severity_then_check_then_resource() -> None:
    after = report(
        finding(EXEC_LOGS, Status.FAIL, stage("b")),
        finding(MEM_AGENT, Status.FAIL, instance("i-1"), severity=Severity.LOW),
        finding(EXEC_LOGS, Status.FAIL, stage("a")),
        finding(TRAILS, Status.FAIL, "trail/main", region=GLOBAL_REGION),
        finding(ACCESS_LOGS, Status.FAIL, stage("z")),
    )
    d = diff_reports(old(), after)
    assert [(c.check_id, c.resource_id) for c in d.new_gaps] == [
        (TRAILS, "trail/main"),
        (ACCESS_LOGS, stage("z")),
        (EXEC_LOGS, stage("a")),
        (EXEC_LOGS, stage("b")),
        (MEM_AGENT, instance("i-1")),
    ]


def test_diff_reports_validates_library_input() -> None:
    with pytest.raises(UsageError, match="new report"):
        diff_reports(old(), {"schema_version": 1})
