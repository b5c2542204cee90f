"""Environment mistakes are exit 2 with one line naming the file or variable, never a
traceback (issue 12): AWS config and credentials files, credential_process, region and
retry settings, awsobs's own config file, JSON reports, check and region lists, and
--output paths.

Each CLI test runs the real command in a subprocess with its own HOME, AWS config and
credentials files, and AWS_ENDPOINT_URL on 127.0.0.1 (a port that refuses connections,
or the moto server where a request must succeed), so nothing can reach AWS.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from cli_env import SCAN, one_line_error, write
from helpers import awsobs, new_session, stub_error

import awsobs.cli as cli
import awsobs.cli.commands as commands
from awsobs import CredentialsError, UsageError, scan

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


# -- 1. malformed AWS config and credentials files ----------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("[profile x\nregion = us-east-1\n", "line 1: '[profile x'"),
        ("[default]\nregion\n", "line 2: 'region'"),
        ("[default]\n[default]\n", "line 2"),
        (b"[default]\nregion = caf\xe9\n", "not UTF-8"),
    ],
)
def test_a_malformed_aws_config_file_is_named(
    env: dict[str, str], tmp_path: Path, text: str | bytes, where: str
) -> None:
    config = write(tmp_path / "bad-config", text)
    env["AWS_CONFIG_FILE"] = str(config)
    env["PYTHONUTF8"] = "1"  # botocore reads the file in the locale's encoding
    line = one_line_error(awsobs(*SCAN, env=env), str(config), "AWS_CONFIG_FILE", where)
    assert "cannot parse the AWS config file" in line


@pytest.mark.parametrize(
    "text", ["[default\naws_access_key_id = a\n", "[default]\naws_access_key_id\n"]
)
def test_a_malformed_credentials_file_is_named(
    env: dict[str, str], tmp_path: Path, text: str
) -> None:
    creds = write(tmp_path / "bad-credentials", text)
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(creds)
    line = one_line_error(awsobs(*SCAN, env=env), str(creds), "AWS_SHARED_CREDENTIALS_FILE")
    assert "cannot parse the AWS credentials file" in line


def test_the_default_config_file_is_named_by_its_path(env: dict[str, str]) -> None:
    del env["AWS_CONFIG_FILE"]
    config = write(Path(env["HOME"]) / ".aws" / "config", "[default]\nno equals sign\n")
    line = one_line_error(awsobs(*SCAN, env=env), f"the AWS config file {config}", "line 2")
    assert "AWS_CONFIG_FILE" not in line


def test_a_profile_from_aws_profile_that_does_not_exist(env: dict[str, str]) -> None:
    write(Path(env["AWS_CONFIG_FILE"]), "[profile prod]\nregion = eu-west-1\n")
    env["AWS_PROFILE"] = "nobody"
    one_line_error(
        awsobs(*SCAN, env=env),
        "unknown AWS profile 'nobody' from AWS_PROFILE (known profiles: prod)",
    )


# -- 2. a failing credential_process --------------------------------------------------------


def _process_profile(env: dict[str, str], tmp_path: Path, script: str | None) -> None:
    """Profile `cp` whose credential_process is `script` (a shell script; None: missing)."""
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    path = tmp_path / "creds.sh"
    if script is not None:
        write(path, "#!/bin/sh\n" + script)
        path.chmod(0o755)
    write(Path(env["AWS_CONFIG_FILE"]), f"[profile cp]\ncredential_process = {path}\n")


@pytest.mark.parametrize(
    ("script", "says"),
    [
        ("echo 'token gone' >&2\nexit 1\n", "token gone"),
        ("echo 'not json at all'\n", "not JSON"),
        ("echo '{\"Version\": 1}'\n", "AccessKeyId"),
        ('echo \'{"Version": 2, "AccessKeyId": "a", "SecretAccessKey": "b"}\'\n', "version"),
        (None, "No such file or directory"),
    ],
)
@pytest.mark.parametrize("how", ["AWS_PROFILE", "--profile"])
def test_a_failing_credential_process_is_a_credentials_error(
    env: dict[str, str], tmp_path: Path, script: str | None, says: str, how: str
) -> None:
    _process_profile(env, tmp_path, script)
    if how == "AWS_PROFILE":
        env["AWS_PROFILE"] = "cp"
        result = awsobs(*SCAN, env=env)
    else:
        result = awsobs(*SCAN, "--profile", "cp", env=env)
    one_line_error(result, "credential_process of AWS profile 'cp'", env["AWS_CONFIG_FILE"], says)


def test_a_failing_credential_process_raises_credentials_error_from_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    """From Python too: the first request (GetCallerIdentity) is where botocore runs the
    process, and its failure is a CredentialsError, not an UNKNOWN or a traceback."""
    env: dict[str, str] = dict(os.environ)
    _process_profile(env, tmp_path, "echo 'not json'\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    session = boto3.Session(profile_name="cp", region_name="us-east-1")
    with pytest.raises(CredentialsError, match="credential_process of AWS profile 'cp'"):
        scan(session, regions=["us-east-1"], checks=["cloudtrail.trail_logging"])


# -- 3. a region setting that is not a region name -----------------------------------------


@pytest.mark.parametrize("value", ["us-east-1 ", "not a region", "../x", "us_east_1"])
def test_aws_default_region_that_is_not_a_region_name(env: dict[str, str], value: str) -> None:
    env["AWS_DEFAULT_REGION"] = value
    one_line_error(awsobs(*SCAN, env=env), f"AWS_DEFAULT_REGION is {value!r}, not a region name")


def test_a_profile_region_that_is_not_a_region_name(env: dict[str, str]) -> None:
    del env["AWS_DEFAULT_REGION"]
    write(Path(env["AWS_CONFIG_FILE"]), "[default]\nregion = not a region\n")
    one_line_error(
        awsobs(*SCAN, env=env),
        "region of AWS profile 'default'",
        env["AWS_CONFIG_FILE"],
        "'not a region', not a region name",
    )


def test_aws_region_is_not_read_by_boto3_so_it_cannot_break_a_scan(
    endpoint: str, env: dict[str, str]
) -> None:
    """boto3 takes the region from AWS_DEFAULT_REGION or the profile, never AWS_REGION:
    nonsense there changes nothing (and is no reason to refuse to run)."""
    env["AWS_ENDPOINT_URL"] = endpoint
    env["AWS_REGION"] = "not a region"
    result = awsobs(*SCAN, env=env)
    assert result.returncode == 1, result.stderr  # no trail: a FAIL
    assert "Traceback" not in result.stderr


def test_a_session_in_a_bad_region_raises_usage_error_from_scan(
    refused: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", refused)
    with pytest.raises(UsageError, match="'not a region', not a region name"):
        scan(new_session(region_name="not a region"), checks=["cloudtrail.trail_logging"])


# -- 4. retry settings ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-1", "0", "1.5", "9" * 5000])
def test_aws_max_attempts_that_is_not_a_whole_number(env: dict[str, str], value: str) -> None:
    env["AWS_MAX_ATTEMPTS"] = value
    one_line_error(
        awsobs(*SCAN, env=env), "AWS_MAX_ATTEMPTS is", "not a whole number of at least 1"
    )


def test_an_unknown_aws_retry_mode(env: dict[str, str]) -> None:
    env["AWS_RETRY_MODE"] = "fast"
    one_line_error(
        awsobs(*SCAN, env=env),
        "AWS_RETRY_MODE is 'fast', not one of legacy, standard, adaptive",
    )


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("max_attempts = x", "max_attempts of AWS profile 'default'"),
        ("retry_mode = y", "retry_mode of AWS profile 'default'"),
    ],
)
def test_retry_settings_of_the_profile_are_named(
    env: dict[str, str], line: str, needle: str
) -> None:
    write(Path(env["AWS_CONFIG_FILE"]), f"[default]\n{line}\n")
    one_line_error(awsobs(*SCAN, env=env), needle, env["AWS_CONFIG_FILE"])


def test_retry_settings_are_validated_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from awsobs.aws.clients import retries_of

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", " 3 ")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    assert retries_of(boto3.Session(region_name="us-east-1")) == ("standard", 3)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "three")
    with pytest.raises(UsageError, match="AWS_MAX_ATTEMPTS is 'three'"):
        retries_of(boto3.Session(region_name="us-east-1"))


# -- 7. credentials that expire between GetCallerIdentity and DescribeRegions -------------


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "RequestExpired"])
@pytest.mark.parametrize("regions", [[], ["--regions", "us-east-1"]])
def test_credentials_expired_at_describe_regions(
    endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    code: str,
    regions: list[str],
) -> None:
    stub_error(monkeypatch, "ec2", "describe_regions", code)
    assert cli.main(["scan", "--checks", "cloudtrail.trail_logging", *regions]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"awsobs: error: the AWS credentials have expired ({code} from ec2:DescribeRegions): "
        "refresh them and run again\n"
    )


def test_an_endpoint_that_does_not_answer_is_not_called_rejected_credentials(
    env: dict[str, str],
) -> None:
    env["AWS_MAX_ATTEMPTS"] = "1"
    line = one_line_error(
        awsobs(*SCAN, env=env),
        "could not reach the AWS endpoint",
        "for sts:GetCallerIdentity: connection refused",
        env["AWS_ENDPOINT_URL"],
    )
    assert "rejected" not in line


def test_describe_regions_denied_keeps_its_advice(
    endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stub_error(monkeypatch, "ec2", "describe_regions", "AccessDenied")
    assert cli.main(["scan", "--checks", "cloudtrail.trail_logging"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "awsobs: error: cannot list the account's enabled regions (ec2:DescribeRegions "
        "failed); grant ec2:DescribeRegions or pass --regions"
    ]


# -- the CLI boundary: whatever botocore raises about the set-up is one line ---------------


@pytest.mark.parametrize(
    ("exc", "says"),
    [
        (
            botocore.exceptions.InvalidConfigError(error_msg="bad\nthing"),
            "invalid AWS configuration",
        ),
        (
            botocore.exceptions.CredentialRetrievalError(provider="sso", error_msg="no"),
            "could not get AWS credentials from sso: no",
        ),
        (botocore.exceptions.ProfileNotFound(profile="ghost"), "unknown AWS profile 'ghost'"),
        (
            botocore.exceptions.PartialCredentialsError(provider="env", cred_var="AWS_X"),
            "AWS_X is missing",
        ),
        (
            botocore.exceptions.InvalidRetryModeError(provided_retry_mode="z", valid_modes="a"),
            "retry",
        ),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "not UTF-8 text"),
    ],
)
def test_environment_errors_from_anywhere_are_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    exc: Exception,
    says: str,
) -> None:
    def explode(*_: Any, **__: Any) -> Any:
        raise exc

    monkeypatch.setattr(commands, "cmd_policy", explode)
    assert cli.main(["policy"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("awsobs: error: ") and says in err


def test_a_bug_is_still_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr(commands, "cmd_policy", explode)
    with pytest.raises(ValueError, match="a bug"):
        cli.main(["policy"])


def test_version_and_import_load_no_boto3() -> None:
    code = (
        "import sys, awsobs, awsobs.cli\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore'))\n"
        "assert not loaded, loaded\n"
        "try:\n"
        "    awsobs.cli.main(['--version'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')]\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("awsobs ")


def test_a_bug_exits_2_with_its_traceback_never_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """CI reads 1 as "gaps found": an internal error must not look like one."""

    def broken(argv: object = None) -> int:
        raise RuntimeError("kaput")

    monkeypatch.setattr(cli, "main", broken)
    with pytest.raises(SystemExit) as exit_:
        cli.run()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "RuntimeError: kaput" in err and "Traceback" in err
    assert err.rstrip().splitlines()[-1].startswith("awsobs: internal error")
