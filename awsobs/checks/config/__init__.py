"""AWS Config: recorders in every region, delivery channels."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("recorder",))
