"""`awsobs demo` in a terminal of 80, 120 and 200 columns (issue 18): no line wider than
COLUMNS, every failing resource still whole on a line, colour only where it was asked for
and never in a file. Each demo run costs seconds, so each run checks several things."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import awsobs

from awsobs.report.layout import text_width
from awsobs.report.table import short_resource
from awsobs.report.text import printable

SGR = re.compile(r"\x1b\[[0-9;]*m")


def demo(tmp_path: Path, columns: int, *args: str, **env: str) -> tuple[str, dict[str, Any]]:
    """The table on stdout (not a terminal) and the JSON report of the same run."""
    path = tmp_path / "report.json"
    result = awsobs(
        "demo", "-q", "--output", f"json:{path}", *args,
        env={**os.environ, "COLUMNS": str(columns), **env},
    )  # fmt: skip
    assert result.returncode == 1, result.stderr  # the demo has gaps
    return result.stdout, json.loads(path.read_text("utf-8"))


def assert_fits(table: str, doc: dict[str, Any], columns: int) -> None:
    lines = table.splitlines()
    wide = [line for line in lines if text_width(line) > columns]
    assert wide == [], wide[:3]
    at = next(i for i, line in enumerate(lines) if line.startswith("Summary: "))
    assert all(line.startswith("         ") for line in lines[at + 1 :])  # wrapped under it
    failing = {
        printable(short_resource(f["resource_id"]))
        for f in doc["findings"]
        if f["status"] == "FAIL" and not f["suppressed"]
    }
    assert len(failing) >= 40 and max(map(text_width, failing)) > 40  # some overflow at 80
    missing = [rid for rid in failing if not any(rid in line for line in lines)]
    assert missing == []


@pytest.mark.parametrize(
    ("columns", "args", "env"),
    [
        (80, [], {}),
        (120, [], {"NO_COLOR": "1", "FORCE_COLOR": "1"}),
        (200, ["--no-color"], {"FORCE_COLOR": "1"}),
    ],
    ids=["80-plain", "120-NO_COLOR-beats-FORCE_COLOR", "200-no-color-flag-beats-FORCE_COLOR"],
)
def test_the_demo_table_fits_the_width_and_has_no_colour_unless_forced(
    tmp_path: Path, columns: int, args: list[str], env: dict[str, str]
) -> None:
    table, doc = demo(tmp_path, columns, *args, **env)
    assert "\x1b" not in table  # stdout is a pipe, or colour was turned off
    assert_fits(table, doc, columns)


def test_force_color_colours_stdout_but_no_file(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    table, doc = demo(tmp_path, 100, "--output", f"table:{path}", FORCE_COLOR="1")
    assert "\x1b[31mFAIL\x1b[0m" in table and "\x1b[1;31m[high]\x1b[0m" in table
    assert re.search(r"\d \x1b\[32mPASS\x1b\[0m", table)  # the summary's counts
    plain = SGR.sub("", table)
    assert "\x1b" not in plain  # nothing but awsobs's colour codes
    assert_fits(plain, doc, 100)  # the codes take no column
    written = path.read_text("utf-8")
    assert "\x1b" not in written and "\x1b" not in (tmp_path / "report.json").read_text("utf-8")
    assert max(map(len, written.splitlines())) > 100  # a file keeps whole lines, for grep
    assert written.splitlines()[-1].startswith("Summary: ")
