"""The botocore clients of a scan: one per service, for every region and every account.

Creating a botocore client costs about 12 ms of CPU (a copy of the session's event
handlers, the endpoint rules, a method per operation), and a scan of an organization made
one per (account, service, region): 1,629 for 51 accounts in 3 regions, 20 s of CPU. A
client's account is only its credentials and its retry state, and its region only the
endpoint and signature of each request, so a `ClientPool` makes one client per service
(S3: per region, `PER_REGION`) and every account's `Gateway` sends through it:

- region: set per request (`sending()` names it) on the endpoint rules' `AWS::Region`
  builtin and the signing region (`_to_region`); a `before-sign` guard refuses a request
  whose region was not set (`_region_applied`).
- credentials: the pool's clients sign with `_Delegating` credentials, which hand out the
  credentials of the Gateway sending on this thread (`sending()`); a request made on a
  pool client outside a Gateway call has no credentials and fails, never signs as another
  account. A scan of one account makes its pool from its own session (its own
  credentials, profile and endpoint settings) and delegates nothing.
- retries: botocore keeps retry quota and the adaptive rate limiter per client, and a
  throttled account must slow only itself. The pool's clients are made with standard
  retries and one attempt (botocore's own handler never retries), and the retry handlers
  botocore would register (`botocore.retries.standard` / `adaptive.register_retry_handler`,
  their public entry points) are made per (Gateway, client, region) and called through one
  dispatcher per event (`AccountRetries`). Legacy mode keeps no state per client, so a
  user's `retry_mode = legacy` stays botocore's own handler on the shared client.
- hooks: the read-only refusal and the secret scrubbers are the same for every account;
  counting, cancel and deadline are the sending Gateway's (`Sender`).

- TLS: the CA bundle is loaded once for all the pool's clients, not at every new
  connection (awsobs.aws.tls).

Each new client is followed by `awsobs.gcfreeze.settle()`: the models and handler trees it
loaded are long-lived, and the garbage collector need not walk them again.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import ssl
import threading
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any, Protocol
from urllib.parse import urlsplit

import boto3
import botocore.client
import botocore.credentials
import botocore.session
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import NoCredentialsError
from botocore.model import OperationModel
from botocore.retries import adaptive, standard

from awsobs import __version__, gcfreeze
from awsobs.aws.env_errors import profile_key, shown
from awsobs.aws.errors import ReadOnlyViolation
from awsobs.aws.iam import iam_action
from awsobs.aws.readpolicy import is_read, scrub_events
from awsobs.aws.tls import share_ca_bundle
from awsobs.errors import UsageError


class Sender(Protocol):
    """What a pool client needs from the Gateway whose request it is sending."""

    def credentials(self) -> Any:
        """The account's botocore credentials (refreshable), for `_Delegating`."""

    @property
    def retries(self) -> AccountRetries | None:
        """The account's own retry state (None: botocore's legacy handler decides)."""

    def count(self, service: str, operation: str) -> None:
        """One request (page) of `service:operation` is about to be built."""

    def before_send(self) -> None:
        """Each attempt: raise if the scan was cancelled or its deadline passed."""

    def cap_retries(self, **kwargs: Any) -> bool | None:
        """The `needs-retry` answer of the account's `OtherRetryCap`."""


_CALL = threading.local()


@contextlib.contextmanager
def sending(sender: Sender, region: str = "") -> Iterator[None]:
    """Within the block, requests this thread sends on pool clients are `sender`'s, to
    `region` (a pool client of a service shared across regions sends wherever it is told)."""
    previous = getattr(_CALL, "sender", None), getattr(_CALL, "region", "")
    _CALL.sender, _CALL.region, _CALL.url = sender, region, ""
    try:
        yield
    finally:
        _CALL.sender, _CALL.region = previous


def _sender() -> Sender | None:
    sender: Sender | None = getattr(_CALL, "sender", None)
    return sender


def _region() -> str:
    region: str = getattr(_CALL, "region", "")
    return region


def last_url() -> str:
    """The URL this thread's last request went to (set by `before-send`), for errors."""
    url: str = getattr(_CALL, "url", "")
    return url


class _Delegating(Credentials):
    """The credentials of the Gateway sending on this thread (see the module docstring)."""

    method = "awsobs-shared"  # botocore reads it when it creates a client: not delegated

    def __init__(self) -> None:  # no keys of its own: botocore's __init__ would set them
        pass

    @staticmethod
    def _current() -> Any:
        sender = _sender()
        credentials = sender.credentials() if sender is not None else None
        if credentials is None:
            raise NoCredentialsError()
        return credentials

    def get_frozen_credentials(self) -> Any:
        return self._current().get_frozen_credentials()

    @property
    def access_key(self) -> Any:  # type: ignore[override]
        return self._current().access_key

    @property
    def secret_key(self) -> Any:  # type: ignore[override]
        return self._current().secret_key

    @property
    def token(self) -> Any:  # type: ignore[override]
        return self._current().token

    @property
    def account_id(self) -> Any:  # the endpoint rules' AWS::Auth::AccountId, per request
        return getattr(self._current(), "account_id", None)


class _DelegatingProvider(botocore.credentials.CredentialProvider):
    """Hands botocore the `_Delegating` credentials (the session's supported hook)."""

    METHOD = "awsobs-shared"
    CANONICAL_NAME = "awsobs-shared"

    def load(self) -> Credentials:
        return _Delegating()


def shared_session(base: boto3.Session) -> boto3.Session:
    """A session for a pool shared by the accounts of `scan_accounts`: configured like the
    sessions `awsobs.aws.org.assumed_session` makes (a fresh botocore session with the
    base's parsed service models), its credentials the sending account's."""
    core = botocore.session.get_session()
    core.register_component("data_loader", base._session.get_component("data_loader"))
    core.get_component("credential_provider").insert_before("env", _DelegatingProvider())
    return boto3.Session(botocore_session=core, region_name=base.region_name)


def retries_of(session: boto3.Session) -> tuple[str, int]:
    """(mode, total attempts): adaptive with 8 attempts, unless the user configured retries
    themselves (AWS_RETRY_MODE / AWS_MAX_ATTEMPTS, or retry_mode / max_attempts in their
    profile). That is the budget of a throttled read; any other failure is retried at most
    3 times within it (`retry_cap.OtherRetryCap`).

    A value botocore would refuse (a mode other than legacy, standard or adaptive; a
    number of attempts that is not a whole number of at least 1) is a `UsageError` that
    names the variable, or the key, profile and file it came from."""
    profile = session._session.get_scoped_config()  # the botocore session's profile section

    def setting(variable: str, key: str) -> tuple[str, Any]:
        """(where the value came from, the value); the variable wins, as in botocore."""
        if os.environ.get(variable):
            return variable, os.environ[variable]
        return profile_key(session, key), profile.get(key)

    where, mode = setting("AWS_RETRY_MODE", "retry_mode")
    mode = mode or "adaptive"
    if mode not in ("legacy", "standard", "adaptive"):
        raise UsageError(f"{where} is {shown(mode)}, not one of legacy, standard, adaptive")
    where, attempts = setting("AWS_MAX_ATTEMPTS", "max_attempts")
    text = str(attempts or 8).strip()
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
        raise UsageError(f"{where} is {shown(attempts)}, not a whole number of at least 1")
    return str(mode), int(text)


class _Recorder:
    """Stands in for a client's `meta.events` to collect what a retry module registers."""

    def __init__(self) -> None:
        self.handlers: list[tuple[str, Callable[..., Any]]] = []

    def register(self, event: str, handler: Callable[..., Any], **_: Any) -> None:
        self.handlers.append((event, handler))


class AccountRetries:
    """One account's retry handlers, one set per pool client, made as botocore makes
    them for a client of its own (standard, plus the adaptive rate limiter)."""

    def __init__(self, mode: str, attempts: int) -> None:
        self._mode, self._attempts = mode, attempts
        self._made: dict[tuple[int, str], dict[str, tuple[Callable[..., Any], ...]]] = {}
        self._lock = threading.Lock()

    def handlers(self, client: Any, event: str) -> tuple[Callable[..., Any], ...]:
        # Per region too: AWS throttles per region, and so does botocore's state, which
        # lives on a client, and a client is one region's.
        key = (id(client), _region())
        made = self._made.get(key)
        if made is None:
            with self._lock:
                made = self._made.get(key)
                if made is None:
                    made = self._made[key] = _grouped(record(client, self._mode, self._attempts))
        return made.get(event, ())


def record(client: Any, mode: str, attempts: int) -> list[tuple[str, Callable[..., Any]]]:
    """The (event, handler) pairs botocore registers on a client in `mode`, in order."""
    events = _Recorder()
    stand_in: Any = SimpleNamespace(meta=SimpleNamespace(service_model=client.meta.service_model))
    stand_in.meta.events = events
    standard.register_retry_handler(stand_in, max_attempts=attempts)
    if mode == "adaptive":
        adaptive.register_retry_handler(stand_in)
    return events.handlers


def _grouped(
    pairs: list[tuple[str, Callable[..., Any]]],
) -> dict[str, tuple[Callable[..., Any], ...]]:
    grouped: dict[str, list[Callable[..., Any]]] = {}
    for event, handler in pairs:
        grouped.setdefault(event, []).append(handler)
    return {event: tuple(handlers) for event, handlers in grouped.items()}


class _RetryDispatch:
    """Registered on a pool client for one retry event: calls the sending account's
    handlers for it, and answers the first answer that is not None (as botocore does)."""

    def __init__(self, client: Any, event: str) -> None:
        self._client, self._event = client, event

    def __call__(self, **kwargs: Any) -> Any:
        sender = _sender()
        retries = sender.retries if sender is not None else None
        if retries is None:
            return None
        for handler in retries.handlers(self._client, self._event):
            answer = handler(**kwargs)
            if answer is not None:
                return answer
        return None


def _is_address(url: str | None) -> bool:
    """Is the endpoint's host an IP address or localhost (not a name AWS prefixes)?"""
    host = urlsplit(url or "").hostname or ""
    if host == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class _AddressOnly:
    """With an endpoint override to an address (a local moto, a proxy), send every
    request there: the endpoint rules of some services put a name in front of the host
    (s3control's `<account>.`), which turns the address into a name that resolves
    nowhere, or somewhere else."""

    def __init__(self, endpoint: str) -> None:
        self._netloc = urlsplit(endpoint).netloc

    def __call__(self, request: Any, **_: Any) -> None:
        url = urlsplit(request.url)
        if url.netloc != self._netloc and url.netloc.endswith("." + self._netloc):
            request.url = url._replace(netloc=self._netloc).geturl()


# S3 keeps its client's region in its own handlers (the bucket-region redirector and its
# cache, the us-east-1 quirks), so it keeps a client per region. Every other service's
# request goes where the endpoint rules say, and the rules take the region as a builtin
# that botocore lets a handler set per request (`before-endpoint-resolution`).
PER_REGION = frozenset({"s3", "s3control"})


def _to_region(builtins: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """`before-endpoint-resolution`: this request's region, for its endpoint and its
    signature (botocore signs with `context["signing"]["region"]` when present; endpoint
    rules that name a signing region of their own, a global service's, still win)."""
    region = _region()
    if region:
        builtins["AWS::Region"] = region
        context.setdefault("signing", {})["region"] = region
        context["awsobs_region"] = region


def _region_applied(request: Any, **_: Any) -> None:
    """`before-sign`: refuse to sign a request whose region was not applied above (a
    botocore that stopped emitting the event): it would go to the client's first region."""
    region = _region()
    if region and request.context.get("awsobs_region") != region:
        raise UsageError(
            f"botocore did not let awsobs set the region of a request to {region}: "
            "this botocore is not supported (see awsobs/aws/clients.py)"
        )


def refusal(service: str, operation: str, region: str) -> ReadOnlyViolation:
    action = iam_action(service, operation)
    return ReadOnlyViolation(
        service,
        operation,
        region,
        f"awsobs never sends {action}: it is not a read, or it returns secrets or content",
    )


def _before_call(model: OperationModel, **_: Any) -> None:
    # Second line of defence: a client can never send a non-read, whoever holds it.
    service = model.service_model.service_name
    if not is_read(service, model.name):
        raise refusal(service, model.name, "")
    sender = _sender()
    if sender is not None:
        sender.count(service, model.name)


def _before_send(request: Any, **_: Any) -> None:
    url = urlsplit(request.url)
    _CALL.url = f"{url.scheme}://{url.netloc}"  # the endpoint, not the request's path
    sender = _sender()
    if sender is not None:
        sender.before_send()


def _cap(**kwargs: Any) -> bool | None:
    sender = _sender()
    return sender.cap_retries(**kwargs) if sender is not None else None


class ClientPool:
    """botocore clients made from one session, one per service (`PER_REGION`: per region),
    for the Gateways of one scan (or of every account of `scan_accounts`)."""

    def __init__(self, session: boto3.Session, *, max_workers: int = 16) -> None:
        self.session = session
        self.mode, self.attempts = retries_of(session)
        # total_max_attempts counts the first request, as AWS_MAX_ATTEMPTS does (the dict's
        # max_attempts would count retries only).
        own: Any = {"mode": "standard", "total_max_attempts": 1}  # the accounts' handlers retry
        if self.mode == "legacy":
            own = {"mode": "legacy", "total_max_attempts": self.attempts}
        self._config = Config(
            retries=own,
            # The pool's clients carry every account's requests: up to max_workers at once.
            max_pool_connections=max(10, max_workers + 4),
            connect_timeout=5,
            read_timeout=30,
            user_agent_extra=f"awsobs/{__version__}",
        )
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._classes: dict[tuple[int, str, str], tuple[Any, Any]] = {}
        self._ssl_contexts: dict[str, ssl.SSLContext] = {}  # CA bundle path -> loaded once

    def account_retries(self) -> AccountRetries | None:
        """A new account's retry state (None in legacy mode: nothing to keep apart)."""
        return None if self.mode == "legacy" else AccountRetries(self.mode, self.attempts)

    def client(self, service: str, region: str) -> Any:
        """The pool's client for `service`, made on first use: one for every region (each
        request sent to the region `sending()` names), or one per region for `PER_REGION`."""
        key = (service, region if service in PER_REGION else "")
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._make(service, region)
                self._clients[key] = client
        return client

    def _make(self, service: str, region: str) -> Any:
        # boto3 Sessions are not thread-safe; client creation stays under the lock.
        session: Any = self.session  # service names are dynamic; stubs want literals
        with _sharing_classes(self._classes):
            client = session.client(service, region_name=region, config=self._config)
        share_ca_bundle(client, self._ssl_contexts)
        events = client.meta.events
        if _is_address(client.meta.endpoint_url):
            events.register("before-sign", _AddressOnly(client.meta.endpoint_url))
        event_name = client.meta.service_model.service_id.hyphenize()
        # First, so that its "no more" is the answer botocore's endpoint takes.
        events.register_first(f"needs-retry.{event_name}", _cap)
        if self.mode != "legacy":
            # Where botocore registers its retry handlers, in its order: the account's own.
            for event in dict.fromkeys(e for e, _ in record(client, self.mode, self.attempts)):
                events.register(event, _RetryDispatch(client, event))
        if service not in PER_REGION:
            events.register(f"before-endpoint-resolution.{event_name}", _to_region)
            events.register("before-sign", _region_applied)
        events.register("before-call", _before_call)
        events.register("before-send", _before_send)
        for event, handler in scrub_events(service, event_name):
            events.register(event, handler)
        gcfreeze.settle()
        return client


# botocore builds a new client class (a Python method for every operation of the service:
# about 700 for EC2) each time it creates a client, and the scan's CPU time was mostly
# that. The clients of a pool can share one class per service: it depends only on the
# service model and the session's event handlers. botocore has no hook to hand it a class,
# so `_sharing_classes` puts a wrapper on ClientCreator only while a pool creates a
# client, and puts botocore's own method back when no pool is creating one: importing
# awsobs changes nothing in botocore, and between client creations the process has
# botocore as it came. While the wrapper is in place, a client another thread creates
# meanwhile gets botocore's own behaviour (a thread-local marks the pool's own creations),
# and each pool's cache lives as long as the pool.
_BUILDING = threading.local()
_CREATOR: Any = botocore.client.ClientCreator  # the stubs do not declare the private method
_PATCH_LOCK = threading.Lock()
_PATCH_USERS = 0
_ORIGINAL_CLIENT_CLASS: Any = None


def _shared_client_class(self: Any, service_name: str, service_model: Any) -> Any:
    original = _ORIGINAL_CLIENT_CLASS
    cache: dict[tuple[int, str, str], tuple[Any, Any]] | None = getattr(_BUILDING, "classes", None)
    if cache is None:
        return original(self, service_name, service_model)
    emitter = self._event_emitter
    key = (id(emitter), service_name, str(service_model.api_version))
    hit = cache.get(key)
    if hit is None or hit[0] is not emitter:
        hit = (emitter, original(self, service_name, service_model))
        cache[key] = hit
    return hit[1]


@contextlib.contextmanager
def _sharing_classes(cache: dict[tuple[int, str, str], tuple[Any, Any]]) -> Iterator[None]:
    """Within the block, clients this thread creates share `cache`'s client classes."""
    global _PATCH_USERS, _ORIGINAL_CLIENT_CLASS
    with _PATCH_LOCK:
        if _PATCH_USERS == 0:
            _ORIGINAL_CLIENT_CLASS = _CREATOR.__dict__["_create_client_class"]
            _CREATOR._create_client_class = _shared_client_class
        _PATCH_USERS += 1
    _BUILDING.classes = cache
    try:
        yield
    finally:
        _BUILDING.classes = None
        with _PATCH_LOCK:
            _PATCH_USERS -= 1
            if _PATCH_USERS == 0:
                _CREATOR._create_client_class = _ORIGINAL_CLIENT_CLASS
