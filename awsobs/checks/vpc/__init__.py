"""VPC: flow logs on every VPC of the account."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("flow_logs",))
