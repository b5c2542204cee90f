"""CloudWatch Logs: retention of log groups, and of the groups that receive audit data."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("retention",))
