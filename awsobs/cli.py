"""The `awsobs` command: parse flags, call the library, render, choose the exit code.

Thin on purpose: no check logic lives here. Exit codes (DESIGN.md): 0 clean, 1 a FAIL at
or above --fail-on, 2 awsobs could not run, 3 no such FAIL but the scan was incomplete.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from typing import IO, NoReturn

from awsobs import __version__
from awsobs.aws.session import open_session
from awsobs.config import FAIL_ON, load_config
from awsobs.engine import DEFAULT_MAX_WORKERS, Progress, ProgressCallback, scan
from awsobs.errors import AwsobsError, UsageError
from awsobs.model import Report, Severity
from awsobs.registry import REGISTRY
from awsobs.report import FORMATS, render
from awsobs.report.catalog import CATALOG_FORMATS, render_catalog


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"awsobs: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="awsobs", description="Find the observability gaps in an AWS account.")
    parser.add_argument("--version", action="version", version=f"awsobs {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_scan = sub.add_parser("scan", help="scan an AWS account (read-only)")
    p_scan.add_argument("--profile", help="AWS profile (default: boto3's credential chain)")
    p_scan.add_argument(
        "--regions",
        metavar="R1,R2|all",
        help="regions to scan, comma-separated, or 'all' (default: every enabled region)",
    )
    _add_check_selection(p_scan)
    _add_report_flags(p_scan)
    p_scan.add_argument(
        "--max-workers",
        type=int,
        metavar="N",
        help=f"concurrent checks and requests (default {DEFAULT_MAX_WORKERS})",
    )
    p_scan.add_argument(
        "--cwagent-namespace",
        metavar="NAME",
        help="namespace the CloudWatch Agent publishes to (default CWAgent)",
    )
    p_scan.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: ./awsobs.toml, else [tool.awsobs] in ./pyproject.toml)",
    )
    p_scan.set_defaults(func=_cmd_scan)

    p_checks = sub.add_parser("checks", help="list the available checks")
    p_checks.add_argument("--format", choices=CATALOG_FORMATS, default="table")
    p_checks.set_defaults(func=_cmd_checks)

    p_demo = sub.add_parser("demo", help="scan a simulated account (needs awsobs[demo])")
    _add_report_flags(p_demo)
    p_demo.set_defaults(func=_cmd_demo)
    return parser


def _add_check_selection(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--checks",
        nargs="+",
        action="extend",
        metavar="ID|GLOB",
        help="run only these checks (ids or globs like 'cloudtrail.*')",
    )
    p.add_argument(
        "--exclude-checks",
        nargs="+",
        action="extend",
        metavar="ID|GLOB",
        help="skip these checks",
    )


def _add_report_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="table", help="report format")
    p.add_argument("--output", metavar="PATH", help="write the report to PATH instead of stdout")
    p.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        help="exit 1 when a FAIL at or above this severity exists (default low; none: never)",
    )
    p.add_argument("--show-pass", action="store_true", help="also list PASS and NOT_APPLICABLE")
    p.add_argument("-v", "--verbose", action="count", default=0, help="log AWS requests")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress or notes on stderr")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "verbose", 0):
        logging.basicConfig(stream=sys.stderr, format="awsobs: %(message)s")
        logging.getLogger("awsobs").setLevel(logging.DEBUG)
    try:
        code: int = args.func(args)
        return code
    except AwsobsError as err:
        print(f"awsobs: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("awsobs: interrupted", file=sys.stderr)
        return 130


def _cmd_checks(args: argparse.Namespace) -> int:
    sys.stdout.write(render_catalog(REGISTRY.all(), args.format))
    return 0


def _cmd_scan(args: argparse.Namespace) -> int:
    _check_output_path(args.output)
    config = load_config(args.config)
    options = dict(config.options)
    if args.cwagent_namespace:
        options["cwagent_namespace"] = args.cwagent_namespace
    args.fail_on = args.fail_on or config.fail_on
    session = open_session(args.profile)
    report = _with_progress(
        args,
        lambda progress: scan(
            session,
            regions=args.regions or config.regions,
            checks=args.checks or config.checks,
            exclude_checks=args.exclude_checks or config.exclude_checks,
            max_workers=(
                args.max_workers
                if args.max_workers is not None
                else config.max_workers or DEFAULT_MAX_WORKERS
            ),
            options=options,
            progress=progress,
        ),
    )
    return _finish(report, args)


def _cmd_demo(args: argparse.Namespace) -> int:
    _check_output_path(args.output)
    try:
        from awsobs.demo import run_demo
    except ImportError as err:
        raise UsageError(
            f"`awsobs demo` needs moto ({err.name} is missing): pip install 'awsobs[demo]'"
        ) from None
    return _finish(_with_progress(args, lambda progress: run_demo(progress=progress)), args)


def _finish(report: Report, args: argparse.Namespace) -> int:
    """Write the report and choose the exit code."""
    width = shutil.get_terminal_size().columns if not args.output and sys.stdout.isatty() else None
    text = render(report, args.format, show_pass=args.show_pass, width=width)
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as err:
            raise UsageError(f"cannot write {args.output}: {err.strerror}") from None
        if not args.quiet:
            print(f"awsobs: wrote {args.format} report to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if not args.quiet and args.format != "table":
        for error in report.errors:
            print(f"awsobs: error: {error}", file=sys.stderr)
    threshold = args.fail_on or "low"
    fail_on = None if threshold == "none" else Severity(threshold)
    return report.exit_code(fail_on)


def _check_output_path(path: str | None) -> None:
    """Refuse an unwritable --output before spending a scan on it."""
    if path is None:
        return
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise UsageError(f"cannot write {path}: directory {parent} does not exist")


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
