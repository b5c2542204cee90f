"""Seed CloudFront, WAF, Route 53 in moto: every declared read happens, with no UNKNOWN.

cloudfront.access_logs: `seed-legacy` logs to S3 (legacy), `seed-v2` through a CloudWatch
Logs delivery (so DescribeDeliveries is read), both PASS. wafv2.logging: a logged
regional web ACL in us-east-1 and a logged CloudFront one (PASS), and an unlogged
regional one (FAIL), which makes the Security Lake listing happen; eu-west-1 has none
(NOT_APPLICABLE). route53.query_logging: a public zone that logs (PASS) and a private one
(NOT_APPLICABLE). The creation helpers live in awsobs/demo/edge.py, shared with the demo;
WAF's ListLoggingConfigurations is patched in awsobs/demo/moto_edge.py.
"""

from __future__ import annotations

import boto3

from awsobs.demo.edge import (
    distribution,
    hosted_zone,
    log_group,
    query_logging,
    v2_delivery,
    waf_logging,
    web_acl,
)
from awsobs.demo.moto_edge import install_edge_extension


def seed_every_edge_read(session: boto3.Session) -> None:
    """CloudFront, WAF, Route 53: the resources behind every read."""
    install_edge_extension()
    distribution(session, "seed-legacy", legacy_bucket="seed-cdn-logs")
    _, v2 = distribution(session, "seed-v2")
    v2_delivery(session, v2, "seed-v2-access", log_group(session, "/aws/cloudfront/seed-v2"))
    waf_logging(session, web_acl(session, "seed-waf", "REGIONAL"))
    waf_logging(session, web_acl(session, "seed-cdn-waf", "CLOUDFRONT"))
    web_acl(session, "seed-unlogged-waf", "REGIONAL")
    zone = hosted_zone(session, "seed.example.com")
    query_logging(session, zone, "seed.example.com")
    hosted_zone(session, "seed.internal", private=True)
