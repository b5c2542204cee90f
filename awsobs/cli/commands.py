"""What each sub-command does: read the flags and the config file, call the library,
write the reports, choose the exit code (docs/design.md: 0 clean, 1 a FAIL at or above
--fail-on, 2 awsobs could not run, 3 no such FAIL but the scan was incomplete).

boto3 and the checks are imported by the commands that need them, so `awsobs --version`
and `--help` answer without loading them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from awsobs.cli.config_file import load_config
from awsobs.cli.fix import parse_fix_output, write_fix
from awsobs.cli.org import (
    many_accounts,
    merged_report,
    scan_many,
)
from awsobs.cli.output import Destination, deliver, destinations, emit, terminal_width
from awsobs.errors import UsageError
from awsobs.model import DEFAULT_MAX_WORKERS, Report, Severity
from awsobs.registry import REGISTRY
from awsobs.report.catalog import render_catalog
from awsobs.report.diff import Diff, diff_reports
from awsobs.report.diff_render import DIFF_FORMATS, render_diff
from awsobs.report.text import printable
from awsobs.report_io import load_report

if TYPE_CHECKING:
    from awsobs.compliance.requirements import Benchmark
    from awsobs.engine import Progress, ProgressCallback

# boto3 and the checks are imported by the commands that need them, not here: `awsobs
# --version` and `--help` answer without loading them.


def cmd_checks(args: argparse.Namespace) -> int:
    """The catalogue; a plugin that failed to load is listed with its error (below the
    table; on stderr beside JSON and Markdown, which stay the catalogue alone) and makes
    the exit code 3, as in a scan: the list is incomplete."""
    checks = REGISTRY.all()
    broken = list(REGISTRY.plugin_errors)
    sys.stdout.write(render_catalog(checks, args.format))
    if broken and args.format == "table":
        sys.stdout.write(
            f"\nPlugins that failed to load ({len(broken)}): their checks are missing\n"
        )
        sys.stdout.write("".join(f"  {printable(e)}\n" for e in broken))
    elif broken:
        sys.stderr.write("".join(f"awsobs: {printable(e)}\n" for e in broken))
    return 3 if broken else 0


def cmd_compliance(args: argparse.Namespace) -> int:
    from awsobs.compliance import benchmarks, get_benchmark
    from awsobs.report.compliance_view import render_frameworks

    chosen = [get_benchmark(args.framework)] if args.framework else list(benchmarks().values())
    metas = [c.meta for c in REGISTRY.all()]
    text = render_frameworks(chosen, metas, args.format, detail=args.framework is not None)
    sys.stdout.write(text)
    return 0


def _benchmark(args: argparse.Namespace) -> Benchmark | None:
    """The benchmark of --compliance, None without it (an unknown one is a UsageError)."""
    from awsobs.compliance import get_benchmark

    framework = getattr(args, "compliance", None)
    return get_benchmark(framework) if framework is not None else None


def _benchmark_checks(benchmark: Benchmark, checks: Any, exclude: Any) -> list[str]:
    """The ids of the selected checks (--checks/--exclude-checks, or the config's) that
    answer a requirement of `benchmark`; none is a UsageError, never an empty scan."""
    from awsobs.compliance.summary import mapped_checks

    mapped = {c for ids in mapped_checks(benchmark, [c.meta for c in REGISTRY.all()]).values()
              for c in ids}  # fmt: skip
    ids = [c.id for c in REGISTRY.select(checks, exclude) if c.id in mapped]
    if not ids:
        raise UsageError(
            f"--compliance {benchmark.id}: none of the selected checks answers one of its "
            "requirements (see `awsobs compliance " + benchmark.id + "`)"
        )
    return ids


def _fewer_malloc_arenas() -> None:
    """Ask glibc for 2 malloc arenas instead of 8 per core: a scan's 30-odd threads each
    got their own, and peak memory was ~9% higher for it, at no cost in time. The process
    belongs to the command, so the command (never the library) may set this; it must
    happen before the first thread starts. Elsewhere than glibc it does nothing."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def _tags(flags: list[str] | None, configured: dict[str, str] | None) -> dict[str, str] | None:
    """`--tag KEY=VALUE` flags (they replace the config file's `tags`), else the file's."""
    if not flags:
        return configured
    from awsobs.aws.tagging import parse_tag

    return dict(parse_tag(text) for text in flags)


def cmd_scan(args: argparse.Namespace) -> int:
    from awsobs.aws.session import open_session
    from awsobs.engine import scan

    _fewer_malloc_arenas()
    dests = destinations(args.output, args.format)
    fixes = [parse_fix_output(v) for v in args.fix_output or ()]
    several = many_accounts(args)
    _check_lists(args)
    config = load_config(args.config)
    baseline = load_report(args.baseline) if args.baseline else None
    options = dict(config.options)
    if args.cwagent_namespace:
        options["cwagent_namespace"] = args.cwagent_namespace
    args.fail_on = args.fail_on or config.fail_on
    args.jobs = _given(args.jobs, config.jobs)  # for --org / --accounts
    checks = _given(args.checks, config.checks)
    exclude = _given(args.exclude_checks, config.exclude_checks)
    benchmark = _benchmark(args)
    if benchmark is not None:
        checks, exclude = _benchmark_checks(benchmark, checks, exclude), None
    session = open_session(args.profile)
    kwargs: dict[str, Any] = {
        "regions": _given(args.regions, config.regions),
        "checks": checks,
        "exclude_checks": exclude,
        "max_workers": (
            args.max_workers
            if args.max_workers is not None
            else config.max_workers or DEFAULT_MAX_WORKERS
        ),
        "options": options,
        "suppressions": config.suppressions,
        "tags": _tags(args.tag, config.tags),
        "timeout": args.timeout if args.timeout is not None else config.timeout,
    }
    if several:
        report = _with_progress(args, lambda progress: scan_many(args, session, kwargs, progress))
    else:
        report = _with_progress(args, lambda progress: scan(session, progress=progress, **kwargs))
    # the JSON shape once, for the diff and for the fixes
    as_dict = report.to_dict() if baseline is not None or fixes else {}
    diff = diff_reports(baseline, as_dict) if baseline is not None else None
    code = _finish(report, args, dests, diff)
    for fmt, path in fixes:
        write_fix(as_dict, fmt, path, retention_days=args.retention_days, quiet=args.quiet)
    return code


def cmd_demo(args: argparse.Namespace) -> int:
    _fewer_malloc_arenas()
    dests = destinations(args.output, args.format)
    benchmark = _benchmark(args)
    checks = _benchmark_checks(benchmark, None, None) if benchmark is not None else None
    try:
        from awsobs.demo import run_demo
    except ImportError as err:
        raise UsageError(
            f"`awsobs demo` needs moto ({err.name} is missing): pip install 'awsobs[demo]'"
        ) from None
    report = _with_progress(args, lambda progress: run_demo(progress=progress, checks=checks))
    return _finish(report, args, dests)


def cmd_merge(args: argparse.Namespace) -> int:
    dests = destinations(args.output, args.format)
    report = merged_report(args.reports)
    benchmark = _benchmark(args)
    if benchmark is not None:  # only the benchmark's checks, as a scan with it would have
        import dataclasses

        keep = set(_benchmark_checks(benchmark, None, None))
        report = dataclasses.replace(
            report,
            findings=tuple(f for f in report.findings if f.check_id in keep),
            checks=tuple(c for c in report.checks if c in keep),
        )
    return _finish(report, args, dests)


def cmd_diff(args: argparse.Namespace) -> int:
    dests = destinations(args.output, args.format, DIFF_FORMATS)
    diff = diff_reports(load_report(args.old), load_report(args.new))
    width = terminal_width()

    def text_for(d: Destination) -> str:
        return render_diff(diff, d.fmt, width=width if d.path is None else None)

    deliver(dests, text_for, "diff", quiet=args.quiet)
    return diff.exit_code(_severity(args.fail_on))


def cmd_policy(args: argparse.Namespace) -> int:
    from awsobs.report.policy import render_policy

    _check_lists(args)
    config = load_config(args.config)
    checks = REGISTRY.select(
        _given(args.checks, config.checks), _given(args.exclude_checks, config.exclude_checks)
    )
    sys.stdout.write(render_policy(checks, args.partition))
    return 0


def _given(flag: Any, configured: Any) -> Any:
    """The flag's value when it was given (even empty), else the config file's."""
    return flag if flag is not None else configured


def _check_lists(args: argparse.Namespace) -> None:
    """`--checks ''`, `--exclude-checks ,,` or `--regions ' '` name nothing: an error,
    never "no check" or "every region" (the library refuses them too, without the flag)."""
    for flag, values, noun, hint in (
        ("--checks", getattr(args, "checks", None), "check id or glob", "see `awsobs checks`"),
        (
            "--exclude-checks",
            getattr(args, "exclude_checks", None),
            "check id or glob",
            "see `awsobs checks`",
        ),
        (
            "--regions",
            [args.regions] if getattr(args, "regions", None) is not None else None,
            "region",
            "leave --regions out, or pass 'all', to scan every enabled region",
        ),
    ):
        if values is not None and not any(p.strip() for v in values for p in v.split(",")):
            shown = " ".join(repr(v) for v in values)
            raise UsageError(f"{flag} {shown}: no {noun} given ({hint})")


def _severity(threshold: str | None) -> Severity | None:
    threshold = threshold or "low"
    return None if threshold == "none" else Severity(threshold)


def _finish(
    report: Report, args: argparse.Namespace, dests: list[Destination], diff: Diff | None = None
) -> int:
    """Write every report and choose the exit code (docs/design.md; with a baseline, only new
    gaps exit 1, and an incomplete scan still exits 3)."""
    from awsobs.compliance.summary import summarize

    benchmark = _benchmark(args)
    compliance = summarize(report, benchmark) if benchmark is not None else None
    emit(
        report,
        dests,
        show_pass=args.show_pass,
        quiet=args.quiet,
        diff=diff,
        view=args.view,
        compliance=compliance,
        no_color=args.no_color,
    )
    fail_on = _severity(args.fail_on)
    if diff is None:
        return report.exit_code(fail_on)
    return diff.exit_code(fail_on) or (0 if report.complete else 3)


class ProgressLine:
    """`[12/40] cloudtrail.trail_logging us-east-1` redrawn in place on a terminal."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __call__(self, p: Progress) -> None:
        self.stream.write(f"\r\x1b[2K[{p.done}/{p.total}] {p.check_id} {p.region}")
        self.stream.flush()

    def clear(self) -> None:
        self.stream.write("\r\x1b[2K")
        self.stream.flush()


def _with_progress(
    args: argparse.Namespace, run: Callable[[ProgressCallback | None], Report]
) -> Report:
    """Run a scan with a progress line on an interactive stderr (never with -q or -v)."""
    if args.quiet or args.verbose or not sys.stderr.isatty():
        return run(None)
    line = ProgressLine(sys.stderr)
    try:
        return run(line)
    finally:
        line.clear()
