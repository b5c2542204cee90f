"""The JSON report: docs/design.md's versioned shape (awsobs.report_io), every finding included.

`chunks` gives the text in pieces, each finding encoded on its own and the rest through
the encoder's own generator, so that a report of an organization (43,000 findings, 40 MB
of JSON for 301 accounts) is written without holding its whole text, nor a dict per
finding, in memory at once: `json.dumps(doc, indent=2)` built a list of some 5 million
string pieces before joining them (about 180 MiB for that report). The text is the same,
byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.model import Report
from awsobs.report_io import finding_to_dict, report_to_dict


def render(
    report: Report,
    *,
    baseline: Mapping[str, Any] | None = None,
    compliance: Mapping[str, Any] | None = None,
) -> str:
    """The report; with `baseline` (a scan run with --baseline), the diff rides along, and
    with `compliance` (--compliance) the per-requirement summary."""
    return "".join(chunks(report, baseline=baseline, compliance=compliance))


def chunks(
    report: Report,
    *,
    baseline: Mapping[str, Any] | None = None,
    compliance: Mapping[str, Any] | None = None,
) -> Iterator[str]:
    """`render`'s text in pieces: what `json.dumps(doc, indent=2)` gives, plus a newline,
    with each finding encoded when it is reached."""
    doc = report_to_dict(report, findings=False)
    if baseline is not None:
        doc["baseline"] = dict(baseline)
    if compliance is not None:
        doc["compliance"] = dict(compliance)
    separator = "{"
    for key, value in doc.items():
        yield f"{separator}\n  {json.dumps(key)}: "
        separator = ","
        if key == "findings" and report.findings:
            yield from _findings(report)
        else:
            yield from _batched(_ENCODER.iterencode(value), "  ")
    yield "\n}\n" if doc else "{}\n"


def _findings(report: Report) -> Iterator[str]:
    separator = "["
    for f in report.findings:
        yield f"{separator}\n    " + _indented(json.dumps(finding_to_dict(f), indent=2), "    ")
        separator = ","
    yield "\n  ]"


_ENCODER = json.JSONEncoder(indent=2)  # json.dumps(value, indent=2)'s, which it would make
BATCH = 1 << 16


def _batched(pieces: Iterator[str], by: str) -> Iterator[str]:
    """The encoder's pieces (a few characters each: millions for the resource map of an
    organization), nested `by` deeper and joined into pieces of about BATCH characters."""
    held: list[str] = []
    size = 0
    for piece in pieces:
        held.append(piece)
        size += len(piece)
        if size >= BATCH:
            yield _indented("".join(held), by)
            held, size = [], 0
    if held:
        yield _indented("".join(held), by)


def _indented(text: str, by: str) -> str:
    """`text` (json.dumps with indent=2) nested `by` deeper: JSON strings hold no raw
    newline (json escapes it), so every newline is one of the layout's."""
    return text.replace("\n", "\n" + by)
