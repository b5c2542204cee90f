"""The `awsobs` command: parse flags, call the library, render, choose the exit code.

Thin on purpose: no check logic lives here. Exit codes (docs/design.md): 0 clean, 1 a FAIL at
or above --fail-on, 2 awsobs could not run, 3 no such FAIL but the scan was incomplete.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from awsobs.cli.parser import build_parser
from awsobs.errors import AwsobsError
from awsobs.report.text import printable

__all__ = ["build_parser", "main", "run"]

# Layout: parser.py (flags), commands.py (what each sub-command does), output.py (where
# reports go), org.py (many accounts), config_file.py (awsobs.toml). boto3 and the checks
# are imported by the commands that need them: `awsobs --version` never loads them.


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


def run() -> NoReturn:
    """The `awsobs` command itself (console script and `python -m awsobs`): `main`, then
    exit. After Ctrl-C (130) it exits at once: the scan's threads may be sleeping in
    botocore's retry backoff, up to 20 s each, and waiting for them made Ctrl-C take over a
    minute; they hold nothing that needs finishing, and no report was written. So it does
    after a scan the timeout cut short, once its reports are written: the threads still
    in a slow read or a retry sleep would hold the exit past the timeout. A bug that
    escapes `main` prints its traceback and exits 2 (could not run), never 1 (gaps)."""
    try:
        code = main()
    except Exception:  # a bug, not the user's input: the traceback for the report, and 2
        import traceback  # (exit 1 would read as "gaps found" in CI)

        traceback.print_exc()
        print("awsobs: internal error (a bug in awsobs; please report it)", file=sys.stderr)
        code = 2
    if code == 130 or _scan_threads_left():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _scan_threads_left() -> bool:
    """Whether a scan's pool thread (`awsobs-...`) outlived the scan: it timed out."""
    return any(
        t.name.startswith("awsobs-") and t.is_alive() and not t.daemon
        for t in threading.enumerate()
    )
