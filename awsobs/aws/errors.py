"""AWS failures as typed values, so a check can say *why* it has no data.

The gateway turns every botocore exception into an `AwsError` with a `kind`; checks
catch it and report UNKNOWN (naming the denied IAM action), and the engine does the
same for any check that lets one escape.
"""

from __future__ import annotations

from enum import StrEnum

from botocore.exceptions import (
    ClientError,
    NoCredentialsError,
    PartialCredentialsError,
    TokenRetrievalError,
    UnauthorizedSSOTokenError,
)
from botocore.exceptions import SSOTokenLoadError as _SSOTokenLoadError

from awsobs.aws.iam import iam_action
from awsobs.aws.network import unreachable


class ErrorKind(StrEnum):
    """Why an AWS read failed."""

    ACCESS_DENIED = "access_denied"
    REGION_UNAVAILABLE = "region_unavailable"
    THROTTLED = "throttled"
    NOT_FOUND = "not_found"
    CREDENTIALS = "credentials"
    UNREACHABLE = "unreachable"  # no answer from AWS: DNS, refused, proxy, TLS, timeout
    UNDECLARED = "undeclared"  # refused by awsobs: the check does not declare the action
    REFUSED = "refused"  # refused by awsobs: not a read, or a read of secrets or content
    ERROR = "error"


_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "AuthorizationError",
    "AuthorizationErrorException",
    "Forbidden",
    "NotAuthorized",
}
# In an opt-in region that the account has not enabled, AWS rejects the (otherwise valid)
# credentials; credentials were already proven good by sts:GetCallerIdentity at start.
_REGION = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "AuthFailure",
    "OptInRequired",
    "InvalidIdentityToken",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ProvisionedThroughputExceededException",
}
_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "MissingAuthenticationToken",
}


class AwsError(Exception):
    """One failed AWS read; the same object is re-raised to every check that asks again."""

    def __init__(
        self,
        kind: ErrorKind,
        service: str,
        operation: str,
        region: str,
        code: str,
        message: str,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.kind = kind
        self.service = service
        self.operation = operation
        self.region = region
        self.code = code
        self.message = message

    @property
    def action(self) -> str:
        """The IAM action of the failed call, e.g. `cloudtrail:GetEventSelectors`."""
        return iam_action(self.service, self.operation)

    def describe(self) -> str:
        """One line for a finding's message."""
        where = f" in {self.region}" if self.region else ""
        if self.kind is ErrorKind.ACCESS_DENIED:
            return f"access denied to {self.action}{where}"
        if self.kind is ErrorKind.REGION_UNAVAILABLE:
            return f"region {self.region} is not reachable or not enabled ({self.code})"
        if self.kind is ErrorKind.THROTTLED:
            return f"{self.action} was throttled{where} after retries"
        if self.kind is ErrorKind.CREDENTIALS:
            return f"credentials rejected by {self.action}{where} ({self.code})"
        if self.kind is ErrorKind.UNREACHABLE:
            return self.message[:300]
        if self.kind in (ErrorKind.UNDECLARED, ErrorKind.REFUSED):
            return self.message
        return f"{self.action} failed{where}: {self.code}: {self.message}"[:300]

    def __reduce__(self) -> tuple[object, ...]:
        args = (self.kind, self.service, self.operation, self.region, self.code, self.message)
        return (AwsError, args)


class Undecided(AwsError):
    """A verdict needed a fact that a failed read hid: whether a bucket is a log target,
    whether a trail covers a table. `question` names the fact; everything else (kind,
    action, region, code) is the failed read's, so the UNKNOWN it becomes names the
    denied IAM action like any other."""

    def __init__(self, question: str, cause: AwsError) -> None:
        super().__init__(
            cause.kind, cause.service, cause.operation, cause.region, cause.code, cause.message
        )
        self.question = question
        self.cause = cause

    def describe(self) -> str:
        return f"{self.question}: {self.cause.describe()}"

    def __reduce__(self) -> tuple[object, ...]:
        return (Undecided, (self.question, self.cause))


class ReadOnlyViolation(AwsError):
    """awsobs refused a request before building it: not a read, a read of secrets or
    content, or an action the asking check does not declare. Nothing was sent; the
    finding is UNKNOWN and names the action."""

    def __init__(
        self, service: str, operation: str, region: str, why: str, *, undeclared: bool = False
    ) -> None:
        kind = ErrorKind.UNDECLARED if undeclared else ErrorKind.REFUSED
        code = "UndeclaredAction" if undeclared else "RefusedAction"
        super().__init__(kind, service, operation, region, code, why)

    def __reduce__(self) -> tuple[object, ...]:
        undeclared = self.kind is ErrorKind.UNDECLARED
        return (_refused, (self.service, self.operation, self.region, self.message, undeclared))


def _refused(
    service: str, operation: str, region: str, why: str, undeclared: bool
) -> ReadOnlyViolation:
    return ReadOnlyViolation(service, operation, region, why, undeclared=undeclared)


def classify(
    exc: Exception, service: str, operation: str, region: str, endpoint: str = ""
) -> AwsError:
    """Map a botocore exception to an `AwsError`; `endpoint` is the client's URL, named
    when the request got no answer at all."""
    if isinstance(exc, ClientError):
        err = exc.response.get("Error", {})
        code = str(err.get("Code", "Unknown"))
        message = str(err.get("Message", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        kind = _kind_for_code(code, status)
        if code.isdigit():  # no AWS error in the body: a proxy's or emulator's error page
            code = f"HTTP {code}"
            if message.lstrip().startswith("<"):
                message = "the endpoint answered with an error page, not an AWS error"
        return AwsError(kind, service, operation, region, code, message)
    network = unreachable(exc, endpoint)
    if network is not None:  # the request never got an AWS answer: say where and why
        message = network.describe(iam_action(service, operation))
        kind = ErrorKind.UNREACHABLE
        return AwsError(kind, service, operation, region, type(exc).__name__, message)
    if isinstance(
        exc,
        NoCredentialsError
        | PartialCredentialsError
        | TokenRetrievalError
        | UnauthorizedSSOTokenError
        | _SSOTokenLoadError,
    ):
        kind = ErrorKind.CREDENTIALS
        return AwsError(kind, service, operation, region, type(exc).__name__, str(exc))
    return AwsError(ErrorKind.ERROR, service, operation, region, type(exc).__name__, str(exc))


def _kind_for_code(code: str, status: object) -> ErrorKind:
    if code in _DENIED:
        return ErrorKind.ACCESS_DENIED
    if code in _REGION:
        return ErrorKind.REGION_UNAVAILABLE
    if code in _THROTTLED:
        return ErrorKind.THROTTLED
    if code in _CREDENTIALS:
        return ErrorKind.CREDENTIALS
    if code.startswith("NoSuch") or code.endswith(("NotFound", "NotFoundException")):
        return ErrorKind.NOT_FOUND
    if status == 403:
        return ErrorKind.ACCESS_DENIED
    if status == 404:
        return ErrorKind.NOT_FOUND
    return ErrorKind.ERROR
