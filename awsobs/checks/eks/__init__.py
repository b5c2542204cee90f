"""Amazon EKS: control plane logs sent to CloudWatch Logs."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("control_plane",))
