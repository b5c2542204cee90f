"""Seed load balancers in moto: every read their checks declare happens, with no UNKNOWN.

elb.access_logs reads both DescribeLoadBalancers in each region, the attributes of an
Application, a Network (with a TLS listener) and a Classic Load Balancer, the listeners of
the Network Load Balancer, and GetBucketLocation of the bucket they log to (us-east-1).
eu-west-1 has no load balancer (NOT_APPLICABLE). The creation helpers live in
awsobs/demo/elb.py, shared with the demo.
"""

from __future__ import annotations

import boto3

from awsobs.demo.elb import (
    classic_access_logs,
    classic_load_balancer,
    listener,
    log_bucket,
    v2_access_logs,
    v2_load_balancer,
)

SEED_BUCKET = "seed-elb-logs"


def seed_every_elb_read(session: boto3.Session) -> None:
    """An ALB, an NLB with a TLS listener and a Classic Load Balancer in us-east-1, all
    logging to an existing bucket of that region (PASS)."""
    region = "us-east-1"
    log_bucket(session, SEED_BUCKET, region)
    web = v2_load_balancer(session, "seed-web", "application", region)
    v2_access_logs(session, web, SEED_BUCKET, region, prefix="web")
    tls = v2_load_balancer(session, "seed-tls", "network", region)
    listener(session, tls, "TLS", region)
    v2_access_logs(session, tls, SEED_BUCKET, region, prefix="tls")
    classic_load_balancer(session, "seed-classic", region)
    classic_access_logs(session, "seed-classic", SEED_BUCKET, region, prefix="classic")
