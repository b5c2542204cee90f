"""SQS: an age-of-oldest-message alarm per queue, a depth alarm per dead-letter queue.

Semantics: controls.md §10; the verdict is CloudWatch's (cloudwatch/coverage.py). Metric
names, dimension and statistics from CloudWatch's "Best practice alarm recommendations"
(Amazon SQS: `ApproximateAgeOfOldestMessage`, `ApproximateNumberOfMessagesVisible`,
`ApproximateNumberOfMessagesNotVisible`, `NumberOfMessagesSent`, each on `QueueName`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from awsobs.aws.errors import AwsError, Undecided
from awsobs.checks.cloudwatch.coverage import (
    ALARM_READS,
    Want,
    alarm_fix,
    coverage_finding,
    index_or_error,
)
from awsobs.checks.cloudwatch.readers import AlarmIndex, Need
from awsobs.checks.sqs.readers import (
    GET_QUEUE_ATTRIBUTES,
    LIST_QUEUES,
    QUEUE,
    Queue,
    fires_on_first_message,
    queue_urls,
    read_queues,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal, Status
from awsobs.registry import check

SQS = "AWS/SQS"
AGE = "ApproximateAgeOfOldestMessage"
VISIBLE = "ApproximateNumberOfMessagesVisible"
SENT = "NumberOfMessagesSent"
PERMISSIONS = [LIST_QUEUES, GET_QUEUE_ATTRIBUTES, *ALARM_READS]


def _need(metric: str, queue: Queue) -> Need:
    return Need(SQS, (metric,), ({"QueueName": queue.name},))


@check(
    id="sqs.age_alarms",
    title="SQS queues have an ApproximateAgeOfOldestMessage alarm that reaches someone",
    severity=Severity.MEDIUM,
    signal=Signal.ALARMS,
    resource_types=("AWS::SQS::Queue",),
    permissions=PERMISSIONS,
    remediation=alarm_fix(SQS, AGE, "Name=QueueName,Value=<queue>"),
)
def age_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per queue that is not a dead-letter queue. PASS when `AWS/SQS`
    `ApproximateAgeOfOldestMessage` on its `QueueName` (statistic Maximum, as AWS
    recommends) has an alarm that reaches someone: a consumer that stopped or keeps
    failing shows up as messages getting old, whatever the traffic. FAIL when there is
    none, naming the alarms that almost cover it (other `QueueName`, actions disabled, a
    topic nobody confirmed). `ApproximateNumberOfMessagesVisible` (backlog) is reported,
    not required. Dead-letter queues (named in another queue's
    `RedrivePolicy.deadLetterTargetArn`) are judged by `sqs.dlq_alarms` instead. UNKNOWN
    when the alarms cannot be read, or when some queue's RedrivePolicy could not be read
    (then whether this queue is a dead-letter queue is unknown). NOT_APPLICABLE when the
    region has no queue.
    """
    urls, gap = ctx.listing("SQS queues", lambda: queue_urls(ctx))
    if gap is not None:
        yield gap
        return
    found = read_queues(ctx, urls)
    index = index_or_error(ctx)
    known = {q.name for q in found.queues}
    for q in found.queues:
        try:
            if found.roles.reason(q.arn) is not None:
                continue  # a dead-letter queue: sqs.dlq_alarms
        except Undecided as why:
            what = f"could not tell whether queue '{q.name}' is a dead-letter queue"
            yield ctx.unknown_from(why, QUEUE, q.arn, what)
            continue
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, QUEUE, q.arn, "could not read alarms")
            continue
        wants = [Want(AGE, (_need(AGE, q),)), Want(VISIBLE, (_need(VISIBLE, q),), required=False)]
        yield coverage_finding(
            ctx,
            index,
            QUEUE,
            q.arn,
            f"queue '{q.name}'",
            wants,
            evidence={"queue": q.name, "dead_letter_queue": q.dead_letter_target},
            claimed=lambda m: m.dim("QueueName") in known,
        )


@check(
    id="sqs.dlq_alarms",
    title="SQS dead-letter queues have an alarm on visible messages that reaches someone",
    severity=Severity.HIGH,
    signal=Signal.ALARMS,
    resource_types=("AWS::SQS::Queue",),
    permissions=PERMISSIONS,
    remediation=alarm_fix(SQS, VISIBLE, "Name=QueueName,Value=<queue>"),
)
def dlq_alarms(ctx: Context) -> Iterator[Finding]:
    """One finding per dead-letter queue: a queue named in another queue's
    `RedrivePolicy.deadLetterTargetArn` in this region. A dead-letter queue nobody watches
    is where failures go to be forgotten: messages land there after the consumer gave up
    on them, and stay until retention deletes them. PASS when `AWS/SQS`
    `ApproximateNumberOfMessagesVisible` on its `QueueName` has an alarm that reaches
    someone; FAIL when none does (with the near misses). The shared alarm verdict does not
    judge thresholds: each matching alarm's comparison and threshold is in the evidence,
    and a PASS says so when none goes off on the first message (`GreaterThanThreshold 0`
    or `GreaterThanOrEqualToThreshold 1`). An alarm on `NumberOfMessagesSent` does not
    count: messages moved by a redrive policy are not "sent" (named in the message).
    UNKNOWN when the alarms cannot be read, or, for a queue not known to be a dead-letter
    queue, when another queue's RedrivePolicy could not be read. NOT_APPLICABLE when the
    region has no queue, or no queue names a dead-letter queue.
    """
    urls, gap = ctx.listing("SQS queues", lambda: queue_urls(ctx))
    if gap is not None:
        yield gap
        return
    found = read_queues(ctx, urls)
    index = index_or_error(ctx)
    known = {q.name for q in found.queues}
    judged = 0
    for q in found.queues:
        try:
            role = found.roles.reason(q.arn)
        except Undecided as why:
            what = f"could not tell whether queue '{q.name}' is a dead-letter queue"
            yield ctx.unknown_from(why, QUEUE, q.arn, what)
            judged += 1
            continue
        if role is None:
            continue
        judged += 1
        if isinstance(index, AwsError):
            yield ctx.unknown_from(index, QUEUE, q.arn, "could not read alarms")
            continue
        yield _dlq_finding(ctx, index, q, role, known)
    if not judged:
        yield ctx.not_applicable(
            *ctx.region_resource(),
            f"no dead-letter queue in {ctx.region}: no queue's RedrivePolicy names one",
        )


def _dlq_finding(ctx: Context, index: AlarmIndex, q: Queue, role: str, known: set[str]) -> Finding:
    need = _need(VISIBLE, q)
    watching = [a for a in index.watching(need.matches) if not a.composite]
    found = {a.name: a.threshold or "unknown" for a in watching}
    sent = [a.name for a in index.watching(_need(SENT, q).matches)]
    note = ""
    if watching and not any(fires_on_first_message(t) for t in found.values()):
        shown = ", ".join(f"'{n}' at {t}" for n, t in found.items())
        note = f"; but no alarm goes off on the first message ({shown})"
    if sent:
        note += (
            f"; alarm '{sent[0]}' watches {SENT}, which does not count messages a redrive "
            "policy moves here"
        )
    finding = coverage_finding(
        ctx,
        index,
        QUEUE,
        q.arn,
        f"dead-letter queue '{q.name}' ({role})",
        [Want(VISIBLE, (need,))],
        note=note,
        evidence={"queue": q.name, "role": role, "thresholds": found, "sent_alarms": sent},
        claimed=lambda m: m.dim("QueueName") in known,
    )
    if finding.status is Status.FAIL:
        forgotten = (
            ". Nobody watches it: failed messages land here and are forgotten until "
            "retention deletes them"
        )
        return replace(finding, message=finding.message + forgotten)
    return finding
