"""awsobs: find the gaps in an AWS account's observability, read-only.

>>> import boto3
>>> from awsobs import scan
>>> report = scan(session=boto3.Session(profile_name="prod"), regions=["us-east-1"])
>>> [f.message for f in report.findings if f.status is Status.FAIL]

The names below load on first use (PEP 562), so `import awsobs` and `awsobs --version`
do not pay for boto3 until a scan needs it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "scan_accounts": "awsobs.accounts",
    "AwsError": "awsobs.aws.errors",
    "ErrorKind": "awsobs.aws.errors",
    "Context": "awsobs.context",
    "Progress": "awsobs.engine",
    "scan": "awsobs.engine",
    "AwsobsError": "awsobs.errors",
    "CredentialsError": "awsobs.errors",
    "UsageError": "awsobs.errors",
    "merge_reports": "awsobs.merge",
    "CheckMeta": "awsobs.model",
    "Finding": "awsobs.model",
    "Report": "awsobs.model",
    "Scope": "awsobs.model",
    "Severity": "awsobs.model",
    "Signal": "awsobs.model",
    "Status": "awsobs.model",
    "ResourceMap": "awsobs.resources",
    "ResourceRow": "awsobs.resources",
    "REGISTRY": "awsobs.registry",
    "Check": "awsobs.registry",
    "check": "awsobs.registry",
}

if TYPE_CHECKING:
    from awsobs.accounts import scan_accounts
    from awsobs.aws.errors import AwsError, ErrorKind
    from awsobs.context import Context
    from awsobs.engine import Progress, scan
    from awsobs.errors import AwsobsError, CredentialsError, UsageError
    from awsobs.merge import merge_reports
    from awsobs.model import CheckMeta, Finding, Report, Scope, Severity, Signal, Status
    from awsobs.registry import REGISTRY, Check, check
    from awsobs.resources import ResourceMap, ResourceRow


def __getattr__(name: str) -> Any:
    """Import the module that defines `name` when it is first asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'awsobs' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "REGISTRY",
    "AwsError",
    "AwsobsError",
    "Check",
    "CheckMeta",
    "Context",
    "CredentialsError",
    "ErrorKind",
    "Finding",
    "Progress",
    "Report",
    "ResourceMap",
    "ResourceRow",
    "Scope",
    "Severity",
    "Signal",
    "Status",
    "UsageError",
    "__version__",
    "check",
    "merge_reports",
    "scan",
    "scan_accounts",
]
