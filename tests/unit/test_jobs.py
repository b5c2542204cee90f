"""`--jobs` without processes: where its value comes from, and what the library refuses
before it starts any (tests/e2e/test_cli_jobs_e2e.py runs the workers)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import boto3
import pytest
from cli_env import write
from helpers import check_args

import awsobs.jobs as jobs_mod
from awsobs import UsageError, check
from awsobs.accounts import AccountTarget
from awsobs.cli import main
from awsobs.cli.config_file import load_config
from awsobs.model import Report

TWO = "111111111111,222222222222"


@pytest.fixture
def no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting a worker process fails the test."""

    def refuse(method: str) -> Any:
        raise AssertionError(f"a {method} process was started")

    monkeypatch.setattr(jobs_mod.multiprocessing, "get_context", refuse)


def _empty(*_: Any, **__: Any) -> Report:
    now = dt.datetime.now(dt.UTC)
    return Report.of((), started_at=now, accounts=(), regions=(), checks=())


def test_jobs_is_the_flag_else_the_config_file_else_the_cores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[int] = []

    def fake(base: boto3.Session, targets: Any, *, jobs: int, **kw: Any) -> Report:
        asked.append(jobs)
        return _empty()

    monkeypatch.setattr(jobs_mod, "scan_accounts_in_processes", fake)
    monkeypatch.setattr(jobs_mod.cores, "usable_cores", lambda: 4)
    monkeypatch.chdir(tmp_path)
    scan = ["scan", "--accounts", TWO, "--role-name", "r", "-q", "--format", "json"]
    five = [*scan, "--accounts", f"{TWO},333333333333,444444444444,555555555555"]
    assert main(scan) == 0 and main(five) == 0  # fewer than 16 accounts a process: one
    monkeypatch.setattr(jobs_mod, "ACCOUNTS_PER_JOB", 1)
    assert main(scan) == 0 and main(five) == 0  # one per account, at most the cores
    write(tmp_path / "awsobs.toml", "jobs = 3\n")
    assert main(scan) == 0
    assert main([*scan, "--jobs", "1"]) == 0
    # then the file's; the flag wins over the file
    assert asked == [1, 1, 2, 4, 3, 1]


@pytest.mark.parametrize(
    "text", ["jobs = 0", "jobs = -2", 'jobs = "2"', "jobs = true", "jobs = 1.5"]
)
def test_a_bad_jobs_in_the_config_file_names_it(tmp_path: Path, text: str) -> None:
    write(tmp_path / "awsobs.toml", f"\n{text}\n")
    with pytest.raises(UsageError) as err:
        load_config(cwd=tmp_path)
    assert str(err.value).startswith(f"{tmp_path / 'awsobs.toml'}:2: jobs must be a whole number")
    write(tmp_path / "awsobs.toml", "jobs = 2\n")
    assert load_config(cwd=tmp_path).jobs == 2


def test_one_job_or_one_account_scans_in_this_process(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, no_processes: None
) -> None:
    calls: list[list[str]] = []

    def in_process(base: boto3.Session, accounts: Any, **kw: Any) -> Report:
        calls.append([a.account_id for a in accounts])
        return _empty()

    monkeypatch.setattr(jobs_mod, "scan_accounts", in_process)
    two = [AccountTarget("111111111111"), AccountTarget("222222222222")]
    jobs_mod.scan_accounts_in_processes(aws, two, jobs=1, role_name="r")
    same = [AccountTarget("111111111111"), AccountTarget("111111111111")]
    jobs_mod.scan_accounts_in_processes(aws, same, jobs=4, role_name="r")
    jobs_mod.scan_accounts_in_processes(aws, two, jobs=4, role_name="r", max_workers=1)
    assert len(calls) == 3  # max_workers=1: one request at a time, so one process


def test_what_cannot_reach_a_worker_is_refused_before_any_starts(
    aws: boto3.Session, no_processes: None
) -> None:
    two = [AccountTarget("111111111111"), AccountTarget("222222222222")]

    def refused(needle: str, **kw: Any) -> None:
        with pytest.raises(UsageError) as err:
            jobs_mod.scan_accounts_in_processes(aws, two, role_name="r", **{"jobs": 2, **kw})
        assert needle in str(err.value) and "\n" not in str(err.value)

    refused("jobs must be a whole number of at least 1", jobs=0)
    refused("jobs must be a whole number of at least 1", jobs=True)
    refused("on_request cannot reach worker processes", on_request=lambda *a: None)
    refused("no check matches 'nope.*'", checks=["nope.*"])

    @check(**check_args(id="test.private_registry"))
    def private(ctx: Any) -> list[Any]:
        return []

    refused(
        "check test.private_registry is defined where worker processes cannot", checks=[private]
    )
    refused("regions cannot be sent to worker processes", regions=(r for r in ["us-east-1"]))


def test_worker_deaths_read_as_people_say_them() -> None:
    class Gone:
        def __init__(self, code: int) -> None:
            self.exitcode = code

        def join(self, timeout: float) -> None:
            pass

    def death(code: int) -> str:
        shard = jobs_mod._Shard(0, [], process=Gone(code))  # type: ignore[arg-type]
        return jobs_mod._death(shard, EOFError())

    assert death(-9) == "was killed by SIGKILL"
    assert death(-15) == "was killed by SIGTERM"
    assert death(3) == "exited with code 3"


@pytest.mark.parametrize(
    ("files", "cgroups", "quota"),
    [
        ({"cpu.max": "150000 100000\n"}, "0::/\n", 1.5),  # cgroup v2, at the root
        ({"pod/cpu.max": "200000 100000\n", "cpu.max": "max 100000\n"}, "0::/pod\n", 2.0),
        ({"cpu.max": "max 100000\n"}, "0::/\n", None),  # v2, no limit
        (  # cgroup v1, the cpu controller mounted with cpuacct
            {
                "cpu,cpuacct/ci/cpu.cfs_quota_us": "300000\n",
                "cpu,cpuacct/ci/cpu.cfs_period_us": "100000\n",
            },
            "4:cpu,cpuacct:/ci\n0::/\n",
            3.0,
        ),
        ({"cpu/cpu.cfs_quota_us": "-1\n", "cpu/cpu.cfs_period_us": "100000\n"}, "1:cpu:/\n", None),
        ({}, "", None),  # no cgroups at all
    ],
)
def test_a_containers_cpu_quota_bounds_the_default(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    cgroups: str,
    quota: float | None,
) -> None:
    for name, text in files.items():
        write(tmp_path / "cg" / name, text)
    proc = write(tmp_path / "self-cgroup", cgroups)
    assert jobs_mod.cores.cpu_quota(tmp_path / "cg", proc) == quota
    monkeypatch.setattr(jobs_mod.cores, "cpu_quota", lambda: quota)
    monkeypatch.setattr(
        jobs_mod.cores.os, "sched_getaffinity", lambda pid: set(range(64)), raising=False
    )
    monkeypatch.delattr(jobs_mod.cores.os, "process_cpu_count", raising=False)
    assert jobs_mod.cores.usable_cores() == (64 if quota is None else int(-(-quota // 1)))
    assert jobs_mod.default_jobs(5) == 1  # fewer than ACCOUNTS_PER_JOB a process: one
    assert jobs_mod.default_jobs(31) == 1
    assert jobs_mod.default_jobs(32) == min(2, jobs_mod.usable_cores())
    assert jobs_mod.default_jobs(10_000) == jobs_mod.usable_cores()
