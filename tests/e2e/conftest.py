"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import pytest

from awsobs import Report
from awsobs.demo import run_demo


@pytest.fixture(scope="session")
def demo_report() -> Report:
    """`awsobs demo`'s report, built once (about 10 s) for every test that reads it."""
    return run_demo()
