"""The HTML report: one self-contained page a person opens from a CI artifact or an e-mail.

At the top the scan (accounts, regions, time, coverage, counts), then the resource map as a
heatmap (a row per resource, a cell per signal with a colour *and* a symbol, grouped by
service, worst first), sortable and filterable, where clicking a cell shows the findings
behind it; with a baseline, new gaps are marked and resolved ones listed; then the findings
check by check.

It works offline and trusts nothing it shows:

- no request to any other host: the CSS and the script are inline (html_assets/), there
  is no font, image or link to fetch, and a Content-Security-Policy in the page allows only
  those two blocks (by their SHA-256) and nothing else (`default-src 'none'`);
- every string from the account (names, tags, messages, evidence) goes through `printable`
  (control and bidi characters shown as escapes) and then `html.escape`; what the script
  needs (the findings behind each cell) is a JSON block whose `<`, `>`, `&`, U+2028 and
  U+2029 are `\\u` escapes, so no name can close it, and the script writes it into the page
  with `textContent` only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from awsobs.model import Finding, Report, Status, thaw
from awsobs.report.table import short_resource
from awsobs.report.text import printable
from awsobs.resources import SIGNALS, Cell, Coverage, ResourceMap, ResourceRow, registry_meta

if TYPE_CHECKING:
    from awsobs.compliance.summary import ComplianceSummary
    from awsobs.report.diff import Diff

_ASSETS = files("awsobs.report").joinpath("html_assets")
_CLASS = {Status.PASS: "pass", Status.FAIL: "fail", Status.UNKNOWN: "unknown", None: "none"}
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}  # fmt: skip
_EVIDENCE_LIMIT = 4_000
MAX_LISTED = 100
"""FAIL and UNKNOWN findings listed per check below the map (the map and the JSON have all)."""
FIRST_ROWS = 300
"""Rows of the map shown at first and per filter (report.js PAGE): a browser lays out a few
hundred table rows in milliseconds, 5,000 in seconds; "Show more" shows the rest."""


def _t(text: object) -> str:
    """Text of AWS origin, safe as HTML text or a quoted attribute value."""
    return html.escape(printable(str(text)), quote=True)


def _asset(name: str) -> str:
    return _ASSETS.joinpath(name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _json_block(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for char, escaped in _JSON_ESCAPES.items():
        text = text.replace(char, escaped)
    return text


def render(
    report: Report, *, diff: Diff | None = None, compliance: ComplianceSummary | None = None
) -> str:
    """The whole page. With `diff` (a scan against a baseline), the cells and findings of
    new gaps are marked and the resolved gaps listed; with `compliance`, the benchmark's
    requirement table follows the header."""
    resource_map = report.resources()
    new_keys = {c.key for c in diff.new_gaps} if diff is not None else set()
    new = [(f.check_id, f.account_id, f.region, f.resource_id) in new_keys for f in report.findings]
    css, script = _asset("report.css"), _asset("report.js")
    csp = (
        "default-src 'none'; "
        f"style-src 'sha256-{_sha256(css)}'; script-src 'sha256-{_sha256(script)}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    body = [
        _header(report, resource_map, diff),
        _compliance(compliance),
        _filters(resource_map, baseline=diff is not None),
        _map(resource_map, new),
        _resolved(diff),
        _check_list(report, new),
        '<aside id="detail" hidden><button type="button" id="close">Close</button>'
        '<div id="detail-body"></div></aside>',
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>awsobs: {_t(_accounts(report))}</title>\n"
        f"<style>{css}</style></head>\n<body>\n"
        + "\n".join(part for part in body if part)
        + '\n<script type="application/json" id="awsobs-data">'
        + _json_block(_data(report, new))
        + "</script>\n"
        f"<script>{script}</script>\n</body></html>\n"
    )


def _compliance(summary: ComplianceSummary | None) -> str:
    if summary is None:
        return ""
    from awsobs.report.compliance_view import html_section

    return html_section(summary)


def _accounts(report: Report) -> str:
    if len(report.accounts) == 1:
        return f"account {report.accounts[0]}"
    return f"{len(report.accounts)} accounts"


def _header(report: Report, resource_map: ResourceMap, diff: Diff | None) -> str:
    counts = report.summary()
    suppressed = sum(f.suppressed for f in report.findings)
    started = report.started_at.strftime("%Y-%m-%d %H:%M UTC")
    coverage = resource_map.coverage
    ratio = coverage.ratio
    items = [
        ("Accounts", ", ".join(report.accounts) or "-"),
        ("Regions", ", ".join(report.regions) or "-"),
        ("Scanned", f"{started}, {report.duration_s:.1f} s, {report.api_calls} API calls"),
        ("Checks", str(len(report.checks))),
    ]
    by_account = resource_map.coverage_by_account()
    if len(by_account) > 1:
        shown = ", ".join(f"{a}: {c}" for a, c in by_account.items())
        items.append(("Coverage by account", shown))
    facts = "".join(f"<dt>{_t(k)}</dt><dd>{_t(v)}</dd>" for k, v in items)
    figures = [
        (
            "coverage",
            "-" if ratio is None else f"{round(100 * ratio)}%",
            f"coverage: {coverage.passing} of {coverage.applicable} cells pass",
        ),
        ("fail", str(counts["FAIL"]), "FAIL"),
        ("unknown", str(counts["UNKNOWN"]), "UNKNOWN"),
        ("pass", str(counts["PASS"]), "PASS"),
        ("none", str(counts["NOT_APPLICABLE"]), "NOT_APPLICABLE"),
    ]
    if suppressed:
        figures.append(("none", str(suppressed), "suppressed"))
    tiles = "".join(
        f'<div class="tile {cls}"><b>{_t(big)}</b><span>{_t(small)}</span></div>'
        for cls, big, small in figures
    )
    lines = [
        "<header>",
        f"<h1>awsobs: {_t(_accounts(report))}</h1>",
        f'<dl class="facts">{facts}</dl>',
        f'<div class="tiles">{tiles}</div>',
    ]
    if diff is not None:
        lines.append(
            f'<p class="baseline">Against the baseline of {_t(diff.old_started_at)}: '
            f'<b class="new">{len(diff.new_gaps)} new gaps</b>, '
            f"{len(diff.resolved)} resolved, {len(diff.changed)} changed, "
            f"{len(diff.out_of_scope)} not compared, {diff.unchanged_failures} still failing."
            "</p>"
        )
    for error in report.errors:
        lines.append(f'<p class="error">error: {_t(error)}</p>')
    lines.append("</header>")
    return "\n".join(lines)


def _options(values: Iterable[str]) -> str:
    return "".join(f'<option value="{_t(v)}">{_t(v)}</option>' for v in values)


def _filters(resource_map: ResourceMap, *, baseline: bool) -> str:
    accounts = sorted({r.account_id for r in resource_map})
    regions = sorted({r.region for r in resource_map})
    services = sorted({r.service for r in resource_map})
    statuses = (
        '<option value="">any status</option><option value="gap">a gap (FAIL or UNKNOWN)</option>'
        '<option value="fail">a FAIL</option><option value="unknown">an UNKNOWN</option>'
        '<option value="pass">all applicable pass</option>'
    )
    return (
        '<section id="map-section"><h2>Resource map</h2>'
        '<form id="filters" class="filters">'
        '<label>Search <input type="search" id="f-text" placeholder="name, id, type"></label>'
        f'<label>Account <select id="f-account"><option value="">all</option>'
        f"{_options(accounts)}</select></label>"
        f'<label>Region <select id="f-region"><option value="">all</option>'
        f"{_options(regions)}</select></label>"
        f'<label>Service <select id="f-service"><option value="">all</option>'
        f"{_options(services)}</select></label>"
        f'<label>Status <select id="f-status">{statuses}</select></label>'
        '<output id="f-count"></output></form>'
        '<p class="legend"><span class="cell pass">✓</span> pass '
        '<span class="cell fail">✗</span> fail <span class="cell unknown">?</span> unknown '
        '<span class="cell none">-</span> no check of that signal applies'
        + ('; <span class="cell fail new">✗</span> new since the baseline' if baseline else "")
        + ". Click a cell for its findings and fixes; click a column to sort.</p>"
    )


def _map(resource_map: ResourceMap, new: list[bool]) -> str:
    heads = "".join(
        f'<th scope="col" data-sort="{i + 3}" class="sig">{_t(s.value)}</th>'
        for i, s in enumerate(SIGNALS)
    )
    one = len({r.account_id for r in resource_map}) <= 1
    out = [
        f'<table id="map" class="map{" one-account" if one else ""}"><thead><tr>'
        '<th scope="col" data-sort="0">Resource</th>'
        '<th scope="col" data-sort="1" class="reg">Region</th>'
        f'<th scope="col" data-sort="2" class="acct">Account</th>{heads}'
        f'<th scope="col" data-sort="{len(SIGNALS) + 3}" class="covh">Coverage</th></tr></thead>'
    ]
    width = len(SIGNALS) + (3 if one else 4)  # a hidden column must not count
    placed = 0
    for service, rows in resource_map.groups():
        total = sum((r.coverage for r in rows), Coverage(0, 0))
        out.append(
            f'<tbody data-service="{_t(service)}"><tr class="group">'
            f'<th colspan="{width}">{_t(service)} <small>{len(rows)} · coverage {_t(total)}'
            "</small></th></tr>"
        )
        for r in rows:
            out.append(_row(r, new, over=placed >= FIRST_ROWS))
            placed += 1
        out.append("</tbody>")
    out.append("</table>")
    out.append('<p><button type="button" id="more" hidden>Show more resources</button></p>')
    if resource_map.unmapped_checks:
        out.append(
            '<p class="note">Not on the map (the check declares no signal): '
            f"{_t(', '.join(resource_map.unmapped_checks))}</p>"
        )
    if not resource_map.rows:
        out.append('<p class="note">No resource was judged by a check that has a signal.</p>')
    out.append("</section>")
    return "\n".join(out)


def _row(r: ResourceRow, new: list[bool], *, over: bool) -> str:
    """A resource's row; `over`: past the first FIRST_ROWS, shown by "Show more" (and in print)."""
    name = r.resource_id if r.is_scope else short_resource(r.resource_id)
    ratio = r.coverage.ratio
    over_class = ' class="over"' if over else ""
    statuses = " ".join(sorted({_CLASS[c.status] for c in r.cells.values()}))
    cells = "".join(_cell(c, new) for c in (r.cells[s] for s in SIGNALS))
    return (
        f'<tr data-account="{_t(r.account_id)}" data-region="{_t(r.region)}" '
        f'data-status="{statuses}" data-type="{_t(r.resource_type)}" '
        f'data-cov="{-1 if ratio is None else round(ratio, 4)}"{over_class}>'
        f'<th scope="row" title="{_t(r.resource_id)}"><span class="kind">{_t(r.kind)}</span> '
        f'{_t(name)}</th><td>{_t(r.region)}</td><td class="acct">{_t(r.account_id)}</td>{cells}'
        f'<td class="cov">{_t(r.coverage)}</td></tr>'
    )


def _cell(c: Cell, new: list[bool]) -> str:
    """A signal's cell: colour (class) and symbol; `data-f`/`data-i` index the findings behind
    it in the data block (its own, and the inherited scope-wide ones)."""
    cls = _CLASS[c.status]
    refs = [*c.findings, *c.inherited]
    if not refs:
        return f'<td class="cell {cls}">{c.symbol}</td>'
    is_new = any(new[i] for i in refs)
    marks = (" new" if is_new else "") + (" suppressed" if c.suppressed else "")
    own = f' data-f="{",".join(map(str, c.findings))}"' if c.findings else ""
    inherited = f' data-i="{",".join(map(str, c.inherited))}"' if c.inherited else ""
    title = ' title="new since the baseline"' if is_new else ""
    return f'<td class="cell {cls}{marks}" tabindex="0"{own}{inherited}{title}>{c.symbol}</td>'


def _resolved(diff: Diff | None) -> str:
    if diff is None or not diff.resolved:
        return ""
    items = "".join(
        f"<li><code>{_t(c.check_id)}</code> {_t(c.region)} "
        f"<code>{_t(short_resource(c.resource_id))}</code>: was "
        f"{_t(c.old_status.value if c.old_status else '-')}, now "
        f"{_t(c.new_status.value if c.new_status else 'gone')}: {_t(c.message)}</li>"
        for c in diff.resolved
    )
    return f'<section id="resolved"><h2>Resolved since the baseline</h2><ul>{items}</ul></section>'


def _check_list(report: Report, new: list[bool]) -> str:
    by_check: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(report.findings):
        by_check[f.check_id].append(i)
    out = ['<section id="checks"><h2>Findings by check</h2>']
    for check_id, indices in by_check.items():
        found = [report.findings[i] for i in indices]
        first = found[0]
        counts = Counter(f.status for f in found)
        tally = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
        gaps = [i for i in indices if report.findings[i].status in (Status.FAIL, Status.UNKNOWN)]
        is_open = " open" if any(report.findings[i].status is Status.FAIL for i in gaps) else ""
        out.append(
            f'<details class="check"{is_open}><summary><code>{_t(check_id)}</code> '
            f'<span class="sev {_t(first.severity.value)}">{_t(first.severity.value)}</span> '
            f"{_t(first.title)} <small>{_t(tally)}</small></summary>"
        )
        if gaps:
            out.append('<table class="findings"><tbody>')
            out.extend(_finding_row(report.findings[i], new[i]) for i in gaps[:MAX_LISTED])
            out.append("</tbody></table>")
            if len(gaps) > MAX_LISTED:
                out.append(
                    f'<p class="note">... and {len(gaps) - MAX_LISTED} more: filter the map '
                    "above, or see the JSON report.</p>"
                )
            fixes = dict.fromkeys(
                report.findings[i].remediation
                for i in gaps
                if report.findings[i].status is Status.FAIL and report.findings[i].remediation
            )
            out.extend(f'<p class="fix">Fix: <code>{_t(fix)}</code></p>' for fix in fixes)
        else:
            out.append('<p class="note">No gap.</p>')
        out.append("</details>")
    out.append("</section>")
    return "\n".join(out)


def _finding_row(f: Finding, is_new: bool) -> str:
    cls = _CLASS[f.status] + (" new" if is_new else "")
    status = f.status.value + (" (new)" if is_new else "")
    if f.suppressed:
        status += f" (suppressed: {f.suppression_reason or 'no reason'})"
    return (
        f'<tr><td class="st {cls}">{_t(status)}</td><td>{_t(f.region)}</td>'
        f"<td><code>{_t(short_resource(f.resource_id))}</code></td><td>{_t(f.message)}</td></tr>"
    )


def _data(report: Report, new: list[bool]) -> dict[str, Any]:
    """What the script shows when a cell is clicked, compact (a page of 5,000 resources holds
    20,000 findings): each check (title, severity, the kinds its scope findings apply to),
    each fix and each resource id once, and per finding its check, status letter, region,
    resource, message and evidence; fields that are empty, null or false are left out. All
    text is printable (control and bidi characters escaped)."""
    checks: dict[str, int] = {}
    check_list: list[dict[str, str]] = []
    fixes: dict[str, int] = {}  # most checks give one fix for all their findings
    ids: dict[str, int] = {}  # a resource has a finding per check of it
    findings = []
    for i, f in enumerate(report.findings):
        if f.check_id not in checks:
            checks[f.check_id] = len(check_list)
            meta = registry_meta(f.check_id)
            kinds = list(meta.resource_types) if meta is not None else []
            check_list.append(
                {
                    "id": printable(f.check_id),
                    "title": printable(f.title),
                    "severity": f.severity.value,
                    "kinds": "every resource" if "*" in kinds else ", ".join(kinds),
                }
            )
        item: dict[str, Any] = {
            "c": checks[f.check_id],
            "s": f.status.value[0],
            "r": printable(f.region),
            "id": ids.setdefault(printable(f.resource_id), len(ids)),
            "m": printable(f.message),
        }
        if f.evidence:
            item["e"] = _evidence(f.evidence)
        if f.status in (Status.FAIL, Status.UNKNOWN) and f.remediation:
            item["fix"] = fixes.setdefault(printable(f.remediation), len(fixes))
        if f.suppressed:
            item["x"] = printable(f.suppression_reason or "no reason given")
        if new[i]:
            item["n"] = 1
        findings.append(item)
    return {"checks": check_list, "fixes": list(fixes), "ids": list(ids), "findings": findings}


def _evidence(evidence: Mapping[str, Any]) -> Any:
    """The evidence as JSON values whose strings (and keys) are printable; the script shows it
    with JSON.stringify. Past _EVIDENCE_LIMIT characters, the start of it as text."""
    plain = json.loads(json.dumps(thaw(evidence), default=str))
    text = json.dumps(plain, indent=1, sort_keys=True, ensure_ascii=False)
    if len(text) > _EVIDENCE_LIMIT:
        cut = text[:_EVIDENCE_LIMIT] + "\n... (cut: the JSON report has all of it)"
        return "\n".join(printable(line) for line in cut.split("\n"))
    return _printable_json(plain)


def _printable_json(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        return [_printable_json(v) for v in value]
    if isinstance(value, dict):
        return {printable(k): _printable_json(v) for k, v in sorted(value.items())}
    return value
