"""Helpers of the CLI environment and input tests: the assertion that an error is one
line, and files written for them."""

from __future__ import annotations

import subprocess
from pathlib import Path


def one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The single `awsobs: error:` line of an exit-2 run, holding every needle."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("awsobs: error: "), lines[0]
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])
    return lines[0]


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


SCAN = ("scan", "--regions", "us-east-1", "--checks", "cloudtrail.trail_logging")
