"""Lambda (`lambda.*`; `lambda` is a Python keyword): tracing, log retention, error and
throttle alarms.
"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("tracing", "alarms", "log_retention"))
