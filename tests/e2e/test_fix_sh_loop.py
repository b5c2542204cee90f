"""`awsobs fix --format sh`, proven: scan the demo account on a real moto server, write the
script with `scan --fix-output sh:PATH`, run it with the real AWS CLI (awscli, pointed at
the server by AWS_ENDPOINT_URL), scan again. Every finding the script claims must pass,
and no other finding may change, except the new resources' own findings (listed)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import awsobs, new_session
from moto_ext import cli_updates

from awsobs.demo import DEMO_REGIONS, demo_extensions, seed
from awsobs.fix import plan, render

REGIONS = ",".join(DEMO_REGIONS)


def by_key(doc: dict[str, Any]) -> dict[tuple[str, str, str, str], str]:
    return {
        (f["check_id"], f["account_id"], f["region"], f["resource_id"]): f["status"]
        for f in doc["findings"]
    }


@contextlib.contextmanager
def aws_cli(bin_dir: Path, env: dict[str, str]) -> Iterator[None]:
    """`aws` on PATH: this venv's AWS CLI (v1, the `awscli` test extra), run by
    tests/aws_cli_fork.py so that 130 commands do not pay its start-up 130 times."""
    fork = Path(__file__).parents[1] / "aws_cli_fork.py"
    sock = bin_dir / "aws.sock"
    bin_dir.mkdir()
    shim = bin_dir / "aws"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -S {fork} call {sock} "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    server = subprocess.Popen([sys.executable, str(fork), "serve", str(sock)], env=env)
    try:
        deadline = time.monotonic() + 30
        while not sock.exists():
            assert server.poll() is None and time.monotonic() < deadline, "aws_cli_fork died"
            time.sleep(0.05)
        yield
    finally:
        server.kill()
        server.wait()


ACCOUNT = "123456789012"
TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/awsobs-trail"


def expected_change(key: tuple[str, str, str, str], was: str, flowed: set[str]) -> bool:
    """A finding the script changes without claiming it: a region that had no bucket (or
    recorder) now has the script's; a VPC's new flow log has delivered nothing yet."""
    check, _, region, resource = key
    if was == "NOT_APPLICABLE" and resource == region:
        return True
    return check == "vpc.flow_logs_delivered" and resource in flowed


def test_the_generated_script_closes_what_it_claims(
    endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AWS's managed policies (AWS_ConfigRole for the recorder's role) exist in every
    # account; moto loads them only when asked
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with demo_extensions(), cli_updates():
        seed(new_session(region_name="us-east-1"))
        report, script = tmp_path / "before.json", tmp_path / "awsobs-fix.sh"
        first = awsobs(
            "scan",
            "--regions",
            REGIONS,
            "--format",
            "json",
            "--output",
            f"json:{report}",
            "--fix-output",
            f"sh:{script}",
        )
        assert first.returncode == 1, first.stderr
        assert "awsobs: fix: sh" in first.stderr  # the summary line of what was written
        before = json.loads(report.read_text())
        claims = plan(before).claims("sh")
        assert len(claims) > 50

        env = {
            **os.environ,
            "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "AWSOBS_IAM_WAIT": "0",
            "ALARM_EMAIL": "oncall@example.com",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        with aws_cli(tmp_path / "bin", env):
            start = time.monotonic()
            ran = subprocess.run(
                ["sh", str(script)], env=env, capture_output=True, text=True, timeout=300
            )
            took = time.monotonic() - start
        assert ran.returncode == 0, ran.stderr[-3000:]

        second = awsobs("scan", "--regions", REGIONS, "--format", "json")
        after = json.loads(second.stdout)
    old, new = by_key(before), by_key(after)
    said = {
        (f["check_id"], f["account_id"], f["region"], f["resource_id"]): f["message"]
        for f in after["findings"]
    }
    still = sorted(
        f"{c.label()}: {said.get(astuple(c))}" for c in claims if new.get(astuple(c)) != "PASS"
    )
    assert still == [], still
    closed = {astuple(c) for c in claims}
    flowed = {c.resource_id for c in claims if c.check_id == "vpc.flow_logs_enabled"}
    changed = {
        k: (old[k], new.get(k), said.get(k))
        for k in old
        if k not in closed and new.get(k) != old[k] and not expected_change(k, old[k], flowed)
    }
    assert changed == {}, changed
    # what the script created is judged as any resource: its own findings (docs/fix.md)
    appeared = {k: said[k] for k, v in new.items() if k not in old and v != "PASS"}
    assert all("awsobs-" in k[3] for k in appeared), appeared
    assert ("cloudtrail.kms_encryption", ACCOUNT, "us-east-1", TRAIL) in appeared

    # generating again after applying writes the same alarms, under the same names: a
    # pipeline that regenerates on every scan keeps what it applied
    def alarms(doc: dict[str, Any]) -> set[str]:
        return {i.name for i in plan(doc).items if i.kind == "alarm"}

    assert alarms(before) <= alarms(after)

    # and the Terraform of the same gaps, regenerated, still declares what it declared,
    # but for log groups: an adopted group's retention (its import done) or a function's
    # new group, once they pass, cannot be told from anyone's (prevent_destroy stops a
    # plan that would drop them: docs/fix.md)
    def tf(doc: dict[str, Any]) -> set[str]:
        text = render(plan(doc), "terraform")["awsobs-fix.tf"]
        return set(re.findall(r'^resource "([^"]+)" "([^"]+)"', text, re.M))

    gone = tf(before) - tf(after)
    assert {kind for kind, _ in gone} <= {"aws_cloudwatch_log_group"}, gone
    print(f"script ran in {took:.1f} s; {len(claims)} findings closed")


def astuple(c: Any) -> tuple[str, str, str, str]:
    return (c.check_id, c.account_id, c.region, c.resource_id)
