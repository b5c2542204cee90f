"""Amazon ECS: Container Insights on clusters, log configuration of the containers in use."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("clusters", "task_logging", "alarms"))
