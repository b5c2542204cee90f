"""Shared fixtures: an isolated fake AWS environment, moto in process, and a moto server.

Every test runs with fake credentials, no profile, no config file and no endpoint
override of the developer's, so nothing can reach a real AWS endpoint.
"""

from __future__ import annotations

import os
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers import new_session
from moto import mock_aws
from moto.server import ThreadedMotoServer

from awsobs.demo_moto import (
    install_alarm_extensions,
    install_ssm_extension,
    reset_alarm_extensions,
    reset_ssm,
    uninstall_ssm_extension,
)

_NO_AMIS = Path(__file__).parent / "data" / "no-amis.json"


@pytest.fixture(autouse=True)
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    # moto loads hundreds of default AMIs whenever it builds an EC2 backend (our
    # DescribeRegions does, in every test); no test uses AMIs.
    monkeypatch.setenv("MOTO_AMIS_PATH", str(_NO_AMIS))


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
    """Serve the SSM reads moto lacks (awsobs/demo_moto.py), with no data registered."""
    install_ssm_extension()
    reset_ssm()
    yield
    reset_ssm()
    uninstall_ssm_extension()


@pytest.fixture
def alarm_ext() -> Iterator[None]:
    """moto + composite alarms, S3 metrics configurations, pending SNS subscriptions
    (awsobs/demo_moto.py): what moto 5.2 lacks for the alarm checks."""
    install_alarm_extensions()
    reset_alarm_extensions()
    yield
    reset_alarm_extensions()
