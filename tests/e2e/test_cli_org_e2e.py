"""Organizations end to end: `awsobs scan --org` against the moto server with a member
whose role cannot be assumed, `--shard K/N` runs merged with `awsobs merge`, and the
examples in docs/scale.md. moto's AssumeRole always succeeds: tests/seeds/org_seed.py's
`deny_assume_role` patches moto's STS backend (in this process, which runs the server) to
refuse one role, as STS would."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from helpers import REPO, assume, awsobs, scan_json, trail
from org_seed import ROLE, create_org, deny_assume_role

from awsobs.cli import build_parser

ARGS = ("--role-name", ROLE, "--regions", "us-east-1", "--checks", "cloudtrail.multi_region")


def _verdicts(doc: dict[str, Any]) -> dict[str, str]:
    return {f["account_id"]: f["status"] for f in doc["findings"]}


@pytest.mark.filterwarnings("ignore:Exception\\(STSClientError\\)")
def test_org_scan_keeps_going_past_an_unassumable_account(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    members = create_org(session, 4)
    trail(assume(session, members[0]), "org-trail", multi_region=True)
    denied = deny_assume_role(monkeypatch, members[3])
    code, doc = scan_json("--org", *ARGS)
    assert code == 1  # members without a trail FAIL
    got = _verdicts(doc)
    management = "123456789012"  # moto's organization is managed by the caller's account
    assert sorted(doc["scan"]["accounts"]) == sorted([management, *members])
    assert got[members[0]] == "PASS" and got[members[1]] == got[members[2]] == "FAIL"
    assert got[members[3]] == "UNKNOWN"
    (bad,) = [f for f in doc["findings"] if f["account_id"] == members[3]]
    assert bad["message"].startswith(f"could not assume role {denied}: AccessDenied")
    table = awsobs("scan", "--org", *ARGS)
    assert f"== account {members[3]}: 0 FAIL, 1 UNKNOWN" in table.stdout
    assert "5 accounts" in table.stdout.splitlines()[-1]

    # Three shards, merged, equal the single run; the merge exits like the scan.
    shards = []
    for k in range(3):
        out = tmp_path / f"shard-{k}.json"
        run = awsobs("scan", "--org", *ARGS, "--shard", f"{k}/3", "--fail-on", "none",
                     "-q", "--output", f"json:{out}")  # fmt: skip
        assert run.returncode in (0, 3), run.stderr  # --fail-on none: never 1
        shards.append(str(out))
    merged = awsobs("merge", *shards, "--format", "json")
    assert merged.returncode == 1
    merged_doc = json.loads(merged.stdout)
    assert merged_doc["findings"] == doc["findings"]
    assert merged_doc["summary"] == doc["summary"]
    assert merged_doc["scan"]["accounts"] == doc["scan"]["accounts"]
    sarif = awsobs("merge", *shards, "--format", "sarif", "--fail-on", "none")
    assert sarif.returncode == 3 and json.loads(sarif.stdout)["version"] == "2.1.0"


def test_explicit_accounts_and_bad_flags(session: boto3.Session) -> None:
    members = create_org(session, 2)
    code, doc = scan_json("--accounts", ",".join(members), *ARGS)
    assert code == 1 and sorted(doc["scan"]["accounts"]) == sorted(members)
    for argv, message in (
        (["--org"], "--org and --accounts need --role-name"),
        (["--role-name", ROLE], "--role-name needs --org or --accounts"),
        (["--org", "--role-name", ROLE, "--shard", "3/3"], "shard"),
        (["--accounts", "12345", "--role-name", ROLE], "12345"),
    ):
        result = awsobs("scan", "--regions", "us-east-1", *argv)
        assert result.returncode == 2, (argv, result.stderr)
        (line,) = result.stderr.splitlines()
        assert line.startswith("awsobs: error: ") and message in line, line


def test_merge_of_a_bad_file_is_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "shard.json"
    bad.write_text('{"schema_version": 1}')
    result = awsobs("merge", str(bad))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"awsobs: error: {bad}: not an awsobs JSON report")


# -- docs/scale.md: the YAML parses and each awsobs command is one the CLI has ---------------

_SUBSTITUTE = {
    r"\$\{\{ strategy\.job-index \}\}": "1",
    r"\$\{\{ strategy\.job-total \}\}": "4",
    r"\$JOB_COMPLETION_INDEX": "1",
    r"\$AWS_BATCH_JOB_ARRAY_INDEX": "1",
    r"shard-\*\.json": "shard-0.json shard-1.json",
    r"/reports/shard-\*\.json": "/reports/shard-0.json",
}


def _awsobs_commands(text: str) -> list[list[str]]:
    for pattern, value in _SUBSTITUTE.items():
        text = re.sub(pattern, value, text)
    commands = []
    for part in re.split(r"&&|\n", text):
        part = part.strip().removeprefix("- ").removeprefix("run: ").strip()
        # `awsobs @ git+...` is pip's requirement (the install step), not a command.
        if part.startswith("awsobs ") and not part.startswith("awsobs @"):
            argv = shlex.split(part.split(">>")[0].split(" > ")[0])
            commands.append(argv[1:])
    return commands


def test_scale_doc_examples_parse() -> None:
    doc = (REPO / "docs" / "scale.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(yaml|sh)\n(.*?)```", doc, flags=re.S)
    assert len([b for b in blocks if b[0] == "yaml"]) == 3
    parser = build_parser()
    seen = 0
    for kind, body in blocks:
        if kind == "yaml":
            loaded = yaml.safe_load(body)
            body = json.dumps(loaded)  # folded `>-` scalars become one line each
            body = body.replace("\\n", "\n").replace('", "', '"\n"').replace('"', "\n")
        for argv in _awsobs_commands(body):
            args = parser.parse_args(argv)  # exits 2 on a flag the CLI does not have
            assert args.command in ("scan", "merge")
            seen += 1
    assert seen >= 7
