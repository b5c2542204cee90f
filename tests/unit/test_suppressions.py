"""Suppressions: accepted gaps stay in the report, marked, and never decide the exit code,
until their `expires` date has passed; a malformed entry is exit 2 with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import boto3
import pytest
from helpers import ACCOUNT, awsobs, run, scan_json, stub_error, trail

from awsobs import Status
from awsobs.cli.config_file import load_config
from awsobs.errors import UsageError
from awsobs.model import Severity
from awsobs.report import render
from awsobs.suppress import Suppression

TODAY = dt.datetime.now(dt.UTC).date()
MULTI = "cloudtrail.multi_region"  # no trail: one high FAIL on the account
VALIDATION = "cloudtrail.log_file_validation"  # a trail without validation: medium FAIL


def entry(check: str = MULTI, **kw: object) -> Suppression:
    return Suppression(check=check, reason=str(kw.pop("reason", "sandbox")), **kw)  # type: ignore[arg-type]


# -- the engine -----------------------------------------------------------------------------


def test_a_suppressed_fail_is_kept_marked_and_does_not_fail_the_scan(aws: boto3.Session) -> None:
    plain = run(aws, [MULTI])
    assert plain.exit_code() == 1
    report = run(aws, [MULTI], suppressions=[entry(reason="JIRA-42: sandbox only")])
    (f,) = report.findings
    assert f.status is Status.FAIL and f.suppressed
    assert f.suppression_reason == "JIRA-42: sandbox only"
    assert report.summary()["FAIL"] == 1  # still counted as what it is
    assert report.failures(Severity.LOW) == [] and report.exit_code() == 0
    assert report.suppression_notes == ()


def test_only_matching_findings_are_suppressed(aws: boto3.Session) -> None:
    trail(aws, "keep")
    trail(aws, "waived")
    arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/"
    report = run(aws, [VALIDATION], suppressions=[entry(VALIDATION, resource="*/waived")])
    marks = {f.resource_id: f.suppressed for f in report.findings}
    assert marks == {arn + "keep": False, arn + "waived": True}
    assert report.exit_code() == 1  # `keep` still fails
    # Region and account globs narrow it too: neither matches here.
    for narrow in (entry(VALIDATION, region="eu-*"), entry(VALIDATION, account="999*")):
        report = run(aws, [VALIDATION], suppressions=[narrow])
        assert not any(f.suppressed for f in report.findings)
        assert [n.kind for n in report.suppression_notes] == ["unused"]


def test_a_suppressed_unknown_does_not_make_the_scan_incomplete(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_error(monkeypatch, "cloudtrail", "describe_trails")
    assert run(aws, [MULTI]).exit_code() == 3
    report = run(aws, [MULTI], suppressions=[entry(reason="no CloudTrail access in sandbox")])
    (f,) = report.findings
    assert f.status is Status.UNKNOWN and f.suppressed
    assert report.complete and report.exit_code() == 0


@pytest.mark.parametrize(
    ("expires", "applies"),
    [(TODAY + dt.timedelta(days=1), True), (TODAY, True), (TODAY - dt.timedelta(days=1), False)],
    ids=["tomorrow", "today", "yesterday"],
)
def test_expiry_is_inclusive_and_an_expired_entry_is_reported(
    aws: boto3.Session, expires: dt.date, applies: bool
) -> None:
    report = run(aws, [MULTI], suppressions=[entry(expires=expires, source="awsobs.toml:3")])
    (f,) = report.findings
    assert f.suppressed is applies
    assert report.exit_code() == (0 if applies else 1)
    if applies:
        assert report.suppression_notes == ()
    else:
        (note,) = report.suppression_notes
        assert note.kind == "expired" and note.matched == 1
        assert note.describe() == (
            f"awsobs.toml:3: suppression of {MULTI} expired on {expires} and no longer "
            "applies; 1 finding(s) count again"
        )


def test_unused_entries_are_noted_but_entries_for_checks_not_run_are_not(
    aws: boto3.Session,
) -> None:
    trail(aws, "main", multi_region=True)
    report = run(
        aws,
        [MULTI],
        suppressions=[entry(MULTI, source="a.toml:1"), entry(VALIDATION, source="a.toml:5")],
    )
    assert report.findings[0].status is Status.PASS and not report.findings[0].suppressed
    assert [(n.kind, n.check) for n in report.suppression_notes] == [("unused", MULTI)]
    assert "matched no FAIL or UNKNOWN finding" in report.suppression_notes[0].describe()


def test_the_first_live_matching_entry_gives_the_reason(aws: boto3.Session) -> None:
    old = entry(reason="old waiver", expires=TODAY - dt.timedelta(days=30))
    report = run(aws, [MULTI], suppressions=[old, entry(reason="new"), entry(reason="later")])
    assert report.findings[0].suppression_reason == "new"
    assert sorted(n.kind for n in report.suppression_notes) == ["expired", "unused"]


def test_reports_show_suppressed_findings_apart_with_their_reason(aws: boto3.Session) -> None:
    gone = entry(VALIDATION, expires=TODAY - dt.timedelta(days=1), source="awsobs.toml:9")
    report = run(aws, [MULTI, VALIDATION], suppressions=[entry(reason="JIRA-42"), gone])
    table = render(report, "table")
    gaps, _, rest = table.partition("Suppressed (1)")
    assert MULTI not in gaps  # not listed among the gaps
    assert "JIRA-42" in rest and "1 of them suppressed" in rest
    assert "Suppressions to review:" in rest and "awsobs.toml:9" in rest
    md = render(report, "markdown")
    assert "Suppressed (1)" in md and "JIRA-42" in md and "no gaps" in md
    doc = report.to_dict()
    assert doc["scan"]["suppressions"]["suppressed"] == 1
    assert doc["scan"]["suppressions"]["expired"][0]["source"] == "awsobs.toml:9"
    assert [(f["check_id"], f["suppressed"]) for f in doc["findings"]] == [
        (MULTI, True),
        (VALIDATION, False),  # no trail: NOT_APPLICABLE, never suppressed
    ]


# -- the config file ------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "awsobs.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_config_entries_become_suppressions_with_their_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """fail_on = "high"

[[suppressions]]
check = "cloudtrail.*"
reason = "sandbox"

[[suppressions]]
check = "apigw.rest.access_logging"
resource = "arn:aws:apigateway:*::/restapis/abc/stages/*"
region = "eu-west-1"
account = "123456789012"
reason = "  legacy API, retired in Q1  "
expires = 2027-03-31
""",
    )
    first, second = load_config(str(path)).suppressions
    assert (first.check, first.resource, first.expires, first.source) == (
        "cloudtrail.*",
        "*",
        None,
        f"{path}:3",
    )
    assert second.expires == dt.date(2027, 3, 31) and second.reason == "legacy API, retired in Q1"
    assert (second.region, second.account, second.source) == (
        "eu-west-1",
        "123456789012",
        f"{path}:7",
    )


def test_pyproject_tool_table_holds_suppressions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[project]\nname = "x"\n\n[[tool.awsobs.suppressions]]\ncheck = "ec2.*"\n'
        'reason = "no agent on build hosts"\nexpires = "2027-01-01"\n',
        "pyproject.toml",
    )
    (s,) = load_config(str(path)).suppressions
    assert s.check == "ec2.*" and s.expires == dt.date(2027, 1, 1)
    assert s.source == f"{path}:4"


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        ('check = "cloudtrail.*"\n', 2, "suppression 1: reason is required"),
        ('check = "cloudtrail.*"\nreason = ""\n', 4, "reason is required"),
        ('reason = "x"\n', 2, "check is required"),
        ('check = "cloudtrial.*"\nreason = "x"\n', 3, "matches no check"),
        ('check = "cloudtrail.*"\nreason = "x"\nexpire = 2027-01-01\n', 5, "expire is not"),
        ('check = "cloudtrail.*"\nreason = "x"\nexpires = "soon"\n', 5, "date like 2027-03-31"),
        ('check = "cloudtrail.*"\nreason = "x"\nexpires = 2027-01-01T10:00:00\n', 5, "not a date"),
        ('check = "cloudtrail.*"\nreason = "x"\nresource = 12\n', 5, "resource must be"),
    ],
)
def test_a_bad_entry_names_its_line(tmp_path: Path, body: str, line: int, problem: str) -> None:
    path = write(tmp_path, "\n[[suppressions]]\n" + body)
    with pytest.raises(UsageError) as err:
        load_config(str(path))
    message = str(err.value)
    assert message.startswith(f"{path}:{line}: ") and problem in message
    assert "\n" not in message


def test_suppressions_must_be_tables(tmp_path: Path) -> None:
    path = write(tmp_path, 'regions = ["us-east-1"]\nsuppressions = ["cloudtrail.*"]\n')
    with pytest.raises(UsageError, match=rf"^{path}:2: suppressions must be"):
        load_config(str(path))


# -- the command ----------------------------------------------------------------------------


def test_cli_exit_codes_follow_suppressions(session: boto3.Session, tmp_path: Path) -> None:
    """Over the moto server: waived FAIL exits 0, expired waiver exits 1 and says so, a
    malformed file exits 2 with one line naming the line."""
    args = ("--regions", "us-east-1", "--checks", MULTI)
    assert scan_json(*args, cwd=tmp_path)[0] == 1
    write(tmp_path, f'[[suppressions]]\ncheck = "{MULTI}"\nreason = "sandbox"\n')
    code, doc = scan_json(*args, cwd=tmp_path)
    assert code == 0 and doc["findings"][0]["suppressed"] is True
    yesterday = TODAY - dt.timedelta(days=1)
    write(
        tmp_path,
        f'[[suppressions]]\ncheck = "{MULTI}"\nreason = "sandbox"\nexpires = {yesterday}\n',
    )
    result = awsobs("scan", *args, "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    config = tmp_path / "awsobs.toml"
    assert f"awsobs: {config}:1: suppression of {MULTI} expired on {yesterday}" in result.stderr
    table = awsobs("scan", *args, cwd=tmp_path)
    assert table.returncode == 1 and "Suppressions to review:" in table.stdout
    write(tmp_path, '[[suppressions]]\ncheck = "cloudtrail.*"\n')
    bad = awsobs("scan", *args, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip().splitlines() == [
        f"awsobs: error: {config}:1: suppression 1: reason is required (a non-empty string)"
    ]
