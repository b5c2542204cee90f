"""Route 53: does each public hosted zone log the DNS queries it answers?"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("query_logging",))
