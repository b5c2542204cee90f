"""CloudFront: does each distribution record the requests it serves, and is its 5xx error
rate alarmed?"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("access_logs", "alarms"))
