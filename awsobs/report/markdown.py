r"""A compact Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY`.

Gaps first (by severity), then what could not be checked, then what is suppressed and
which suppressions expired. Tables are capped, and the whole text stays under GitHub's
65,536-character comment limit; the JSON report has everything.

Text from the account is written by whoever can create resources in it, and a PR comment
must not become theirs. Every cell of such text goes through `cell` (the resource and
check columns through `code`, the same text inside `<code>`), which:

- keeps it on one line: runs of spaces, tabs, CR and LF become one space; every other
  control, bidi or invisible format character is shown as an escape (`printable`);
- writes `&`, `<` and `>` as entities, so no tag, comment or autolink reaches GitHub;
- backslash-escapes the characters that start Markdown inline syntax: ``\``, ``[``, ``]``
  (links, images, footnotes), `` ` `` (code spans), ``*``, ``~`` and a ``_`` that is not
  between two letters or digits (emphasis, strikethrough), ``#`` (headings), ``|`` (table
  cells), and a leading ``-``, ``+`` or ``1.`` (list items). ``(``, ``)`` and ``!`` stay
  as they are: without an unescaped ``[`` they cannot make a link or an image;
- puts an empty `<wbr>` element (invisible, copied as nothing) into `://`, `www.`, and
  after an `@` or `#` followed by a letter or digit, so neither the GFM autolink extension
  nor GitHub's reference linking sees a URL, an e-mail address, an `@mention` or `#123`.

What GitHub renders from such text (tests/unit/report/test_hostile_names.py checks it
with cmark-gfm, the renderer GitHub uses, with its table, autolink, strikethrough and
tagfilter extensions and raw HTML allowed): plain text only, showing the original
characters (`<script>`, `**bold**`, `[click](https://evil.example)`, `&lt;` read as
typed) and the escapes; no element, link, image, heading, emphasis or code span comes
from the account.
What it still does: `:emoji:` shortcodes in plain text become emoji (not inside `code`);
a `GH-123` or a bare commit SHA in plain text may still link inside the repository
(GitHub's own reference linking is not in cmark-gfm, and it skips `<code>`, which is why
resources are in it); homoglyphs look like what they imitate.
"""

from __future__ import annotations

import re

from awsobs.model import Finding, Report, Status
from awsobs.report.table import short_resource
from awsobs.report.text import printable

MAX_ROWS = 50
MAX_CHARS = 60_000

_BLANKS = re.compile(r"[ \t\n\r]+")
_SYNTAX = re.compile(r"[\\`*~#|\[\]<>&]|(?<![^\W_])_|_(?![^\W_])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_LINKS = re.compile(r"(?<=:)(?=//)|(?i:(?<=www))(?=\.)|(?<=[@#])(?=[^\W_])")
_LIST_MARKER = re.compile(r"[-+]|\d{1,9}[.)]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ENTITIES.get(char) or "\\" + char


def cell(text: str, limit: int = 300) -> str:
    """Text of AWS origin as Markdown that renders as that text and nothing else: one line,
    capped at `limit` visible characters, `|` escaped (see the module docstring)."""
    shown = " ".join(printable(_BLANKS.sub(" ", str(text))).split())
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    out = _LINKS.sub("<wbr>", _SYNTAX.sub(_escape, shown))
    marker = _LIST_MARKER.match(out)
    if marker:  # `- x` or `1. x` would start a list inside a list item
        out = out[: marker.end() - 1] + "\\" + out[marker.end() - 1 :]
    return out


def code(text: str, limit: int = 300) -> str:
    """`cell(text)` inside `<code>`: shown as code, and skipped by GitHub's reference
    linking (`@user`, `#123`, commit SHAs) and emoji shortcodes."""
    return f"<code>{cell(text, limit)}</code>"


def _table(findings: list[Finding], last: str, value: str) -> list[str]:
    rows = [
        f"| {f.severity.value} | {code(f.check_id)} | {cell(f.region)} "
        f"| {code(short_resource(f.resource_id), 80)} | {cell(getattr(f, value) or '')} |"
        for f in findings[:MAX_ROWS]
    ]
    head = ["| Severity | Check | Region | Resource | " + last + " |", "|---|---|---|---|---|"]
    more = (
        ["", f"… and {len(findings) - MAX_ROWS} more in the JSON report."]
        if len(findings) > MAX_ROWS
        else []
    )
    return head + rows + more


def _order(f: Finding) -> tuple[int, str, str, str]:
    return (-f.severity.rank, f.check_id, f.region, f.resource_id)


def render(report: Report) -> str:
    """The summary as GitHub-flavoured Markdown."""
    shown = [f for f in report.findings if not f.suppressed]
    fails = sorted((f for f in shown if f.status is Status.FAIL), key=_order)
    unknown = sorted((f for f in shown if f.status is Status.UNKNOWN), key=_order)
    suppressed = sorted((f for f in report.findings if f.suppressed), key=_order)
    counts = report.summary()
    accounts = (
        f"account {cell(report.accounts[0])}"
        if len(report.accounts) == 1
        else f"{len(report.accounts)} accounts"
    )
    title = f"{len(fails)} gap{'s' if len(fails) != 1 else ''}" if fails else "no gaps"
    lines = [
        f"## awsobs: {title} in {accounts}",
        "",
        f"**{len(fails)} FAIL** · {len(unknown)} UNKNOWN · {counts['PASS']} PASS · "
        f"{counts['NOT_APPLICABLE']} not applicable · {len(suppressed)} suppressed — "
        f"{len(report.checks)} checks, {len(report.regions)} regions, "
        f"{report.api_calls} API calls, {report.duration_s:.1f} s",
        "",
    ]
    if report.tag_filter:  # --tag: say that untagged resources are not in this report
        wanted = ", ".join(code(f"{k}={v}") for k, v in report.tag_filter.items())
        lines += [f"Only resources tagged {wanted} (and the account and regions).", ""]
    if fails:
        lines += ["### Gaps", "", *_table(fails, "Finding", "message"), ""]
    if unknown:
        lines += ["### Could not check (UNKNOWN)", "", *_table(unknown, "Why", "message"), ""]
    if suppressed:
        lines += [
            f"<details><summary>Suppressed ({len(suppressed)})</summary>",
            "",
            *_table(suppressed, "Reason", "suppression_reason"),
            "",
            "</details>",
            "",
        ]
    expired = [n for n in report.suppression_notes if n.kind == "expired"]
    unused = [n for n in report.suppression_notes if n.kind == "unused"]
    if expired or unused:
        lines += ["### Suppressions to review", ""]
        lines += [f"- {cell(n.describe(), 500)}" for n in (*expired, *unused)][:MAX_ROWS]
        lines.append("")
    for error in report.errors:
        lines.append(f"> error: {cell(error, 500)}")
    text = "\n".join(lines).rstrip("\n") + "\n"
    if len(text) > MAX_CHARS:
        cut = text.rfind("\n", 0, MAX_CHARS - 100)
        text = text[:cut] + "\n\n… (cut to fit a comment; the JSON report has everything)\n"
    return text
