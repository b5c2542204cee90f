"""The human report: gaps first, grouped by check, one line per resource, then a summary."""

from __future__ import annotations

from collections import defaultdict

from tabulate import tabulate

from awsobs.model import Finding, Report, Status

_ORDER = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2, Status.NOT_APPLICABLE: 3}
_MAX_FIXES = 3


def short_resource(resource_id: str) -> str:
    """`arn:aws:cloudtrail:us-east-1:123:trail/main` -> `trail/main`; non-ARNs unchanged."""
    parts = resource_id.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn":
        return parts[5] or resource_id
    return resource_id


def render(report: Report, *, show_pass: bool = False, width: int | None = None) -> str:
    """Groups of FAIL and UNKNOWN findings (PASS and NOT_APPLICABLE with `show_pass`)."""
    shown = {Status.FAIL, Status.UNKNOWN}
    if show_pass:
        shown |= {Status.PASS, Status.NOT_APPLICABLE}
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        if f.status in shown:
            groups[f.check_id].append(f)
    position = {check_id: i for i, check_id in enumerate(report.checks)}

    def group_key(check_id: str) -> tuple[int, int, int]:
        best = min(_ORDER[f.status] for f in groups[check_id])
        severity = -groups[check_id][0].severity.rank
        return best, severity, position.get(check_id, len(position))

    message_width = max(30, width - 45) if width else None
    lines: list[str] = []
    for check_id in sorted(groups, key=group_key):
        rows = sorted(groups[check_id], key=lambda f: (_ORDER[f.status], f.region, f.resource_id))
        first = rows[0]
        lines.append(f"{check_id}  [{first.severity.value}]  {first.title}")
        table = tabulate(
            [(f.status.value, f.region, short_resource(f.resource_id), f.message) for f in rows],
            headers=("STATUS", "REGION", "RESOURCE", "MESSAGE"),
            tablefmt="simple",
            maxcolwidths=[None, None, 40, message_width],
        )
        lines.extend("  " + line for line in table.splitlines())
        fixes = list(dict.fromkeys(f.remediation for f in rows if f.status is Status.FAIL))
        for fix in fixes[:_MAX_FIXES]:
            lines.append(f"  fix: {fix}")
        if len(fixes) > _MAX_FIXES:
            lines.append(f"  ... and {len(fixes) - _MAX_FIXES} more fixes in the JSON report")
        lines.append("")
    if not groups:
        lines.append("No gaps found." if not show_pass else "No findings.")
        lines.append("")
    lines.append(summary_line(report, show_pass=show_pass))
    for error in report.errors:
        lines.append(f"error: {error}")
    return "\n".join(lines) + "\n"


def summary_line(report: Report, *, show_pass: bool = False) -> str:
    counts = report.summary()
    parts = [f"{counts[s.value]} {s.value}" for s in Status]
    hidden = "" if show_pass else " (PASS and NOT_APPLICABLE hidden: --show-pass)"
    return (
        f"Summary: {', '.join(parts)}{hidden} | {len(report.checks)} checks, "
        f"{len(report.regions)} regions, account {', '.join(report.accounts)}, "
        f"{report.api_calls} API calls, {report.duration_s:.1f} s"
    )
