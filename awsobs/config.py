"""Scan defaults from a config file: `--config PATH`, else `./awsobs.toml`, else the
`[tool.awsobs]` table of `./pyproject.toml`. Command-line flags override the file.

    regions = ["us-east-1", "eu-west-1"]     # or "all"
    checks = ["cloudtrail.*", "ec2.*"]
    exclude_checks = ["ec2.detailed_monitoring"]
    fail_on = "medium"
    max_workers = 16

    [options]                                # for every check that declares the option
    cwagent_namespace = "MyAgent"

    [options."cloudtrail.s3_delivery"]       # for one check
    max_age_hours = 12

A file that cannot be used is a `UsageError` naming the file and the line at fault.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsobs.errors import UsageError
from awsobs.model import Severity

FAIL_ON = (*(s.value for s in Severity), "none")
_KEYS = ("regions", "checks", "exclude_checks", "fail_on", "max_workers", "options")


@dataclass(frozen=True)
class Config:
    """What a config file sets (None: not set)."""

    regions: list[str] | None = None
    checks: list[str] | None = None
    exclude_checks: list[str] | None = None
    fail_on: str | None = None
    max_workers: int | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None


def load_config(path: str | None = None, cwd: Path | None = None) -> Config:
    """The config in effect: `path`, else awsobs.toml, else pyproject.toml's [tool.awsobs]."""
    here = cwd or Path.cwd()
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise UsageError(f"config file {path} does not exist")
        return _parse(file, _read(file))
    if (here / "awsobs.toml").is_file():
        file = here / "awsobs.toml"
        return _parse(file, _read(file))
    if (here / "pyproject.toml").is_file():
        file = here / "pyproject.toml"
        table = _read(file).get("tool", {}).get("awsobs")
        if table is not None:
            return _parse(file, table, prefix="tool.awsobs.")
    return Config()


def _read(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise UsageError(f"{file}: invalid TOML: {err}") from None
    except OSError as err:
        raise UsageError(f"cannot read {file}: {err.strerror}") from None


def _parse(file: Path, data: Mapping[str, Any], prefix: str = "") -> Config:
    def fail(key: str, problem: str) -> UsageError:
        return UsageError(f"{file}{_line_of(file, key)}: {prefix}{key} {problem}")

    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        raise fail(unknown[0], f"is not a setting (settings: {', '.join(_KEYS)})")
    regions = data.get("regions")
    if isinstance(regions, str):
        regions = [regions]
    for key, value in (
        ("regions", regions),
        ("checks", data.get("checks")),
        ("exclude_checks", data.get("exclude_checks")),
    ):
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise fail(key, "must be a list of strings")
    fail_on = data.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise fail("fail_on", f"must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    workers = data.get("max_workers")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool)):
        raise fail("max_workers", "must be a whole number")
    options = data.get("options", {})
    if not isinstance(options, Mapping):
        raise fail("options", "must be a table")
    _check_options(file, options)
    return Config(
        regions=regions,
        checks=data.get("checks"),
        exclude_checks=data.get("exclude_checks"),
        fail_on=fail_on,
        max_workers=workers,
        options=dict(options),
        source=str(file),
    )


def _check_options(file: Path, options: Mapping[str, Any]) -> None:
    """Unknown options and wrong value types, reported at their line of the file."""
    from awsobs.engine import OptionError, validate_options  # the engine's own rules
    from awsobs.registry import REGISTRY

    try:
        validate_options(options, REGISTRY.all())
    except OptionError as err:
        raise UsageError(f"{file}{_line_of(file, err.key)}: {err}") from None


def _line_of(file: Path, key: str) -> str:
    """`:3` when `key = ...` (or a `[key]` or `[options."key"]` table) starts line 3 of
    the file; else ''."""
    pattern = re.compile(rf'^\s*(\[+\s*(tool\.awsobs\.)?(options\.)?"?)?{re.escape(key)}\b')
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for number, line in enumerate(lines, start=1):
        if pattern.match(line):
            return f":{number}"
    return ""
