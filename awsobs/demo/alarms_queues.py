"""The demo account's alarms for issue 15 (queues): a good and a bad case of each check.

us-east-1 (the topics `oncall` and `nobody` come from awsobs/demo/alarms.py):
- `demo-orders` sends failures to `demo-orders-dlq`, `demo-emails` to `demo-emails-dlq`.
  `demo-orders` has an ApproximateAgeOfOldestMessage alarm to `oncall` (sqs.age_alarms
  PASS); `demo-emails` has none (FAIL).
- `demo-orders-dlq` alarms on ApproximateNumberOfMessagesVisible > 0 to `oncall`
  (sqs.dlq_alarms PASS); `demo-emails-dlq` only on NumberOfMessagesSent, which a redrive
  never increments (FAIL).
- State machines of awsobs/demo/workflows.py: `orders-flow` has ExecutionsFailed and
  ExecutionsTimedOut alarms (stepfunctions.failure_alarms PASS); `billing-flow` has them
  keyed by its name instead of its ARN (FAIL, the near miss named); `notify-express` has
  none (FAIL).
"""

from __future__ import annotations

import json
from typing import Any

import boto3

from awsobs.demo.alarms import metric_alarm

ACCOUNT = "123456789012"
REGION = "us-east-1"


def queue(session: boto3.Session, name: str, region: str, dlq: str | None = None) -> str:
    """An SQS queue, with a RedrivePolicy to `dlq` when given; returns its ARN."""
    attributes: dict[Any, str] = {}
    if dlq:
        target = f"arn:aws:sqs:{region}:{ACCOUNT}:{dlq}"
        policy = {"deadLetterTargetArn": target, "maxReceiveCount": "5"}
        attributes["RedrivePolicy"] = json.dumps(policy)
    session.client("sqs", region_name=region).create_queue(QueueName=name, Attributes=attributes)
    return f"arn:aws:sqs:{region}:{ACCOUNT}:{name}"


def dlq_alarm(session: boto3.Session, region: str, name: str, dlq: str, actions: list[str]) -> None:
    """ApproximateNumberOfMessagesVisible > 0 (Maximum, 5 minutes): the first message."""
    session.client("cloudwatch", region_name=region).put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/SQS",
        MetricName="ApproximateNumberOfMessagesVisible",
        Dimensions=[{"Name": "QueueName", "Value": dlq}],
        Statistic="Maximum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=0,
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=actions,
    )


def state_machine_arn(name: str, region: str = REGION) -> str:
    return f"arn:aws:states:{region}:{ACCOUNT}:stateMachine:{name}"


def seed_alarms_queues(session: boto3.Session) -> None:
    """Create the queues and alarms described in the module docstring."""
    oncall = f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"
    for source in ("demo-orders", "demo-emails"):
        queue(session, f"{source}-dlq", REGION)
        queue(session, source, REGION, dlq=f"{source}-dlq")
    metric_alarm(session, REGION, "demo-orders-age", "AWS/SQS", "ApproximateAgeOfOldestMessage",
                 {"QueueName": "demo-orders"}, [oncall])  # fmt: skip
    dlq_alarm(session, REGION, "demo-orders-dlq-visible", "demo-orders-dlq", [oncall])
    metric_alarm(session, REGION, "demo-emails-dlq-sent", "AWS/SQS", "NumberOfMessagesSent",
                 {"QueueName": "demo-emails-dlq"}, [oncall])  # fmt: skip
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut"):
        metric_alarm(session, REGION, f"orders-flow-{metric}", "AWS/States", metric,
                     {"StateMachineArn": state_machine_arn("orders-flow")}, [oncall])  # fmt: skip
        metric_alarm(session, REGION, f"billing-flow-{metric}", "AWS/States", metric,
                     {"StateMachineArn": "billing-flow"}, [oncall])  # fmt: skip
