"""Seed issue 15's lbcdn resources and alarms: every read their checks declare happens.

elb.error_alarms: the ALB `seed-web` (tests/seeds/elb_seed.py) has a metric-math alarm on
its ELB and target 5XX counts, to a confirmed topic (PASS; ListSubscriptionsByTopic).
elb.unhealthy_host_alarms: DescribeTargetGroups in both regions; `lbcdn-web-pool` behind
`seed-web` and the NLB `seed-tls`'s group are alarmed (PASS), `lbcdn-spare` is attached to
nothing (NOT_APPLICABLE). cloudfront.error_alarms: `seed-legacy` (tests/seeds/edge_seed.py)
has a 5xxErrorRate alarm in us-east-1 (PASS), `seed-v2` none (FAIL, which reads the
other regions' alarm indexes). The helpers are awsobs/demo/alarms_lbcdn.py's.
"""

from __future__ import annotations

import boto3

from awsobs.demo.alarms import topic
from awsobs.demo.alarms_lbcdn import (
    distribution_ids,
    error_rate_alarm,
    group_of,
    lb_arn,
    metric_id,
    sum_alarm,
    target_group,
    unhealthy_alarm,
)

REGION = "us-east-1"


def seed_every_lbcdn_alarm_read(session: boto3.Session) -> None:
    """Resources and alarms for the lbcdn alarm checks (after the ELB and edge seeds)."""
    oncall = topic(session, "lbcdn-oncall", REGION)
    web = lb_arn(session, "seed-web")
    dims = {"LoadBalancer": metric_id(web)}
    sum_alarm(session, REGION, "lbcdn-web-5xx", "AWS/ApplicationELB",
              [("HTTPCode_ELB_5XX_Count", dims), ("HTTPCode_Target_5XX_Count", dims)],
              [oncall])  # fmt: skip
    pool = target_group(session, "lbcdn-web-pool", lb=web)
    unhealthy_alarm(session, "lbcdn-web-pool-unhealthy", pool, web, [oncall])
    tls = lb_arn(session, "seed-tls")
    unhealthy_alarm(session, "lbcdn-tls-unhealthy", group_of(session, tls), tls, [oncall],
                    namespace="AWS/NetworkELB")  # fmt: skip
    target_group(session, "lbcdn-spare")
    ids = distribution_ids(session)
    error_rate_alarm(session, "lbcdn-cdn-5xx", ids["seed-legacy"], [oncall])
