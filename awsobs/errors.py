"""Errors the library raises to its caller.

Only problems that stop a scan from starting are raised (bad arguments, no credentials);
everything that goes wrong while reading AWS becomes an UNKNOWN finding instead.
The CLI turns `AwsobsError` into one line on stderr and exit code 2.
"""

from __future__ import annotations


class AwsobsError(Exception):
    """awsobs could not run: the message is one line a person can act on."""


class UsageError(AwsobsError):
    """Bad input: unknown check id, region, option or profile."""


class CredentialsError(AwsobsError):
    """No usable AWS credentials: missing, expired or rejected."""


class EndpointUnreachable(AwsobsError):
    """A request never got an answer from AWS: DNS, a refused connection, a proxy, TLS or a
    timeout. The message names the endpoint and the cause; it is not a credentials problem."""


class ScanCancelled(Exception):
    """The scan's `cancel` event was set (or Ctrl-C was pressed): no further request is
    sent, and `scan` stops without a report."""


class ScanTimedOut(ScanCancelled):
    """The scan's timeout passed: no further request is sent. `scan` does not raise it:
    what did not finish becomes UNKNOWN ("not read before the timeout")."""


class StartTimedOut(AwsobsError):
    """The scan's timeout passed before the scan could start (the account was not yet
    identified, or its regions not yet listed): there is nothing to report on."""
