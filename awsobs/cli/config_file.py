"""Scan defaults from a config file: `--config PATH`, else `./awsobs.toml`, else the
`[tool.awsobs]` table of `./pyproject.toml`. Command-line flags override the file.

    regions = ["us-east-1", "eu-west-1"]     # or "all"
    checks = ["cloudtrail.*", "ec2.*"]
    exclude_checks = ["ec2.detailed_monitoring"]
    fail_on = "medium"
    max_workers = 16
    jobs = 2                                 # worker processes for --org / --accounts (--jobs)
    tags = {env = "prod"}                    # like --tag: only resources with these tags
    timeout = 600                            # seconds for the whole scan (--timeout)

    [options]                                # for every check that declares the option
    cwagent_namespace = "MyAgent"

    [options."cloudtrail.s3_delivery"]       # for one check
    max_age_hours = 12

    [[suppressions]]                         # an accepted gap (awsobs/suppress.py)
    check = "cloudtrail.s3_data_events_*"    # glob; required
    resource = "123456789012"                # glob on resource_id (default "*")
    region = "*"                             # glob (default "*")
    account = "123456789012"                 # glob (default "*")
    tags = {env = "sandbox"}                 # resource tags, all required (values: globs)
    reason = "Data events cost too much in the sandbox"   # required
    expires = 2027-03-31                     # optional: applies through that day

A file that cannot be used is a `UsageError` naming the file and the line at fault.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import math
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsobs.errors import UsageError
from awsobs.model import Severity
from awsobs.suppress import Suppression

FAIL_ON = (*(s.value for s in Severity), "none")
_KEYS = (
    "regions",
    "checks",
    "exclude_checks",
    "fail_on",
    "max_workers",
    "jobs",
    "timeout",
    "options",
    "suppressions",
    "tags",
)
_SUPPRESSION_KEYS = ("check", "resource", "region", "account", "tags", "reason", "expires")
# What an empty list (or one of empty strings) would mean, were it not an error.
_NAMES_NOTHING = {
    "regions": 'it names no region (leave it out, or write "all", to scan every enabled one)',
    "checks": "it names no check (leave it out to run every check)",
    "exclude_checks": "it names no check (leave it out to exclude none)",
}


@dataclass(frozen=True)
class Config:
    """What a config file sets (None: not set)."""

    regions: list[str] | None = None
    checks: list[str] | None = None
    exclude_checks: list[str] | None = None
    fail_on: str | None = None
    max_workers: int | None = None
    jobs: int | None = None  # like --jobs: worker processes of a scan of several accounts
    timeout: float | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    suppressions: tuple[Suppression, ...] = ()
    tags: dict[str, str] | None = None  # like --tag: only resources with these tags
    source: str | None = None


def load_config(path: str | None = None, cwd: Path | None = None) -> Config:
    """The config in effect: `path`, else awsobs.toml, else pyproject.toml's [tool.awsobs]."""
    here = cwd or Path.cwd()
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise UsageError(f"config file {path} does not exist")
        if file.name == "pyproject.toml":  # its settings live under [tool.awsobs]
            table = _read(file).get("tool", {}).get("awsobs")
            if table is None:
                raise UsageError(f"{path} has no [tool.awsobs] table")
            return _parse(file, table, prefix="tool.awsobs.")
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
    except UnicodeDecodeError as err:  # TOML is UTF-8 by definition
        line = err.object[: err.start].count(b"\n") + 1
        byte = err.object[err.start]
        raise UsageError(f"{file}:{line}: not UTF-8 text (byte 0x{byte:02x})") from None
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
        named = value is not None and any(p.strip() for v in value for p in v.split(","))
        if value is not None and not named and (value or key != "exclude_checks"):
            raise fail(key, f"is {value!r}: {_NAMES_NOTHING[key]}")
    fail_on = data.get("fail_on")
    if fail_on is not None and fail_on not in FAIL_ON:
        raise fail("fail_on", f"must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    workers = data.get("max_workers")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool)):
        raise fail("max_workers", "must be a whole number")
    jobs = data.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise fail("jobs", f"must be a whole number of at least 1, not {jobs!r}")
    timeout = data.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise fail("timeout", f"must be a positive number of seconds, not {timeout!r}")
    options = data.get("options", {})
    if not isinstance(options, Mapping):
        raise fail("options", "must be a table")
    _check_options(file, options)
    suppressions = _suppressions(file, data.get("suppressions", []), prefix)
    tags = data.get("tags")
    if tags is not None and not _is_tag_table(tags):
        raise fail("tags", 'must be a table of tag values, e.g. tags = {env = "prod"}')
    return Config(
        tags=dict(tags) if tags is not None else None,
        regions=regions,
        checks=data.get("checks"),
        exclude_checks=data.get("exclude_checks"),
        fail_on=fail_on,
        max_workers=workers,
        jobs=jobs,
        timeout=timeout,
        options=dict(options),
        suppressions=suppressions,
        source=str(file),
    )


def _suppressions(file: Path, entries: Any, prefix: str) -> tuple[Suppression, ...]:
    """`[[suppressions]]` entries, each checked, with its line for later messages."""
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise UsageError(
            f"{file}{_line_of(file, 'suppressions')}: {prefix}suppressions must be "
            "[[suppressions]] tables"
        )
    starts = _entry_lines(file, f"{prefix}suppressions")
    known = [c.id for c in _registry().all()]
    return tuple(
        _suppression(file, entry, i + 1, starts[i] if i < len(starts) else 0, known)
        for i, entry in enumerate(entries)
    )


def _suppression(
    file: Path, entry: Mapping[str, Any], number: int, start: int, known: list[str]
) -> Suppression:
    """One entry (the `number`th, its table starting at line `start`, 0: unknown)."""
    where = f"{file}:{start}" if start else str(file)

    def fail(key: str, problem: str) -> UsageError:
        line = _line_in_entry(file, key, start) if start else None
        return UsageError(f"{f'{file}:{line}' if line else where}: suppression {number}: {problem}")

    unknown = [k for k in entry if k not in _SUPPRESSION_KEYS]
    if unknown:
        keys = ", ".join(_SUPPRESSION_KEYS)
        raise fail(unknown[0], f"{unknown[0]} is not a suppression key (keys: {keys})")
    for key in ("check", "reason"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            raise fail(key, f"{key} is required (a non-empty string)")
    for key in ("resource", "region", "account"):
        if key in entry and (not isinstance(entry[key], str) or not entry[key]):
            raise fail(key, f"{key} must be a non-empty string (a glob)")
    if "tags" in entry and not _is_tag_table(entry["tags"]):
        raise fail("tags", 'tags must be a table of tag values, e.g. tags = {env = "sandbox"}')
    if not any(fnmatch.fnmatchcase(c, entry["check"]) for c in known):
        raise fail("check", f"check {entry['check']!r} matches no check (see `awsobs checks`)")
    return Suppression(
        check=entry["check"],
        reason=entry["reason"].strip(),
        resource=entry.get("resource", "*"),
        region=entry.get("region", "*"),
        account=entry.get("account", "*"),
        expires=_date(entry.get("expires"), lambda problem: fail("expires", problem)),
        source=where,
        tags=tuple(sorted(entry.get("tags", {}).items())),
    )


def _is_tag_table(value: Any) -> bool:
    """A non-empty TOML table of tag keys to string values."""
    return (
        isinstance(value, Mapping)
        and bool(value)
        and all(isinstance(k, str) and k and isinstance(v, str) for k, v in value.items())
    )


def _date(value: Any, fail: Callable[[str], UsageError]) -> dt.date | None:
    """A TOML date (`2027-03-31`) or the same as a string; None when not given."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        raise fail("expires must be a date (2027-03-31), not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise fail(f"expires must be a date like 2027-03-31, not {value!r}")


def _registry() -> Any:
    from awsobs.registry import REGISTRY  # late: loading checks is not needed to read TOML

    return REGISTRY


def _entry_lines(file: Path, table: str) -> list[int]:
    """Line numbers of the `[[table]]` headers, in order."""
    pattern = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
    return [n for n, line in enumerate(_lines(file), start=1) if pattern.match(line)]


def _line_in_entry(file: Path, key: str, start: int) -> int | None:
    """The line of `key = ...` in the table that starts at line `start`."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for n, line in enumerate(_lines(file)[start:], start=start + 1):
        if line.lstrip().startswith("["):
            return None
        if pattern.match(line):
            return n
    return None


def _lines(file: Path) -> list[str]:
    try:
        return file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def _check_options(file: Path, options: Mapping[str, Any]) -> None:
    """Unknown options and wrong value types, reported at their line of the file."""
    from awsobs.engine import OptionError, validate_options  # the engine's own rules

    try:
        validate_options(options, _registry().all())
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
