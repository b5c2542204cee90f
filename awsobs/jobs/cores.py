"""How many cores this process may use: the default of `--jobs` (awsobs.jobs)."""

from __future__ import annotations

import math
import os
from pathlib import Path

__all__ = ["cpu_quota", "usable_cores"]


def usable_cores() -> int:
    """The cores this process may use: its CPU affinity (else the machine's count), and no
    more than its container's CPU quota, rounded up (`cpu_quota`): a container limited to
    2 CPUs on a 64-core host reports all 64 in its affinity."""
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13
    if counted is not None:
        cores = max(1, int(counted() or 1))
    else:
        try:
            cores = max(1, len(os.sched_getaffinity(0)))
        except (AttributeError, OSError):
            cores = max(1, os.cpu_count() or 1)
    quota = cpu_quota()
    return cores if quota is None else max(1, min(cores, math.ceil(quota)))


def cpu_quota(
    root: Path = Path("/sys/fs/cgroup"), cgroups: Path = Path("/proc/self/cgroup")
) -> float | None:
    """This process's cgroup CPU quota in cores (v2 `cpu.max`, v1 `cpu.cfs_quota_us` over
    `cpu.cfs_period_us`); None without one, or where there are no cgroups (not Linux)."""
    try:
        lines = cgroups.read_text().splitlines()
    except OSError:
        lines = []
    v2, v1 = [root], [root / "cpu", root / "cpu,cpuacct"]
    for line in lines:
        _, controllers, path = [*line.split(":", 2), "", ""][:3]
        where = path.strip().lstrip("/")
        if not controllers:
            v2.insert(0, root / where)
        elif "cpu" in controllers.split(","):
            v1[:0] = [root / controllers / where, root / "cpu" / where]
    for folder in v2:
        try:
            limit, period = (folder / "cpu.max").read_text().split()[:2]
            return None if limit == "max" else int(limit) / int(period)
        except (OSError, ValueError):
            continue
    for folder in v1:
        try:
            us = int((folder / "cpu.cfs_quota_us").read_text())
            per = int((folder / "cpu.cfs_period_us").read_text())
        except (OSError, ValueError):
            continue
        return us / per if us > 0 and per > 0 else None
    return None
