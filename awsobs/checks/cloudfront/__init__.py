"""CloudFront: does each distribution record the requests it serves?"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("access_logs",))
