"""The benchmark's smallest scenario, once, at 0 ms latency: so bench/ cannot rot.

Runs bench/run.py's own code path (seed a latency moto server on 127.0.0.1, scan with
`python -m awsobs scan --format json` in a child process, count requests server-side,
render the Markdown). Asserts that it works, not how fast it is.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import REPO

from awsobs.demo.moto_ext import reset_alarm_extensions, uninstall_ssm_extension

BENCH = REPO / "bench"


@pytest.fixture
def bench_run(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """bench/run.py, imported fresh; what it changes in this process is put back after."""
    monkeypatch.syspath_prepend(str(BENCH))
    # run.py guards this process's sockets and rewrites AWS_* for the seeding clients
    monkeypatch.setattr(socket.socket, "connect", socket.socket.connect)
    saved = dict(os.environ)
    for module in ("run", "measure", "scenarios", "seeder", "expected", "latency_server"):
        sys.modules.pop(module, None)
    import run  # type: ignore[import-not-found]

    try:
        yield run
    finally:
        os.environ.clear()
        os.environ.update(saved)
        # The latency server patches moto in this process; the e2e tests' server shares it
        # and some of them need moto's own (missing) SSM reads.
        uninstall_ssm_extension()
        reset_alarm_extensions()


def test_small_scenario_at_zero_latency(bench_run: object, tmp_path: Path) -> None:
    out, md = tmp_path / "small.json", tmp_path / "small.md"
    argv = ["--scenario", "small", "--latency-ms", "0", "--repeat", "1"]
    argv += ["--output", str(out), "--markdown", str(md), "--no-cli-timings"]
    result = bench_run.main(argv)  # type: ignore[attr-defined]

    (row,) = result["rows"]
    (scan,) = row["runs"]
    assert scan["api_calls"] > 0
    assert scan["api_calls"] == scan["server_requests"]
    assert scan["duplicates"] == []
    assert scan["errors"] == 0
    assert row["regions"] == 3
    assert row["excess_calls"] == {}
    assert row["map_rows"] > 0 and 0 < row["html_bytes"] < 5_000_000
    assert row["peak_rss_mb"] and row["peak_rss_mb"] > 10
    assert json.loads(out.read_text())["rows"][0]["api_calls"] == scan["api_calls"]
    text = md.read_text()
    assert "| workers | accounts × regions |" in text
    assert "| DynamoDB table | 2 | 2 | 1.00 |" in text
