"""The worker process of `awsobs.jobs`: get a task through the pipe, scan its accounts
with `awsobs.accounts.scan_each_account`, send progress, log records and the reports back."""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

import boto3

from awsobs.accounts import scan_each_account
from awsobs.aws.org import AccountTarget
from awsobs.errors import AwsobsError
from awsobs.model import Report, thaw
from awsobs.registry import REGISTRY


@dataclass(frozen=True)
class _Task:
    """What a worker gets through its pipe when it is ready."""

    accounts: tuple[AccountTarget, ...]
    common: dict[str, Any]
    scan_kwargs: dict[str, Any]
    modules: tuple[str, ...]
    credentials: tuple[str, str, str | None]
    profile: str | None
    region: str | None
    progress: bool
    log_level: int
    remaining: float | None = None  # seconds to the deadline when the task was sent


def run(conn: Connection) -> None:
    """A worker process: say it is ready, get its task, scan, send the reports."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _stop_with_parent()
    main = threading.current_thread()
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        with lock:
            conn.send(message)

    try:
        send(("ready",))
        task: _Task = conn.recv()
        reports = _scan(task, send)
        send(("done", [_portable(r) for r in reports]))
    except BaseException as exc:
        failure = {
            "awsobs": isinstance(exc, AwsobsError),
            "module": type(exc).__module__,
            "type": type(exc).__qualname__,
            "message": str(exc),
            "traceback": traceback.format_exc(),
        }
        with suppress(Exception):  # the parent is gone
            send(("failed", failure))
    finally:
        conn.close()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not main):
        os._exit(0)  # threads held by the timeout in a read or a retry sleep: do not wait


def _scan(task: _Task, send: Callable[[tuple[Any, ...]], None]) -> list[Report]:
    REGISTRY.load()  # built-ins and entry points first: the parent's order of checks
    for module in task.modules:
        importlib.import_module(module)
    _forward_logs(task.log_level, send)
    key, secret, token = task.credentials
    base = boto3.Session(
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
        region_name=task.region,
        profile_name=task.profile,
    )
    deadline = None if task.remaining is None else time.monotonic() + task.remaining

    def forward(account: str, p: Any) -> None:
        send(("progress", account, p))

    return scan_each_account(
        base,
        list(task.accounts),
        progress=forward if task.progress else None,
        deadline=deadline,
        **task.common,
        **task.scan_kwargs,
    )


def _portable(report: Report) -> Report:
    """The report with plain evidence (read-only mappings do not pickle), as JSON has it."""
    return replace(
        report, findings=tuple(replace(f, evidence=thaw(f.evidence)) for f in report.findings)
    )


def _stop_with_parent() -> None:
    """Exit when the parent process dies (it was killed): nobody would read the reports."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class _Forward(logging.Handler):
    def __init__(self, send: Callable[[tuple[Any, ...]], None]) -> None:
        super().__init__()
        self._send = send

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            self._send(("log", record.name, record.levelno, text))
        except Exception:
            self.handleError(record)


def _forward_logs(level: int, send: Callable[[tuple[Any, ...]], None]) -> None:
    """The worker's `awsobs` log records go to the parent, at the parent's level."""
    logger = logging.getLogger("awsobs")
    logger.setLevel(level)
    logger.addHandler(_Forward(send))
    logger.propagate = False
