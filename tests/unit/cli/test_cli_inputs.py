"""awsobs's own inputs that name nothing or cannot be used are exit 2 with one line
(issue 12): its config file when not UTF-8, JSON reports with numbers Python cannot read,
check and region lists that name nothing, and --output paths that cannot be written or
are one file twice. The environment's mistakes are in test_cli_environment.py.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import boto3
import pytest
from cli_env import SCAN, one_line_error, write
from helpers import awsobs

import awsobs.cli as cli
from awsobs import REGISTRY, UsageError, scan
from awsobs.aws.session import Regions, choose_regions

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


# -- 5. awsobs's own config file that is not UTF-8 -----------------------------------------


def test_a_config_file_that_is_not_utf8(env: dict[str, str], tmp_path: Path) -> None:
    config = write(tmp_path / "ci.toml", b'regions = ["us-east-1"]\n# caf\xe9\n')
    one_line_error(awsobs("scan", "--config", str(config), env=env), f"{config}:2: not UTF-8 text")
    one_line_error(awsobs("policy", "--config", str(config), env=env), f"{config}:2")


@pytest.mark.parametrize("name", ["awsobs.toml", "pyproject.toml"])
def test_a_discovered_config_file_that_is_not_utf8(
    env: dict[str, str], tmp_path: Path, name: str
) -> None:
    write(tmp_path / "work" / name, b"\xff\xfe[tool.awsobs]\n")
    one_line_error(awsobs("policy", env=env, cwd=tmp_path / "work"), f"{name}:1: not UTF-8 text")


# -- 6. JSON reports with numbers Python will not read ------------------------------------


def _report(tmp_path: Path, name: str, extra: str = "") -> Path:
    doc = {
        "schema_version": 1,
        "scan": {
            "accounts": [],
            "regions": [],
            "checks": [],
            "started_at": "2025-01-01T00:00:00+00:00",
            "finished_at": "2025-01-01T00:00:00+00:00",
        },
        "findings": [],
    }
    text = json.dumps(doc)
    if extra:
        text = text.replace('"accounts"', f'"api_calls": {extra}, "accounts"')
    return write(tmp_path / name, text)


@pytest.mark.parametrize(
    ("number", "says"),
    [
        ("9" * 5000, "an integer of 5000 digits"),
        ("1e400", "a number too large"),
        ("-1e400", "a number too large"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
    ],
)
@pytest.mark.parametrize("command", ["diff", "merge", "baseline"])
def test_a_report_with_a_number_json_cannot_hold(
    env: dict[str, str], tmp_path: Path, number: str, says: str, command: str
) -> None:
    good = _report(tmp_path, "good.json")
    bad = _report(tmp_path, "bad.json", number)
    if command == "baseline":
        result = awsobs(*SCAN, "--baseline", str(bad), env=env)
    else:
        result = awsobs(command, str(good), str(bad), env=env)
    one_line_error(result, f"{bad}: invalid JSON", says)


# -- 8. check lists that name no check -----------------------------------------------------


@pytest.mark.parametrize("command", ["scan", "policy"])
@pytest.mark.parametrize("flag", ["--checks", "--exclude-checks"])
@pytest.mark.parametrize("value", ["", ",,", " , "])
def test_an_empty_check_flag_is_an_error(
    env: dict[str, str], command: str, flag: str, value: str
) -> None:
    one_line_error(awsobs(command, f"{flag}={value}", env=env), f"{flag} {value!r}: no check")


@pytest.mark.parametrize("key", ["checks", "exclude_checks"])
@pytest.mark.parametrize("value", ['[""]', '[",,", " "]'])
def test_an_empty_check_list_in_the_config_file(
    env: dict[str, str], tmp_path: Path, key: str, value: str
) -> None:
    config = write(tmp_path / "awsobs.toml", f'fail_on = "high"\n{key} = {value}\n')
    one_line_error(awsobs("policy", "--config", str(config), env=env), f"{config}:2: {key}")


def test_an_empty_include_list_is_an_error_for_python_callers() -> None:
    with pytest.raises(UsageError, match="checks is empty"):
        REGISTRY.select([])
    with pytest.raises(UsageError, match="names no check id or glob"):
        REGISTRY.select(["", " , "])
    with pytest.raises(UsageError, match="names no check id or glob"):
        REGISTRY.select(None, [","])
    # An absent include list means every check; an empty exclusion list excludes nothing.
    assert REGISTRY.select(None, []) == REGISTRY.all()
    assert [c.id for c in REGISTRY.select(["", "cloudtrail.multi_region"])] == [
        "cloudtrail.multi_region"
    ]
    with pytest.raises(UsageError, match="checks is empty"):
        scan(boto3.Session(region_name="us-east-1"), checks=[])


# -- 9. region lists that name no region ---------------------------------------------------


@pytest.mark.parametrize("value", ["", ",,", " ", " , "])
def test_an_empty_regions_flag_is_an_error(env: dict[str, str], value: str) -> None:
    one_line_error(
        awsobs("scan", f"--regions={value}", env=env), f"--regions {value!r}: no region given"
    )


@pytest.mark.parametrize("value", ['[""]', "[]", '" , "'])
def test_an_empty_regions_list_in_the_config_file(
    env: dict[str, str], tmp_path: Path, value: str
) -> None:
    config = write(tmp_path / "awsobs.toml", f"regions = {value}\n")
    one_line_error(awsobs("scan", "--config", str(config), env=env), f"{config}:1: regions")


def test_only_an_absent_region_list_means_every_region() -> None:
    known = Regions(
        enabled=("eu-west-1", "us-east-1"), known=("eu-west-1", "us-east-1"), listed=True
    )
    assert choose_regions(None, known) == ("eu-west-1", "us-east-1")
    assert choose_regions("all", known) == ("eu-west-1", "us-east-1")
    assert choose_regions([" us-east-1 ,", ""], known) == ("us-east-1",)
    for empty in ([], (), "", ",,", [" "], ["", ","]):
        with pytest.raises(UsageError, match="no region"):
            choose_regions(empty, known)


# -- 10. --output paths that cannot be written, or are one file twice ---------------------


def _deny_writes_to(monkeypatch: pytest.MonkeyPatch, *paths: Path) -> None:
    """os.access as an unprivileged user would see `paths`: not writable (root may write
    anywhere but to a read-only mount, so only this shows the check's logic as root)."""
    real = os.access
    denied = {os.path.realpath(p) for p in paths}

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and os.path.realpath(path) in denied:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_an_output_in_a_read_only_directory_is_refused_before_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "ro" / "report.json"
    target.parent.mkdir()
    _deny_writes_to(monkeypatch, target.parent)
    called: list[Any] = []
    monkeypatch.setattr("awsobs.aws.session.open_session", lambda *a: called.append(a))
    assert cli.main([*SCAN, "--output", f"json:{target}"]) == 2
    assert capsys.readouterr().err == (
        f"awsobs: error: cannot write {target}: directory {target.parent} is not writable\n"
    )
    assert called == []  # refused before a session was opened


def test_an_existing_read_only_output_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = write(tmp_path / "report.sarif", "{}")
    _deny_writes_to(monkeypatch, target)
    assert cli.main(["merge", str(tmp_path / "none.json"), "--output", f"sarif:{target}"]) == 2
    assert capsys.readouterr().err == (
        f"awsobs: error: cannot write {target}: the file is read-only\n"
    )


@pytest.mark.skipif(ROOT, reason="root may write to a mode-0500 directory")
def test_a_read_only_directory_end_to_end(env: dict[str, str], tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = awsobs(*SCAN, "--output", f"json:{ro / 'r.json'}", env=env)
    finally:
        ro.chmod(0o755)
    one_line_error(result, f"directory {ro} is not writable")


@pytest.mark.skipif(
    os.access("/proc/sys", os.W_OK) or not os.path.isdir("/proc/sys"),
    reason="needs a directory nobody may write to (a read-only mount)",
)
def test_a_read_only_mount_end_to_end(env: dict[str, str]) -> None:
    """/proc/sys is read-only for root too in a container: the check holds as root."""
    result = awsobs(*SCAN, "--output", "json:/proc/sys/awsobs.json", env=env)
    one_line_error(result, "directory /proc/sys is not writable")


def test_one_file_through_a_symlink_is_given_twice(env: dict[str, str], tmp_path: Path) -> None:
    real = tmp_path / "out" / "report.json"
    real.parent.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(real)  # dangling until the report is written
    one_line_error(
        awsobs(*SCAN, "--output", f"json:{real}", "--output", f"sarif:{link}", env=env),
        f"--output {link} is given twice (json and sarif)",
    )
    (tmp_path / "dir-link").symlink_to(real.parent, target_is_directory=True)
    via_dir = tmp_path / "dir-link" / "report.json"
    one_line_error(
        awsobs(*SCAN, "--output", f"json:{real}", "--output", f"junit:{via_dir}", env=env),
        f"--output {via_dir} is given twice",
    )


def test_one_file_through_a_hard_link_is_given_twice(env: dict[str, str], tmp_path: Path) -> None:
    first = write(tmp_path / "a.json", "{}")
    second = tmp_path / "b.json"
    os.link(first, second)
    one_line_error(
        awsobs(*SCAN, "--output", f"json:{first}", "--output", f"csv:{second}", env=env),
        f"--output {second} is given twice (json and csv)",
    )
