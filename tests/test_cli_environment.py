"""Environment mistakes are exit 2 with one line naming the file or variable, never a
traceback (issue 12): AWS config and credentials files, credential_process, region and
retry settings, awsobs's own config file, JSON reports, check and region lists, and
--output paths.

Each CLI test runs the real command in a subprocess with its own HOME, AWS config and
credentials files, and AWS_ENDPOINT_URL on 127.0.0.1 (a port that refuses connections,
or the moto server where a request must succeed), so nothing can reach AWS.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.exceptions
import pytest
from helpers import awsobs, new_session, stub_error

import awsobs.cli as cli
from awsobs import REGISTRY, CredentialsError, UsageError, scan
from awsobs.aws.session import Regions, choose_regions

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.fixture
def refused() -> Iterator[str]:
    """An endpoint on 127.0.0.1 that refuses every connection: bound, never listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def env(tmp_path: Path, refused: str) -> dict[str, str]:
    """The CLI's environment: conftest's fake credentials and files, a HOME of its own,
    an endpoint that answers nothing, no instance metadata."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        **os.environ,
        "HOME": str(home),
        "AWS_ENDPOINT_URL": refused,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


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
    from awsobs.aws.gateway import _retries

    monkeypatch.setenv("AWS_MAX_ATTEMPTS", " 3 ")
    monkeypatch.setenv("AWS_RETRY_MODE", "standard")
    assert _retries(boto3.Session(region_name="us-east-1")) == {
        "mode": "standard",
        "total_max_attempts": 3,
    }
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "three")
    with pytest.raises(UsageError, match="AWS_MAX_ATTEMPTS is 'three'"):
        _retries(boto3.Session(region_name="us-east-1"))


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
        "could not reach AWS to verify the credentials (EndpointConnectionError)",
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

    monkeypatch.setattr(cli, "_cmd_policy", explode)
    assert cli.main(["policy"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("awsobs: error: ") and says in err


def test_a_bug_is_still_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*_: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr(cli, "_cmd_policy", explode)
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
