"""The JSON report is written a finding at a time: the same text as one json.dumps of the
whole document, without holding that text (or a dict per finding) in memory at once."""

from __future__ import annotations

import dataclasses
import json
import tracemalloc
from pathlib import Path

import pytest
from test_report import finding, report

from awsobs import Report, Status
from awsobs.cli import main
from awsobs.cli.output import Destination, deliver
from awsobs.report import json as json_report
from awsobs.report import render, render_chunks
from awsobs.report_io import report_to_dict


def _whole(r: Report, **extra: object) -> str:
    """What the report was before it streamed: one json.dumps of the document."""
    doc = report_to_dict(r)
    doc.update(extra)
    return json.dumps(doc, indent=2) + "\n"


HOSTILE = finding(
    Status.FAIL,
    resource_id='arn:aws:logs:us-east-1:123456789012:log-group:a"b\\c\nd\u202e\u00e9',
    message="line one\nline two\t\x1b[31m</script>",
    evidence={"nested": {"list": [1, {"deep": ["x\ny", None, True, 1.5]}], "empty": {}}},
)


@pytest.mark.parametrize(
    "items",
    [
        (),
        (finding(Status.PASS),),
        (HOSTILE, finding(Status.PASS), finding(Status.UNKNOWN, evidence={})),
    ],
    ids=["no findings", "one", "hostile text and nesting"],
)
def test_the_streamed_text_is_the_whole_documents_byte_for_byte(
    items: tuple[object, ...],
) -> None:
    r = report(*items)  # type: ignore[arg-type]
    assert render(r, "json") == _whole(r)
    assert "".join(render_chunks(r, "json")) == _whole(r)
    extra = {"baseline": {"new": [1], "fixed": []}, "compliance": {"cis": {"a\nb": 2}}}
    streamed = json_report.render(r, baseline=extra["baseline"], compliance=extra["compliance"])
    assert streamed == _whole(r, **extra)
    assert json.loads(streamed)["findings"] == report_to_dict(r)["findings"]


def test_a_large_report_is_written_without_holding_its_text(tmp_path: Path) -> None:
    base = finding(Status.FAIL, evidence={"log_group": "/aws/x", "retention_days": None})
    many = report(
        *(dataclasses.replace(base, resource_id=f"{base.resource_id}-{n}") for n in range(1_000))
    )
    size = len(render(many, "json"))
    out = tmp_path / "report.json"

    tracemalloc.start()
    try:
        deliver([Destination("json", str(out))], lambda d: render_chunks(many, "json"), "report",
                quiet=True)  # fmt: skip
        _, streamed_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        json.dumps(report_to_dict(many), indent=2)
        _, whole_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert out.stat().st_size == size  # ASCII: characters are bytes
    # The old way held the text and more besides the document (a list of its pieces, a
    # dict per finding); streaming saves more than the text, and most of the peak. What
    # it still holds is the resource map's dict (a row per resource here: 1,000).
    assert whole_peak - streamed_peak > size, (whole_peak, streamed_peak, size)
    assert streamed_peak < whole_peak / 3, (whole_peak, streamed_peak, size)


def test_the_command_writes_the_same_json_to_stdout_and_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "saved.json"
    saved.write_text(render(report(HOSTILE, finding(Status.PASS)), "json"))
    out = tmp_path / "merged.json"
    assert main(["merge", str(saved), "--format", "json", "--output", f"json:{out}"]) == 1
    printed = capsys.readouterr().out
    assert printed == out.read_text()
    assert HOSTILE.message in [f["message"] for f in json.loads(printed)["findings"]]
