"""`awsobs scan --view resources` and the `resources` section, end to end: the command in a
subprocess against the moto server over HTTP (conftest.py)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from cloudtrail_seed import seed_mixed_account
from helpers import awsobs

SCAN = ("scan", "--regions", "us-east-1,eu-west-1", "--checks", "cloudtrail.*")


def block(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_the_terminal_map_of_a_scanned_account(session: boto3.Session) -> None:
    seed_mixed_account(session)
    done = awsobs(*SCAN, "--view", "resources")
    assert done.returncode == 1  # the view changes what is shown, not the exit code
    assert done.stderr == ""
    out = done.stdout
    assert out.startswith("Observability map: ")
    trails = block(out, "== CloudTrail")
    legacy = next(line.split() for line in trails if "trail/legacy" in line)
    main = next(line.split() for line in trails if "trail/main" in line)
    # KIND RESOURCE REGION then the six signals: the legacy trail fails its audit checks
    assert legacy[0] == "Trail" and legacy[3] == "✗"
    assert main == ["Trail", "trail/main", "us-east-1", "✓", *["-"] * 5, "100%", "(1/1)"]
    # the account's row holds the multi-region verdict; the regions' rows their own
    account = block(out, "== Account")
    assert account[3].split()[:4] == ["Account", "123456789012", "global", "✓"]
    regions = block(out, "== Region")
    assert any(line.split()[:2] == ["Region", "us-east-1"] for line in regions)


def test_the_json_report_holds_the_map_whatever_the_view(
    session: boto3.Session, tmp_path: Path
) -> None:
    seed_mixed_account(session)
    target = tmp_path / "r.json"
    done = awsobs(*SCAN, "--view", "resources", "--output", f"json:{target}", "-q")
    assert done.stdout.startswith("Observability map: ")
    doc = json.loads(target.read_text())
    rows = doc["resources"]["rows"]
    kinds = {r["resource_type"] for r in rows}
    assert {"AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::Region"} <= kinds
    for r in rows:
        for cell in r["cells"].values():
            for i in cell["findings"]:
                assert doc["findings"][i]["resource_id"] == r["resource_id"]
    assert 0 <= doc["resources"]["coverage"]["ratio"] <= 1


def test_an_unknown_view_is_one_line_and_exit_2(session: boto3.Session) -> None:
    done = awsobs(*SCAN, "--view", "map")
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1
    assert "--view" in done.stderr and "resources" in done.stderr
