r"""Laying the terminal report out in its terminal: display widths, wrapping, columns, colour.

The findings table, the resource map, the diff and the requirement table are laid out
here, after `printable` has escaped whatever came from the account, so what is measured is
what the terminal shows: an escape such as ``\x1b`` takes four columns, an East Asian wide
or fullwidth character two, a combining mark none. The same measure wraps and pads, so
columns line up and no line is wider than `total`. With `total=None` (a pipe or a file)
nothing is wrapped: whole lines, for grep.

Wrapping breaks at spaces. A word wider than its column (an ARN, a resource id) is never
cut to fit the column: it runs on past the column's edge when it still ends within the
line, else it gets a line of its own, as near its column as lets it end within the line;
only a word wider than the line from `OWN_LINE` is cut, after a `/`, `:` or `,` where
there is one, never inside an escape. Every line a wrap adds starts at `OWN_LINE` or
further right, so text from the account cannot start a line where awsobs starts its own
(a summary at the margin, a table row at `INDENT`).

Colour is SGR codes around awsobs's own words (statuses, severities), added after the
layout: they are never measured, and text from the account never decides one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

INDENT = 2
"""Where a table's rows start."""
GAP = 2
"""Spaces between two columns."""
OWN_LINE = 4
"""Where a word too wide for its column starts the line of its own it gets."""
UNDER = OWN_LINE + 2
"""Where a row's message starts when the terminal is too narrow for it beside the rest."""

STATUS_SGR = {"FAIL": "31", "UNKNOWN": "33", "PASS": "32", "NOT_APPLICABLE": "2"}
"""FAIL red, UNKNOWN yellow, PASS green, NOT_APPLICABLE dim."""
SEVERITY_SGR = {"critical": "1;31", "high": "1;31", "medium": "33"}
"""critical and high bold red, medium yellow, low and info plain."""

# One unit that must stay whole: an escape written by `printable`, else one character.
_ATOM = re.compile(r"\\(?:[\\nrt]|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})|.", re.S)


_CUTS = ("/", ":", ",")


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str) -> int:
    """How many terminal columns `text` (already through `printable`) takes."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def paint(text: str, sgr: str | None) -> str:
    """`text` in the colour of SGR code `sgr` (`"31"` red), unchanged for None."""
    return f"\x1b[{sgr}m{text}\x1b[0m" if sgr else text


def paint_status(text: str) -> str:
    """A status word in its colour; anything else unchanged."""
    return paint(text, STATUS_SGR.get(text))


_COUNTED_STATUS = re.compile(r"(?<=\d )(FAIL|UNKNOWN|PASS|NOT_APPLICABLE)\b")


def paint_counts(line: str) -> str:
    """`3 FAIL, 1 UNKNOWN` with each status word in its colour (summary lines)."""
    return _COUNTED_STATUS.sub(lambda m: paint_status(m.group()), line)


def _atoms(word: str) -> list[str]:
    atoms: list[str] = []
    for match in _ATOM.finditer(word):
        atom = match.group()
        if atoms and len(atom) == 1 and _char_width(atom) == 0:
            atoms[-1] += atom  # a combining mark stays with its letter
        else:
            atoms.append(atom)
    return atoms


def split_word(word: str, limit: int) -> list[str]:
    """`word` in pieces of at most `limit` columns, each cut after its last `/`, `:` or `,`
    where it has one, else where it must; never inside an escape or before a mark."""
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for atom in _atoms(word):
        width = text_width(atom)
        if current and used + width > limit:
            cut = max((i + 1 for i, a in enumerate(current) if a in _CUTS), default=0)
            cut = cut or len(current)
            pieces.append("".join(current[:cut]))
            current = current[cut:]
            used = text_width("".join(current))
        current.append(atom)
        used += width
    if current:
        pieces.append("".join(current))
    return pieces


@dataclass(frozen=True)
class Piece:
    """One line's worth of a wrapped text."""

    text: str
    own_line: bool = False
    """Too wide for its column: alone on its line, starting at `at`."""
    at: int = OWN_LINE
    """Where a line of its own starts: as near its column as lets it end within the line
    (OWN_LINE for the pieces of a word cut to fit)."""
    overflows: bool = False
    """Too wide for its column, but ends within the line: nothing to its right."""


def fill(
    text: str,
    width: int,
    *,
    start: int = 0,
    total: int | None = None,
    first: int | None = None,
    whole: bool = False,
) -> list[Piece]:
    """`text` wrapped at spaces into a column `width` wide starting at `start` of a line
    `total` wide (None: no wrapping); `first` is the room on the first line when that
    differs (text after a lead-in such as `fix: `); `whole`: one word, spaces and all (an
    id: an alarm's name may hold spaces)."""
    first_room = width if first is None else first
    if total is None or text_width(text) <= first_room:
        return [Piece(text)]
    out: list[Piece] = []
    line, used = "", 0
    for word in [text] if whole else text.split(" "):
        if not word:
            continue
        w = text_width(word)
        room = first_room if not out else width
        if line and used + 1 + w <= room:
            line, used = f"{line} {word}", used + 1 + w
            continue
        if line:
            out.append(Piece(line))
            line, used = "", 0
        room = first_room if not out else width
        if w <= room:
            line, used = word, w
        elif w <= width:  # only the first line is too narrow: start on the next one
            out.append(Piece(""))
            line, used = word, w
        elif start + w <= total:
            out.append(Piece(word, overflows=True))
        elif OWN_LINE + w <= total:
            out.append(Piece(word, own_line=True, at=max(OWN_LINE, min(start, total - w))))
        else:
            out.extend(Piece(p, own_line=True) for p in split_word(word, total - OWN_LINE))
    if line or not out:
        out.append(Piece(line))
    return out


def hanging(lead: str, text: str, total: int | None) -> list[str]:
    """`lead` + `text` wrapped to `total` columns, the lines it adds indented under the
    text (under OWN_LINE, when the lead-in takes more than half the line)."""
    if total is None:
        return [lead + text]
    lead_width = text_width(lead)
    under = max(lead_width, OWN_LINE) if lead_width <= total // 2 else OWN_LINE
    pieces = fill(text, total - under, start=under, total=total, first=total - lead_width)
    lines: list[str] = []
    for i, piece in enumerate(pieces):
        if i == 0 and not piece.own_line:
            lines.append((lead + piece.text).rstrip())
            continue
        if i == 0:
            lines.append(lead.rstrip())
        at = piece.at if piece.own_line else under
        lines.append(" " * at + piece.text)
    return lines


@dataclass(frozen=True)
class Column:
    """A table column: its header, how narrow it may get, and the colour of its cells."""

    header: str
    floor: int | None = None
    """The narrowest it may get (its header's width at least); None: as wide as its widest
    cell, always (awsobs's own short words: statuses, symbols, counts)."""
    flex: bool = False
    """The column that gives up room first (the message): down to its floor before any other."""
    paint: Callable[[str], str] | None = None
    whole: bool = False
    """Its cells are ids: never wrapped at a space (`fill`)."""
    gap: int = GAP
    """Spaces before it (none before the first column, whatever this says)."""


def _gaps(columns: Sequence[Column]) -> list[int]:
    return [0] + [c.gap for c in columns[1:]]


def widths(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], total: int | None
) -> list[int]:
    """Each column's width: as wide as its widest cell when the table fits in `total`;
    else the flex column narrows to its floor, then the widest of the others to theirs.
    A flex column that still does not fit gets 0: `grid` lays it under each row."""
    natural = [
        max([text_width(c.header), *(text_width(r[i]) for r in rows)])
        for i, c in enumerate(columns)
    ]
    if total is None:
        return natural
    room = total - INDENT - sum(_gaps(columns))
    got = list(natural)

    def floor(i: int) -> int:
        c = columns[i]
        return natural[i] if c.floor is None else min(natural[i], max(c.floor, len(c.header)))

    flex = next((i for i, c in enumerate(columns) if c.flex), None)
    if flex is not None:
        got[flex] = max(floor(flex), got[flex] - max(0, sum(got) - room))
    shrinkable = [i for i in range(len(columns)) if i != flex]
    while sum(got) > room:
        wider = [i for i in shrinkable if got[i] > floor(i)]
        if not wider:
            break
        widest = max(wider, key=lambda i: got[i])
        got[widest] -= 1
    if flex is not None and sum(got) > room:  # too narrow for it beside the others
        others = widths(
            [c for i, c in enumerate(columns) if i != flex],
            [[cell for i, cell in enumerate(r) if i != flex] for r in rows],
            total,
        )
        return [*others[:flex], 0, *others[flex:]]
    for i in shrinkable:  # a narrowed column no wider than the cells that still fit in it
        if got[i] < natural[i]:
            fitting = [w for r in rows if (w := text_width(r[i])) <= got[i]]
            got[i] = max([floor(i), *fitting])
    if flex is not None:  # and the room that frees to the flex column
        got[flex] = max(got[flex], min(natural[flex], room - sum(got) + got[flex]))
    return got  # wider than `total` in all only where even the floors do not fit


def grid(columns: Sequence[Column], rows: Sequence[Sequence[str]], total: int | None) -> list[str]:
    """The header, a rule and the rows, laid out to `total` columns (None: unwrapped). On
    a terminal too narrow for the flex column beside the others, its text goes under each
    row, from UNDER."""
    sizes = widths(columns, rows, total)
    below = next((i for i, c in enumerate(columns) if c.flex and sizes[i] == 0), None)
    shown = [i for i in range(len(columns)) if i != below]
    starts: dict[int, int] = {}
    at = INDENT
    for n, i in enumerate(shown):
        at += columns[i].gap if n else 0
        starts[i] = at
        at += sizes[i]
    lines = [
        _compose([(starts[i], Piece(columns[i].header), None) for i in shown]),
        _compose([(starts[i], Piece("-" * sizes[i]), None) for i in shown]),
    ]
    for row in rows:
        queues = [
            deque(fill(row[i], sizes[i], start=starts[i], total=total, whole=columns[i].whole))
            for i in shown
        ]
        painters = [columns[i].paint for i in shown]
        positions = [starts[i] for i in shown]
        while any(queues):
            parts: list[tuple[int, Piece, Callable[[str], str] | None]] = []
            for queue, painter, position in zip(queues, painters, positions, strict=True):
                if not queue:
                    continue
                piece = queue[0]
                if piece.own_line:
                    if not parts:
                        parts.append((piece.at, queue.popleft(), painter))
                    break
                parts.append((position, queue.popleft(), painter))
                if piece.overflows:
                    break
            lines.append(_compose(parts))
        if below is not None and total is not None and row[below]:
            c = columns[below]
            for piece in fill(row[below], total - UNDER, start=UNDER, total=total, whole=c.whole):
                lines.append(" " * (piece.at if piece.own_line else UNDER) + piece.text)
    return lines


def _compose(parts: Sequence[tuple[int, Piece, Callable[[str], str] | None]]) -> str:
    out, at = "", 0
    for start, piece, painter in parts:
        if not piece.text:
            continue
        out += " " * max(0, start - at) + (painter(piece.text) if painter else piece.text)
        at = max(at, start) + text_width(piece.text)
    return out
