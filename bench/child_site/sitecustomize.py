"""Loaded by every `awsobs` process the benchmark starts (bench/child_site is put on its
PYTHONPATH): refuse any TCP connection that is not to 127.0.0.1, and at exit write the
process's own peak RSS (VmHWM) to $BENCH_RSS_FILE.

VmHWM belongs to the memory map the interpreter got at exec, so it is this process's
alone; `ru_maxrss` from wait4() is not, as Linux carries the parent's (the large moto
server's) peak over into a child across fork and exec.
"""

from __future__ import annotations

import atexit
import os
import socket
from typing import Any

_connect = socket.socket.connect


def _guarded(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
        raise ConnectionRefusedError(f"benchmark: refusing to connect to {address[0]}")
    _connect(sock, address)


def _write_peak(path: str) -> None:
    with open("/proc/self/status") as status:
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(path, "w") as out:
        out.write(hwm + "\n")  # KiB


if os.environ.get("BENCH_CHILD"):
    socket.socket.connect = _guarded  # type: ignore[method-assign]
    if os.environ.get("BENCH_RSS_FILE"):
        atexit.register(_write_peak, os.environ["BENCH_RSS_FILE"])
