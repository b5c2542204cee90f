"""Run `python -m awsobs ...` as a user would, in a child process, and measure it.

Each measured command is a fresh interpreter (cold imports, no botocore caches) with only
the benchmark's endpoint and fake credentials in its AWS_* environment. Measured per
child: wall time around the process (perf_counter from spawn to reaping), its CPU time
(user + system, from os.wait4's rusage: CPU time is never inherited), and its own peak
RSS, which bench/child_site/sitecustomize.py writes at exit (VmHWM; see there why not
wait4's ru_maxrss). With `--jobs`, the CPU time includes the worker processes (the
command reaps them, so wait4 counts them), and the peak RSS of every process of the
command that exited normally is summed too (`peak_rss_total_mb`; a process stopped by a
signal or `os._exit` writes none). The same sitecustomize refuses connections to
anything but 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHILD_SITE = HERE / "child_site"
LOOPBACK = "127.0.0.1"


def loopback_only() -> None:
    """Refuse any TCP connection that is not to 127.0.0.1: no request may reach AWS."""
    connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != LOOPBACK:
            raise ConnectionRefusedError(f"benchmark: refusing to connect to {address[0]}")
        connect(sock, address)

    socket.socket.connect = guarded  # type: ignore[method-assign]


def bench_environment(endpoint: str) -> dict[str, str]:
    """This process's environment without AWS_*, plus the benchmark's endpoint and fake
    credentials: no profile, config or endpoint of the user's is read."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def use_endpoint(endpoint: str) -> None:
    """The same, for this process (the seeding clients)."""
    env = bench_environment(endpoint)
    for name in list(os.environ):
        if name not in env:
            del os.environ[name]
    os.environ.update(env)


@dataclass
class ChildRun:
    returncode: int
    wall_s: float
    cpu_s: float
    peak_rss_mb: float | None
    stdout: str
    stderr: str
    peak_rss_total_mb: float | None = None  # the command and its worker processes


def run_child(args: list[str], env: dict[str, str], timeout: float = 900) -> ChildRun:
    """`python <args>` in `env`; wall, CPU and peak RSS of that child alone."""
    with tempfile.TemporaryDirectory(prefix="awsobs-bench-") as tmp:
        rss_file = Path(tmp) / "rss"
        child_env = dict(env, BENCH_CHILD="1", BENCH_RSS_FILE=str(rss_file))
        path = [str(CHILD_SITE), *filter(None, [env.get("PYTHONPATH")])]
        child_env["PYTHONPATH"] = os.pathsep.join(path)
        with open(Path(tmp) / "out", "w+") as out, open(Path(tmp) / "err", "w+") as err:
            started = time.perf_counter()
            proc = subprocess.Popen([sys.executable, *args], env=child_env, stdout=out, stderr=err)
            timer = threading.Timer(timeout, proc.kill)
            timer.start()
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            finally:
                timer.cancel()
            wall = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        peaks = _peaks(rss_file)
    peak = peaks.get(proc.pid)
    total = sum(peaks.values()) if peaks else None
    cpu = usage.ru_utime + usage.ru_stime
    return ChildRun(proc.returncode, wall, cpu, peak, stdout, stderr, total)


def _peaks(rss_file: Path) -> dict[int, float]:
    """pid -> peak RSS in MiB, one line per process that wrote one."""
    if not rss_file.exists():
        return {}
    found = {}
    for line in rss_file.read_text().splitlines():
        pid, kib = line.split()
        found[int(pid)] = int(kib) / 1024
    return found
