"""Run `python -m awsobs ...` as a user would, in a child process, and measure it.

Each measured command is a fresh interpreter (cold imports, no botocore caches) with only
the benchmark's endpoint and fake credentials in its AWS_* environment. Measured per
child: wall time around the process (perf_counter from spawn to reaping), its CPU time
(user + system, from os.wait4's rusage: CPU time is never inherited) and its peak RSS,
which bench/child_site/sitecustomize.py writes at exit (VmHWM; see there why not wait4's
ru_maxrss), for it and for every Python process it starts (`--jobs` workers), by pid.
The same sitecustomize refuses connections to anything but 127.0.0.1.

CPU of worker processes: on Linux, wait4 reports a reaped child's own time plus that of
every descendant it reaped in turn (getrusage RUSAGE_BOTH), so multiprocessing workers
started with "spawn" or "fork" and joined are in it already. Workers that the scanning
process never reaps (multiprocessing's "forkserver": they are the fork server's children,
and the fork server is left to exit on its own) are not: their own recorded CPU time is
added, as whatever the descendants recorded beyond the children's time the scanning
process had reaped at exit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
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


def bench_environment(endpoint: str, ca_bundle: Path | None = None) -> dict[str, str]:
    """This process's environment without AWS_*, plus the benchmark's endpoint and fake
    credentials: no profile, config or endpoint of the user's is read. With `ca_bundle`
    (an https endpoint), botocore verifies the server's certificate against that CA."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    # Byte-compiled modules, as an installed wheel has them (pip compiles at install): with
    # PYTHONDONTWRITEBYTECODE set (as on some CI images), every scan of an editable checkout
    # compiled awsobs from source again, about 0.5 s of CPU in each process.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    if ca_bundle is not None:
        env["AWS_CA_BUNDLE"] = str(ca_bundle)
    return env


def use_endpoint(endpoint: str, ca_bundle: Path | None = None) -> None:
    """The same, for this process (the seeding clients)."""
    env = bench_environment(endpoint, ca_bundle)
    for name in list(os.environ):
        if name not in env:
            del os.environ[name]
    os.environ.update(env)


# How long to wait, after the scanning process is reaped (and its wall time taken), for
# processes it started that are still writing their figures (multiprocessing's resource
# tracker exits when the scan's end closes its pipe).
LATE_PROCESSES_S = 2.0


@dataclass
class Process:
    """One process's figures, as sitecustomize wrote them at its exit."""

    pid: int
    ppid: int
    peak_rss_mb: float | None  # None: started but wrote nothing (killed, or still running)
    cpu_s: float | None  # its own user + system time
    children_cpu_s: float | None  # that of the children it had reaped


@dataclass
class ChildRun:
    returncode: int
    wall_s: float
    cpu_s: float  # the scanning process and every process it started (module docstring)
    peak_rss_mb: float | None  # the scanning process's own
    stdout: str
    stderr: str
    pid: int = 0  # the scanning process's
    cpu_main_s: float | None = None  # the scanning process's own (None: no figures)
    peak_rss_all_mb: float | None = None  # the sum over it and every process it started
    processes: dict[int, Process] = field(default_factory=dict)  # by pid, it included

    @property
    def workers(self) -> list[Process]:
        """The Python processes the scanning process started, directly or not."""
        return [p for pid, p in self.processes.items() if pid != self.pid]


def run_child(args: list[str], env: dict[str, str], timeout: float = 900) -> ChildRun:
    """`python <args>` in `env`; wall time, and CPU and peak RSS of that child and of the
    processes it starts."""
    with tempfile.TemporaryDirectory(prefix="awsobs-bench-") as tmp:
        rss_dir = Path(tmp) / "rss"
        rss_dir.mkdir()
        child_env = dict(env, BENCH_CHILD="1", BENCH_RSS_DIR=str(rss_dir))
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
        processes = read_processes(rss_dir)
    reaped = usage.ru_utime + usage.ru_stime
    main = processes.get(proc.pid)
    others = [p for pid, p in processes.items() if pid != proc.pid]
    cpu, cpu_main = reaped, None
    if main is not None and main.children_cpu_s is not None:
        cpu_main = max(0.0, reaped - main.children_cpu_s)
        recorded = sum(p.cpu_s or 0.0 for p in others)
        cpu = reaped + max(0.0, recorded - main.children_cpu_s)  # the unreaped ones
    peaks = [p.peak_rss_mb for p in processes.values() if p.peak_rss_mb is not None]
    return ChildRun(
        proc.returncode,
        wall,
        cpu,
        main.peak_rss_mb if main else None,
        stdout,
        stderr,
        pid=proc.pid,
        cpu_main_s=cpu_main,
        peak_rss_all_mb=sum(peaks) if peaks else None,
        processes=processes,
    )


def read_processes(directory: Path) -> dict[int, Process]:
    """The figures of the scanning process and of those it started, as sitecustomize
    wrote them; waits a little (LATE_PROCESSES_S) for any still running."""
    deadline = time.monotonic() + LATE_PROCESSES_S
    while True:
        found = {int(f.name): _fields(f) for f in directory.iterdir() if f.name.isdigit()}
        if all("hwm_kib" in v for v in found.values()) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    out = {}
    for pid, v in found.items():
        out[pid] = Process(
            pid,
            int(v.get("ppid", 0)),
            int(v["hwm_kib"]) / 1024 if "hwm_kib" in v else None,
            float(v["cpu_s"]) if "cpu_s" in v else None,
            float(v["children_cpu_s"]) if "children_cpu_s" in v else None,
        )
    return out


def _fields(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split("=", 1) for line in lines if "=" in line)
