"""Benchmark `awsobs.scan`: wall time, peak memory and AWS requests on a slow moto server.

For each worker count: start a fresh latency server (empty account), seed the scenario
and scan once to warm moto up, all with no latency; then turn the latency on, and for
each measured scan reset the server's request counter and scan in a child process
(`measure.py`): `--repeat` timed scans, then one under tracemalloc. Prints a markdown
table and writes it as JSON to bench/results/latest.json. Flags operations sent more
often than the account needs, and any difference between the scanner's request count
and the server's.

    python bench/run.py [--latency-ms 50] [--scenario large] [--workers 1,4,16]
                        [--regions all|us-east-1,eu-west-1] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from latency_server import latency_server
from measure import loopback_only, use_endpoint
from scenarios import SCENARIOS, Manifest

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"


def child(endpoint: str, regions: str, workers: int, trace: bool) -> dict[str, Any]:
    """One scan in a fresh interpreter (see measure.py for why)."""
    cmd = [sys.executable, str(HERE / "measure.py"), "--endpoint", endpoint]
    cmd += ["--regions", regions, "--workers", str(workers)] + (["--trace"] if trace else [])
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        raise SystemExit(f"measure.py failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def expected_calls(m: Manifest, regions: list[str]) -> dict[str, int]:
    """What a scan of `regions` needs: one listing per region and one read per trail/bucket."""
    trails = [t for t in m.trails.values() if t[1] or t[0] in regions]

    def pages(counts: dict[str, int], size: int) -> int:
        return sum(max(1, -(-counts.get(r, 0) // size)) for r in regions)

    apigw_regions = [r for r in regions if m.rest_apis.get(r) or m.v2_apis.get(r)]
    groups = [g for g in m.log_destinations if g.split(":")[3] in regions]
    ec2_regions = [r for r in regions if m.instances.get(r)]
    silent = sum(m.silent_instances.get(r, 0) for r in regions)
    return {
        "ec2:DescribeInstances": len(regions),
        # the agent's namespace once per region with instances, and each alarmed metric
        "cloudwatch:ListMetrics": len(ec2_regions)
        + sum(len(m.alarm_metrics.get(r, ())) for r in regions),
        "ssm:DescribeInstanceInformation": len(ec2_regions),
        "ssm:ListAssociations": len([r for r in regions if m.silent_instances.get(r)]),
        "ssm:ListInventoryEntries": silent,
        "iam:GetInstanceProfile": 1 if ec2_regions else 0,
        "iam:ListAttachedRolePolicies": 1 if ec2_regions else 0,
        "iam:ListRolePolicies": 1 if ec2_regions else 0,
        "iam:GetRolePolicy": 1 if ec2_regions else 0,
        "apigateway:GetRestApis": len(regions),
        "apigatewayv2:GetApis": len(regions),
        "apigateway:GetStages": sum(m.rest_apis.get(r, 0) for r in regions),
        "apigatewayv2:GetStages": sum(m.v2_apis.get(r, 0) for r in regions),
        "apigateway:GetAccount": len(apigw_regions),
        "iam:GetRole": 1 if apigw_regions else 0,
        # one full listing per region (retention checks) plus a prefix read per API
        # Gateway access-log destination (the delivery checks)
        "logs:DescribeLogGroups": len(regions) + len(groups),
        "ec2:DescribeVpcs": len(regions),
        "ec2:DescribeFlowLogs": len(regions),
        "config:DescribeConfigurationRecorders": len(regions),
        "config:DescribeConfigurationRecorderStatus": len(regions),
        "config:DescribeDeliveryChannels": len(regions),
        "sts:GetCallerIdentity": 1,
        "ec2:DescribeRegions": 1,
        "cloudtrail:DescribeTrails": len(regions),
        "cloudtrail:GetTrailStatus": len(trails),
        "cloudtrail:GetEventSelectors": len(trails),
        "dynamodb:ListTables": pages(m.tables, 100),
        "lambda:ListFunctions": pages(m.functions, 50),
        "s3:ListBuckets": 1,
        # The S3 checks read every bucket (to tell log targets from buckets that serve
        # traffic); the alarm checks read all alarms once per region and each topic once.
        "s3:GetBucketLocation": len(m.buckets),
        "s3:GetBucketLogging": len(m.buckets),
        "s3:ListBucketMetricsConfigurations": len(m.app_buckets),
        "dynamodb:DescribeTable": sum(m.tables.get(r, 0) for r in regions),
        "cloudwatch:DescribeAlarms": sum(max(1, -(-m.alarms.get(r, 0) // 100)) for r in regions),
        "sns:ListSubscriptionsByTopic": len(m.topics & set(regions)),
        "logs:DescribeMetricFilters": len(m.metric_filter_groups & set(regions)),
    }


def bench_one(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    """Fresh server and account, an untimed warm-up scan, `--repeat` timed scans, a traced one."""
    with latency_server(latency_s=0) as server:
        use_endpoint(server.url)  # no profile or endpoint of the user's reaches the seeding
        manifest = SCENARIOS[args.scenario](server.url)
        # moto builds some backends on first use (ec2's takes a second): not AWS's cost.
        child(server.url, args.regions, workers, trace=False)
        server.set_latency(args.latency_ms / 1000)
        runs = []
        for trace in [False] * args.repeat + [True]:
            server.reset_count()
            run = child(server.url, args.regions, workers, trace)
            run["server_requests"] = server.requests
            run["server_max_in_flight"] = server.max_in_flight
            run["server_by_service"] = dict(server.middleware.by_service)
            runs.append(run)
    timed, traced = runs[:-1], runs[-1]
    first = timed[0]
    expected = expected_calls(manifest, first["regions"])
    excess = {
        op: {"sent": n, "expected": expected.get(op, 0)}
        for op, n in first["api_calls_by_operation"].items()
        if n > expected.get(op, 0)
    }
    mismatched = [r for r in runs if r["server_requests"] != r["api_calls"]]
    return {
        "workers": workers,
        "wall_s": statistics.median(r["wall_s"] for r in timed),
        "wall_s_all": [r["wall_s"] for r in timed],
        "cpu_s": statistics.median(r["cpu_s"] for r in timed),
        "api_calls": first["api_calls"],
        "server_requests": first["server_requests"],
        "counts_match": not mismatched,
        "max_in_flight": max(r["server_max_in_flight"] for r in timed),
        "serial_latency_s": first["api_calls"] * args.latency_ms / 1000,
        "tracemalloc_peak_mb": traced["tracemalloc_peak_mb"],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in timed),
        "peak_rss_before_scan_mb": first["peak_rss_before_scan_mb"],
        "regions": len(first["regions"]),
        "findings": first["findings"],
        "api_calls_by_operation": first["api_calls_by_operation"],
        "expected_calls": expected,
        "excess_calls": excess,
        "runs": runs,
    }


COLUMNS = (
    "workers | wall s | CPU s | requests (scan / server) | requests × latency s | max in flight"
    " | tracemalloc peak MiB | peak RSS MiB (before scan) | PASS / FAIL / UNKNOWN / N/A"
)


def table(rows: list[dict[str, Any]]) -> str:
    lines = [f"| {COLUMNS} |", "|" + "---|" * (COLUMNS.count("|") + 1)]
    for r in rows:
        f = r["findings"]
        lines.append(
            f"| {r['workers']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f}"
            f" | {r['api_calls']} / {r['server_requests']}"
            f" | {r['serial_latency_s']:.2f} | {r['max_in_flight']}"
            f" | {r['tracemalloc_peak_mb']:.1f}"
            f" | {r['peak_rss_mb']:.0f} ({r['peak_rss_before_scan_mb']:.0f})"
            f" | {f['PASS']} / {f['FAIL']} / {f['UNKNOWN']} / {f['NOT_APPLICABLE']} |"
        )
    return "\n".join(lines)


def problems(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        for op, n in r["excess_calls"].items():
            out.append(f"workers={r['workers']}: {op} sent {n['sent']}, expected {n['expected']}")
        if not r["counts_match"]:
            counts = [(x["api_calls"], x["server_requests"]) for x in r["runs"]]
            out.append(f"workers={r['workers']}: scan vs server request counts differ: {counts}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="large")
    parser.add_argument("--workers", default="1,4,16", help="comma-separated worker counts")
    parser.add_argument("--regions", default="all", help="'all' or comma-separated names")
    parser.add_argument("--repeat", type=int, default=1, help="timed scans per worker count")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    loopback_only()
    rows = [bench_one(args, int(w)) for w in args.workers.split(",")]
    print(
        f"scenario {args.scenario}, latency {args.latency_ms:g} ms, regions {args.regions} "
        f"({rows[0]['regions']} scanned), repeat {args.repeat} (median wall time)\n"
    )
    print(table(rows))
    found = problems(rows)
    print("\n" + ("\n".join(found) if found else "no excess requests; scan and server agree"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    payload = {"settings": settings, "table": table(rows), "problems": found, "rows": rows}
    args.output.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nwrote {args.output}")


if __name__ == "__main__":
    main()
