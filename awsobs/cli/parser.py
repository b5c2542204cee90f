"""The command line's flags: one sub-command each for scan, merge, diff, policy, checks and
demo. A usage error is one line and exit code 2. Each sub-command runs a function of
`awsobs.cli.commands`, looked up when the parser is built.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, NoReturn

from awsobs import __version__
from awsobs.cli.config_file import FAIL_ON
from awsobs.cli.org import (
    add_account_flags,
    add_merge_command,
)
from awsobs.model import DEFAULT_MAX_WORKERS
from awsobs.report import FORMATS, VIEWS
from awsobs.report.catalog import CATALOG_FORMATS
from awsobs.report.diff_render import DIFF_FORMATS

if TYPE_CHECKING:
    pass

# boto3 and the checks are imported by the commands that need them, not here: `awsobs
# --version` and `--help` answer without loading them.


from awsobs.cli import commands, fix
from awsobs.cli.fix import add_fix_command, add_retention_flag


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
        "--tag",
        action="append",
        metavar="KEY=VALUE",
        help=(
            "report per-resource findings only for resources with this tag (repeat: all "
            "must match; VALUE may be a glob); reads tag:GetResources once per region"
        ),
    )
    p_scan.add_argument(
        "--timeout",
        type=_positive_seconds,
        metavar="SECONDS",
        help=(
            "stop the whole scan after SECONDS: what was not read by then is UNKNOWN, the "
            "rest of the report is whole, exit 3 (default: no timeout)"
        ),
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
    p_scan.add_argument(
        "--fix-output",
        action="append",
        metavar="FORMAT:PATH",
        help="also write the code that closes the gaps (awsobs fix): FORMAT cloudformation, "
        "terraform or sh; repeatable",
    )
    add_retention_flag(p_scan)
    add_account_flags(p_scan)
    p_scan.set_defaults(func=commands.cmd_scan)
    add_merge_command(sub, _add_report_flags, commands.cmd_merge)
    add_fix_command(sub, fix.cmd_fix)

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
    p_diff.set_defaults(func=commands.cmd_diff)

    p_policy = sub.add_parser("policy", help="print the least-privilege IAM policy for the checks")
    _add_check_selection(p_policy)
    _add_config(p_policy)
    p_policy.add_argument(
        "--partition",
        default="aws",
        choices=("aws", "aws-cn", "aws-us-gov"),
        help="ARN partition for the API Gateway resources (default aws)",
    )
    p_policy.set_defaults(func=commands.cmd_policy)

    p_comp = sub.add_parser(
        "compliance", help="list the compliance frameworks and how much of each awsobs checks"
    )
    p_comp.add_argument(
        "framework",
        nargs="?",
        metavar="FRAMEWORK",
        help="show every requirement of this framework and the checks that answer it",
    )
    p_comp.add_argument("--format", choices=CATALOG_FORMATS, default="table")
    p_comp.set_defaults(func=commands.cmd_compliance)

    p_checks = sub.add_parser("checks", help="list the available checks")
    p_checks.add_argument("--format", choices=CATALOG_FORMATS, default="table")
    p_checks.set_defaults(func=commands.cmd_checks)

    p_demo = sub.add_parser("demo", help="scan a simulated account (needs awsobs[demo])")
    _add_report_flags(p_demo)
    p_demo.set_defaults(func=commands.cmd_demo)
    return parser


def _positive_seconds(text: str) -> float:
    """--timeout's value: a positive, finite number of seconds (30, 90.5)."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return value


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
    p.add_argument(
        "--view",
        choices=VIEWS,
        default="findings",
        help=(
            "what table and markdown show: the findings by check (default) or the map of "
            "resources, one row each with a cell per signal (json and html hold both)"
        ),
    )
    p.add_argument(
        "--compliance",
        metavar="FRAMEWORK",
        help=(
            "only the checks mapped to this framework (cis-aws-1.4, cis-aws-3.0, "
            "cis-aws-5.0, aws-foundational-security-best-practices), plus a table of its "
            "requirements and where the scan stands on each"
        ),
    )
    p.add_argument(
        "--no-color",
        action="store_true",
        help="no colour in the table on stdout (also: NO_COLOR=1; FORCE_COLOR=1 forces it)",
    )
    p.add_argument("-v", "--verbose", action="count", default=0, help="log AWS requests")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress or notes on stderr")
