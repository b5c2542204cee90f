"""SQS: age-of-oldest-message alarms per queue and depth alarms per dead-letter queue."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("alarms",))
