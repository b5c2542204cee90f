"""`awsobs scan --jobs N`: an organization scanned in N worker processes, against the moto
server. The merged report equals the one-process report finding for finding; progress
comes back from the workers; Ctrl-C stops every worker; a worker that dies costs only its
own accounts, which say so. Worker processes are fresh interpreters (multiprocessing's
"spawn"): each costs about half a second to start."""

from __future__ import annotations

import http.client
import http.server
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from cli_env import one_line_error, write
from helpers import ACCOUNT, assume, awsobs, bucket, proxy_to, scan_json, trail
from org_seed import ROLE, create_org, deny_assume_role

from awsobs import REGISTRY, Status
from awsobs.accounts import AccountTarget
from awsobs.jobs import scan_accounts_in_processes

ARGS = ("--role-name", ROLE, "--regions", "us-east-1")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _timeless(value: Any) -> Any:
    """Evidence without the times moto stamps "now" (a trail's last delivery)."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    if isinstance(value, str) and _TIME.match(value):
        return "<time>"
    return value


def _same_scan(one: dict[str, Any], many: dict[str, Any]) -> None:
    """Two JSON reports of the same accounts are the same report, bar times."""
    assert _timeless(many["findings"]) == _timeless(one["findings"])
    assert many["summary"] == one["summary"]
    for key in ("accounts", "regions", "checks", "api_calls", "api_calls_by_operation"):
        assert many["scan"][key] == one["scan"][key], key
    for key in ("errors", "suppressions", "tag_filter"):
        assert many["scan"][key] == one["scan"][key], key
    assert _timeless(many["resources"]) == _timeless(one["resources"])


@pytest.mark.filterwarnings("ignore:Exception\\(STSClientError\\)")
def test_jobs_2_gives_the_one_process_report(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    members = create_org(session, 4)
    trail(assume(session, members[0]), "org-trail", multi_region=True)
    trail(assume(session, members[1]), "local", logging=False)
    third = assume(session, members[2])
    bucket(third, "third-data")
    third.client("logs").create_log_group(logGroupName="/app/forever")
    denied = deny_assume_role(monkeypatch, members[3])
    write(
        tmp_path / "awsobs.toml",
        "[[suppressions]]\n"
        f'check = "cloudtrail.multi_region"\naccount = "{members[2]}"\nreason = "accepted"\n'
        "[[suppressions]]\n"
        'check = "logs.retention_defined"\nresource = "/gone"\nreason = "stale"\n',
    )
    argv = ("--org", *ARGS, "--checks", "cloudtrail.*", "logs.*")
    code_1, one = scan_json(*argv, "--jobs", "1", cwd=tmp_path)
    code_2, many = scan_json(*argv, "--jobs", "2", cwd=tmp_path)
    assert code_1 == code_2 == 1
    _same_scan(one, many)
    # The accounts differ, and the report shows it: the scan did read each one.
    assert sorted(many["scan"]["accounts"]) == sorted([ACCOUNT, *members])
    by_account: dict[str, set[str]] = {}
    for f in many["findings"]:
        by_account.setdefault(f["account_id"], set()).add(f["status"])
    assert by_account[members[3]] == {"UNKNOWN"}
    assert "PASS" in by_account[members[0]] and "FAIL" in by_account[members[1]]
    (suppressed,) = [f for f in many["findings"] if f["suppressed"]]
    assert (suppressed["account_id"], suppressed["check_id"]) == (
        members[2],
        "cloudtrail.multi_region",
    )
    assert [n["resource"] for n in many["scan"]["suppressions"]["unused"]] == ["/gone"]
    denied_finding = next(f for f in many["findings"] if f["account_id"] == members[3])
    assert denied_finding["message"].startswith(f"could not assume role {denied}")


def test_bad_jobs_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for value in ("0", "-1", "two", "1.5", ""):
        result = awsobs("scan", "--org", "--role-name", ROLE, "--jobs", value)
        one_line_error(result, "--jobs", "must be a whole number of at least 1")
    one_line_error(awsobs("scan", "--jobs", "2"), "--jobs needs --org or --accounts")
    write(tmp_path / "awsobs.toml", "jobs = 0\n")
    result = awsobs("scan", "--org", "--role-name", ROLE, cwd=tmp_path)
    one_line_error(result, "awsobs.toml:1: jobs must be a whole number of at least 1, not 0")


def test_errors_and_logs_of_the_workers_reach_the_command(session: boto3.Session) -> None:
    members = create_org(session, 1)
    # An error every worker meets stops the command, one line and exit 2, as in one process.
    for jobs in ("1", "2"):
        result = awsobs("scan", "--org", "--role-name", ROLE, "--regions", "mars-1", "--jobs", jobs)
        one_line_error(result, "unknown region 'mars-1'")
    # -v logs each request, the workers' too.
    result = awsobs(
        *("scan", "--org", *ARGS, "--checks", "cloudtrail.multi_region", "--jobs", "2", "-v")
    )
    assert result.returncode == 1, result.stderr
    described = [line for line in result.stderr.splitlines() if "cloudtrail:DescribeTrails" in line]
    assert len(described) == len([ACCOUNT, *members]), result.stderr
    assert all(line.startswith("awsobs: ") for line in described)


def test_progress_comes_back_from_the_workers(session: boto3.Session) -> None:
    members = create_org(session, 3)
    targets = [AccountTarget(a) for a in sorted([ACCOUNT, *members])]
    seen: list[tuple[str, int, int, threading.Thread]] = []
    kw: dict[str, Any] = {"role_name": ROLE, "regions": ["us-east-1"], "checks": ["cloudtrail.*"]}
    report = scan_accounts_in_processes(
        session,
        targets,
        jobs=2,
        progress=lambda account, p: seen.append(
            (account, p.done, p.total, threading.current_thread())
        ),
        **kw,
    )
    assert {s[0] for s in seen} == {t.account_id for t in targets}
    for target in targets:  # each account's units, counted to the end
        last = [s for s in seen if s[0] == target.account_id][-1]
        assert last[1] == last[2] > 0
    assert {s[3] for s in seen} == {threading.current_thread()}  # called where we called
    assert {f.account_id for f in report.findings} == {t.account_id for t in targets}


@pytest.fixture
def crash_plugin() -> Iterator[str]:
    """tests/jobs_plugin.py's check registered here; it breaks the first worker."""
    import jobs_plugin

    importlib.reload(jobs_plugin)  # registered again if an earlier test removed it
    yield jobs_plugin.CHECK_ID
    REGISTRY._checks.pop(jobs_plugin.CHECK_ID, None)


@pytest.mark.parametrize(
    ("how", "why"),
    [
        ("raise", "failed: RuntimeError: boom in the first worker"),
        ("kill", "was killed by SIGKILL"),
    ],
)
def test_a_worker_that_dies_leaves_its_accounts_unknown(
    session: boto3.Session,
    crash_plugin: str,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    why: str,
) -> None:
    monkeypatch.setenv("AWSOBS_TEST_WORKER_CRASH", how)
    targets = [AccountTarget(a) for a in sorted([ACCOUNT, *create_org(session, 3)])]
    lost, scanned = targets[0::2], targets[1::2]  # the first worker's accounts, the second's
    report = scan_accounts_in_processes(
        session,
        targets,
        jobs=2,
        role_name=ROLE,
        regions=["us-east-1"],
        checks=["cloudtrail.multi_region", crash_plugin],
    )
    assert list(report.accounts) == sorted(t.account_id for t in targets)
    for target in lost:
        got = [f for f in report.findings if f.account_id == target.account_id]
        assert {f.check_id for f in got} == {"cloudtrail.multi_region", crash_plugin}
        for f in got:
            assert f.status is Status.UNKNOWN
            assert f.message == f"not scanned: its worker process {why}"
    for target in scanned:  # no trail: FAIL, read from the account
        got = [f for f in report.findings if f.account_id == target.account_id]
        (f,) = [f for f in got if f.check_id == "cloudtrail.multi_region"]
        assert f.status is Status.FAIL and "not scanned" not in f.message
    assert list(report.errors) == [
        f"account {t.account_id} not scanned: its worker process {why}" for t in lost
    ]
    assert not report.complete


# -- a slow server: Ctrl-C and a killed worker, from the command line ----------------------


@pytest.fixture
def slow_proxy(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """A proxy to the moto server that answers each request 0.3 s late (the command's
    AWS_ENDPOINT_URL); yields its count of sts:AssumeRole requests."""
    seen = {"assume_role": 0}

    def slow(request: http.server.BaseHTTPRequestHandler, body: bytes) -> bool:
        if b"Action=AssumeRole" in body:
            seen["assume_role"] += 1
        time.sleep(0.3)
        return True

    with proxy_to(endpoint, slow, monkeypatch):
        yield seen


def _children(pid: int) -> dict[int, str]:
    """pid -> command line of each process whose parent is `pid` (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie nobody reaped yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _workers(
    proc: subprocess.Popen[str], seen: dict[str, int], *, scanning: bool = True
) -> dict[int, str]:
    """The command's processes, once both workers exist (still starting: importing
    Python, boto3 and awsobs) or are scanning (their roles assumed)."""
    deadline = time.monotonic() + 30
    while True:
        assert proc.poll() is None, proc.communicate()
        kids = _children(proc.pid)
        workers = {p: c for p, c in kids.items() if "spawn_main" in c}
        if len(workers) == 2 and (not scanning or seen["assume_role"] >= 2):
            return kids
        assert time.monotonic() < deadline, (kids, seen)
        time.sleep(0.05)


def _command(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "awsobs", "scan", "--org", *ARGS, "--jobs", "2", *args],
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C goes to it and its workers
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("scanning", [False, True], ids=["workers-starting", "workers-scanning"])
def test_ctrl_c_stops_every_worker(
    session: boto3.Session, slow_proxy: dict[str, int], tmp_path: Path, scanning: bool
) -> None:
    create_org(session, 3)
    out = tmp_path / "reports"
    out.mkdir()
    proc = _command("--checks", "cloudtrail.*", "--output", f"json:{out / 'r.json'}")
    try:
        kids = _workers(proc, slow_proxy, scanning=scanning)
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
        stdout, stderr = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert took < 3.0, f"{took:.1f} s from Ctrl-C to exit"
    assert stderr.strip().splitlines() == ["awsobs: interrupted"]  # no worker traceback
    assert stdout == "" and list(out.iterdir()) == []
    until = time.monotonic() + 5
    while any(_alive(pid) for pid in kids) and time.monotonic() < until:
        time.sleep(0.05)
    assert [pid for pid in kids if _alive(pid)] == [], kids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_costs_its_accounts_only(
    session: boto3.Session, slow_proxy: dict[str, int]
) -> None:
    accounts = sorted([ACCOUNT, *create_org(session, 3)])
    proc = _command("--checks", "cloudtrail.multi_region", "--format", "json")
    try:
        kids = _workers(proc, slow_proxy)
        victim = min(p for p, c in kids.items() if "spawn_main" in c)
        os.kill(victim, signal.SIGKILL)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 1, stderr  # FAILs in the accounts the other worker scanned
    assert "Traceback" not in stderr
    doc = json.loads(stdout)
    assert doc["scan"]["accounts"] == accounts
    message = "not scanned: its worker process was killed by SIGKILL"
    lost = sorted({f["account_id"] for f in doc["findings"] if f["message"] == message})
    assert lost in (accounts[0::2], accounts[1::2])
    for f in doc["findings"]:
        assert f["status"] == ("UNKNOWN" if f["account_id"] in lost else "FAIL"), f
    assert doc["scan"]["errors"] == [f"account {a} not scanned: its worker process was killed "
                                     "by SIGKILL" for a in lost]  # fmt: skip
