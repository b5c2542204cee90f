"""S3: request metrics and 5xx alarms of the buckets that serve traffic, server access logging."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("metrics", "access_logging"))
