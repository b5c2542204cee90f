"""Loaded by every `awsobs` process the benchmark starts (bench/child_site is put on its
PYTHONPATH): refuse any TCP connection that is not to 127.0.0.1, and at exit append the
process's pid and own peak RSS (VmHWM) to $BENCH_RSS_FILE: the command's worker processes
(`--jobs`) load this too, and each adds its line.

VmHWM belongs to the memory map the interpreter got at exec, so it is this process's
alone; `ru_maxrss` from wait4() is not, as Linux carries the parent's (the large moto
server's) peak over into a child across fork and exec.
"""

from __future__ import annotations

import atexit
import os
import socket
import sys
from typing import Any

_connect = socket.socket.connect


def _guarded(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
        raise ConnectionRefusedError(f"benchmark: refusing to connect to {address[0]}")
    _connect(sock, address)


def _write_peak(path: str) -> None:
    if _resource_tracker():
        return
    with open("/proc/self/status") as status:
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(path, "a") as out:  # one write of one short line: lines never interleave
        out.write(f"{os.getpid()} {hwm}\n")  # KiB


def _resource_tracker() -> bool:
    """multiprocessing's resource tracker (`python -c ...`, not a worker process): it exits
    only after the command has, when the benchmark may have read the file already."""
    mp = sys.modules.get("multiprocessing")
    return sys.argv[:1] == ["-c"] and (mp is None or mp.parent_process() is None)


if os.environ.get("BENCH_CHILD"):
    socket.socket.connect = _guarded  # type: ignore[method-assign]
    if os.environ.get("BENCH_RSS_FILE"):
        atexit.register(_write_peak, os.environ["BENCH_RSS_FILE"])
