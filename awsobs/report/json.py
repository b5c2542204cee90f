"""The JSON report: DESIGN.md's versioned shape, every finding included."""

from __future__ import annotations

import json

from awsobs.model import Report


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"
