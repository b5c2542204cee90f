"""AWS WAF (v2): does each web ACL log the requests it inspects?"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("web_acl_logging",))
