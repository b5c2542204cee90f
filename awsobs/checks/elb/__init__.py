"""Elastic Load Balancing: access logs of Application, Network and Classic Load Balancers;
5XX and unhealthy-target alarms."""

from awsobs.checks import lazy_exports

__getattr__ = lazy_exports(__name__, ("access_logs", "alarms"))
