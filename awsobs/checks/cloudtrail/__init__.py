"""CloudTrail: is every region recorded by a trail that is logging, delivering and complete,
are data events selected, is the audit bucket's access logged?
"""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("trails", "bucket", "data_events"))
