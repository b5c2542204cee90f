"""awsobs: find the gaps in an AWS account's observability, read-only.

>>> import boto3
>>> from awsobs import scan
>>> report = scan(session=boto3.Session(profile_name="prod"), regions=["us-east-1"])
>>> [f.message for f in report.findings if f.status is Status.FAIL]
"""

__version__ = "0.1.0"

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.context import Context
from awsobs.engine import Progress, scan
from awsobs.errors import AwsobsError, CredentialsError, UsageError
from awsobs.model import CheckMeta, Finding, Report, Scope, Severity, Status
from awsobs.registry import REGISTRY, Check, check

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
    "Scope",
    "Severity",
    "Status",
    "UsageError",
    "__version__",
    "check",
    "scan",
]
