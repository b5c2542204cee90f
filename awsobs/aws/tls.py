"""One loaded CA bundle for all of a pool's clients, instead of one load per TLS connection.

botocore hands urllib3 the path of its CA bundle (certifi's, AWS_CA_BUNDLE, the profile's
`ca_bundle`) with every request (`URLLib3Session._setup_ssl_cert` sets the connection
pool's `ca_certs`), and urllib3 loads that file into the SSL context again at every new
TLS connection (`ssl_wrap_socket`: `context.load_verify_locations(ca_certs)`): about 24 ms
of CPU for certifi's 140-odd certificates. A scan of 17 regions opens a connection to
each of about 25 service hosts per region, and more where requests overlap: some 10 s of
CPU spent parsing the same file.

`share_ca_bundle(client, contexts)` gives the client's connection pools an SSL context
made as botocore makes its own (`create_urllib3_context()`, certificates required) with
the bundle loaded once, shared by every pool client with the same bundle (`contexts`), and
makes the client's requests name no `ca_certs`, so that urllib3 verifies against that
context and loads nothing. Verification is unchanged: the same CA file, the same
`CERT_REQUIRED`, the same host-name check (urllib3's, from the connection's
`cert_reqs`).

It reaches into botocore's private `URLLib3Session` (`_verify`, `_manager`,
`_proxy_config`, `_cert_file`, `_setup_ssl_cert`); where any of them is missing or not as
expected, or the client sends through a proxy or with a client certificate (whose
contexts botocore builds and loads differently), it changes nothing: botocore's own
behaviour, one load per connection. tests/unit/aws/test_tls.py fails if botocore's
private shape changes under it.
"""

from __future__ import annotations

import ssl
import threading
from typing import Any

from botocore.httpsession import URLLib3Session, create_urllib3_context, get_cert_path

__all__ = ["share_ca_bundle"]

_lock = threading.Lock()


def share_ca_bundle(client: Any, contexts: dict[str, ssl.SSLContext]) -> bool:
    """Load the CA bundle of `client` once (per path, in `contexts`) and have its TLS
    connections verify against that context. True when it did; False when it left
    botocore's behaviour alone (module docstring)."""
    http: Any = getattr(getattr(client, "_endpoint", None), "http_session", None)
    if type(http) is not URLLib3Session:  # a user's own http session, or a subclass
        return False
    verify = getattr(http, "_verify", None)
    manager: Any = getattr(http, "_manager", None)
    pool_kw = getattr(manager, "connection_pool_kw", None)
    proxies = getattr(http, "_proxy_config", None)
    if (
        not verify  # verify=False: nothing is loaded, nothing to save
        or not isinstance(pool_kw, dict)
        or not isinstance(pool_kw.get("ssl_context"), ssl.SSLContext)
        or getattr(manager, "pools", None) is None
        or len(manager.pools) != 0  # a connection already made with the old context
        or proxies is None
        or proxies.proxy_url_for("https://aws.amazon.com") is not None
        or getattr(http, "_cert_file", None) is not None
        or not callable(getattr(http, "_setup_ssl_cert", None))
    ):
        return False
    path = str(get_cert_path(verify))
    with _lock:
        context = contexts.get(path)
        if context is None:
            context = create_urllib3_context()  # botocore's `_get_ssl_context()`
            try:
                context.load_verify_locations(cafile=path)
            except (OSError, ValueError):  # botocore's request will fail and say why
                return False
            contexts[path] = context
    pool_kw["ssl_context"] = context
    session: Any = http  # botocore's stubs do not declare the private method
    session._setup_ssl_cert = _verify_with_context  # on this instance only
    return True


def _verify_with_context(conn: Any, url: str, verify: Any) -> None:
    """`URLLib3Session._setup_ssl_cert` without the path: certificates are required and
    checked against the context's loaded bundle (the same file), host name included."""
    if url.lower().startswith("https") and verify:
        conn.cert_reqs = "CERT_REQUIRED"
        conn.ca_certs = None
