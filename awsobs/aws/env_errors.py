"""Mistakes in the local AWS set-up, as one line that names the file or variable at fault.

botocore reads its configuration lazily and raises its own exceptions (or plain
`ValueError`, `OSError`, `json.JSONDecodeError` from a credential process) wherever a
setting is first needed: when a session is made, a client is created or a request is
signed. `environment_error` turns those into `UsageError` (the configuration is wrong)
or `CredentialsError` (credentials cannot be had), and `check_session` makes botocore
read everything at start-up, so the mistake is reported before any work is done:

- the AWS config and credentials files (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`,
  else ~/.aws/config and ~/.aws/credentials) must parse;
- the profile (`--profile` or `AWS_PROFILE`) must exist;
- the region (`AWS_DEFAULT_REGION`, else the profile's `region`) must be a region name;
- the retry settings must be valid (`awsobs.aws.clients.retries_of`);
- the credentials must load (a `credential_process` that fails is named).

Everything here runs only on those paths: the CLI imports it lazily, so `awsobs
--version` never loads boto3.
"""

from __future__ import annotations

import ast
import configparser
import json
import os
from typing import Any

import boto3
from botocore import exceptions as bce
from botocore.utils import validate_region_name

from awsobs.errors import AwsobsError, CredentialsError, UsageError

NO_CREDENTIALS = (
    "no AWS credentials found: pass --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID, "
    "or run `aws configure` / `aws sso login`"
)


def _classes(*names: str) -> tuple[type[Exception], ...]:
    """botocore's exception classes by name (older botocore may lack some)."""
    found = (getattr(bce, n, None) for n in names)
    return tuple(c for c in found if isinstance(c, type) and issubclass(c, Exception))


# botocore's classes for a setting it will not use (its message names the setting) ...
_CONFIG_ERRORS = _classes(
    "InvalidConfigError",  # also InfiniteLoopConfigError (a source_profile loop)
    "InvalidDefaultsMode",
    "InvalidEndpointConfigurationError",
    "InvalidEndpointDiscoveryConfigurationError",
    "InvalidSTSRegionalEndpointsConfigError",
    "InvalidS3UsEast1RegionalEndpointConfigError",
    "InvalidS3AddressingStyleError",
    "InvalidIMDSEndpointError",
    "InvalidIMDSEndpointModeError",
    "InvalidProxiesConfigError",
    "InvalidChecksumConfigError",
    "UnknownSignatureVersionError",
    "NoRegionError",
)
# ... and for credentials it cannot get.
_CREDENTIAL_ERRORS = _classes(
    "CredentialRetrievalError",
    "UnknownCredentialError",
    "MetadataRetrievalError",
    "RefreshWithMFAUnsupportedError",
    "SSOError",
    "LoginError",
    "MissingDependencyException",
)
_SSO = (bce.UnauthorizedSSOTokenError, bce.SSOTokenLoadError, bce.TokenRetrievalError)


def environment_error(exc: BaseException, session: Any = None) -> AwsobsError | None:
    """The one-line error that `exc` means, or None when it is not a set-up mistake (a
    bug, which should stay a traceback). `session` (a boto3 Session) helps name the
    profile and file."""
    if isinstance(exc, AwsobsError):
        return exc
    if isinstance(exc, bce.ConfigParseError):
        return UsageError(_parse_error(exc))
    if isinstance(exc, bce.ProfileNotFound):
        return UsageError(unknown_profile(str(exc.kwargs.get("profile", ""))))
    if isinstance(exc, bce.InvalidRegionError):
        region = str(exc.kwargs.get("region_name", ""))
        return UsageError(region_problem(region, session))
    if isinstance(exc, bce.InvalidRetryConfigurationError):
        return UsageError(
            "invalid AWS retry settings (AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, or max_attempts / "
            f"retry_mode in the AWS profile): {_one_line(exc)}"
        )
    if isinstance(exc, bce.NoCredentialsError):
        return CredentialsError(NO_CREDENTIALS)
    if isinstance(exc, bce.PartialCredentialsError):
        provider = exc.kwargs.get("provider", "?")
        return CredentialsError(
            f"incomplete AWS credentials from {provider}: {exc.kwargs.get('cred_var', '?')} "
            "is missing"
        )
    if isinstance(exc, _SSO):
        name = type(exc).__name__
        return CredentialsError(
            f"the AWS SSO session is missing or expired ({name}): run `aws sso login`"
        )
    if isinstance(exc, bce.CredentialRetrievalError):
        provider = str(exc.kwargs.get("provider", ""))
        source = _process_source(session) if provider == "custom-process" else None
        detail = _one_line(exc.kwargs.get("error_msg", exc)) or "no reason given"
        return CredentialsError(
            f"could not get AWS credentials from {source or provider}: {detail}"
        )
    if isinstance(exc, _CREDENTIAL_ERRORS):
        return CredentialsError(f"could not get AWS credentials: {_one_line(exc)}")
    if isinstance(exc, _CONFIG_ERRORS):
        return UsageError(f"invalid AWS configuration: {_one_line(exc)}")
    if isinstance(exc, UnicodeDecodeError):
        return UsageError(f"a file awsobs read is not UTF-8 text ({_one_line(exc)})")
    return None


def credentials_error(exc: BaseException, session: Any) -> AwsobsError:
    """What an exception raised while botocore loads credentials means: always one line,
    since nothing but the set-up can fail there (a credential_process that prints no JSON
    or cannot be run raises plain `ValueError` / `OSError`)."""
    known = environment_error(exc, session)
    if known is not None:
        return known
    source = _process_source(session)
    if source is not None and isinstance(exc, json.JSONDecodeError):
        return CredentialsError(
            f"could not get AWS credentials from {source}: it printed something that is not "
            f"JSON ({_one_line(exc)})"
        )
    if source is not None and isinstance(exc, OSError):
        what = exc.strerror or type(exc).__name__
        target = f": {exc.filename}" if exc.filename else ""
        return CredentialsError(f"could not run {source}: {what}{target}")
    where = f" of {source}" if source else ""
    return CredentialsError(
        f"could not get AWS credentials{where}: {type(exc).__name__}: {_one_line(exc)}"
    )


def check_session(session: boto3.Session) -> None:
    """Make botocore read the whole local set-up now; raise one-line errors for what is
    wrong with it. No request is sent (credentials that are fetched from an endpoint,
    like SSO's, are fetched when first used)."""
    from awsobs.aws.clients import retries_of  # validates AWS_MAX_ATTEMPTS / AWS_RETRY_MODE

    try:
        session._session.get_scoped_config()  # parses the config and credentials files
    except Exception as exc:
        error = environment_error(exc, session)
        if error is None:
            raise
        raise error from None
    session_region(session)
    retries_of(session)
    try:
        session.get_credentials()
    except Exception as exc:
        raise credentials_error(exc, session) from None


def unknown_profile(profile: str, *, from_flag: bool = False) -> str:
    """`unknown AWS profile 'x' (known profiles: ...)`, saying when AWS_PROFILE named it."""
    from_env = not from_flag and os.environ.get("AWS_PROFILE") == profile
    where = " from AWS_PROFILE" if from_env else ""
    try:
        import botocore.session

        known = ", ".join(sorted(botocore.session.Session().available_profiles))
    except Exception:
        known = ""
    return f"unknown AWS profile '{profile}'{where} (known profiles: {known or 'none configured'})"


def session_region(session: boto3.Session) -> str | None:
    """The session's region (None: not set), refused when botocore would refuse it."""
    try:
        region = session.region_name
        validate_region_name(region)
    except Exception as exc:
        error = environment_error(exc, session)
        if error is None:
            raise
        raise error from None
    return region


def region_problem(region: str, session: Any = None) -> str:
    """`AWS_DEFAULT_REGION is 'x', not a region name (like us-east-1)`, or the profile key."""
    return (
        f"{region_source(region, session)} is {shown(region)}, not a region name (like us-east-1)"
    )


def region_source(region: str, session: Any = None) -> str:
    """Where botocore took `region` from: the variable, the profile key, or the session."""
    if os.environ.get("AWS_DEFAULT_REGION") == region:
        return "AWS_DEFAULT_REGION"
    if session is not None:
        try:
            if session._session.get_scoped_config().get("region") == region:
                return profile_key(session, "region")
        except Exception:
            pass
    return "the region of the session"


def profile_key(session: Any, key: str) -> str:
    """`retry_mode of AWS profile 'default' in /home/me/.aws/config (AWS_CONFIG_FILE)`."""
    name = getattr(session, "profile_name", None) or "default"
    return f"{key} of AWS profile '{name}' in {_config_file()}"


def shown(value: object) -> str:
    """A value as quoted in a message: repr, cut to a readable length."""
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _config_file() -> str:
    """The AWS config file botocore reads, with the variable that chose it."""
    return _file_label("AWS_CONFIG_FILE", "~/.aws/config")


def _file_label(variable: str, default: str) -> str:
    set_to = os.environ.get(variable)
    path = os.path.expanduser(os.path.expandvars(set_to or default))
    return f"{path} ({variable})" if set_to else path


def _process_source(session: Any) -> str | None:
    """`the credential_process of AWS profile 'x' in FILE`, when the profile has one."""
    try:
        scoped = session._session.get_scoped_config() if session is not None else {}
    except Exception:
        return None
    if not scoped.get("credential_process"):
        return None
    return f"the {profile_key(session, 'credential_process')}"


def _parse_error(exc: bce.ConfigParseError) -> str:
    """`cannot parse the AWS config file PATH (AWS_CONFIG_FILE), line 3: 'x' is not ...`."""
    path = str(exc.kwargs.get("path", "?"))
    what = "AWS config file"
    label = path
    for variable, default, noun in (
        ("AWS_CONFIG_FILE", "~/.aws/config", "AWS config file"),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", "AWS credentials file"),
    ):
        set_to = os.environ.get(variable)
        configured = os.path.expanduser(os.path.expandvars(set_to or default))
        if _same_path(configured, path):
            what = noun
            label = f"{path} ({variable})" if set_to else path
            break
    return f"cannot parse the {what} {label}{_parse_detail(exc.kwargs.get('error'))}"


def _same_path(a: str, b: str) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except (OSError, ValueError):
        return a == b


def _parse_detail(error: object) -> str:
    """`, line 2: 'region' is not ...` from configparser's exception (empty if unknown)."""
    if isinstance(error, UnicodeDecodeError):
        return f": not UTF-8 text (byte 0x{error.object[error.start]:02x} at offset {error.start})"
    if isinstance(error, configparser.MissingSectionHeaderError):
        line = shown(error.line.rstrip("\r\n"))
        if error.line.lstrip().startswith("["):
            return f", line {error.lineno}: {line} is not a [section] header"
        return f", line {error.lineno}: {line} comes before any [section] header"
    if isinstance(error, configparser.ParsingError) and error.errors:
        lineno, line = error.errors[0]
        try:  # configparser keeps repr(line), newline and all
            text = shown(str(ast.literal_eval(line)).rstrip("\r\n"))
        except (ValueError, SyntaxError):
            text = str(line)
        return f", line {lineno}: {text} is neither a [section] header nor key = value"
    if isinstance(error, configparser.DuplicateSectionError):
        return f", line {error.lineno}: section [{error.section}] appears twice"
    if isinstance(error, configparser.DuplicateOptionError):
        return f", line {error.lineno}: {error.option} appears twice in [{error.section}]"
    return f": {_one_line(error)}" if error else ""
