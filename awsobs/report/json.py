"""The JSON report: docs/design.md's versioned shape (awsobs.report_io), every finding included."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from awsobs.model import Report
from awsobs.report_io import report_to_dict


def render(
    report: Report,
    *,
    baseline: Mapping[str, Any] | None = None,
    compliance: Mapping[str, Any] | None = None,
) -> str:
    """The report; with `baseline` (a scan run with --baseline), the diff rides along, and
    with `compliance` (--compliance) the per-requirement summary."""
    doc = report_to_dict(report)
    if baseline is not None:
        doc["baseline"] = dict(baseline)
    if compliance is not None:
        doc["compliance"] = dict(compliance)
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"
