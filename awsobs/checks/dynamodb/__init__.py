"""DynamoDB: throttling and system-error alarms per table and index."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("alarms",))
