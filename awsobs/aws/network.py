"""Requests that never reached AWS, said as such: which endpoint, and what went wrong on the way.

botocore raises one exception class per transport failure (EndpointConnectionError for
both "no such host" and "connection refused", SSLError, ProxyConnectionError, timeouts)
and keeps the underlying urllib3 / socket error in `kwargs["error"]`. `unreachable`
turns those into a short cause and the endpoint, so awsobs never calls a network failure
"rejected credentials", and a user can tell DNS from a firewall from a proxy from an
intercepting TLS middlebox.
"""

from __future__ import annotations

import errno
import re
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from botocore import exceptions as bce

_DNS_WORDS = (
    "name or service not known",
    "temporary failure in name resolution",
    "nodename nor servname",
    "getaddrinfo failed",
    "failed to resolve",
    "no address associated with hostname",
)
_UNREACHABLE_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}


@dataclass(frozen=True)
class Unreachable:
    """Why a request got no AWS answer: `cause` ("connection refused"), `endpoint` (URL)."""

    cause: str
    endpoint: str
    hint: str = ""

    def describe(self, action: str = "") -> str:
        """`could not reach the AWS endpoint https://... for sts:GetCallerIdentity:
        connection refused (...)`, then the hint, if any, after a semicolon."""
        where = f"the AWS endpoint {self.endpoint}" if self.endpoint else "the AWS endpoint"
        what = f" for {action}" if action else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"could not reach {where}{what}: {self.cause}{hint}"


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc`, the error botocore wrapped, and their causes (urllib3's, then the socket's)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop(0)
        if current is None or any(current is s for s in seen) or len(seen) > 12:
            continue
        seen.append(current)
        kwargs = getattr(current, "kwargs", None)
        wrapped = kwargs.get("error") if isinstance(kwargs, dict) else None
        todo.extend([wrapped, current.__cause__, current.__context__])
        todo.extend(a for a in getattr(current, "args", ()) if isinstance(a, BaseException))
    return seen


def redact_url(url: str) -> str:
    """A URL without the user and password a proxy URL may carry."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _connect_cause(exc: BaseException) -> str:
    """DNS, refused, unreachable or plain "no connection", from the wrapped socket error."""
    chain = _chain(exc)
    for err in chain:
        if isinstance(err, socket.gaierror):
            return "the host name does not resolve (DNS lookup failed)"
    for err in chain:
        if isinstance(err, ConnectionRefusedError):
            return "connection refused (nothing listens there, or a firewall rejects it)"
        if isinstance(err, OSError) and err.errno in _UNREACHABLE_ERRNOS:
            return "no route to the host (network unreachable)"
    text = " ".join(str(e) for e in chain).lower()
    if any(word in text for word in _DNS_WORDS):
        return "the host name does not resolve (DNS lookup failed)"
    if "connection refused" in text:
        return "connection refused (nothing listens there, or a firewall rejects it)"
    return "no connection could be made"


def _tls_reason(exc: BaseException) -> str:
    """OpenSSL's words (`[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed`)."""
    for err in _chain(exc)[1:]:
        text = re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(err)).strip()
        if text and "SSL validation failed" not in text and not text.startswith("SSLError("):
            return text[:160]
    return "the handshake failed"


def unreachable(exc: BaseException, endpoint: str = "") -> Unreachable | None:
    """What kept `exc`'s request from AWS, or None when `exc` is not a transport failure.
    `endpoint` (the client's URL) stands in where botocore's exception names none (a proxy)."""
    kwargs = getattr(exc, "kwargs", None)
    info = kwargs if isinstance(kwargs, dict) else {}
    endpoint = redact_url(str(info.get("endpoint_url") or endpoint))
    if isinstance(exc, bce.ProxyConnectionError):
        proxy = redact_url(str(info.get("proxy_url") or ""))
        return Unreachable(
            f"could not connect to the proxy {proxy}".strip(),
            endpoint,
            "check HTTPS_PROXY / HTTP_PROXY (or NO_PROXY) and the proxies setting of the profile",
        )
    if isinstance(exc, bce.SSLError):
        return Unreachable(
            f"TLS failed ({_tls_reason(exc)})",
            endpoint,
            "a proxy that inspects TLS needs its CA in AWS_CA_BUNDLE or the profile's ca_bundle",
        )
    if isinstance(exc, bce.ConnectTimeoutError):
        return Unreachable("no answer to the connection (connect timeout)", endpoint)
    if isinstance(exc, bce.ReadTimeoutError):
        return Unreachable("connected, but no response came (read timeout)", endpoint)
    if isinstance(exc, bce.ConnectionClosedError):
        return Unreachable("the connection closed before a response came", endpoint)
    if isinstance(exc, bce.EndpointConnectionError | bce.ConnectionError | bce.HTTPClientError):
        return Unreachable(_connect_cause(exc), endpoint)
    return None


__all__ = ["Unreachable", "redact_url", "unreachable"]
