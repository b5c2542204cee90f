"""The `awsobs` command: parse flags, call the library, render, choose the exit code.

Thin on purpose: no check logic lives here. Exit codes (DESIGN.md): 0 clean, 1 a FAIL at
or above --fail-on, 2 awsobs could not run, 3 no such FAIL but the scan was incomplete.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, NoReturn

from awsobs import __version__
from awsobs.cli_org import (
    add_account_flags,
    add_merge_command,
    many_accounts,
    merged_report,
    scan_many,
)
from awsobs.cli_output import Destination, deliver, destinations, emit
from awsobs.config import FAIL_ON, load_config
from awsobs.diff import Diff, diff_reports
from awsobs.errors import AwsobsError, UsageError
from awsobs.model import DEFAULT_MAX_WORKERS, Report, Severity
from awsobs.registry import REGISTRY
from awsobs.report import FORMATS
from awsobs.report.catalog import CATALOG_FORMATS, render_catalog
from awsobs.report.diff_render import DIFF_FORMATS, render_diff
from awsobs.report.text import printable
from awsobs.report_io import load_report

if TYPE_CHECKING:
    from awsobs.engine import Progress, ProgressCallback

# boto3 and the checks are imported by the commands that need them, not here: `awsobs
# --version` and `--help` answer without loading them.


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
    _add_config(p_scan)
    p_scan.add_argument(
        "--baseline",
        metavar="OLD.json",
        help="a previous JSON report: show what changed, and exit 1 only on new gaps",
    )
    add_account_flags(p_scan)
    p_scan.set_defaults(func=_cmd_scan)
    add_merge_command(sub, _add_report_flags, _cmd_merge)

    p_diff = sub.add_parser("diff", help="compare two JSON reports: new, resolved, changed gaps")
    p_diff.add_argument("old", metavar="OLD.json", help="the earlier JSON report")
    p_diff.add_argument("new", metavar="NEW.json", help="the later JSON report")
    p_diff.add_argument("--format", choices=DIFF_FORMATS, default="table", help="diff format")
    p_diff.add_argument(
        "--output",
        action="append",
        metavar="[FORMAT:]PATH",
        help="also write the diff to PATH (FORMAT: table, markdown or json); repeatable",
    )
    p_diff.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="low",
        help="exit 1 when a new gap is at or above this severity (default low; none: never)",
    )
    p_diff.add_argument("-q", "--quiet", action="store_true", help="no notes on stderr")
    p_diff.set_defaults(func=_cmd_diff)

    p_policy = sub.add_parser("policy", help="print the least-privilege IAM policy for the checks")
    _add_check_selection(p_policy)
    _add_config(p_policy)
    p_policy.add_argument(
        "--partition",
        default="aws",
        choices=("aws", "aws-cn", "aws-us-gov"),
        help="ARN partition for the API Gateway resources (default aws)",
    )
    p_policy.set_defaults(func=_cmd_policy)

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


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: ./awsobs.toml, else [tool.awsobs] in ./pyproject.toml)",
    )


def _add_report_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=FORMATS, default="table", help="report format on stdout")
    p.add_argument(
        "--output",
        action="append",
        metavar="[FORMAT:]PATH",
        help=(
            "write a report to PATH; FORMAT (one of " + ", ".join(FORMATS) + ") picks its "
            "format, repeatable; a plain PATH takes the --format report instead of stdout"
        ),
    )
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
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_PrintableFormatter("awsobs: %(message)s"))
        logging.basicConfig(handlers=[handler])
        logging.getLogger("awsobs").setLevel(logging.DEBUG)
    try:
        code: int = args.func(args)
        return code
    except AwsobsError as err:
        return _error(err)
    except KeyboardInterrupt:
        print("awsobs: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # A mistake in the local set-up that no command caught itself (botocore's config
        # and credential exceptions, a file that is not UTF-8) is still one line and exit
        # 2; anything else is a bug and keeps its traceback.
        from awsobs.aws.env_errors import environment_error  # loads botocore: only here

        error = environment_error(exc)
        if error is None:
            raise
        return _error(error)


class _PrintableFormatter(logging.Formatter):
    """`-v` logs carry request parameters and AWS error messages, which name resources of
    the account: their control and bidi characters are shown as escapes."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))


def _error(err: AwsobsError) -> int:
    """`awsobs: error: <message>` on one line (control characters shown as escapes)."""
    print(f"awsobs: error: {printable(str(err))}", file=sys.stderr)
    return 2


def _cmd_checks(args: argparse.Namespace) -> int:
    sys.stdout.write(render_catalog(REGISTRY.all(), args.format))
    return 0


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


def _cmd_scan(args: argparse.Namespace) -> int:
    from awsobs.aws.session import open_session
    from awsobs.engine import scan

    _fewer_malloc_arenas()
    dests = destinations(args.output, args.format)
    several = many_accounts(args)
    _check_lists(args)
    config = load_config(args.config)
    baseline = load_report(args.baseline) if args.baseline else None
    options = dict(config.options)
    if args.cwagent_namespace:
        options["cwagent_namespace"] = args.cwagent_namespace
    args.fail_on = args.fail_on or config.fail_on
    session = open_session(args.profile)
    kwargs: dict[str, Any] = {
        "regions": _given(args.regions, config.regions),
        "checks": _given(args.checks, config.checks),
        "exclude_checks": _given(args.exclude_checks, config.exclude_checks),
        "max_workers": (
            args.max_workers
            if args.max_workers is not None
            else config.max_workers or DEFAULT_MAX_WORKERS
        ),
        "options": options,
        "suppressions": config.suppressions,
    }
    if several:
        report = _with_progress(args, lambda progress: scan_many(args, session, kwargs, progress))
    else:
        report = _with_progress(args, lambda progress: scan(session, progress=progress, **kwargs))
    diff = diff_reports(baseline, report.to_dict()) if baseline is not None else None
    return _finish(report, args, dests, diff)


def _cmd_demo(args: argparse.Namespace) -> int:
    _fewer_malloc_arenas()
    dests = destinations(args.output, args.format)
    try:
        from awsobs.demo import run_demo
    except ImportError as err:
        raise UsageError(
            f"`awsobs demo` needs moto ({err.name} is missing): pip install 'awsobs[demo]'"
        ) from None
    report = _with_progress(args, lambda progress: run_demo(progress=progress))
    return _finish(report, args, dests)


def _cmd_merge(args: argparse.Namespace) -> int:
    dests = destinations(args.output, args.format)
    return _finish(merged_report(args.reports), args, dests)


def _cmd_diff(args: argparse.Namespace) -> int:
    dests = destinations(args.output, args.format, DIFF_FORMATS)
    diff = diff_reports(load_report(args.old), load_report(args.new))
    deliver(dests, lambda d: render_diff(diff, d.fmt), "diff", quiet=args.quiet)
    return diff.exit_code(_severity(args.fail_on))


def _cmd_policy(args: argparse.Namespace) -> int:
    from awsobs.policy import render_policy

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
    """Write every report and choose the exit code (DESIGN.md; with a baseline, only new
    gaps exit 1, and an incomplete scan still exits 3)."""
    emit(report, dests, show_pass=args.show_pass, quiet=args.quiet, diff=diff)
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


def run() -> NoReturn:
    """The `awsobs` command itself (console script and `python -m awsobs`): `main`, then
    exit. After Ctrl-C (130) it exits at once: the scan's threads may be sleeping in
    botocore's retry backoff, up to 20 s each, and waiting for them made Ctrl-C take over a
    minute; they hold nothing that needs finishing, and no report was written. A bug that
    escapes `main` prints its traceback and exits 2 (could not run), never 1 (gaps)."""
    try:
        code = main()
    except Exception:  # a bug, not the user's input: the traceback for the report, and 2
        import traceback  # (exit 1 would read as "gaps found" in CI)

        traceback.print_exc()
        print("awsobs: internal error (a bug in awsobs; please report it)", file=sys.stderr)
        code = 2
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(code)
