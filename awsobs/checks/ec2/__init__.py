"""EC2: the CloudWatch Agent on each running instance, Systems Manager, detailed monitoring,
status-check alarms.
"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("agent", "ssm", "monitoring", "alarms"))
