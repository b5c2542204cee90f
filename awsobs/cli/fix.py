"""`awsobs fix REPORT.json --format cloudformation|terraform|sh [--output PATH]`, and
`scan --fix-output FORMAT:PATH`: code that closes a report's gaps, written to files for a
person to review (docs/fix.md). Nothing here calls AWS."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import Any

from awsobs.errors import UsageError
from awsobs.fix.model import FORMATS, RETENTION_DAYS


def add_fix_command(sub: Any, run: Any) -> None:
    p = sub.add_parser(
        "fix",
        help="write CloudFormation, Terraform or AWS CLI code that closes a report's gaps",
        description=(
            "Turn the un-suppressed FAIL findings of a JSON report that have a mechanical fix "
            "into code for a person to review and apply. awsobs never applies it."
        ),
    )
    p.add_argument(
        "report", metavar="REPORT.json", help="a JSON report (awsobs scan --format json)"
    )
    p.add_argument("--format", required=True, choices=FORMATS, help="the code to write")
    p.add_argument(
        "--output",
        metavar="PATH",
        help=(
            "a file, or a directory (an existing one, or a path ending in /) for the files "
            "(one CloudFormation template per account and region); default: stdout, when "
            "the output is one file"
        ),
    )
    add_retention_flag(p)
    p.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    p.set_defaults(func=run)


def add_retention_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--retention-days",
        type=_retention,
        default=RETENTION_DAYS,
        metavar="DAYS",
        help=f"retention for log groups that keep data forever (default {RETENTION_DAYS})",
    )


def _retention(text: str) -> int:
    # imported here: `awsobs --help` and `--version` load no check module
    from awsobs.checks.logs.readers import RETENTION_VALUES

    try:
        days = int(text)
    except ValueError:
        days = 0
    if days not in RETENTION_VALUES:
        allowed = ", ".join(map(str, RETENTION_VALUES))
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a CloudWatch Logs retention (one of {allowed})"
        )
    return days


def parse_fix_output(value: str) -> tuple[str, str]:
    """`cloudformation:out/` -> (cloudformation, out/); checked before a scan starts."""
    fmt, sep, path = value.partition(":")
    if not sep or fmt not in FORMATS:
        raise UsageError(
            f"--fix-output {value}: expected FORMAT:PATH with FORMAT one of {', '.join(FORMATS)}"
        )
    if not path:
        raise UsageError(f"--fix-output {value}: no path after '{fmt}:'")
    return fmt, path


def cmd_fix(args: argparse.Namespace) -> int:
    from awsobs.report_io import load_report

    report = load_report(args.report)
    write_fix(
        report, args.format, args.output, retention_days=args.retention_days, quiet=args.quiet
    )
    return 0


def write_fix(
    report: Mapping[str, Any],
    fmt: str,
    output: str | None,
    *,
    retention_days: int = RETENTION_DAYS,
    quiet: bool = False,
) -> None:
    """Plan, render and write; the summary line names what a person still has to do."""
    from awsobs.cli.output import write_atomic
    from awsobs.fix import plan, render

    p = plan(report, retention_days=retention_days)
    files = render(p, fmt)
    claimed = len(p.claims(fmt))
    if output is None:
        if len(files) > 1:
            raise UsageError(
                f"the {fmt} output is {len(files)} files (one per account and region): "
                "give --output DIR"
            )
        for text in files.values():
            sys.stdout.write(text)
        where = "stdout"
    else:
        as_dir = output.endswith(("/", os.sep)) or os.path.isdir(output) or len(files) > 1
        if as_dir:
            try:
                os.makedirs(output, exist_ok=True)
            except OSError as err:
                raise UsageError(f"cannot create {output}: {err.strerror or err}") from None
            for name, text in files.items():
                write_atomic(os.path.join(output, name), text)
        else:
            for text in files.values():
                write_atomic(output, text)
        where = output
    if not quiet:
        others = [
            f"{f} closes {len(p.claims(f))}"
            for f in FORMATS
            if f != fmt and len(p.claims(f)) > claimed
        ]
        more = f"; {', '.join(others)}" if others else ""
        print(
            f"awsobs: fix: {fmt} ({len(files)} file(s), {where}) closes {claimed} of "
            f"{p.failed} FAIL finding(s){more}; {len(p.manual)} need a person (their "
            "remediation is in the report)",
            file=sys.stderr,
        )
