"""Loaded by every Python process the benchmark starts, and by the processes those start
(bench/child_site is put on the PYTHONPATH they inherit): refuse any TCP connection that
is not to 127.0.0.1, and record the process's own peak RSS and CPU time in
$BENCH_RSS_DIR/<pid>, so that a scan's worker processes (`awsobs scan --jobs N`) are
measured as well as the scanning process.

The file is written with `ppid=` alone when the process starts (so measure.py can tell a
process that has not finished writing from one that never ran) and with the figures at
exit: `hwm_kib=` (VmHWM), `cpu_s=` (its own user + system time) and `children_cpu_s=`
(that of the children it reaped). A process forked without exec (multiprocessing's
"fork" method) records itself too, also when it leaves through os._exit as those do.

VmHWM belongs to the memory map the interpreter got at exec, so it is this process's
alone; `ru_maxrss` from wait4() is not, as Linux carries the parent's (the large moto
server's) peak over into a child across fork and exec. A forked child's VmHWM starts at
what it shares with its parent, so sums over forked processes count those pages twice.
"""

from __future__ import annotations

import atexit
import os
import socket
from typing import Any

_connect = socket.socket.connect
_os_exit = os._exit


def _guarded(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
        raise ConnectionRefusedError(f"benchmark: refusing to connect to {address[0]}")
    _connect(sock, address)


def _started(directory: str) -> None:
    with open(os.path.join(directory, str(os.getpid())), "w") as out:
        out.write(f"ppid={os.getppid()}\n")


def _write_peak(directory: str) -> None:
    import resource

    with open("/proc/self/status") as status:
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(os.path.join(directory, str(os.getpid())), "w") as out:
        out.write(
            f"ppid={os.getppid()}\nhwm_kib={hwm}\ncpu_s={own.ru_utime + own.ru_stime}\n"
            f"children_cpu_s={children.ru_utime + children.ru_stime}\n"
        )


def _forked(directory: str) -> None:
    """In a child forked without exec: it inherited the atexit hook; os._exit skips it."""
    _started(directory)

    def _exit(code: int) -> None:
        try:
            _write_peak(directory)
        finally:
            _os_exit(code)

    os._exit = _exit  # type: ignore[assignment]


if os.environ.get("BENCH_CHILD"):
    socket.socket.connect = _guarded  # type: ignore[method-assign]
    if os.environ.get("BENCH_RSS_DIR"):
        _dir = os.environ["BENCH_RSS_DIR"]
        _started(_dir)
        atexit.register(_write_peak, _dir)
        os.register_at_fork(after_in_child=lambda: _forked(_dir))
