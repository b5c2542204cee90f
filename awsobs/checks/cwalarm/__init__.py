"""CIS CloudTrail event alarms: the chain from a multi-region trail to a metric filter, an
alarm and a confirmed subscriber.
"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("chain",))
