"""ECS: does every container that runs send its output to a log driver?

A container without a `logConfiguration` gets no log driver from ECS: on Fargate its
stdout and stderr are kept nowhere; on an EC2 container instance they stay in the Docker
daemon's default driver on that instance, gone with it. What is judged is what runs: the
task definition revisions that services use (their own, their unfinished deployments',
their task sets') and that running tasks use, never every revision ever registered.

Reads: ListClusters per region; per cluster ListServices, DescribeServices per 10
services, ListTasks and DescribeTasks per 100 tasks; DescribeTaskDefinition once per
distinct revision in use. The gateway drops environment values from the task definitions
and tasks as they arrive (awsobs/aws/readpolicy.py SCRUBBED); the check keeps only each
container's name and log driver.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.ecs.readers import (
    CLUSTER,
    DESCRIBE_TASK_DEFINITION,
    LIST_CLUSTERS,
    TASK_DEFINITION,
    USE_READS,
    ClusterUse,
    TaskDefinition,
    cluster_arns,
    cluster_use,
    name_of,
    task_definition,
)
from awsobs.context import Context, error_evidence
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

# Drivers that keep the logs on the container instance only: they count, and are named.
HOST_ONLY = ("json-file", "journald", "local")
NO_DRIVER = "none"  # Docker's driver that discards output: the same as no configuration
_SHOWN_USERS = 10
_FIX = (
    "register a new revision of '{family}' in which container(s) {names} have a "
    "logConfiguration (for example logDriver awslogs with awslogs-group, awslogs-region and "
    "awslogs-stream-prefix), then point what runs it at that revision (aws ecs update-service "
    "--cluster <cluster> --service <service> --task-definition {family})"
)


def _who(users: Sequence[str]) -> str:
    more = len(users) - 1
    return users[0] + (f" and {more} more" if more else "")


def _cluster_gap(ctx: Context, use: ClusterUse) -> Finding:
    """UNKNOWN for a cluster whose services or running tasks could not all be read."""
    label = name_of(use.cluster)
    evidence: dict[str, Any] = {"cluster": label, "revisions_found": len(use.uses)}
    if use.missing:
        evidence["services_not_described"] = list(use.missing)
    what = (
        f"could not read everything cluster '{label}' runs, so the task definitions of "
        "some of its services or tasks are not judged"
    )
    if not use.errors:
        text = f"{what}: DescribeServices did not describe {', '.join(use.missing)}"
        return ctx.unknown(CLUSTER, use.cluster, text, evidence=evidence)
    evidence["errors"] = [error_evidence(e) for e in use.errors]
    gap = ctx.unknown_from(use.errors[0], CLUSTER, use.cluster, what, evidence=evidence)
    also = "".join(f"; also {e.describe()}" for e in use.errors[1:])
    if also:
        gap = ctx.unknown(CLUSTER, use.cluster, gap.message + also, evidence=gap.evidence)
    return gap


def _read(ctx: Context, arn: str) -> TaskDefinition | AwsError | None:
    try:
        return task_definition(ctx, arn)
    except AwsError as err:
        return err


def _judge(
    ctx: Context, arn: str, users: Sequence[str], got: TaskDefinition | AwsError | None
) -> Finding:
    evidence: dict[str, Any] = {
        "task_definition": name_of(arn),
        "used_by": list(users[:_SHOWN_USERS]),
        "users": len(users),
    }
    if isinstance(got, AwsError):
        what = f"could not read task definition {name_of(arn)}, used by {_who(users)}"
        return ctx.unknown_from(got, TASK_DEFINITION, arn, what, evidence=evidence)
    if got is None or not got.containers:
        text = (
            f"task definition {name_of(arn)}, used by {_who(users)}, was read but "
            "DescribeTaskDefinition gave no container definitions"
        )
        return ctx.unknown(TASK_DEFINITION, arn, text, evidence=evidence)
    evidence.update(
        task_definition=got.label,
        status=got.status,
        requires_compatibilities=list(got.compatibilities),
        containers=[{"name": c.name, "log_driver": c.log_driver} for c in got.containers],
    )
    bare = [c.name for c in got.containers if c.log_driver in (None, NO_DRIVER)]
    inactive = " (deregistered, still in use)" if got.status.upper() == "INACTIVE" else ""
    if bare:
        names = ", ".join(f"'{n}'" for n in bare)
        text = (
            f"task definition {got.label}{inactive}, used by {_who(users)}: container(s) "
            f"{names} have no logConfiguration, so their output is kept nowhere on Fargate "
            "and only on the container instance on EC2"
        )
        fix = _FIX.format(family=got.family, names=names)
        return ctx.failed(TASK_DEFINITION, arn, text, evidence=evidence, remediation=fix)
    drivers = ", ".join(f"{c.name}: {c.log_driver}" for c in got.containers)
    local = sorted({str(c.log_driver) for c in got.containers if c.log_driver in HOST_ONLY})
    note = f" ({', '.join(local)} keep the logs on the container instance only)" if local else ""
    text = (
        f"every container of task definition {got.label}{inactive}, used by {_who(users)}, "
        f"has a log configuration ({drivers}){note}"
    )
    return ctx.passed(TASK_DEFINITION, arn, text, evidence=evidence)


@check(
    id="ecs.task_logging",
    title="Every container of the ECS task definitions in use has a log configuration",
    severity=Severity.HIGH,
    signal=Signal.LOGS,
    resource_types=("AWS::ECS::TaskDefinition",),
    permissions=[LIST_CLUSTERS, *USE_READS, DESCRIBE_TASK_DEFINITION],
    remediation="register a task definition revision whose containers have a "
    "logConfiguration (logDriver awslogs, awsfirelens, splunk, ...) and update the services "
    "to it: aws ecs update-service --cluster <cluster> --service <service> "
    "--task-definition <family>",
)
def task_logging(ctx: Context) -> Iterator[Finding]:
    """One finding per task definition revision in use in the region, resource id the
    revision's ARN. In use: the `taskDefinition` of each service that is not INACTIVE, of
    each of its deployments that is not INACTIVE (a rollout in progress runs two) and of
    each of its task sets, and the `taskDefinitionArn` of each task ListTasks lists (desired
    status RUNNING). Security Hub ECS.9 / Config `ecs-task-definition-log-configuration`,
    limited to what runs: a revision nobody runs is never read.

    PASS when every container definition of the revision has a `logConfiguration`: every
    log driver counts (`awslogs`, `awsfirelens`, `splunk`, `fluentd`, `gelf`, `syslog`,
    ...); `json-file`, `journald` and `local` count too, and the message says they keep the
    logs on the container instance. FAIL when a container has no `logConfiguration` (or the
    `none` driver), naming each such container. A deregistered (INACTIVE) revision that a
    service still runs is judged like any other.

    UNKNOWN when a revision cannot be read (naming the denied action) or is read without
    container definitions; and, for a cluster, when its services or tasks cannot be listed
    or described (what the other reads found is still judged). NOT_APPLICABLE when the
    region has no cluster, or its clusters run no service and no task. HIGH like ECS.9:
    a container without a log driver leaves no record of what it did or why it failed.
    """
    arns, gap = ctx.listing("ECS clusters", lambda: cluster_arns(ctx))
    if gap is not None:
        yield gap
        return
    uses = ctx.map(lambda arn: cluster_use(ctx, arn), sorted(arns))
    users: dict[str, list[str]] = {}
    gaps = [_cluster_gap(ctx, u) for u in uses if u.errors or u.missing]
    for use in uses:
        for revision, who in use.uses:
            if who not in users.setdefault(revision, []):
                users[revision].append(who)
    yield from gaps
    if not users:
        if not gaps:
            text = (
                f"no service or running task in {ctx.region}'s {len(arns)} ECS cluster(s) "
                "uses a task definition"
            )
            yield ctx.not_applicable(*ctx.region_resource(), text)
        return
    revisions = sorted(users)
    read = ctx.map(lambda arn: _read(ctx, arn), revisions)
    for arn, got in zip(revisions, read, strict=True):
        yield _judge(ctx, arn, users[arn], got)
