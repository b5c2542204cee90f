"""The demo's JSON report, for the `awsobs fix` tests (built once: the demo scan is ~10 s)."""

from __future__ import annotations

from typing import Any

import pytest

from awsobs.model import Report
from awsobs.report_io import report_to_dict


@pytest.fixture(scope="session")
def demo_doc(demo_report: Report) -> dict[str, Any]:
    return report_to_dict(demo_report)
