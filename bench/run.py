"""Benchmark `awsobs scan` as a user runs it: wall time, peak RSS and AWS requests.

Starts a latency moto server on 127.0.0.1 (empty account), seeds the scenario and scans
once untimed to warm moto up, all with no latency; then turns the latency on and, for
each measured scan, resets the server's request counter and runs
`python -m awsobs scan --format json ...` in a child process (measure.py). Also times
`awsobs --version` and `awsobs checks`. Writes JSON (--output) and Markdown (--markdown).

    python bench/run.py [--scenario small] [--latency-ms 50] [--repeat 3]
                        [--workers 16] [--jobs default|1,2] [--regions scenario|all|r1,r2]
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from expected import expected_total, per_resource_type
from latency_server import latency_server
from measure import bench_environment, loopback_only, run_child, use_endpoint
from scenarios import SCENARIOS, Scenario, Seeded

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"
MARKDOWN = HERE / "results" / "latest.md"
CLI_RUNS = 5
# (scenario, latency ms) -> (wall s, peak RSS MiB); and the CLI's own commands.
TARGETS: dict[tuple[str, float], tuple[float, float | None]] = {
    ("small", 0): (1.5, 120),
    ("small", 50): (2.5, None),
    ("x10", 50): (4.0, None),
    ("regions17", 50): (3.0, None),
    ("org50", 50): (30.0, 400),
}
CLI_TARGETS = {"awsobs --version": 0.3, "awsobs checks": 0.6}


def scan_args(seeded: Seeded, regions: str, workers: int, jobs: str = "default") -> list[str]:
    cmd = ["-m", "awsobs", "scan", "--format", "json", "--fail-on", "none"]
    cmd += ["--max-workers", str(workers), *seeded.scan_args]
    if jobs != "default":  # the scan's own default: one process per core (several accounts)
        cmd += ["--jobs", jobs]
    if regions == "scenario":
        regions = ",".join(seeded.regions) if seeded.regions else "all"
    return [*cmd, "--regions", regions]


def check_cli(scenario: str, sc: Scenario) -> None:
    """Fail early, before seeding, if the scan needs a flag this awsobs lacks."""
    if sc.requires is None:
        return
    done = run_child(["-m", "awsobs", "scan", "--help"], bench_environment("http://127.0.0.1:1"))
    if sc.requires not in done.stdout.split():
        raise SystemExit(
            f"scenario {scenario} needs awsobs scan {sc.requires} (not in `awsobs scan --help` yet)"
        )


def scan_once(server: Any, cmd: list[str]) -> dict[str, Any]:
    server.reset_count()
    before = resource.getrusage(resource.RUSAGE_SELF)  # this process: the server's threads
    done = run_child(cmd, bench_environment(server.url))
    after = resource.getrusage(resource.RUSAGE_SELF)
    if done.returncode != 0:
        raise SystemExit(f"awsobs scan failed ({done.returncode}):\n{done.stderr[-4000:]}")
    doc = json.loads(done.stdout)
    statuses: dict[str, int] = {}
    for f in doc["findings"]:
        statuses[f["status"]] = statuses.get(f["status"], 0) + 1
    by_op = doc["scan"]["api_calls_by_operation"]
    return {
        **report_sizes(doc),
        "wall_s": done.wall_s,
        "cpu_s": done.cpu_s,
        # moto's CPU for the scan: on a small machine it competes with the scan for cores
        "server_cpu_s": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "peak_rss_mb": done.peak_rss_mb,
        "peak_rss_total_mb": done.peak_rss_total_mb,
        "duration_s": doc["scan"]["duration_s"],
        "api_calls": doc["scan"]["api_calls"],
        "api_calls_by_operation": by_op,
        "accounts": doc["scan"]["accounts"],
        "regions": doc["scan"]["regions"],
        "errors": len(doc["scan"]["errors"]),
        "findings": statuses,
        "server_requests": server.requests,
        # --org sends organizations:ListAccounts once and sts:AssumeRole per account
        # before any account's scan: outside the per-account counts of the report.
        "access_requests": (1 + len(doc["scan"]["accounts"])) if "--org" in cmd else 0,
        "server_by_signing_service": dict(server.middleware.by_service),
        "server_max_in_flight": server.max_in_flight,
        "duplicates": server.duplicates(),
    }


def report_sizes(doc: dict[str, Any]) -> dict[str, int]:
    """What one scan's reports weigh: the JSON as written, and the HTML made from it (issue
    16: under 5 MB for x10), with the number of rows of the resource map."""
    from awsobs.report import render
    from awsobs.report_io import report_from_dict

    html = render(report_from_dict(doc, "the scan's JSON"), "html")
    return {
        "map_rows": len(doc["resources"]["rows"]),
        "json_bytes": len(json.dumps(doc).encode()),
        "html_bytes": len(html.encode()),
    }


def bench(args: argparse.Namespace, workers: list[int]) -> dict[str, Any]:
    sc = SCENARIOS[args.scenario]
    check_cli(args.scenario, sc)
    jobs = args.jobs.split(",")
    if jobs != ["default"] and sc.requires != "--org":
        raise SystemExit(f"--jobs needs a scenario of several accounts, not {args.scenario}")
    rows = []
    with latency_server(latency_s=0) as server:
        use_endpoint(server.url)  # the seeding clients: fake credentials, local endpoint
        seeded = sc.seed(server.url)
        for w in workers:
            for j in jobs:
                cmd = scan_args(seeded, args.regions, w, j)
                server.set_latency(0)
                scan_once(server, cmd)  # moto builds some backends on first use
                server.set_latency(args.latency_ms / 1000)
                runs = [scan_once(server, cmd) for _ in range(args.repeat)]
                rows.append({**summarize(args, w, seeded, runs), "jobs": j})
    return {"rows": rows}


def summarize(
    args: argparse.Namespace, workers: int, seeded: Seeded, runs: list[dict[str, Any]]
) -> dict[str, Any]:
    first = runs[0]
    regions, accounts = first["regions"], max(1, len(first["accounts"]))
    manifests = {a: m for a, m in seeded.manifests.items() if a in first["accounts"]}
    expected = expected_total(manifests or seeded.manifests, regions)
    by_op = first["api_calls_by_operation"]
    excess = {
        op: {"sent": n, "expected": expected.get(op, 0)}
        for op, n in by_op.items()
        if n > expected.get(op, 0)
    }
    rss = [r["peak_rss_mb"] for r in runs if r["peak_rss_mb"] is not None]
    total = [r["peak_rss_total_mb"] for r in runs if r["peak_rss_total_mb"] is not None]
    return {
        "workers": workers,
        "wall_s": statistics.median(r["wall_s"] for r in runs),
        "wall_s_all": [round(r["wall_s"], 3) for r in runs],
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "server_cpu_s": statistics.median(r["server_cpu_s"] for r in runs),
        "peak_rss_mb": max(rss) if rss else None,
        "peak_rss_total_mb": max(total) if total else None,
        "api_calls": first["api_calls"],
        "server_requests": first["server_requests"],
        "counts_match": all(
            r["api_calls"] + r["access_requests"] == r["server_requests"] for r in runs
        ),
        "duplicates": first["duplicates"],
        "max_in_flight": max(r["server_max_in_flight"] for r in runs),
        "accounts": accounts,
        "regions": len(regions),
        "findings": first["findings"],
        "map_rows": first["map_rows"],
        "json_bytes": first["json_bytes"],
        "html_bytes": first["html_bytes"],
        "errors": first["errors"],
        "api_calls_by_operation": by_op,
        "expected_calls": expected,
        "excess_calls": excess,
        "per_resource_type": per_resource_type(
            by_op, manifests or seeded.manifests, regions, accounts
        ),
        "runs": runs,
    }


def cli_timings() -> dict[str, dict[str, float]]:
    env = bench_environment("http://127.0.0.1:1")  # never contacted
    out = {}
    for name, args in (("awsobs --version", ["--version"]), ("awsobs checks", ["checks"])):
        runs = [run_child(["-m", "awsobs", *args], env) for _ in range(CLI_RUNS)]
        out[name] = {
            "wall_s": statistics.median(r.wall_s for r in runs),
            "peak_rss_mb": max(r.peak_rss_mb or 0 for r in runs),
        }
    return out


def machine() -> str:
    return (
        f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores,"
        f" Python {platform.python_version()}, boto3 {version('boto3')},"
        f" botocore {version('botocore')}, moto {version('moto')}"
    )


def targets(args: argparse.Namespace, result: dict[str, Any]) -> list[str]:
    out = []
    target = TARGETS.get((args.scenario, args.latency_ms))
    if target:
        wall, rss = target
        r = result["rows"][0]
        out.append(
            f"wall {r['wall_s']:.2f} s < {wall} s: {'met' if r['wall_s'] < wall else 'MISSED'}"
        )
        if rss is not None and r["peak_rss_mb"] is not None:
            met = "met" if r["peak_rss_mb"] < rss else "MISSED"
            out.append(f"peak RSS {r['peak_rss_mb']:.0f} MiB < {rss} MiB: {met}")
    for name, limit in CLI_TARGETS.items():
        t = result["cli"].get(name)
        if t:
            met = "met" if t["wall_s"] < limit else "MISSED"
            out.append(f"{name} {t['wall_s']:.2f} s < {limit} s: {met}")
    return out


def problems(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        w = f"workers={r['workers']}"
        for op, n in r["excess_calls"].items():
            out.append(f"{w}: {op} sent {n['sent']}, expected {n['expected']}")
        if not r["counts_match"]:
            counts = [(x["api_calls"], x["server_requests"]) for x in r["runs"]]
            out.append(f"{w}: scan vs server request counts differ: {counts}")
        for d in r["duplicates"]:
            out.append(f"{w}: sent {d['times']}x: {d['operation']} {d['region']} {d['path']}")
        if r["errors"]:
            out.append(f"{w}: the scan reported {r['errors']} errors")
    return out


def markdown(args: argparse.Namespace, result: dict[str, Any]) -> str:
    rows = result["rows"]
    lines = [
        f"## {args.scenario}, latency {args.latency_ms:g} ms, median of {args.repeat}",
        "",
        f"Machine: {result['machine']}.",
        "",
        "| workers | accounts × regions | wall s (runs) | CPU s | peak RSS MiB"
        " | requests (scan / server) | max in flight | PASS / FAIL / UNKNOWN / N/A"
        " | jobs | peak RSS MiB, all processes | server CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        f = r["findings"]
        runs = ", ".join(f"{w:.2f}" for w in r["wall_s_all"])
        rss = f"{r['peak_rss_mb']:.0f}" if r["peak_rss_mb"] is not None else "?"
        total = r.get("peak_rss_total_mb")
        lines.append(
            f"| {r['workers']} | {r['accounts']} × {r['regions']} | {r['wall_s']:.2f} ({runs})"
            f" | {r['cpu_s']:.2f} | {rss} | {r['api_calls']} / {r['server_requests']}"
            f" | {r['max_in_flight']} | {f.get('PASS', 0)} / {f.get('FAIL', 0)}"
            f" / {f.get('UNKNOWN', 0)} / {f.get('NOT_APPLICABLE', 0)}"
            f" | {r.get('jobs', 'default')} | {f'{total:.0f}' if total is not None else '?'}"
            f" | {r['server_cpu_s']:.2f} |"
        )
    r = rows[0]
    lines += [
        "",
        f"Reports: {r['map_rows']} rows on the resource map; JSON {r['json_bytes'] / 1e6:.2f} MB,"
        f" HTML {r['html_bytes'] / 1e6:.2f} MB.",
    ]
    lines += ["", "| resource type | resources | requests | per resource |", "|---|---|---|---|"]
    for t in r["per_resource_type"]:
        per = f"{t['per_resource']:.2f}" if t["per_resource"] is not None else "-"
        lines.append(f"| {t['type']} | {t['resources']} | {t['requests']} | {per} |")
    lines += ["", "| operation | requests | expected |", "|---|---|---|"]
    for op, n in sorted(r["api_calls_by_operation"].items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"| {op} | {n} | {r['expected_calls'].get(op, '-')} |")
    lines += ["", "| command | wall s (median of 5) | peak RSS MiB |", "|---|---|---|"]
    for name, t in result["cli"].items():
        lines.append(f"| `{name}` | {t['wall_s']:.2f} | {t['peak_rss_mb']:.0f} |")
    lines += ["", "Targets:", *[f"- {t}" for t in result["targets"]]]
    found = result["problems"]
    lines += [
        "",
        "Problems:" if found else "No excess or duplicate requests; scan and server agree.",
    ]
    lines += [f"- {p}" for p in found]
    return "\n".join(lines) + "\n"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="small")
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--repeat", type=int, default=3, help="timed scans (the table: median)")
    p.add_argument("--workers", default="16", help="comma-separated --max-workers values")
    p.add_argument(
        "--jobs",
        default="default",
        help="comma-separated --jobs values for scans of several accounts (org50, org10); "
        "'default': the scan's own (one process per core)",
    )
    p.add_argument(
        "--regions", default="scenario", help="'scenario' (its own list), 'all' or r1,r2"
    )
    p.add_argument("--output", type=Path, default=RESULTS)
    p.add_argument("--markdown", type=Path, default=MARKDOWN)
    p.add_argument("--no-cli-timings", action="store_true", help="skip --version / checks")
    return p


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    loopback_only()
    result = bench(args, [int(w) for w in args.workers.split(",")])
    result["machine"] = machine()
    result["cli"] = {} if args.no_cli_timings else cli_timings()
    result["problems"] = problems(result["rows"])
    result["targets"] = targets(args, result)
    text = markdown(args, result)
    print(text)
    settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    result["settings"] = settings
    for path, content in (
        (args.output, json.dumps(result, indent=2) + "\n"),
        (args.markdown, text),
    ):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    print(f"wrote {args.output} and {args.markdown}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
