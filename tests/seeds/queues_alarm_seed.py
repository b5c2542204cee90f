"""Seed issue 15's queues resources and alarms: every read their checks declare happens.

us-east-1: queue `seed-work` sends failures to `seed-work-dlq` (ListQueues,
GetQueueAttributes per queue), each with its alarm to the confirmed topic `oncall`; the
state machine `seed-flow` (workflows_seed.py) gets ExecutionsFailed and ExecutionsTimedOut
alarms. DescribeAlarms and ListSubscriptionsByTopic come with the alarms. eu-west-1 has
no queue (NOT_APPLICABLE). The creation helpers live in awsobs/demo/alarms_queues.py.
"""

from __future__ import annotations

import boto3

from awsobs.demo.alarms import metric_alarm
from awsobs.demo.alarms_queues import ACCOUNT, dlq_alarm, queue, state_machine_arn

SEED_REGION = "us-east-1"


def seed_every_queues_alarm_read(session: boto3.Session) -> None:
    """Queues with a redrive policy, their alarms, and the state machine's alarms."""
    oncall = f"arn:aws:sns:{SEED_REGION}:{ACCOUNT}:oncall"
    queue(session, "seed-work-dlq", SEED_REGION)
    queue(session, "seed-work", SEED_REGION, dlq="seed-work-dlq")
    metric_alarm(session, SEED_REGION, "seed-work-age", "AWS/SQS", "ApproximateAgeOfOldestMessage",
                 {"QueueName": "seed-work"}, [oncall])  # fmt: skip
    dlq_alarm(session, SEED_REGION, "seed-work-dlq-visible", "seed-work-dlq", [oncall])
    flow = {"StateMachineArn": state_machine_arn("seed-flow", SEED_REGION)}
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut"):
        metric_alarm(session, SEED_REGION, f"seed-flow-{metric}", "AWS/States", metric, flow,
                     [oncall])  # fmt: skip
