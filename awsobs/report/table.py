"""The human report: gaps first, grouped by check, one line per resource, then a summary.

Every string that can come from the account (names, messages, fixes, suppression reasons,
errors) goes through `printable` as it is laid out, so a hostile name shows its control
and bidi characters as escapes instead of driving the terminal. The layout (wrapping to the
terminal's width, long ids on a line of their own, colour) is `awsobs.report.layout`'s.
"""

from __future__ import annotations

from collections import defaultdict

from awsobs.model import Finding, Report, Status
from awsobs.report.layout import (
    SEVERITY_SGR,
    Column,
    grid,
    hanging,
    paint,
    paint_counts,
    paint_status,
)
from awsobs.report.text import printable
from awsobs.units import human_bytes

_ORDER = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}
_MAX_FIXES = 3
# How narrow a column may get on a narrow terminal; a longer id gets a line of its own.
_REGION_FLOOR = 14  # ap-southeast-2
_RESOURCE_FLOOR = 16
_CHECK_FLOOR = 16
_MESSAGE_FLOOR = 30
_REASON_FLOOR = 24


def short_resource(resource_id: str) -> str:
    """`arn:aws:cloudtrail:us-east-1:123:trail/main` -> `trail/main`; non-ARNs unchanged."""
    parts = resource_id.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        return parts[5] or resource_id
    return resource_id


def render(
    report: Report, *, show_pass: bool = False, width: int | None = None, color: bool = False
) -> str:
    """Groups of FAIL and UNKNOWN findings (PASS and NOT_APPLICABLE with `show_pass`), laid
    out to `width` terminal columns (None: lines kept whole), in colour with `color`."""
    shown = {Status.FAIL, Status.UNKNOWN}
    if show_pass:
        shown |= {Status.PASS, Status.NOT_APPLICABLE}
    counts = paint_counts if color else _plain
    visible = [f for f in report.findings if f.status in shown and not f.suppressed]
    lines: list[str] = []
    if len(report.accounts) > 1:  # an organization: one section per account
        by_account: dict[str, list[Finding]] = defaultdict(list)
        for f in visible:
            by_account[f.account_id].append(f)
        for account in sorted(by_account):
            found = by_account[account]
            fails = sum(f.status is Status.FAIL for f in found)
            unknown = sum(f.status is Status.UNKNOWN for f in found)
            said = f"account {printable(account)}: {fails} FAIL, {unknown} UNKNOWN"
            lines += [counts(line) for line in hanging("== ", said, width)] + [""]
            lines.extend(_check_groups(found, report.checks, width, color))
    else:
        lines.extend(_check_groups(visible, report.checks, width, color))
    if not visible:
        lines.append("No gaps found." if not show_pass else "No findings.")
        lines.append("")
    lines.extend(_suppressed_section(report, width, color))
    cost = cost_line(report)
    if cost:
        lines += hanging("Cost: ", printable(cost.removeprefix("Cost: ")), width)
    summary = printable(summary_line(report, show_pass=show_pass).removeprefix("Summary: "))
    lines += [counts(line) for line in hanging("Summary: ", summary, width)]
    for error in report.errors:
        lines += hanging("error: ", printable(error), width)
    return "\n".join(lines) + "\n"


def _plain(text: str) -> str:
    return text


def _heading(check_id: str, severity: str, title: str, width: int | None, color: bool) -> list[str]:
    """`check.id  [high]  Title`, the severity in its colour."""
    lead = f"{printable(check_id)}  [{severity}]  "
    lines = hanging(lead, printable(title), width)
    if color and severity in SEVERITY_SGR:
        painted = f"{printable(check_id)}  {paint(f'[{severity}]', SEVERITY_SGR[severity])}  "
        lines[0] = (painted + lines[0][len(lead) :]).rstrip()
    return lines


def _check_groups(
    findings: list[Finding], checks: tuple[str, ...], width: int | None, color: bool
) -> list[str]:
    """One block per check: heading, a row per resource, then up to three fixes."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.check_id].append(f)
    position = {check_id: i for i, check_id in enumerate(checks)}

    def group_key(check_id: str) -> tuple[int, int, int]:
        best = min(_ORDER[f.status] for f in groups[check_id])
        severity = -groups[check_id][0].severity.rank
        return best, severity, position.get(check_id, len(position))

    status = paint_status if color else None
    columns = (
        Column("STATUS", paint=status),
        Column("REGION", floor=_REGION_FLOOR, whole=True),
        Column("RESOURCE", floor=_RESOURCE_FLOOR, whole=True),
        Column("MESSAGE", floor=_MESSAGE_FLOOR, flex=True),
    )
    lines: list[str] = []
    for check_id in sorted(groups, key=group_key):
        rows = sorted(groups[check_id], key=_row_order)
        first = rows[0]
        lines += _heading(check_id, first.severity.value, first.title, width, color)
        cells = [
            (
                f.status.value,
                printable(f.region),
                printable(short_resource(f.resource_id)),
                printable(f.message),
            )
            for f in rows
        ]
        lines += grid(columns, cells, width)
        fixes = list(dict.fromkeys(f.remediation for f in rows if f.status is Status.FAIL))
        for fix in fixes[:_MAX_FIXES]:
            lines += hanging("  fix: ", printable(fix), width)
        if len(fixes) > _MAX_FIXES:
            lines.append(f"  ... and {len(fixes) - _MAX_FIXES} more fixes in the JSON report")
        lines.append("")
    return lines


def _row_order(f: Finding) -> tuple[int, int, str, str]:
    """Gaps first; among them the largest stored data first (log groups that never expire)."""
    stored = f.evidence.get("storedBytes")
    return (_ORDER[f.status], -stored if isinstance(stored, int) else 0, f.region, f.resource_id)


def _suppressed_section(report: Report, width: int | None, color: bool) -> list[str]:
    """Suppressed findings with their reasons, then suppressions that need a look."""
    lines: list[str] = []
    quiet = sorted(
        (f for f in report.findings if f.suppressed),
        key=lambda f: (f.check_id, f.region, f.resource_id),
    )
    if quiet:
        lead = f"Suppressed ({len(quiet)}): "
        lines += hanging(lead, "kept in the report, not counted for the exit code", width)
        columns = (
            Column("STATUS", paint=paint_status if color else None),
            Column("CHECK", floor=_CHECK_FLOOR, whole=True),
            Column("REGION", floor=_REGION_FLOOR, whole=True),
            Column("RESOURCE", floor=_RESOURCE_FLOOR, whole=True),
            Column("REASON", floor=_REASON_FLOOR, flex=True),
        )
        cells = [
            (
                f.status.value,
                printable(f.check_id),
                printable(f.region),
                printable(short_resource(f.resource_id)),
                printable(f.suppression_reason or ""),
            )
            for f in quiet
        ]
        lines += grid(columns, cells, width)
        lines.append("")
    if report.suppression_notes:
        lines.append("Suppressions to review:")
        for n in report.suppression_notes:
            lines += hanging("  ", printable(n.describe()), width)
        lines.append("")
    return lines


def cost_line(report: Report) -> str:
    """`Cost: 3 log groups never expire, holding 12.4 GiB (largest: ...)`, or ''.

    CloudWatch Logs bills stored bytes every month; never-expiring groups only grow.
    """
    groups = [
        f
        for f in report.findings
        if f.check_id == "logs.retention_defined"
        and f.status is Status.FAIL
        and isinstance(f.evidence.get("storedBytes"), int)
    ]
    if not groups:
        return ""
    total = sum(int(f.evidence["storedBytes"]) for f in groups)
    largest = max(groups, key=lambda f: int(f.evidence["storedBytes"]))
    name = short_resource(largest.resource_id).removeprefix("log-group:").removesuffix(":*")
    what = "log group never expires" if len(groups) == 1 else "log groups never expire"
    return (
        f"Cost: {len(groups)} {what}, "
        f"holding {human_bytes(total)} (largest: {name}, "
        f"{human_bytes(int(largest.evidence['storedBytes']))})"
    )


def _accounts(accounts: tuple[str, ...]) -> str:
    return f"account {accounts[0]}" if len(accounts) == 1 else f"{len(accounts)} accounts"


def summary_line(report: Report, *, show_pass: bool = False) -> str:
    counts = report.summary()
    parts = [f"{counts[s.value]} {s.value}" for s in Status]
    suppressed = sum(f.suppressed for f in report.findings)
    if suppressed:
        parts.append(f"{suppressed} of them suppressed")
    hidden = "" if show_pass else " (PASS and NOT_APPLICABLE hidden: --show-pass)"
    return (
        f"Summary: {', '.join(parts)}{hidden} | {len(report.checks)} checks, "
        f"{len(report.regions)} regions, {_accounts(report.accounts)}, "
        f"{report.api_calls} API calls, {report.duration_s:.1f} s" + _tag_filter(report)
    )


def _tag_filter(report: Report) -> str:
    """` | only resources tagged env=prod` after a --tag scan (tags from AWS: printable)."""
    if not report.tag_filter:
        return ""
    return " | only resources tagged " + ", ".join(f"{k}={v}" for k, v in report.tag_filter.items())
