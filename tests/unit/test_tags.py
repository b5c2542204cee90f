"""Suppress by tag and `--tag KEY=VALUE` (issue 18, item 8): tags read once per region with
tag:GetResources, only when needed; they choose which findings a report shows or excuses,
never a verdict; a failed tag read makes each finding it would have decided UNKNOWN."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import boto3
import pytest
from helpers import stub_error

from awsobs import Status, UsageError, scan
from awsobs.cli.config_file import load_config
from awsobs.model import Report
from awsobs.report_io import report_from_dict
from awsobs.suppress import Suppression

CHECK = "logs.retention_defined"
REGION_CHECK = "cloudtrail.trail_logging"  # a region-level finding: tags never filter it
GET_RESOURCES = "resourcegroupstaggingapi:GetResources"


@pytest.fixture
def groups(aws: boto3.Session) -> boto3.Session:
    """Three log groups that never expire (FAIL): tagged sandbox, tagged prod, untagged."""
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/app/sandbox", tags={"env": "sandbox"})
    logs.create_log_group(logGroupName="/app/prod", tags={"env": "prod", "team": "web"})
    logs.create_log_group(logGroupName="/app/untagged")
    return aws


def by_group(report: Report) -> dict[str, tuple[Status, bool]]:
    """Log group name -> (status, suppressed), for the log group findings."""
    return {
        f.resource_id.split(":log-group:")[1].removesuffix(":*"): (f.status, f.suppressed)
        for f in report.findings
        if f.check_id == CHECK and ":log-group:" in f.resource_id
    }


SANDBOX = Suppression(check=CHECK, reason="sandbox data is disposable", tags=(("env", "sandbox"),))


def test_a_tag_suppression_excuses_only_the_tagged_resource(groups: boto3.Session) -> None:
    report = scan(groups, regions=["us-east-1"], checks=[CHECK], suppressions=[SANDBOX])
    assert by_group(report) == {
        "/app/sandbox": (Status.FAIL, True),
        "/app/prod": (Status.FAIL, False),
        "/app/untagged": (Status.FAIL, False),
    }
    assert report.api_calls_by_operation[GET_RESOURCES] == 1
    assert report.exit_code() == 1  # the prod and untagged gaps still count


def test_tag_values_are_globs_and_every_tag_must_match(groups: boto3.Session) -> None:
    both = Suppression(check=CHECK, reason="r", tags=(("env", "pr*"), ("team", "web")))
    wrong = Suppression(check=CHECK, reason="r", tags=(("env", "prod"), ("team", "data")))
    report = scan(groups, regions=["us-east-1"], checks=[CHECK], suppressions=[both, wrong])
    assert {g for g, (_, quiet) in by_group(report).items() if quiet} == {"/app/prod"}
    assert [n.kind for n in report.suppression_notes] == ["unused"]  # `wrong` matched nothing
    assert report.suppression_notes[0].tags == (("env", "prod"), ("team", "data"))


def test_tag_filter_keeps_tagged_resources_and_every_region_finding(groups: boto3.Session) -> None:
    report = scan(groups, regions=["us-east-1"], checks=[CHECK, REGION_CHECK], tags={"env": "prod"})
    assert by_group(report) == {"/app/prod": (Status.FAIL, False)}
    assert [f.resource_type for f in report.findings if f.check_id == REGION_CHECK] == [
        "AWS::Region"
    ]
    assert report.tag_filter == {"env": "prod"}
    again = report_from_dict(report.to_dict())  # the filter is in the JSON, and read back
    assert again.tag_filter == {"env": "prod"}
    assert report.to_dict()["scan"]["tag_filter"] == {"env": "prod"}


def test_no_tag_read_without_tags(groups: boto3.Session) -> None:
    plain = Suppression(check=CHECK, reason="r", resource="*sandbox*")
    report = scan(groups, regions=["us-east-1"], checks=[CHECK], suppressions=[plain])
    assert GET_RESOURCES not in report.api_calls_by_operation
    assert report.to_dict()["scan"]["tag_filter"] == {}


def test_one_tag_read_per_region(groups: boto3.Session) -> None:
    report = scan(groups, regions=["us-east-1", "eu-west-1"], checks=[CHECK], tags={"env": "*"})
    assert report.api_calls_by_operation[GET_RESOURCES] == 2
    assert set(by_group(report)) == {"/app/sandbox", "/app/prod"}


def test_a_denied_tag_read_makes_the_filtered_findings_unknown(
    groups: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_error(monkeypatch, "resourcegroupstaggingapi", "get_resources")
    report = scan(groups, regions=["us-east-1"], checks=[CHECK, REGION_CHECK], tags={"env": "prod"})
    rows = [f for f in report.findings if f.check_id == CHECK]
    assert len(rows) == 3 and {f.status for f in rows} == {Status.UNKNOWN}
    for f in rows:
        assert f.message.startswith(f"could not tell whether {f.resource_id} has the tags env=prod")
        assert f.message.endswith("access denied to tag:GetResources in us-east-1")
        assert f.evidence["status_before"] == "FAIL" and f.evidence["action"] == "tag:GetResources"
    # The region's own finding (no trail: FAIL) needs no tags and keeps its verdict.
    assert [f.status for f in report.findings if f.check_id == REGION_CHECK] == [Status.FAIL]


def test_a_denied_tag_read_excuses_nothing_and_says_so(
    groups: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_error(monkeypatch, "resourcegroupstaggingapi", "get_resources")
    report = scan(groups, regions=["us-east-1"], checks=[CHECK], suppressions=[SANDBOX])
    rows = [f for f in report.findings if f.check_id == CHECK]
    assert {(f.status, f.suppressed) for f in rows} == {(Status.UNKNOWN, False)}
    assert all("access denied to tag:GetResources" in f.message for f in rows)
    assert all("could not tell whether the suppression" in f.message for f in rows)
    assert report.suppression_notes == ()  # not "unused": it may well apply


def test_bad_tags_are_usage_errors(aws: boto3.Session) -> None:
    with pytest.raises(UsageError, match="tags must map tag keys"):
        scan(aws, regions=["us-east-1"], checks=[CHECK], tags={"": "x"})


def test_the_config_file_takes_tags_and_tag_suppressions(tmp_path: Path) -> None:
    (tmp_path / "awsobs.toml").write_text(
        'tags = {env = "prod"}\n\n[[suppressions]]\ncheck = "logs.*"\nreason = "r"\n'
        'tags = {env = "sandbox", team = "web"}\n'
    )
    config = load_config(cwd=tmp_path)
    assert config.tags == {"env": "prod"}
    assert config.suppressions[0].tags == (("env", "sandbox"), ("team", "web"))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('tags = "env=prod"\n', 1),
        ('[[suppressions]]\ncheck = "logs.*"\nreason = "r"\ntags = {env = 1}\n', 4),
    ],
)
def test_malformed_tags_in_the_config_file_are_named(tmp_path: Path, text: str, line: int) -> None:
    (tmp_path / "awsobs.toml").write_text(text)
    with pytest.raises(UsageError, match=rf"awsobs.toml:{line}: .*tags"):
        load_config(cwd=tmp_path)


@pytest.mark.filterwarnings("ignore:Exception\\(STSClientError\\)")
def test_an_organization_scan_keeps_the_filter_when_an_account_is_unreachable(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from org_seed import ROLE, create_org, deny_assume_role

    from awsobs import scan_accounts
    from awsobs.accounts import AccountTarget

    members = create_org(aws, 2)
    deny_assume_role(monkeypatch, members[1])
    report = scan_accounts(
        aws, [AccountTarget(m) for m in members], role_name=ROLE, checks=[CHECK],
        regions=["us-east-1"], tags={"env": "prod"},
    )  # fmt: skip
    assert report.tag_filter == {"env": "prod"}


def test_the_markdown_report_says_it_was_filtered_and_escapes_the_tags(
    groups: boto3.Session,
) -> None:
    from awsobs.report import render

    report = scan(groups, regions=["us-east-1"], checks=[CHECK], tags={"env": "prod"})
    text = render(report, "markdown")
    (line,) = [ln for ln in text.splitlines() if ln.startswith("Only resources tagged")]
    assert "env=prod" in line and line.endswith("(and the account and regions).")
    hostile = dataclasses.replace(report, tag_filter={"env": "x` | <b>\x1b[2J"})
    line = next(ln for ln in render(hostile, "markdown").splitlines() if "Only resources" in ln)
    assert "<b>" not in line and "\x1b" not in line and "&lt;b&gt;" in line


def test_the_table_summary_says_it_was_filtered_and_escapes_the_tags(
    groups: boto3.Session,
) -> None:
    from awsobs.report import render

    report = scan(groups, regions=["us-east-1"], checks=[CHECK], tags={"env": "prod"})
    hostile = dataclasses.replace(report, tag_filter={"env": "x\x1b[2J\u202e"})
    text = render(hostile, "table")
    assert "only resources tagged env=x\\x1b[2J\\u202e" in text
    assert "\x1b" not in text and "\u202e" not in text
