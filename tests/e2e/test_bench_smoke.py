"""The benchmark's smallest scenario, once, at 0 ms latency: so bench/ cannot rot.

Runs bench/run.py's own code path (seed a latency moto server on 127.0.0.1, scan with
`python -m awsobs scan --format json` in a child process, count requests server-side,
render the Markdown), over HTTP and over HTTPS (--tls). Asserts that it works, not how
fast it is; and that the figures of a scan's worker processes (--jobs) are counted.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
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
    for module in ("run", "measure", "scenarios", "seeder", "expected", "latency_server", "certs"):
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
    # the server's own view, by the service and region each request was signed for
    assert {"dynamodb", "s3", "sts", "cloudtrail"} <= set(scan["server_by_signing_service"])
    assert scan["server_by_signing_service"]["dynamodb"] == sum(
        n for op, n in scan["api_calls_by_operation"].items() if op.startswith("dynamodb:")
    )
    assert scan["server_cpu_s"] > 0
    assert row["regions"] == 3
    assert row["excess_calls"] == {}
    assert row["map_rows"] > 0 and 0 < row["html_bytes"] < 5_000_000
    assert row["peak_rss_mb"] and row["peak_rss_mb"] > 10
    assert json.loads(out.read_text())["rows"][0]["api_calls"] == scan["api_calls"]
    text = md.read_text()
    assert "| workers | accounts × regions |" in text
    assert "| DynamoDB table | 2 | 2 | 1.00 |" in text


def test_small_scenario_over_tls(bench_run: Any, tmp_path: Path) -> None:
    out, md = tmp_path / "tls.json", tmp_path / "tls.md"
    argv = ["--scenario", "small", "--latency-ms", "0", "--repeat", "1", "--tls"]
    argv += ["--output", str(out), "--markdown", str(md), "--no-cli-timings"]
    result = bench_run.main(argv)

    (row,) = result["rows"]
    (scan,) = row["runs"]
    # every connection the server accepted during the scan completed a TLS handshake
    conns = scan["server_connections"]
    assert conns["connections"] > 0 and conns["failed_handshakes"] == 0
    assert sum(conns["tls_handshakes"].values()) == conns["connections"]
    assert scan["api_calls"] > 0 and scan["api_calls"] == scan["server_requests"]
    assert scan["errors"] == 0 and row["excess_calls"] == {} and result["problems"] == []
    assert result["tls"] is True and row["tls"] is True
    assert json.loads(out.read_text())["tls"] is True
    text = md.read_text()
    assert "## small, latency 0 ms, HTTPS, median of 1" in text
    assert "Endpoint: https://127.0.0.1 (TLSv1." in text


def test_tls_server_needs_its_ca(bench_run: Any) -> None:
    """The scan's certificate check is on: without the benchmark's CA a client fails."""
    from latency_server import latency_server  # type: ignore[import-not-found]

    with latency_server(0, tls=True) as server:
        assert server.url.startswith("https://127.0.0.1:")
        kwargs: Any = {"region_name": "us-east-1", "endpoint_url": server.url}
        kwargs.update(aws_access_key_id="bench", aws_secret_access_key="bench")
        trusted = boto3.client("sts", verify=str(server.ca_bundle), **kwargs)
        assert trusted.get_caller_identity()["Account"]
        untrusted = boto3.client("sts", **kwargs)  # botocore's own CA bundle
        with pytest.raises(botocore.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            untrusted.get_caller_identity()
        assert server.connections()["failed_handshakes"] >= 1
        assert server.requests == 1


WORKERS = """
import multiprocessing, sys, time

def work(mib):
    block = bytearray(mib * 2**20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    started = time.process_time()
    while time.process_time() - started < 0.4:
        pass

if __name__ == "__main__":
    ctx = multiprocessing.get_context(sys.argv[1])
    procs = [ctx.Process(target=work, args=(64,)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
"""


# spawn: the workers are the scanning process's children, reaped (wait4 counts them);
# forkserver: the fork server's, which the scanning process never reaps (added from
# what they recorded)
@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_worker_processes_are_measured(bench_run: Any, tmp_path: Path, method: str) -> None:
    from measure import run_child  # type: ignore[import-not-found]

    script = tmp_path / "workers.py"
    script.write_text(textwrap.dedent(WORKERS))
    done = run_child([str(script), method], dict(os.environ))

    assert done.returncode == 0, done.stderr
    big = [p for p in done.workers if p.peak_rss_mb and p.peak_rss_mb > 64]
    assert len(big) == 2  # the two 64 MiB workers (and spawn's resource tracker, small)
    assert done.peak_rss_mb is not None and done.peak_rss_mb < 64  # the parent's own
    assert done.peak_rss_all_mb is not None
    assert done.peak_rss_all_mb >= done.peak_rss_mb + 2 * 64
    assert done.cpu_s >= 0.8  # both workers' 0.4 s
    assert done.cpu_main_s is not None and done.cpu_main_s < done.cpu_s - 0.7


def test_jobs_is_passed_through_or_refused(bench_run: Any) -> None:
    from scenarios import SCENARIOS, Seeded  # type: ignore[import-not-found]

    small = SCENARIOS["small"]
    without = "usage: awsobs scan [-h] [--org] [--max-workers N] [--shard K/N]"
    why = bench_run.missing_flags(without, "small", small, jobs=True)
    assert why is not None and "needs awsobs scan --jobs" in why
    assert bench_run.missing_flags(without, "small", small, jobs=False) is None
    assert bench_run.missing_flags(without + " [--jobs N]", "small", small, jobs=True) is None
    assert bench_run.missing_flags(without + " [--jobs-x]", "small", small, jobs=True)
    org = SCENARIOS["org300"]
    assert "needs awsobs scan --org" in bench_run.missing_flags("[--jobs N]", "org300", org, True)

    seeded = Seeded({}, ("us-east-1",))
    cmd = bench_run.scan_args(seeded, "scenario", 16, 2)
    assert cmd[cmd.index("--jobs") + 1] == "2"
    assert "--jobs" not in bench_run.scan_args(seeded, "scenario", 16)
    with pytest.raises(SystemExit) as exit_:
        bench_run.parser().parse_args(["--jobs", "0"])
    assert exit_.value.code == 2
