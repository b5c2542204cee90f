"""Compliance mappings as data (issue 17): every built-in check has an entry, every id is
well formed for its framework, the facts the benchmarks state hold, and plugins can
declare their own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import check_args

from awsobs.compliance import FRAMEWORKS, compliance_problems
from awsobs.compliance.mappings import MAPPINGS, PARTIAL
from awsobs.registry import REGISTRY, check
from awsobs.report.catalog import render_catalog


def test_every_builtin_check_has_an_entry_even_if_empty() -> None:
    ids = {c.id for c in REGISTRY.all() if c.__module__.startswith("awsobs.checks.")}
    assert ids - set(MAPPINGS) == set(), "checks without a compliance entry (write {} for none)"
    assert set(MAPPINGS) - ids == set(), "entries for checks that do not exist"
    assert set(PARTIAL) <= set(MAPPINGS)


def test_every_id_is_well_formed_for_its_framework() -> None:
    for check_id, mapping in MAPPINGS.items():
        assert compliance_problems(mapping) == [], check_id
    assert {f for m in MAPPINGS.values() for f in m} == set(FRAMEWORKS)


@pytest.mark.parametrize(
    ("check_id", "framework", "ids"),
    [
        # The numbering moves between versions (the issue's own example).
        ("config.recorder_all_regions", "cis-aws-1.4", ("3.5",)),
        ("config.recorder_all_regions", "cis-aws-3.0", ("3.3",)),
        ("cloudtrail.kms_encryption", "cis-aws-1.4", ("3.7",)),
        ("cloudtrail.kms_encryption", "cis-aws-5.0", ("3.5",)),
        ("vpc.flow_logs_enabled", "cis-aws-1.4", ("3.9",)),
        ("vpc.flow_logs_enabled", "cis-aws-3.0", ("3.7",)),
        ("cloudtrail.multi_region", "aws-securityhub", ("CloudTrail.1",)),
        ("cwalarm.root_usage", "aws-securityhub", ("CloudWatch.1",)),
        ("apigw.rest.execution_logging", "aws-securityhub", ("APIGateway.1",)),
        ("elb.access_logs", "aws-securityhub", ("ELB.5",)),
        ("ecs.container_insights", "aws-securityhub", ("ECS.12",)),
        ("route53.query_logging", "aws-securityhub", ("Route53.2",)),
        (
            "cloudtrail.log_file_validation",
            "aws-config",
            ("cloud-trail-log-file-validation-enabled",),
        ),
    ],
)
def test_the_benchmarks_facts(check_id: str, framework: str, ids: tuple[str, ...]) -> None:
    meta = REGISTRY.get(check_id)
    assert meta is not None
    assert meta.meta.compliance[framework] == ids


def test_cloudwatch_logs_integration_left_cis_in_v3() -> None:
    """CIS v3.0 dropped "trails are integrated with CloudWatch Logs" (v1.4 3.4)."""
    mapping = MAPPINGS["cloudtrail.cloudwatch_logs"]
    assert mapping["cis-aws-1.4"] == ("3.4",) and "cis-aws-3.0" not in mapping


def test_every_cis_alarm_check_is_a_section_4_requirement() -> None:
    alarms = [c for c in REGISTRY.all() if c.id.startswith("cwalarm.")]
    assert len(alarms) == 15
    for c in alarms:
        for version in ("cis-aws-1.4", "cis-aws-3.0", "cis-aws-5.0"):
            (req,) = c.meta.compliance[version]
            assert req.startswith("4."), c.id
        assert c.meta.compliance_note.startswith("differs:")
    numbers = sorted(int(c.meta.compliance["cis-aws-3.0"][0].split(".")[1]) for c in alarms)
    assert numbers == list(range(1, 16))


def _plugin(**kw: Any) -> Any:
    return check(**check_args(id="acme.thing"), **kw)(lambda ctx: iter(()))


def test_a_plugin_declares_its_own_mappings() -> None:
    chk = _plugin(compliance={"cis-aws-3.0": ["3.1"]}, compliance_note="looser: x")
    assert chk.meta.compliance == {"cis-aws-3.0": ("3.1",)}
    assert chk.meta.compliance_note == "looser: x"
    assert _plugin().meta.compliance == {}
    with pytest.raises(ValueError, match="unknown compliance framework 'cis-aws-9'"):
        _plugin(compliance={"cis-aws-9": ["1.1"]})
    with pytest.raises(ValueError, match=r"malformed cis-aws-3\.0 ids"):
        _plugin(compliance={"cis-aws-3.0": ["three.one"]})


def test_the_catalogue_shows_the_mappings() -> None:
    listed = {c["id"]: c for c in json.loads(render_catalog(REGISTRY.all(), "json"))}
    assert listed["config.recorder_all_regions"]["compliance"]["cis-aws-3.0"] == ["3.3"]
    assert listed["config.recorder_all_regions"]["compliance_note"].startswith("looser")
    assert listed["cloudtrail.s3_delivery"]["compliance"] == {}
    md = render_catalog(REGISTRY.all(), "markdown")
    assert "Compliance: CIS AWS Foundations Benchmark v1.4.0: `3.5`" in md
    assert "Compliance: no CIS requirement, Security Hub control or Config rule maps to it" in md


def test_the_alarm_controls_cis_number_is_the_checks_mapping() -> None:
    """The number a cwalarm finding's evidence and docs quote is the v1.4-v5.0 one."""
    from awsobs.checks.cwalarm.controls import CONTROLS

    for control in CONTROLS:
        meta = REGISTRY.get(f"cwalarm.{control.id}")
        assert meta is not None
        for version in ("cis-aws-1.4", "cis-aws-3.0", "cis-aws-5.0"):
            assert meta.meta.compliance[version] == (control.cis,), control.id
        assert f"(CIS v1.4-v5.0 {control.cis})" in meta.meta.docs


def test_the_checks_table_shows_cis_v3_and_security_hub_ids() -> None:
    lines = render_catalog(REGISTRY.all(), "table").splitlines()
    assert "CIS 3.0 / SECURITY HUB" in lines[0]
    row = {line.split()[0]: line.split() for line in lines[2:]}
    assert row["config.recorder_all_regions"][4:6] == ["3.3", "Config.1"]
    assert row["rds.log_exports"][4:6] == ["RDS.9", "+6"]
    assert row["cloudtrail.s3_delivery"][4] == "-"
