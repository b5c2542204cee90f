"""Measure one `awsobs.scan` against an endpoint, in a fresh interpreter; print JSON.

`run.py` starts this script once per measurement, so that
- the process's peak RSS is that of one scan, not of the moto server, the seeding, or
  earlier scans (a peak only ever grows);
- the scan starts cold (imports done, no botocore caches), as a CLI run would;
- the scanner does not share a GIL with the moto server it is talking to.

tracemalloc slows allocation-heavy code, so `--trace` is a separate run: wall time and
RSS come from an untraced run, the Python-heap peak from a traced one.

    python bench/measure.py --endpoint http://127.0.0.1:PORT --workers 4 [--trace]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import sys
import time
import tracemalloc
from collections import Counter
from typing import Any

import boto3

import awsobs

LOOPBACK = "127.0.0.1"


def loopback_only() -> None:
    """Refuse any TCP connection that is not to 127.0.0.1: no request may reach AWS."""
    connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != LOOPBACK:
            raise ConnectionRefusedError(f"benchmark: refusing to connect to {address[0]}")
        connect(sock, address)

    socket.socket.connect = guarded  # type: ignore[method-assign]


def use_endpoint(endpoint: str) -> None:
    """Only the benchmark's fake credentials and endpoint; no profile or config of the user's."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    Linux: VmHWM of /proc/self/status. Not `getrusage().ru_maxrss`: Linux carries that over
    from the parent across fork and exec, so a child of the (large) moto process would
    report the parent's peak. Elsewhere: ru_maxrss (bytes on macOS).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def measure(endpoint: str, regions: str, workers: int, trace: bool) -> dict[str, Any]:
    """Scan once; wall and CPU time, memory, request counts and findings by status."""
    loopback_only()
    use_endpoint(endpoint)
    session = boto3.Session()  # after the environment is set: it reads it once
    before = peak_rss_mb()
    if trace:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    report = awsobs.scan(session, regions=regions, max_workers=workers)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    tracemalloc.stop()
    statuses = Counter(f.status.value for f in report.findings)
    return {
        "workers": workers,
        "traced": trace,
        "wall_s": wall,
        "cpu_s": cpu,  # user + system time of all the scanner's threads
        "duration_s": report.duration_s,
        "api_calls": report.api_calls,
        "api_calls_by_operation": dict(sorted(report.api_calls_by_operation.items())),
        "regions": list(report.regions),
        "findings": {s.value: statuses.get(s.value, 0) for s in awsobs.Status},
        "tracemalloc_peak_mb": peak,
        "peak_rss_before_scan_mb": before,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--regions", default="all")
    parser.add_argument("--trace", action="store_true", help="measure the tracemalloc peak")
    args = parser.parse_args()
    if not args.endpoint.startswith(f"http://{LOOPBACK}:"):
        parser.error(f"--endpoint must be http://{LOOPBACK}:<port>")
    print(json.dumps(measure(args.endpoint, args.regions, args.workers, args.trace)))


if __name__ == "__main__":
    main()
