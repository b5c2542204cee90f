"""A compact Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY`.

Gaps first (by severity), then what could not be checked, then what is suppressed and
which suppressions expired. Tables are capped, and the whole text stays under GitHub's
65,536-character comment limit; the JSON report has everything.
"""

from __future__ import annotations

from awsobs.model import Finding, Report, Status
from awsobs.report.table import short_resource

MAX_ROWS = 50
MAX_CHARS = 60_000


def cell(text: str, limit: int = 300) -> str:
    """Text safe inside a Markdown table cell: one line, `|` escaped, capped."""
    one_line = " ".join(str(text).split())
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return one_line.replace("\\", "\\\\").replace("|", "\\|")


def _table(findings: list[Finding], last: str, value: str) -> list[str]:
    rows = [
        f"| {f.severity.value} | `{f.check_id}` | {f.region} "
        f"| {cell(short_resource(f.resource_id), 80)} | {cell(getattr(f, value) or '')} |"
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
        f"account {report.accounts[0]}"
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
