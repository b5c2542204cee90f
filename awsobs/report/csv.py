"""One CSV row per finding, for spreadsheets and quick `grep`/`awk` work.

Evidence is left out (it is nested); the JSON report has it. The values come from the
account and must neither execute nor drive a terminal that `cat`s the file: control, bidi
and invisible format characters are shown as escapes (`printable`: a newline is the two
characters `\\n`, so every finding is one physical line), and cells that a spreadsheet
would run as a formula (starting with =, +, -, @, tab or CR) get a leading apostrophe, as
OWASP recommends.
"""

from __future__ import annotations

import csv
import io

from awsobs.compliance import FRAMEWORKS
from awsobs.model import Report
from awsobs.report.text import printable

COLUMNS = (
    "check_id",
    "title",
    "severity",
    "status",
    "suppressed",
    "suppression_reason",
    "account_id",
    "region",
    "resource_type",
    "resource_id",
    "message",
    "remediation",
)
COMPLIANCE_COLUMNS = tuple(FRAMEWORKS)
"""One column per framework (`cis-aws-3.0`, `aws-securityhub`, ...): the ids the finding's
check maps to, space-separated, empty when none."""
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: object) -> str:
    text = "" if value is None else printable(str(value))
    if isinstance(value, bool):
        text = "true" if value else "false"
    return "'" + text if text.startswith(_FORMULA) else text


def render(report: Report) -> str:
    """Header plus one row per finding, in report order (RFC 4180 quoting, CRLF lines)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow((*COLUMNS, *COMPLIANCE_COLUMNS))
    for f in report.findings:
        row = f.to_dict()
        mapping = row["compliance"]
        writer.writerow(
            [_safe(row[c]) for c in COLUMNS]
            + [_safe(" ".join(mapping.get(c, ()))) for c in COMPLIANCE_COLUMNS]
        )
    return out.getvalue()
