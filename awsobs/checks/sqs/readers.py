"""SQS reads: the region's queues (ListQueues, paginated) and, per queue, the two
attributes the alarm checks need (GetQueueAttributes with `QueueArn` and `RedrivePolicy`
only). Messages are never read: ReceiveMessage is not a read awsobs may send
(awsobs/aws/readpolicy.py), and no attribute that describes message content is asked for.

A dead-letter queue is a queue named in another queue's `RedrivePolicy`
(`deadLetterTargetArn`); AWS requires it to be in the same account and region as its
source queue, so one region's reads decide it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError, Undecided
from awsobs.checks._shared import Exemptions
from awsobs.context import Context

QUEUE = "AWS::SQS::Queue"
LIST_QUEUES = "sqs:ListQueues"
GET_QUEUE_ATTRIBUTES = "sqs:GetQueueAttributes"
ATTRIBUTES = ("QueueArn", "RedrivePolicy")  # all awsobs asks for: never message content


@dataclass(frozen=True)
class Queue:
    """One queue: its URL, name and ARN (from the URL until its attributes are read)."""

    url: str
    name: str
    arn: str
    dead_letter_target: str | None = None  # RedrivePolicy.deadLetterTargetArn


def queue_urls(ctx: Context) -> tuple[str, ...]:
    """The region's queue URLs, every page (raises `AwsError`). Without MaxResults AWS
    stops at 1,000 queues and sends no NextToken, so it is set."""
    answer = ctx.call("sqs", "ListQueues", MaxResults=1000)
    return tuple(str(u) for u in answer.get("QueueUrls") or ())


def queue_from_url(ctx: Context, url: str) -> Queue:
    """`https://sqs.<region>.amazonaws.com/<account>/<name>` as a Queue (no read)."""
    parts = url.rstrip("/").split("/")
    name = parts[-1]
    account = parts[-2] if len(parts) > 1 and parts[-2].isdigit() else ctx.account_id
    return Queue(url, name, f"arn:{ctx.partition}:sqs:{ctx.region}:{account}:{name}")


def dead_letter_target(raw: object) -> str | None:
    """`deadLetterTargetArn` of a RedrivePolicy (a JSON string), None when absent."""
    if not raw:
        return None
    try:
        policy = json.loads(str(raw))
    except ValueError:
        return None
    target = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
    return str(target) if target else None


def describe_queue(ctx: Context, url: str) -> Queue:
    """GetQueueAttributes (QueueArn, RedrivePolicy) of `url`, parsed (raises `AwsError`)."""
    base = queue_from_url(ctx, url)
    answer = ctx.call("sqs", "GetQueueAttributes", QueueUrl=url, AttributeNames=list(ATTRIBUTES))
    attrs: Mapping[str, Any] = answer.get("Attributes") or {}
    arn = str(attrs.get("QueueArn") or base.arn)
    return Queue(url, base.name, arn, dead_letter_target(attrs.get("RedrivePolicy")))


@dataclass(frozen=True)
class Queues:
    """The region's queues as far as their attributes could be read, and which of them
    are dead-letter queues (`roles.reason(arn)`: why it is one, None when it is not,
    `Undecided` while some queue's RedrivePolicy could not be read)."""

    queues: tuple[Queue, ...]
    roles: Exemptions  # reason: "of queue '<source>'"


def read_queues(ctx: Context, urls: Sequence[str]) -> Queues:
    """Every queue's attributes (concurrently), and the dead-letter queues they name."""

    def read(url: str) -> Queue | AwsError:
        try:
            return describe_queue(ctx, url)
        except AwsError as err:
            return err

    answers = ctx.map(read, urls)
    queues: list[Queue] = []
    open_sources: list[Undecided] = []
    for url, got in zip(urls, answers, strict=True):
        if isinstance(got, AwsError):
            unread = queue_from_url(ctx, url)
            queues.append(unread)
            question = f"could not read the RedrivePolicy of queue '{unread.name}'"
            open_sources.append(Undecided(question, got))
        else:
            queues.append(got)
    known: dict[str, str] = {}
    for q in queues:
        target = q.dead_letter_target
        if target and target != q.arn and target not in known:
            known[target] = f"of queue '{q.name}'"
    return Queues(tuple(queues), Exemptions(known, tuple(open_sources)))


def fires_on_first_message(threshold: str) -> bool:
    """True for `GreaterThanThreshold` below 1 or `GreaterThanOrEqualToThreshold` in (0, 1]:
    the alarm goes off when one message is visible."""
    op, _, rest = threshold.partition(" ")
    try:
        value = float(rest)
    except ValueError:
        return False
    if op == "GreaterThanThreshold":
        return 0 <= value < 1
    return op == "GreaterThanOrEqualToThreshold" and 0 < value <= 1
