"""Issue 17's requirement lists and `--compliance` summaries: every requirement of the
sections awsobs claims is answered by a check or says why not, and a requirement's status
comes only from the findings of its checks (FAIL wins, a check that did not run is never a
PASS, UNKNOWN beats PASS)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from report_helpers import ACCOUNT, finding, report

from awsobs.compliance import FRAMEWORKS, benchmarks, get_benchmark
from awsobs.compliance.mappings import MAPPINGS
from awsobs.compliance.requirements import AUTOMATED, MANUAL, Benchmark, Requirement
from awsobs.compliance.summary import mapped_checks, summarize
from awsobs.errors import UsageError
from awsobs.model import CheckMeta, Severity, Status
from awsobs.registry import REGISTRY

METAS = [c.meta for c in REGISTRY.all()]
CIS = ("cis-aws-1.4", "cis-aws-3.0", "cis-aws-5.0")


@pytest.mark.parametrize("bench", list(benchmarks().values()), ids=lambda b: b.id)
def test_every_requirement_is_answered_or_says_why_not(bench: Benchmark) -> None:
    mapped = mapped_checks(bench, METAS)
    ids = [r.id for r in bench.requirements]
    assert len(ids) == len(set(ids)), "a requirement listed twice"
    for r in bench.requirements:
        assert r.assessment in (AUTOMATED, MANUAL)
        assert FRAMEWORKS[bench.mapping].valid(r.id), r.id
        # exactly one of: a check answers it, or it says why none does
        assert bool(mapped[r.id]) != bool(r.not_covered), (r.id, mapped[r.id], r.not_covered)


@pytest.mark.parametrize("framework", CIS)
def test_no_check_maps_to_a_cis_requirement_the_list_does_not_have(framework: str) -> None:
    listed = {r.id for r in get_benchmark(framework).requirements}
    claimed = {i for m in MAPPINGS.values() for i in m.get(framework, ())}
    assert claimed <= listed
    # the sections awsobs claims are 3 and 4, each numbered 1..n without a gap
    for section in ("3", "4"):
        numbers = sorted(int(i.split(".")[1]) for i in listed if i.split(".")[0] == section)
        assert numbers == list(range(1, len(numbers) + 1))


def test_the_benchmarks_sizes_and_the_renumbering() -> None:
    sizes = {b: len(get_benchmark(b).requirements) for b in CIS}
    assert sizes == {"cis-aws-1.4": 26, "cis-aws-3.0": 25, "cis-aws-5.0": 25}
    v14, v30 = get_benchmark("cis-aws-1.4"), get_benchmark("cis-aws-3.0")
    assert mapped_checks(v14, METAS)["3.5"] == ["config.recorder_all_regions"]
    assert mapped_checks(v30, METAS)["3.3"] == ["config.recorder_all_regions"]
    # v3.0's monitoring requirements are manual in the benchmark and awsobs still answers them
    assert all(r.assessment == MANUAL for r in v30.requirements if r.id.startswith("4.")
               and r.id != "4.16")  # fmt: skip
    assert all(r.assessment == AUTOMATED for r in v14.requirements)


def test_security_hub_controls_outside_fsbp_are_the_known_ones() -> None:
    """The FSBP list is AWS's (fsbp-standard.html); a mapped control that is not on it must
    be one AWS puts in another standard (CIS, NIST, PCI), never a typo."""
    fsbp = {r.id for r in get_benchmark("aws-foundational-security-best-practices").requirements}
    mapped = {i for m in MAPPINGS.values() for i in m.get("aws-securityhub", ())}
    outside = {i for i in mapped - fsbp if not re.fullmatch(r"CloudWatch\.\d+", i)}
    assert outside == {"CloudTrail.3", "CloudTrail.6", "CloudTrail.7", "WAF.11"}


def test_an_unknown_framework_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown framework.*cis-aws-3\.0.*awsobs compliance"):
        get_benchmark("cis-3")
    assert get_benchmark(" CIS-AWS-3.0 ").id == "cis-aws-3.0"


# -- statuses ---------------------------------------------------------------------------

V30 = get_benchmark("cis-aws-3.0")


def _row(summary: Any, rid: str) -> Any:
    return next(r for r in summary.results if r.requirement.id == rid)


def test_fail_wins_and_counts_the_findings_behind_it() -> None:
    rep = report(
        finding("vpc.flow_logs_enabled", Status.PASS, "vpc-1"),
        finding("vpc.flow_logs_enabled", Status.FAIL, "vpc-2"),
        finding("vpc.flow_logs_enabled", Status.UNKNOWN, "vpc-3"),
    )
    row = _row(summarize(rep, V30), "3.7")
    assert row.status == "FAIL"
    assert row.counts == {"PASS": 1, "FAIL": 1, "UNKNOWN": 1, "NOT_APPLICABLE": 0}
    assert row.findings == (0, 1, 2)
    assert row.partial[0][0] == "vpc.flow_logs_enabled"


def test_unknown_beats_pass_and_na_alone_is_not_applicable() -> None:
    rep = report(
        finding("vpc.flow_logs_enabled", Status.PASS, "vpc-1"),
        finding("vpc.flow_logs_enabled", Status.UNKNOWN, "vpc-2", region="eu-west-1"),
        finding("cloudtrail.kms_encryption", Status.NOT_APPLICABLE, ACCOUNT),
        finding("cloudtrail.multi_region", Status.PASS, ACCOUNT),
    )
    summary = summarize(rep, V30)
    assert _row(summary, "3.7").status == "UNKNOWN"
    assert _row(summary, "3.5").status == "NOT_APPLICABLE"
    assert _row(summary, "3.1").status == "PASS"


def test_a_suppressed_fail_is_still_a_fail_of_the_benchmark() -> None:
    rep = report(
        finding("cloudtrail.multi_region", Status.FAIL, ACCOUNT, suppressed=True,
                suppression_reason="accepted until Q3"),
    )  # fmt: skip
    row = _row(summarize(rep, V30), "3.1")
    assert row.status == "FAIL" and row.suppressed == 1


def test_a_check_that_did_not_run_is_not_assessed_never_pass() -> None:
    fsbp = get_benchmark("aws-foundational-security-best-practices")
    # APIGateway.1 needs both REST and WebSocket execution logging; only REST ran
    rep = report(finding("apigw.rest.execution_logging", Status.PASS, "stage"))
    row = _row(summarize(rep, fsbp), "APIGateway.1")
    assert row.status == "NOT_ASSESSED"
    assert row.not_run == ("apigw.ws.execution_logging",)
    # ... but a FAIL of the one that ran is a FAIL whatever the other would say
    rep = report(finding("apigw.rest.execution_logging", Status.FAIL, "stage"))
    assert _row(summarize(rep, fsbp), "APIGateway.1").status == "FAIL"
    # a check that ran and found nothing to judge: not applicable
    rep = report(checks=("apigw.rest.execution_logging", "apigw.ws.execution_logging"))
    assert _row(summarize(rep, fsbp), "APIGateway.1").status == "NOT_APPLICABLE"


def test_not_covered_and_manual_requirements() -> None:
    bench = Benchmark(
        "acme-1",
        "Acme",
        "cis-aws-3.0",
        "all of it",
        (
            Requirement("9.1", "a person looks", MANUAL),
            Requirement("9.2", "out of scope", not_covered="no such telemetry"),
            Requirement("9.3", "nobody wrote a check"),
        ),
        "https://example.invalid",
    )
    summary = summarize(report(), bench, metas=[])
    assert [r.status for r in summary.results] == ["MANUAL", "NOT_COVERED", "NOT_COVERED"]
    assert summary.counts()["NOT_COVERED"] == 2


def test_a_plugins_mappings_count() -> None:
    meta = CheckMeta(
        id="acme.trail",
        title="t",
        severity=Severity.LOW,
        permissions=(),
        remediation="",
        docs="",
        compliance={"cis-aws-3.0": ("3.6",)},
    )
    rep = report(finding("acme.trail", Status.PASS, "key"))
    row = _row(summarize(rep, V30, metas=[*METAS, meta]), "3.6")
    assert row.status == "PASS" and row.checks == ("acme.trail",)


def test_the_summary_as_json() -> None:
    rep = report(finding("cloudtrail.multi_region", Status.FAIL, ACCOUNT))
    doc = summarize(rep, V30).to_dict()
    assert doc["framework"] == "cis-aws-3.0" and len(doc["requirements"]) == 25
    assert sum(doc["summary"].values()) == 25
    first = doc["requirements"][0]
    assert first["id"] == "3.1" and first["status"] == "FAIL" and first["findings"] == [0]
    assert first["checks"] == ["cloudtrail.multi_region"] and first["assessment"] == "automated"
    kms = next(r for r in doc["requirements"] if r["id"] == "3.6")
    assert kms["status"] == "NOT_COVERED" and "out of scope" in kms["not_covered"]


def test_the_readme_shows_the_compliance_table() -> None:
    from helpers import REPO as ROOT

    from awsobs.report.compliance_view import render_frameworks

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- compliance:begin -->\n", 1)[1].split("<!-- compliance:end -->")[0]
    expected = render_frameworks(list(benchmarks().values()), METAS, "markdown", detail=False)
    assert block == expected, "README is stale: paste `awsobs compliance --format markdown`"


def test_the_markdown_report_leads_with_the_requirements_and_still_fits_a_comment() -> None:
    from awsobs.report import render
    from awsobs.report.markdown import MAX_CHARS

    many = [
        finding(
            "vpc.flow_logs_enabled",
            status,
            f"vpc-{i:05d}-" + "r" * 80,
            message="x " * 200,
            suppressed=suppressed,
            suppression_reason="y " * 200 if suppressed else None,
        )
        for status, suppressed in ((Status.FAIL, False), (Status.UNKNOWN, False),
                                   (Status.FAIL, True))
        for i in range(700)
    ]  # fmt: skip
    rep = report(*many)
    text = render(rep, "markdown", compliance=summarize(rep, V30))
    assert text.startswith("### CIS AWS Foundations Benchmark v3.0.0")
    assert "| 3.7 | **FAIL** |" in text and "## awsobs: 700 gaps" in text
    assert len(text) <= MAX_CHARS and "cut to fit a comment" in text
