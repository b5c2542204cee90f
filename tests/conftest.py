"""Shared fixtures: an isolated fake AWS environment, moto in process, and a moto server.

Every test runs with fake credentials, no profile, no config file and no endpoint
override of the developer's, so nothing can reach a real AWS endpoint.
"""

from __future__ import annotations

import os
import signal
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers import isolate_aws_env, new_session
from moto import mock_aws
from moto.server import ThreadedMotoServer

from awsobs import Report
from awsobs.demo.moto_ext import (
    install_alarm_extensions,
    install_ssm_extension,
    reset_alarm_extensions,
    reset_ssm,
    uninstall_ssm_extension,
)

# A shell that starts a job in the background without job control (`.ci/run &`, nohup, some
# CI runners) starts it with SIGINT ignored, and every process it starts inherits that: the
# tests that press Ctrl-C on the command (test_interrupt.py, test_cli_jobs_e2e.py) would
# see it ignored. Give the suite, and so its children, the disposition a terminal's
# foreground job has.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# report_helpers holds the SARIF and JUnit assertions the report tests share: let pytest
# explain their failures as it does a test module's.
pytest.register_assert_rewrite("report_helpers")


@pytest.fixture(scope="session")
def demo_report() -> Report:
    """`awsobs demo`'s report, built once (about 10 s) for every test that reads it."""
    from awsobs.demo import run_demo

    return run_demo()


@pytest.fixture(autouse=True)
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    isolate_aws_env(monkeypatch, tmp_path)
    # The table's width and colour follow these (README, "Terminal output"): a test that
    # wants one sets it, so a developer's exported COLUMNS or FORCE_COLOR changes nothing.
    for name in ("COLUMNS", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def aws() -> Iterator[boto3.Session]:
    """A moto account (in process) and a session for it."""
    with mock_aws():
        yield new_session(region_name="us-east-1")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A real moto server on a free 127.0.0.1 port, for the CLI end-to-end tests."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto server, emptied, with AWS_ENDPOINT_URL pointing this test (and the CLI) at it."""
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server


@pytest.fixture
def session(endpoint: str) -> boto3.Session:
    """A session for seeding the moto server over HTTP."""
    return new_session(region_name="us-east-1")


@pytest.fixture
def ssm() -> Iterator[None]:
    """Serve the SSM reads moto lacks (awsobs/demo/moto_ext.py), with no data registered."""
    install_ssm_extension()
    reset_ssm()
    yield
    reset_ssm()
    uninstall_ssm_extension()


@pytest.fixture
def alarm_ext() -> Iterator[None]:
    """moto + composite alarms, S3 metrics configurations, pending SNS subscriptions
    (awsobs/demo/moto_ext.py): what moto 5.2 lacks for the alarm checks."""
    install_alarm_extensions()
    reset_alarm_extensions()
    yield
    reset_alarm_extensions()


@pytest.fixture
def refused() -> Iterator[str]:
    """An endpoint on 127.0.0.1 that refuses every connection: bound, never listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def env(tmp_path: Path, refused: str) -> dict[str, str]:
    """The CLI's environment: conftest's fake credentials and files, a HOME of its own,
    an endpoint that answers nothing, no instance metadata."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        **os.environ,
        "HOME": str(home),
        "AWS_ENDPOINT_URL": refused,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
