"""`awsobs scan --timeout`: a read that hangs costs the timeout, not the scan.

A small proxy on 127.0.0.1 sits between the command and the moto server: it forwards
every request, except CloudTrail's in eu-west-1, which it holds (as a region whose
endpoint accepts the connection and never answers would) until the test ends. The
command must exit 3 within about the timeout, with the held region UNKNOWN and every
other verdict in its report.
"""

from __future__ import annotations

import http.client
import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from cli_env import write
from helpers import awsobs, proxy_to, scan_json, trail
from org_seed import ROLE, create_org

HELD = "/eu-west-1/cloudtrail/"  # in the credential scope of the signed Authorization


@pytest.fixture
def holding_proxy(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A proxy to the moto server that holds eu-west-1's CloudTrail requests; its URL
    is the command's AWS_ENDPOINT_URL."""
    release = threading.Event()

    def hold(request: http.server.BaseHTTPRequestHandler, body: bytes) -> bool:
        if HELD in (request.headers.get("Authorization") or ""):
            release.wait(60)
            return False
        return True

    with proxy_to(endpoint, hold, monkeypatch) as url:
        yield url
        release.set()


def test_a_hung_region_is_unknown_and_the_scan_exits_3_in_time(
    session: boto3.Session, holding_proxy: str
) -> None:
    trail(session, "main")  # us-east-1 only: eu-west-1 would FAIL, were it read
    started = time.monotonic()
    code, doc = scan_json(
        *("--regions", "us-east-1,eu-west-1", "--checks", "cloudtrail.trail_logging"),
        *("--timeout", "4"),
    )
    took = time.monotonic() - started
    assert code == 3
    assert took < 8, f"{took:.1f} s for a 4 s timeout"  # the command's start-up included
    got = {f["region"]: f for f in doc["findings"]}
    assert got["us-east-1"]["status"] == "PASS"
    held = got["eu-west-1"]
    assert (held["status"], held["message"], held["evidence"]) == (
        "UNKNOWN",
        "not read before the timeout (4 s)",
        {"timeout_s": 4},
    )
    assert (held["resource_type"], held["resource_id"]) == ("AWS::Region", "eu-west-1")
    assert doc["scan"]["errors"] == [
        "scan stopped at the 4 s timeout: 1 of 2 checks x regions unfinished (account 123456789012)"
    ]
    assert doc["summary"]["UNKNOWN"] == 1 and doc["summary"]["PASS"] == 1


def test_the_config_files_timeout_applies_and_a_fail_still_exits_1(
    session: boto3.Session, holding_proxy: str, tmp_path: Path
) -> None:
    write(tmp_path / "awsobs.toml", "timeout = 4\n")
    started = time.monotonic()
    result = awsobs(
        *("scan", "--regions", "us-east-1,eu-west-1", "--checks", "cloudtrail.trail_logging"),
        cwd=tmp_path,
    )
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr  # no trail: us-east-1 FAILs
    assert took < 8, f"{took:.1f} s for a 4 s timeout"
    assert "not read before the timeout (4 s)" in result.stdout
    assert "error: scan stopped at the 4 s timeout: 1 of 2 checks x regions" in result.stdout


def test_the_timeout_bounds_an_organization_scan(
    session: boto3.Session, holding_proxy: str
) -> None:
    # Three accounts, two at a time in one process: the first two hang in eu-west-1 until
    # the deadline, so the third never starts.
    first, second, third = sorted([*create_org(session, 2), "123456789012"])
    started = time.monotonic()
    code, doc = scan_json(
        *("--org", "--role-name", ROLE, "--account-workers", "1", "--max-workers", "2"),
        *("--jobs", "1"),
        *("--regions", "us-east-1,eu-west-1", "--checks", "cloudtrail.trail_logging"),
        *("--timeout", "4"),
    )
    took = time.monotonic() - started
    assert code == 1  # no trail: us-east-1 FAILs in the accounts scanned
    assert took < 8, f"{took:.1f} s for a 4 s timeout"
    got = {(f["account_id"], f["region"]): (f["status"], f["message"]) for f in doc["findings"]}
    for account in (first, second):
        assert got[account, "us-east-1"][0] == "FAIL"
        assert got[account, "eu-west-1"] == ("UNKNOWN", "not read before the timeout (4 s)")
    assert got[third, "global"] == ("UNKNOWN", "not scanned before the timeout (4 s)")
    assert doc["scan"]["errors"] == [
        *(
            f"scan stopped at the 4 s timeout: 1 of 2 checks x regions unfinished (account {a})"
            for a in (first, second)
        ),
        f"scan stopped at the 4 s timeout: account {third} not scanned",
    ]


def test_the_timeout_bounds_an_organization_scan_in_worker_processes(
    session: boto3.Session, holding_proxy: str
) -> None:
    # Four accounts, two worker processes of one request each (--max-workers 2): each
    # worker's first account hangs in eu-west-1 until the deadline, which was taken before
    # the workers started, so its second account never starts.
    accounts = sorted([*create_org(session, 3), "123456789012"])
    started = time.monotonic()
    code, doc = scan_json(
        *("--org", "--role-name", ROLE, "--account-workers", "1", "--max-workers", "2"),
        *("--jobs", "2", "--regions", "us-east-1,eu-west-1"),
        *("--checks", "cloudtrail.trail_logging", "--timeout", "4"),
    )
    took = time.monotonic() - started
    assert code == 1  # no trail: us-east-1 FAILs in the accounts scanned
    assert took < 8, f"{took:.1f} s for a 4 s timeout"
    got = {(f["account_id"], f["region"]): (f["status"], f["message"]) for f in doc["findings"]}
    scanned, late = accounts[:2], accounts[2:]  # workers get accounts 0, 2 and 1, 3
    for account in scanned:
        assert got[account, "us-east-1"][0] == "FAIL"
        assert got[account, "eu-west-1"] == ("UNKNOWN", "not read before the timeout (4 s)")
    for account in late:
        assert got[account, "global"] == ("UNKNOWN", "not scanned before the timeout (4 s)")
    assert doc["scan"]["errors"] == [  # in account order, as one process gives them
        *(
            f"scan stopped at the 4 s timeout: 1 of 2 checks x regions unfinished (account {a})"
            for a in scanned
        ),
        *(f"scan stopped at the 4 s timeout: account {a} not scanned" for a in late),
    ]
