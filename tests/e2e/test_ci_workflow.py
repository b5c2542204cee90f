"""examples/github-actions.yml: it parses, it does what docs/ci.md says, every `awsobs`
command in it is one the CLI accepts, and its scan step, run by bash against a moto
server, writes the reports the later steps upload and fails only on new gaps."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest
import yaml
from helpers import DATA, MGMT_ALL, REPO, trail

from awsobs.cli import build_parser

WORKFLOW = REPO / "examples" / "github-actions.yml"
SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return doc


def steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"]["scan"]["steps"]
    return found


def step(workflow: dict[str, Any], uses: str) -> dict[str, Any]:
    (found,) = [s for s in steps(workflow) if s.get("uses", "").startswith(uses + "@")]
    return found


def scan_script(workflow: dict[str, Any]) -> str:
    (found,) = [s for s in steps(workflow) if s.get("id") == "scan"]
    script: str = found["run"]
    return script


def test_scheduled_with_oidc_and_the_permissions_it_needs(workflow: dict[str, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
    perms = workflow["permissions"]
    assert perms["id-token"] == "write" and perms["security-events"] == "write"
    assert perms["contents"] == "read"
    creds = step(workflow, "aws-actions/configure-aws-credentials")["with"]
    assert "role-to-assume" in creds and "aws-access-key-id" not in creds


def test_uploads_use_the_files_the_scan_writes(workflow: dict[str, Any]) -> None:
    outputs = dict(o.split(":", 1) for o in re.findall(r"--output (\S+)", scan_script(workflow)))
    assert set(outputs) == {"sarif", "junit", "json", "html"}
    assert (
        step(workflow, "github/codeql-action/upload-sarif")["with"]["sarif_file"]
        == (outputs["sarif"])
    )
    kept = step(workflow, "actions/upload-artifact")["with"]["path"].split()
    assert {outputs["junit"], outputs["json"], outputs["html"]} <= set(kept)
    restore = step(workflow, "actions/cache/restore")["with"]
    save = step(workflow, "actions/cache/save")["with"]
    assert restore["path"] == save["path"] and restore["key"] == save["key"]
    assert restore["key"].startswith(restore["restore-keys"])  # newest earlier run wins
    assert f"--baseline {restore['path']}" in scan_script(workflow)


def _commands(script: str) -> list[list[str]]:
    """Each `awsobs ...` line of a run script, continuation lines joined, as argv."""
    joined = script.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        line = line.strip()
        if line.startswith("awsobs "):
            argv = shlex.split(line.split(">>")[0])[1:]
            commands.append(argv)
    return commands


def test_every_awsobs_command_is_one_the_cli_has(workflow: dict[str, Any]) -> None:
    parser = build_parser()
    scripts = [s["run"] for s in steps(workflow) if "run" in s]
    # `awsobs --version` (the install step's proof of install) is argparse's own action.
    commands = [c for script in scripts for c in _commands(script) if c != ["--version"]]
    assert commands, "the workflow runs no awsobs command"
    baseline = re.search(r"BASELINE=\((--baseline [^)]+)\)", scan_script(workflow))
    assert baseline is not None
    for argv in commands:
        for expansion in ([], baseline.group(1).split()):  # first run, and later runs
            expanded = [a for arg in argv for a in (expansion if "BASELINE" in arg else [arg])]
            args = parser.parse_args(expanded)  # argparse exits 2 on an unknown flag
            assert args.command in ("scan", "diff", "policy")


def _run_scan_step(script: str, cwd: Path) -> tuple[str, str]:
    """Run the step as Actions would (bash -e), returning its exit code output and summary."""
    summary, output = cwd / "summary.md", cwd / "output.txt"
    summary.write_text("")
    output.write_text("")
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output),
    }
    done = subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr  # the step itself never fails; the last one does
    return output.read_text().strip(), summary.read_text()


def test_the_scan_step_runs_and_fails_only_on_new_gaps(
    workflow: dict[str, Any], session: boto3.Session, tmp_path: Path
) -> None:
    (tmp_path / "awsobs.toml").write_text(
        'regions = ["us-east-1"]\nchecks = ["cloudtrail.trail_logging", '
        '"cloudtrail.multi_region", "cloudtrail.log_file_validation"]\n'
    )
    trail(session, "main", multi_region=True, advanced=MGMT_ALL)  # no validation: medium
    script = scan_script(workflow)

    code, summary = _run_scan_step(script, tmp_path)
    assert code == "code=0"  # a medium FAIL is below --fail-on high
    assert summary.startswith("## awsobs: 1 gap in account")
    jsonschema.validate(json.loads((tmp_path / "reports/awsobs.sarif").read_text()), SCHEMA)
    assert "<testsuites" in (tmp_path / "reports/awsobs.xml").read_text()
    # The "accept" step: the report becomes the baseline the next run restores.
    (tmp_path / "baseline").mkdir()
    (tmp_path / "reports/awsobs.json").rename(tmp_path / "baseline/awsobs.json")

    session.client("cloudtrail").stop_logging(Name="main")  # a high gap appears
    code, summary = _run_scan_step(script, tmp_path)
    assert code == "code=1"
    assert "## awsobs diff" in summary and "New gaps" in summary
    assert (
        json.loads((tmp_path / "reports/awsobs.json").read_text())["baseline"]["summary"][
            "new_gaps"
        ]
        >= 1
    )


# -- the recipe runs today: pinned actions, Node 24 releases, awsobs from its repository ------

# The first major of each action that runs on Node 24 (Node 20 is end of life on runners).
NODE24_MAJORS = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/cache": 5,
    "actions/cache/restore": 5,
    "actions/cache/save": 5,
    "actions/upload-artifact": 6,
    "actions/download-artifact": 7,
    "aws-actions/configure-aws-credentials": 6,
    "github/codeql-action/upload-sarif": 4,
    "peter-evans/create-pull-request": 8,
}
USES = re.compile(r"uses:\s*(?P<action>[\w./-]+)@(?P<ref>\S+)(?:\s*#\s*(?P<version>\S+))?")


def _uses(path: Path) -> list[re.Match[str]]:
    return list(USES.finditer(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize(
    "path",
    [WORKFLOW, REPO / "examples" / "github-actions-fix.yml", REPO / "docs" / "scale.md"],
    ids=lambda p: p.name,
)
def test_every_action_is_pinned_by_sha_to_a_node24_release(path: Path) -> None:
    found = _uses(path)
    assert found, f"{path.name} uses no action"
    shas: dict[str, set[str]] = {}
    for use in found:
        action, ref, version = use["action"], use["ref"], use["version"]
        assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{action}@{ref} is not pinned by commit"
        assert version and re.fullmatch(r"v\d+\.\d+\.\d+", version), f"{action}: no # vX.Y.Z"
        assert int(version[1:].split(".")[0]) >= NODE24_MAJORS[action], f"{action} {version}"
        shas.setdefault(action.split("/")[0] + "/" + action.split("/")[1], set()).add(ref)
    # One release per action repository (cache/restore and cache/save are actions/cache).
    assert all(len(refs) == 1 for refs in shas.values()), shas


def test_the_baseline_cache_key_changes_with_each_attempt(workflow: dict[str, Any]) -> None:
    for uses in ("actions/cache/restore", "actions/cache/save"):
        assert "${{ github.run_attempt }}" in step(workflow, uses)["with"]["key"]


def _install_step(workflow: dict[str, Any]) -> dict[str, Any]:
    (found,) = [s for s in steps(workflow) if s.get("name") == "Install awsobs"]
    return found


def _run_install(workflow: dict[str, Any], tmp_path: Path, git: str, ref: str) -> tuple[int, str]:
    """Run the install step with `python` and `awsobs` stand-ins that record their argv."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    calls = tmp_path / "calls.txt"
    for name in ("python", "awsobs"):
        tool = bin_dir / name
        tool.write_text(f'#!/bin/sh\nprintf "%s|" {name} "$@" >> "{calls}"\necho >> "{calls}"\n')
        tool.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "AWSOBS_GIT": git,
        "AWSOBS_REF": ref,
    }
    done = subprocess.run(
        ["bash", "-e", "-c", _install_step(workflow)["run"]],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.returncode, (calls.read_text() if calls.exists() else "") + done.stdout


def test_awsobs_is_installed_from_its_repository_at_a_pinned_ref(
    workflow: dict[str, Any], tmp_path: Path
) -> None:
    install = _install_step(workflow)
    assert install["env"] == {
        "AWSOBS_GIT": "${{ vars.AWSOBS_GIT }}",
        "AWSOBS_REF": "${{ vars.AWSOBS_REF }}",
    }
    sha = "0123456789abcdef0123456789abcdef01234567"
    code, out = _run_install(workflow, tmp_path, "https://github.com/acme/awsobs", sha)
    assert code == 0, out
    assert out.splitlines() == [
        f"python|-m|pip|install|awsobs @ git+https://github.com/acme/awsobs@{sha}|",
        "awsobs|--version|",
    ]


def test_the_install_step_says_which_variables_are_missing(
    workflow: dict[str, Any], tmp_path: Path
) -> None:
    code, out = _run_install(workflow, tmp_path, "", "")
    assert code == 1
    assert out.strip() == (
        "::error::set the repository variables AWSOBS_GIT and AWSOBS_REF (docs/ci.md)"
    )


def test_no_recipe_installs_awsobs_from_the_package_index_yet() -> None:
    # `pip install awsobs` would fetch whatever holds that name on PyPI today.
    fix = REPO / "examples" / "github-actions-fix.yml"
    for path in (WORKFLOW, fix, REPO / "docs" / "scale.md", REPO / "docs" / "ci.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"pip install (-q )?awsobs(\s|$)", text), path.name


def test_the_sarif_upload_can_be_switched_off_for_private_repositories(
    workflow: dict[str, Any],
) -> None:
    upload = step(workflow, "github/codeql-action/upload-sarif")
    assert "vars.AWSOBS_CODE_SCANNING != 'off'" in upload["if"]
    assert workflow["permissions"]["actions"] == "read"
