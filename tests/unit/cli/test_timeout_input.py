"""--timeout and the config file's `timeout`: a positive number of seconds, else one line
and exit 2 before any request."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_env import write

import awsobs.cli as cli
from awsobs.cli.config_file import load_config
from awsobs.errors import UsageError


@pytest.mark.parametrize("value", ["0", "-5", "soon", "nan", "inf", "30s", ""])
def test_a_bad_timeout_flag_is_one_line_and_exit_2(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["scan", f"--timeout={value}"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"awsobs: error: argument --timeout: must be a positive number of seconds, not "
        f"{value!r} (see `awsobs scan --help`)"
    ]


def test_the_config_file_sets_the_timeout(tmp_path: Path) -> None:
    write(tmp_path / "awsobs.toml", "timeout = 90.5\n")
    assert load_config(cwd=tmp_path).timeout == 90.5


@pytest.mark.parametrize("value", ["0", "-1", '"30"', "true", "nan"])
def test_a_bad_timeout_in_the_config_file_names_its_line(tmp_path: Path, value: str) -> None:
    write(tmp_path / "awsobs.toml", f'regions = ["us-east-1"]\ntimeout = {value}\n')
    with pytest.raises(UsageError) as err:
        load_config(cwd=tmp_path)
    assert str(err.value).startswith(
        f"{tmp_path / 'awsobs.toml'}:2: timeout must be a positive number of seconds, not "
    )
