"""Benchmark `awsobs scan` as a user runs it: wall time, peak RSS and AWS requests.

Starts a latency moto server on 127.0.0.1 (empty account), seeds the scenario and scans
once untimed to warm moto up, all with no latency; then turns the latency on and, for
each measured scan, resets the server's request counter and runs
`python -m awsobs scan --format json ...` in a child process (measure.py). Also times
`awsobs --version` and `awsobs checks`. Writes JSON (--output) and Markdown (--markdown).

    python bench/run.py [--scenario small] [--latency-ms 50] [--repeat 3]
                        [--workers 16] [--jobs 1,2] [--regions scenario|all|r1,r2] [--tls]
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import re
import statistics
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

from expected import expected_total, per_resource_type
from latency_server import latency_server
from measure import ChildRun, bench_environment, loopback_only, run_child, use_endpoint
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
    # issue 19's (earlier: regions17 3 s, org50 30 s and 400 MB); org50 with --jobs 2: 7 s
    ("regions17", 50): (1.5, None),
    ("org50", 50): (10.0, 200),
    ("org300", 50): (60.0, None),
}
CLI_TARGETS = {"awsobs --version": 0.3, "awsobs checks": 0.6}
# moto answers organizations:ListAccounts 100 accounts a page (AWS: 20)
# The moto server's CPU, as a share of a scan's wall time, from which the Markdown says the
# server may be what bounds it
SERVER_BUSY = 0.7
LIST_ACCOUNTS_PAGE = 100


def scan_args(seeded: Seeded, regions: str, workers: int, jobs: int | None = None) -> list[str]:
    cmd = ["-m", "awsobs", "scan", "--format", "json", "--fail-on", "none"]
    cmd += ["--max-workers", str(workers), *seeded.scan_args]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    if regions == "scenario":
        regions = ",".join(seeded.regions) if seeded.regions else "all"
    return [*cmd, "--regions", regions]


def missing_flags(scan_help: str, scenario: str, sc: Scenario, jobs: bool) -> str | None:
    """Why this awsobs cannot run the benchmark asked for, from `awsobs scan --help`."""

    def has(flag: str) -> bool:  # `--org`, `[--org]`, `--org,`; not `--organization`
        return re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", scan_help) is not None

    if sc.requires is not None and not has(sc.requires):
        return (
            f"scenario {scenario} needs awsobs scan {sc.requires} (not in `awsobs scan --help` yet)"
        )
    if jobs and not has("--jobs"):
        return "bench --jobs needs awsobs scan --jobs (not in `awsobs scan --help` yet)"
    return None


def check_cli(scenario: str, sc: Scenario, jobs: bool) -> None:
    """Fail early, before seeding, if the scan needs a flag this awsobs lacks."""
    if sc.requires is None and not jobs:
        return
    done = run_child(["-m", "awsobs", "scan", "--help"], bench_environment("http://127.0.0.1:1"))
    why = missing_flags(done.stdout, scenario, sc, jobs)
    if why:
        raise SystemExit(why)


def org_access_requests(cmd: list[str], accounts: int) -> int:
    """Requests of an --org scan outside the per-account counts of its report: the
    organizations:ListAccounts pages, and one sts:AssumeRole per account (the management
    account's too), all before any account's scan."""
    if "--org" not in cmd:
        return 0
    return math.ceil(accounts / LIST_ACCOUNTS_PAGE) + accounts


def processes(done: ChildRun) -> dict[str, dict[str, Any]]:
    """Each Python process of the scan (by pid): its peak RSS and CPU, and its parent."""
    return {
        str(pid): {"ppid": p.ppid, "peak_rss_mb": p.peak_rss_mb, "cpu_s": p.cpu_s}
        for pid, p in done.processes.items()
    }


def scan_once(server: Any, cmd: list[str]) -> dict[str, Any]:
    server.reset_count()
    # this process's CPU while the scan runs is the server's: its main thread waits in wait4
    busy = time.process_time()
    done = run_child(cmd, bench_environment(server.url, server.ca_bundle))
    server_cpu_s = time.process_time() - busy
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
        "cpu_s": done.cpu_s,  # the scanning process and the processes it started
        "cpu_main_s": done.cpu_main_s,
        "peak_rss_mb": done.peak_rss_mb,  # the scanning process's own
        "peak_rss_all_mb": done.peak_rss_all_mb,  # summed over it and its worker processes
        "processes": processes(done),
        "worker_processes": len(done.workers),
        "duration_s": doc["scan"]["duration_s"],
        "api_calls": doc["scan"]["api_calls"],
        "api_calls_by_operation": by_op,
        "accounts": doc["scan"]["accounts"],
        "regions": doc["scan"]["regions"],
        "errors": len(doc["scan"]["errors"]),
        "findings": statuses,
        "server_requests": server.requests,
        "access_requests": org_access_requests(cmd, len(doc["scan"]["accounts"])),
        "server_access_requests": {
            op: n
            for op, n in server.by_operation().items()
            if op in ("organizations:ListAccounts", "sts:AssumeRole")
        },
        "server_by_signing_service": dict(server.middleware.by_service),
        "server_connections": server.connections(),
        "server_cpu_s": server_cpu_s,
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


def bench(args: argparse.Namespace) -> dict[str, Any]:
    sc = SCENARIOS[args.scenario]
    check_cli(args.scenario, sc, args.jobs is not None)
    rows = []
    with latency_server(latency_s=0, tls=args.tls) as server:
        # the seeding clients: fake credentials, local endpoint (over TLS too with --tls)
        use_endpoint(server.url, server.ca_bundle)
        started = time.perf_counter()
        seeded = sc.seed(server.url)
        seed_s = time.perf_counter() - started
        for w in args.workers:
            for jobs in args.jobs or [None]:
                cmd = scan_args(seeded, args.regions, w, jobs)
                server.set_latency(0)
                scan_once(server, cmd)  # moto builds some backends on first use: not AWS's
                server.set_latency(args.latency_ms / 1000)
                runs = [scan_once(server, cmd) for _ in range(args.repeat)]
                rows.append(summarize(args, w, jobs, seeded, runs))
    return {"rows": rows, "tls": args.tls, "seed_s": seed_s}


def summarize(
    args: argparse.Namespace,
    workers: int,
    jobs: int | None,
    seeded: Seeded,
    runs: list[dict[str, Any]],
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
    rss_all = [r["peak_rss_all_mb"] for r in runs if r["peak_rss_all_mb"] is not None]
    cpu_main = [r["cpu_main_s"] for r in runs if r["cpu_main_s"] is not None]
    return {
        "workers": workers,
        "jobs": jobs,
        "tls": args.tls,
        "wall_s": statistics.median(r["wall_s"] for r in runs),
        "wall_s_all": [round(r["wall_s"], 3) for r in runs],
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "cpu_main_s": statistics.median(cpu_main) if cpu_main else None,
        "peak_rss_mb": max(rss) if rss else None,
        "peak_rss_all_mb": max(rss_all) if rss_all else None,
        "worker_processes": max(r["worker_processes"] for r in runs),
        "connections": statistics.median(r["server_connections"]["connections"] for r in runs),
        "server_cpu_s": statistics.median(r["server_cpu_s"] for r in runs),
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
        w = f"workers={r['workers']}" + (f", jobs={r['jobs']}" if r["jobs"] is not None else "")
        for op, n in r["excess_calls"].items():
            out.append(f"{w}: {op} sent {n['sent']}, expected {n['expected']}")
        if not r["counts_match"]:
            counts = [(x["api_calls"], x["server_requests"]) for x in r["runs"]]
            out.append(f"{w}: scan vs server request counts differ: {counts}")
        for d in r["duplicates"]:
            out.append(f"{w}: sent {d['times']}x: {d['operation']} {d['region']} {d['path']}")
        if r["errors"]:
            out.append(f"{w}: the scan reported {r['errors']} errors")
        for x in r["runs"]:
            if x["access_requests"] and x["server_access_requests"].get("sts:AssumeRole") != len(
                x["accounts"]
            ):
                sent = x["server_access_requests"]
                out.append(f"{w}: {sent} for {len(x['accounts'])} accounts")
                break
        if r["tls"] and any(
            not x["server_connections"]["tls_handshakes"]
            or sum(x["server_connections"]["tls_handshakes"].values())
            != x["server_connections"]["connections"]
            for x in r["runs"]
        ):
            out.append(f"{w}: --tls, but not every connection of the scan was TLS")
    return out


def rss_cell(r: dict[str, Any]) -> str:
    """The scanning process's peak; with worker processes, also the sum over all."""
    if r["peak_rss_mb"] is None:
        return "?"
    if not r["worker_processes"] or r["peak_rss_all_mb"] is None:
        return f"{r['peak_rss_mb']:.0f}"
    return f"{r['peak_rss_mb']:.0f} / {r['peak_rss_all_mb']:.0f}"


def markdown(args: argparse.Namespace, result: dict[str, Any]) -> str:
    rows = result["rows"]
    scheme = "HTTPS" if result["tls"] else "HTTP"
    jobs = any(r["jobs"] is not None for r in rows)
    lines = [
        f"## {args.scenario}, latency {args.latency_ms:g} ms, {scheme}, median of {args.repeat}",
        "",
        f"Machine: {result['machine']}.",
        "",
        f"Seeding took {result['seed_s']:.1f} s. {endpoint_line(rows[0])}",
        "",
        *server_lines(rows),
        "| workers |" + (" jobs |" if jobs else "") + " accounts × regions | wall s (runs)"
        " | CPU s | peak RSS MiB (main / all) | requests (scan / server) | max in flight"
        " | PASS / FAIL / UNKNOWN / N/A |",
        "|---|" + ("---|" if jobs else "") + "---|---|---|---|---|---|---|",
    ]
    for r in rows:
        f = r["findings"]
        runs = ", ".join(f"{w:.2f}" for w in r["wall_s_all"])
        job = f" {r['jobs'] if r['jobs'] is not None else '-'} |" if jobs else ""
        lines.append(
            f"| {r['workers']} |{job} {r['accounts']} × {r['regions']}"
            f" | {r['wall_s']:.2f} ({runs}) | {r['cpu_s']:.2f} | {rss_cell(r)}"
            f" | {r['api_calls']} / {r['server_requests']}"
            f" | {r['max_in_flight']} | {f.get('PASS', 0)} / {f.get('FAIL', 0)}"
            f" / {f.get('UNKNOWN', 0)} / {f.get('NOT_APPLICABLE', 0)} |"
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


def endpoint_line(r: dict[str, Any]) -> str:
    """How the scans reached the server: the scheme, and TLS handshakes per scan."""
    conns = [x["server_connections"] for x in r["runs"]]
    per_scan = statistics.median(c["connections"] for c in conns)
    if not r["tls"]:
        return f"Endpoint: http://127.0.0.1, {per_scan:g} connections per scan (median)."
    versions: dict[str, int] = {}
    for c in conns:
        for v, n in c["tls_handshakes"].items():
            versions[v] = versions.get(v, 0) + n
    names = ", ".join(sorted(versions)) or "no TLS handshake"
    return (
        f"Endpoint: https://127.0.0.1 ({names}; certificate verified against the benchmark's"
        f" CA through AWS_CA_BUNDLE), {per_scan:g} connections per scan (median)."
    )


def server_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The moto server's CPU per scan: on one GIL, near the wall time it bounds the scan."""
    out = []
    for r in rows:
        share = r["server_cpu_s"] / r["wall_s"] if r["wall_s"] else 0.0
        note = (
            ": the server (one process, one GIL) may be what bounds the wall time"
            if share >= SERVER_BUSY
            else ""
        )
        jobs = f", jobs {r['jobs']}" if r["jobs"] is not None else ""
        out.append(
            f"Server CPU (moto, this process), workers {r['workers']}{jobs}:"
            f" {r['server_cpu_s']:.2f} s per scan (median), {share:.0%} of the wall time{note}."
        )
    return [*out, ""]


def positive_ints(text: str) -> list[int]:
    """`4` or `1,4,16` (argparse type): one clear line for anything else."""
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        values = []
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected positive integers like 1,4,16: {text!r}")
    return values


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    p.add_argument("--scenario", choices=sorted(SCENARIOS), default="small")
    p.add_argument("--latency-ms", type=float, default=50.0)
    p.add_argument("--repeat", type=int, default=3, help="timed scans (the table: median)")
    p.add_argument(
        "--workers", type=positive_ints, default=[16], help="comma-separated --max-workers values"
    )
    p.add_argument(
        "--jobs",
        type=positive_ints,
        default=None,
        help="comma-separated `awsobs scan --jobs` values (default: --jobs not passed)",
    )
    p.add_argument(
        "--tls",
        action="store_true",
        help="serve HTTPS (a certificate for 127.0.0.1, made at start; verified by the scan)",
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
    result = bench(args)
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
