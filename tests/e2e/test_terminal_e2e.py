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


# The four runs the tests below read. The first is `awsobs demo` itself; the other three
# lay its JSON report out again with `awsobs merge`, which renders the table through the
# same code, flags and environment (a demo run costs seconds of CPU; a merge a fraction).
RUNS: dict[str, tuple[int, list[str], dict[str, str]]] = {
    "80-plain": (80, [], {}),
    "120-NO_COLOR-beats-FORCE_COLOR": (120, [], {"NO_COLOR": "1", "FORCE_COLOR": "1"}),
    "200-no-color-flag-beats-FORCE_COLOR": (200, ["--no-color"], {"FORCE_COLOR": "1"}),
    "100-FORCE_COLOR": (100, ["--output", "table:{dir}/report.txt"], {"FORCE_COLOR": "1"}),
}


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict[str, Any], Path]]:
    """Each run's table on stdout (not a terminal), its JSON report and its directory."""
    dirs = {name: tmp_path_factory.mktemp(name.split("-")[0]) for name in RUNS}
    demo_json = dirs["80-plain"] / "report.json"

    def one(name: str) -> tuple[str, dict[str, Any], Path]:
        columns, args, env = RUNS[name]
        where = dirs[name]
        path = where / "report.json"
        command = ["demo", "-q"] if name == "80-plain" else ["merge", str(demo_json), "-q"]
        result = awsobs(
            *command, "--output", f"json:{path}", *(a.format(dir=where) for a in args),
            env={**os.environ, "COLUMNS": str(columns), **env},
        )  # fmt: skip
        assert result.returncode == 1, result.stderr  # the demo has gaps
        return result.stdout, json.loads(path.read_text("utf-8")), where

    return {name: one(name) for name in RUNS}  # the demo first: the merges read its report


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


@pytest.mark.parametrize("name", [n for n in RUNS if n != "100-FORCE_COLOR"])
def test_the_demo_table_fits_the_width_and_has_no_colour_unless_forced(
    demos: dict[str, tuple[str, dict[str, Any], Path]], name: str
) -> None:
    columns = RUNS[name][0]
    table, doc, _ = demos[name]
    assert "\x1b" not in table  # stdout is a pipe, or colour was turned off
    assert_fits(table, doc, columns)


def test_force_color_colours_stdout_but_no_file(
    demos: dict[str, tuple[str, dict[str, Any], Path]],
) -> None:
    table, doc, tmp_path = demos["100-FORCE_COLOR"]
    path = tmp_path / "report.txt"
    assert "\x1b[31mFAIL\x1b[0m" in table and "\x1b[1;31m[high]\x1b[0m" in table
    assert re.search(r"\d \x1b\[32mPASS\x1b\[0m", table)  # the summary's counts
    plain = SGR.sub("", table)
    assert "\x1b" not in plain  # nothing but awsobs's colour codes
    assert_fits(plain, doc, 100)  # the codes take no column
    written = path.read_text("utf-8")
    assert "\x1b" not in written and "\x1b" not in (tmp_path / "report.json").read_text("utf-8")
    assert max(map(len, written.splitlines())) > 100  # a file keeps whole lines, for grep
    assert written.splitlines()[-1].startswith("Summary: ")
