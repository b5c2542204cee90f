"""Which width and colour the table on stdout gets (README, "Terminal output"):
--no-color > NO_COLOR > FORCE_COLOR > a terminal; COLUMNS when stdout is not a terminal."""

from __future__ import annotations

import io
import os

import pytest

from awsobs.cli import output
from awsobs.cli.output import Destination, emit, terminal_width, wants_color
from awsobs.cli.parser import build_parser
from awsobs.model import Status


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("tty", "no_color", "env", "colour"),
    [
        (True, False, {}, True),
        (False, False, {}, False),  # a pipe or a file
        (True, False, {"TERM": "dumb"}, False),
        (True, False, {"NO_COLOR": "1"}, False),
        (True, False, {"NO_COLOR": ""}, True),  # no-color.org: set and not empty
        (False, False, {"FORCE_COLOR": "1"}, True),  # even into a pipe
        (False, False, {"FORCE_COLOR": "0"}, False),
        (False, False, {"FORCE_COLOR": ""}, False),
        (False, False, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),  # NO_COLOR wins
        (True, True, {"FORCE_COLOR": "1"}, False),  # --no-color wins over everything
    ],
)
def test_colour_precedence(
    monkeypatch: pytest.MonkeyPatch, tty: bool, no_color: bool, env: dict[str, str], colour: bool
) -> None:
    monkeypatch.setattr("sys.stdout", Tty() if tty else io.StringIO())
    assert wants_color(no_color=no_color, env=env) is colour


def test_width_is_the_terminals_on_a_terminal_else_columns_else_none(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert terminal_width({}) is None  # a pipe keeps whole lines
    assert terminal_width({"COLUMNS": "90"}) == 90
    for bad in ("", "0", "-5", "wide", "80x"):
        assert terminal_width({"COLUMNS": bad}) is None, bad
    monkeypatch.setattr("sys.stdout", Tty())
    monkeypatch.setattr(output.shutil, "get_terminal_size", lambda: os.terminal_size((132, 40)))
    assert terminal_width({}) == 132


def test_no_color_is_a_flag_of_every_command_that_writes_a_report() -> None:
    parser = build_parser()
    for command in (["scan"], ["demo"], ["merge", "a.json"]):
        assert parser.parse_args([*command, "--no-color"]).no_color is True
        assert parser.parse_args(command).no_color is False


def test_emit_colours_stdout_only_never_a_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: os.PathLike[str]
) -> None:
    from report_helpers import finding, report

    rep = report(finding("apigw.rest.access_logging", Status.FAIL, "stage/s"))
    monkeypatch.delenv("TERM", raising=False)  # TERM=dumb would turn colour off
    out = Tty()
    monkeypatch.setattr("sys.stdout", out)
    monkeypatch.setattr(output.shutil, "get_terminal_size", lambda: os.terminal_size((100, 40)))
    path = f"{tmp_path}/report.txt"
    emit(rep, [Destination("table"), Destination("table", path)], show_pass=False, quiet=True)
    assert "\x1b[31mFAIL\x1b[0m" in out.getvalue()
    with open(path, encoding="utf-8") as fh:
        assert "\x1b" not in fh.read()
    out = Tty()
    monkeypatch.setattr("sys.stdout", out)
    emit(rep, [Destination("table")], show_pass=False, quiet=True, no_color=True)
    assert "\x1b" not in out.getvalue() and "FAIL" in out.getvalue()
