"""Step Functions: execution logging and X-Ray tracing of state machines."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("execution_logging", "tracing"))
