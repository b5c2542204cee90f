"""The JSON report: DESIGN.md's versioned shape, every finding included."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from awsobs.model import Report


def render(report: Report, *, baseline: Mapping[str, Any] | None = None) -> str:
    """The report; with `baseline` (a scan run with --baseline), the diff rides along."""
    doc = report.to_dict()
    if baseline is not None:
        doc["baseline"] = dict(baseline)
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"
