"""Text from the account in generated code: comments are one printable line (a newline in a
comment would start a line of code), and nothing else from the account is written unquoted."""

from __future__ import annotations

from awsobs.report.text import printable


def comment(text: str, limit: int = 300) -> str:
    """`# text` on one line: control and bidi characters escaped, long text cut."""
    line = printable(" ".join(str(text).split()))
    if len(line) > limit:
        line = line[: limit - 3] + "..."
    return f"# {line}"
