"""CloudWatch alarms: read once per region; whether each one can fire and reaches someone
(hygiene), and the per-resource coverage verdict other areas share.
"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("hygiene",))
