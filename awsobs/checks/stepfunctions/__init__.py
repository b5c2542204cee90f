"""Step Functions: execution logging, X-Ray tracing and failure alarms of state machines."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("execution_logging", "tracing", "alarms"))
