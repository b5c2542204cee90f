"""A check for tests/e2e/test_cli_jobs_e2e.py whose module breaks the first worker process
of a `jobs` scan when that worker imports it (awsobs.jobs imports the module of every
selected check): it raises, as a bug would, or with AWSOBS_TEST_WORKER_CRASH=kill the
process kills itself, as the OOM killer would. Imported anywhere else, it is a check that
finds nothing."""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Iterable

from awsobs import Context, Finding, check

CHECK_ID = "testjobs.nothing"


@check(
    id=CHECK_ID,
    title="finds nothing",
    severity="low",
    permissions=["sts:GetCallerIdentity"],
    remediation="none",
    scope="account",
    docs="a test check",
)
def nothing(ctx: Context) -> Iterable[Finding]:
    return []


if multiprocessing.current_process().name == "awsobs-jobs-0":
    if os.environ.get("AWSOBS_TEST_WORKER_CRASH") == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    raise RuntimeError("boom in the first worker")
