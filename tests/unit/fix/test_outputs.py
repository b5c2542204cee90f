"""What `awsobs fix` writes for the demo account, read back by each format's own tools:
cfn-lint for the CloudFormation templates, python-hcl2 for Terraform, `sh -n` for the
script. (The closed loops, deploying them into moto, are in tests/e2e/test_fix_*_loop.py.)"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import hcl2
import yaml
from cfnlint.api import lint

from awsobs.fix import plan, render


def unq(text: str) -> str:
    """python-hcl2 8 keeps a string's quotes (and escapes): the value itself."""
    return str(json.loads(text)) if text.startswith('"') else text


def test_the_cloudformation_templates_pass_cfn_lint(demo_doc: dict[str, Any]) -> None:
    files = render(plan(demo_doc), "cloudformation")
    assert sorted(files) == [
        "awsobs-fix-123456789012-us-east-1.yaml",
        "awsobs-fix-123456789012-us-west-2.yaml",
    ]
    for name, text in files.items():
        region = name.removesuffix(".yaml").rsplit("-", 3)[-3:]
        matches = lint(text, regions=["-".join(region)])
        assert [str(m) for m in matches] == [], name


def test_cfn_lint_would_catch_a_wrong_template(demo_doc: dict[str, Any]) -> None:
    """The check above can fail: the same template with a misspelt enum does."""
    text = render(plan(demo_doc), "cloudformation")["awsobs-fix-123456789012-us-east-1.yaml"]
    broken = text.replace('"GreaterThanOrEqualToThreshold"', '"GreaterOrEqual"', 1)
    assert broken != text
    assert any("GreaterOrEqual" in str(m) for m in lint(broken, regions=["us-east-1"]))


def test_every_template_resource_is_kept_when_its_stack_goes(demo_doc: dict[str, Any]) -> None:
    for text in render(plan(demo_doc), "cloudformation").values():
        doc = yaml.safe_load(text)
        for lid, res in doc["Resources"].items():
            assert res["DeletionPolicy"] == "Retain", lid
            assert res["UpdateReplacePolicy"] == "Retain", lid


def test_the_terraform_parses_and_pins_each_provider_to_its_account(
    demo_doc: dict[str, Any],
) -> None:
    p = plan(demo_doc)
    text = render(p, "terraform")["awsobs-fix.tf"]
    doc = hcl2.loads(text)
    providers = [blk['"aws"'] for blk in doc["provider"]]
    assert {unq(pr["region"]) for pr in providers} == {"us-east-1", "eu-west-1", "us-west-2"}
    assert all(pr["allowed_account_ids"] == ['"123456789012"'] for pr in providers)
    resources = [
        (unq(kind), unq(name)) for blk in doc["resource"] for kind, v in blk.items() for name in v
    ]
    alarms = [r for r in resources if r[0] == "aws_cloudwatch_metric_alarm"]
    assert len(alarms) == sum(1 for i in p.for_format("terraform") if i.kind == "alarm")
    # an existing log group is adopted (import) and never destroyed
    imports = doc["import"]
    assert imports and all(i["to"].startswith("${aws_cloudwatch_log_group.") for i in imports)


def test_the_script_is_valid_sh(demo_doc: dict[str, Any], tmp_path: Any) -> None:
    script = tmp_path / "awsobs-fix.sh"
    script.write_text(render(plan(demo_doc), "sh")["awsobs-fix.sh"])
    ran = subprocess.run(["sh", "-n", str(script)], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr


def test_each_format_says_what_it_closes(demo_doc: dict[str, Any]) -> None:
    """The script can change existing resources, so it closes the most; everything the
    templates close, it closes too."""
    p = plan(demo_doc)
    cfn, tf, sh = (p.claims(f) for f in ("cloudformation", "terraform", "sh"))
    assert cfn <= tf <= sh
    assert len(cfn) < len(tf) < len(sh)
    fails = {
        (f["check_id"], f["resource_id"])
        for f in demo_doc["findings"]
        if f["status"] == "FAIL" and not f.get("suppressed")
    }
    assert {(c.check_id, c.resource_id) for c in sh} <= fails
    assert len(p.manual) + len({(c.check_id, c.resource_id) for c in sh}) == len(fails)


def test_generating_twice_gives_the_same_code(demo_doc: dict[str, Any]) -> None:
    for fmt in ("cloudformation", "terraform", "sh"):
        assert render(plan(demo_doc), fmt) == render(plan(demo_doc), fmt)


def test_a_later_scan_of_the_same_gaps_gives_the_same_files(demo_doc: dict[str, Any]) -> None:
    """A scheduled job regenerates on every scan: no timestamp, so no pull request churn."""
    later = {**demo_doc, "scan": {**demo_doc["scan"], "started_at": "2027-01-01T06:17:00Z"}}
    for fmt in ("cloudformation", "terraform", "sh"):
        assert render(plan(later), fmt) == render(plan(demo_doc), fmt)


def test_no_terraform_resource_can_be_destroyed_by_a_later_plan(demo_doc: dict[str, Any]) -> None:
    """As CloudFormation's Retain: every resource has prevent_destroy."""
    doc = hcl2.loads(render(plan(demo_doc), "terraform")["awsobs-fix.tf"])
    for blk in doc["resource"]:
        for kind, named in blk.items():
            for name, body in named.items():
                (life,) = body["lifecycle"]
                assert life["prevent_destroy"] is True, (kind, name)


def test_every_format_says_what_to_tune_where_the_threshold_is_not_awss(
    demo_doc: dict[str, Any],
) -> None:
    """SQS age: AWS's page says "depends"; awsobs writes 300 s and each format says so on a
    comment line of its own (not cut off after a long finding message)."""
    p = plan(demo_doc)
    (age,) = [i for i in p.items if i.name == "awsobs-demo-emails-ApproximateAgeOfOldestMessage"]
    assert age.note.startswith("threshold: ") and "300 s" in age.note
    for fmt in ("cloudformation", "terraform", "sh"):
        text = "".join(render(p, fmt).values())
        assert any(line.strip() == f"# {age.note}" for line in text.splitlines()), fmt


def test_docs_show_the_template_awsobs_writes_for_the_demo(demo_doc: dict[str, Any]) -> None:
    """docs/fix.md's excerpt: every line of it is a line of the generated template."""
    from pathlib import Path

    docs = (Path(__file__).parents[3] / "docs" / "fix.md").read_text(encoding="utf-8")
    excerpt = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    template = render(plan(demo_doc), "cloudformation")["awsobs-fix-123456789012-us-east-1.yaml"]
    lines = set(template.splitlines())
    # the demo's REST API id is random: compare that line by its shape
    shown = [ln for ln in excerpt.splitlines() if ln.strip() != "..." and "/restapis/" not in ln]
    assert len(shown) > 30
    assert [ln for ln in shown if ln not in lines] == []
