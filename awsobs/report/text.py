r"""Text from the account, made safe to show to a person.

Resource names, alarm names, tags and error messages are chosen by whoever can create
resources in the scanned account. A terminal obeys the control characters in them (ESC
can clear the screen, set the window title or fake colours; CR and newline can overwrite
a line or add a fake one), and Unicode bidirectional and zero-width characters make text
read differently from what it is. `printable` shows every such character as an escape, so
the reader sees that it is there instead of what it would do. Every human format
(table, Markdown, CSV, the diff, stderr notes) passes text of AWS origin through it at
render time; the data model and the JSON report keep the exact strings.

Escaped, as Python spells them:

- C0 controls U+0000-U+001F, DEL and C1 controls U+0080-U+009F: ``\x1b``, ``\x9b``;
  newline, carriage return and tab as ``\n``, ``\r``, ``\t``;
- format characters (Unicode category Cf: bidi embeddings, overrides and isolates
  U+202A-U+202E and U+2066-U+2069, zero-width space, joiners and marks U+200B-U+200F,
  word joiner and invisible operators U+2060-U+2064, byte-order mark U+FEFF, soft hyphen,
  the invisible tag characters U+E0000-U+E007F, ...), line and paragraph separators
  U+2028 and U+2029, and lone surrogates: ``\u202e``, ``\U000e0041``.

The escapes are unambiguous: a literal backslash is doubled exactly when what follows it
could be read as an escape (another backslash, one of ``x u U n r t``, or a character that
is escaped), so a resource really named ``a\x1bb`` shows as ``a\\x1bb`` while one holding
ESC shows as ``a\x1bb``. Any other backslash (``C:\data``, ``\d+``) is left alone, so
ordinary text reads as it is. The mapping is reversible.
"""

from __future__ import annotations

import re

# Cc, Cf, Zl, Zp and Cs as of Unicode 16 (tests/unit/report/test_hostile_names.py holds it
# to the running Python's unicodedata, so a newer Unicode that adds one is noticed).
_ESCAPED = (
    "\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_PATTERN = re.compile(f"\\\\(?=[\\\\xuUnrt{_ESCAPED}])|[{_ESCAPED}]")
_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def printable(text: str) -> str:
    r"""`text` with control, bidi and invisible format characters shown as escapes.

    `printable("a\x1b[2Jb")` is `"a\\x1b[2Jb"` (ESC shown as the four characters
    ``\x1b``), `printable("x\u202ey")` is `"x\\u202ey"`; text without such characters
    comes back unchanged (unless a backslash in it could be misread as an escape: then
    that backslash is doubled). Apply it once, when rendering: it is not idempotent.
    """
    if not _PATTERN.search(text):
        return text
    return _PATTERN.sub(_escape, text)
