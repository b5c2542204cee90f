"""RDS and Aurora: the database logs exported to CloudWatch Logs, and Enhanced Monitoring."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("logs", "monitoring", "alarms"))
