"""Where the CLI's reports go: stdout in `--format`, and any number of `--output` files.

`--output FORMAT:PATH` writes that format to PATH (repeatable, so one scan feeds SARIF,
JUnit and JSON at once). A plain `--output PATH` keeps its first meaning: the `--format`
report goes to PATH instead of stdout. Destinations are checked before the scan starts,
so a typo in a directory does not cost a whole scan, and each file is written to a
temporary name and renamed, so a crashed run never leaves half a report for CI to upload.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from awsobs.errors import UsageError
from awsobs.report import FORMATS, render_chunks
from awsobs.report.text import printable

if TYPE_CHECKING:
    from awsobs.compliance.summary import ComplianceSummary
    from awsobs.model import Report
    from awsobs.report.diff import Diff


@dataclass(frozen=True)
class Destination:
    """One report to produce: a format, and a file (None for stdout)."""

    fmt: str
    path: str | None = None


def parse_output(value: str, default_fmt: str, known: tuple[str, ...] = FORMATS) -> Destination:
    """`sarif:out.sarif` -> (sarif, out.sarif); `out.txt` -> (default_fmt, out.txt).

    Only a known format name counts as a prefix, so `C:/x` or `a:b.json` stay paths.
    """
    fmt = _format_prefix(value, known)
    if fmt is not None:
        path = value[len(fmt) + 1 :]
        if not path:
            raise UsageError(f"--output {value}: no path after '{fmt}:'")
        return Destination(fmt, path)
    if not value:
        raise UsageError("--output needs a path")
    return Destination(default_fmt, value)


def _format_prefix(value: str, known: tuple[str, ...]) -> str | None:
    """The format named before the first ':', None for a plain path. A word that is not a
    format (`sarf:x.sarif`) is an error rather than a file name: that is nearly always a
    typo. `./a:b` or a one-letter drive (`C:`) stay paths."""
    prefix, sep, _ = value.partition(":")
    if not sep:
        return None
    if prefix.lower() in known:
        return prefix.lower()
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]+", prefix):
        raise UsageError(
            f"--output {value}: unknown format '{prefix}' (formats: {', '.join(known)}); "
            f"for a file name with ':' write ./{value}"
        )
    return None


def destinations(
    outputs: list[str] | None, fmt: str, known: tuple[str, ...] = FORMATS
) -> list[Destination]:
    """Every report one command writes; stdout gets `fmt` unless a plain PATH took it."""
    files = [parse_output(v, fmt, known) for v in outputs or []]
    plain = any(_format_prefix(v, known) is None for v in outputs or [])
    result = files if plain else [Destination(fmt), *files]
    check_paths(result)
    return result


def check_paths(dests: list[Destination]) -> None:
    """Refuse unwritable or clashing destinations before any work is done.

    Two paths to one file (through a symlink, a symlinked directory or a hard link) are
    "given twice". A file is written to a temporary name in its directory, then renamed:
    the directory must be writable (os.access, so root passes except on a read-only
    mount), and an existing file too, since a read-only report was meant to be kept."""
    seen: dict[object, str] = {}
    for d in dests:
        if d.path is None:
            continue
        full = os.path.abspath(d.path)
        key = _file_key(full)
        if key in seen:
            raise UsageError(f"--output {d.path} is given twice ({seen[key]} and {d.fmt})")
        seen[key] = d.fmt
        if os.path.isdir(full):
            raise UsageError(f"cannot write {d.path}: it is a directory")
        parent = os.path.dirname(full)
        if not os.path.isdir(parent):
            raise UsageError(f"cannot write {d.path}: directory {parent} does not exist")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write {d.path}: directory {parent} is not writable")
        if os.path.exists(full) and not os.access(full, os.W_OK):
            raise UsageError(f"cannot write {d.path}: the file is read-only")


def _file_key(full: str) -> object:
    """What identifies the file at `full`: its device and inode when it exists (so hard
    links match), else the path with every symlink resolved."""
    try:
        st = os.stat(full)
    except OSError:
        return os.path.realpath(full)
    return (st.st_dev, st.st_ino)


def write_atomic(path: str, text: str | Iterable[str]) -> None:
    """Write `text` (or its pieces, in order) to `path` through a temporary file in the
    same directory."""
    parent = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=".awsobs-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                for piece in [text] if isinstance(text, str) else text:
                    fh.write(piece)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as err:
        raise UsageError(f"cannot write {path}: {err.strerror or err}") from None


def deliver(
    dests: list[Destination],
    text_for: Callable[[Destination], str | Iterable[str]],
    noun: str,
    *,
    quiet: bool,
) -> None:
    """Write each destination's text (or its pieces, as they are made) to stdout or,
    atomically, to its file."""
    for d in dests:
        text = text_for(d)
        if d.path is None:
            for piece in [text] if isinstance(text, str) else text:
                sys.stdout.write(piece)
        else:
            write_atomic(d.path, text)
            if not quiet:
                note(f"wrote {d.fmt} {noun} to {d.path}")


def emit(
    report: Report,
    dests: list[Destination],
    *,
    show_pass: bool,
    quiet: bool,
    diff: Diff | None = None,
    view: str = "findings",
    compliance: ComplianceSummary | None = None,
    no_color: bool = False,
) -> None:
    """Render and write every destination, then the notes a reader of stdout would miss.
    Only stdout is laid out to a width and coloured; a file gets whole lines, no colour."""
    stdout_fmt = next((d.fmt for d in dests if d.path is None), None)
    width = terminal_width() if stdout_fmt else None
    color = stdout_fmt is not None and wants_color(no_color=no_color)
    deliver(
        dests,
        lambda d: render_chunks(
            report,
            d.fmt,
            show_pass=show_pass,
            width=None if d.path else width,
            diff=diff,
            view=view,
            compliance=compliance,
            color=color and d.path is None,
        ),
        "report",
        quiet=quiet,
    )
    if quiet or stdout_fmt in ("table", "markdown"):
        return  # those carry errors, suppression notes and the diff themselves
    for error in report.errors:
        note(f"error: {error}")
    for n in report.suppression_notes:
        note(n.describe())
    if diff is not None:
        from awsobs.report.diff_render import summary_line

        note(summary_line(diff))


def terminal_width(env: Mapping[str, str] | None = None) -> int | None:
    """The columns to lay stdout out to: the terminal's when stdout is one (COLUMNS, when
    set, overrides it, as `shutil.get_terminal_size` has it); else COLUMNS when that is a
    positive number, so CI logs and tests can ask for a width; else None: a pipe or a
    file keeps whole lines, for grep."""
    env = os.environ if env is None else env
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    columns = env.get("COLUMNS", "").strip()
    return int(columns) if columns.isdigit() and int(columns) > 0 else None


def wants_color(*, no_color: bool = False, env: Mapping[str, str] | None = None) -> bool:
    """Whether stdout's table is coloured: never with --no-color, nor when NO_COLOR is set
    and not empty (no-color.org); always when FORCE_COLOR is set to anything but "" or
    "0", even into a pipe; else only on a terminal that is not TERM=dumb."""
    env = os.environ if env is None else env
    if no_color or env.get("NO_COLOR"):
        return False
    force = env.get("FORCE_COLOR", "")
    if force and force != "0":
        return True
    return sys.stdout.isatty() and env.get("TERM") != "dumb"


def note(text: str) -> None:
    """One `awsobs: ...` line on stderr. `text` may hold names and errors from the account,
    so its control and bidi characters are shown as escapes (`printable`)."""
    print(f"awsobs: {printable(text)}", file=sys.stderr)
