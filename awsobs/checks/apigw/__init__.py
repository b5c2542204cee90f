"""API Gateway: access and execution logs, X-Ray and data trace per stage, the account's
CloudWatch role, error alarms.
"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("account", "rest", "v2"))
