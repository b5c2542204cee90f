"""EC2: is the CloudWatch Agent really reporting memory and disk from every instance?

EC2 sends CPU, network and disk I/O on its own; memory, disk space and the system and
application logs need the CloudWatch Agent, installed and configured by hand. Semantics
and pitfalls: controls.md §5. One finding per instance; only running instances are
judged (stopped, pending and terminated ones are NOT_APPLICABLE).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.ec2.readers import (
    DEFAULT_NAMESPACE,
    DESCRIBE,
    INSTANCE,
    INVENTORY,
    PROFILE_READS,
    SSM_INFO,
    AgentMetrics,
    Instance,
    agent_associations,
    agent_in_inventory,
    agent_metrics,
    is_disk,
    is_memory,
    profile_verdict,
    running_instances,
    ssm_nodes,
    targets,
)
from awsobs.context import Context
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

NAMESPACE_OPTION = {"cwagent_namespace": DEFAULT_NAMESPACE}
INSTALL_FIX = (
    "aws ssm send-command --document-name AWS-ConfigureAWSPackage --parameters "
    "action=Install,name=AmazonCloudWatchAgent --targets Key=InstanceIds,Values=<instance-id>, "
    "then configure it with the AmazonCloudWatch-ManageAgent document"
)


def _agent_metrics(ctx: Context) -> AgentMetrics | AwsError:
    try:
        return agent_metrics(ctx, ctx.region, str(ctx.option("cwagent_namespace")))
    except AwsError as err:
        return err


def _metric_evidence(metrics: AgentMetrics, instance: Instance) -> dict[str, object]:
    names, matched = metrics.for_instance(instance)
    return {
        **instance.evidence(),
        "namespace": metrics.namespace,
        "recently_active": "PT3H",
        "matched_by": matched,
        "memory_metrics": sorted(n for n in names if is_memory(n)),
        "disk_metrics": sorted(n for n in names if is_disk(n)),
    }


@check(
    id="ec2.cwagent_metrics",
    title="The CloudWatch Agent reports memory and disk from each running instance",
    severity=Severity.MEDIUM,
    signal=Signal.METRICS,
    resource_types=("AWS::EC2::Instance",),
    permissions=[DESCRIBE, "cloudwatch:ListMetrics"],
    remediation=INSTALL_FIX,
    options=NAMESPACE_OPTION,
)
def cwagent_metrics(ctx: Context) -> Iterator[Finding]:
    """One finding per running instance. PASS when the agent's namespace (option
    `cwagent_namespace`, default `CWAgent`; `--cwagent-namespace`) has, for this instance,
    a memory metric and a disk-space metric with data in the last 3 hours
    (`ListMetrics RecentlyActive=PT3H`). Memory: Linux `mem_*` (`mem_used_percent`...),
    Windows `Memory *` (`Memory % Committed Bytes In Use`...). Disk space: Linux `disk_*`
    (`disk_used_percent`...; `diskio_*` is I/O and does not count), Windows
    `LogicalDisk *` (`LogicalDisk % Free Space`...). Metrics are matched by their
    `InstanceId` dimension; when the agent's configuration does not append it, by the
    `host` dimension against the instance's private DNS name (full or short), and the
    evidence says which. The namespace is listed once per region, whatever the number
    of instances. `AWS/EC2` never has memory or disk-space metrics.
    """
    running, other = running_instances(ctx)
    yield from other
    if not running:
        return
    metrics = _agent_metrics(ctx)
    for i in running:
        if isinstance(metrics, AwsError):
            yield ctx.unknown_from(metrics, INSTANCE, i.arn, "could not list agent metrics")
            continue
        evidence = _metric_evidence(metrics, i)
        memory, disk = evidence["memory_metrics"], evidence["disk_metrics"]
        where = f"namespace {metrics.namespace}"
        how = " (matched by host name)" if evidence["matched_by"] == "host" else ""
        if memory and disk:
            yield ctx.passed(
                INSTANCE,
                i.arn,
                f"{i.label} reports memory and disk to {where}{how}",
                evidence=evidence,
            )
        elif memory or disk:
            have, lack = ("memory", "disk-space") if memory else ("disk-space", "memory")
            yield ctx.failed(
                INSTANCE,
                i.arn,
                f"{i.label} reports {have} but no {lack} metric to {where}{how}: add the "
                f"{'disk' if memory else 'mem'} section to the agent's configuration",
                evidence=evidence,
                remediation="Add the missing section to the agent configuration and push it "
                "with the AmazonCloudWatch-ManageAgent document",
            )
        else:
            yield ctx.failed(
                INSTANCE,
                i.arn,
                f"{i.label} sent no memory or disk metric to {where} in the last 3 h: the "
                "CloudWatch Agent is not reporting (ec2.cwagent_installed says why)",
                evidence=evidence,
            )


@check(
    id="ec2.cwagent_installed",
    title="Where agent metrics are missing: is the CloudWatch Agent installed at all?",
    severity=Severity.MEDIUM,
    signal=Signal.METRICS,
    resource_types=("AWS::EC2::Instance",),
    permissions=[
        DESCRIBE,
        "cloudwatch:ListMetrics",
        SSM_INFO,
        INVENTORY,
        "ssm:ListAssociations",
        "ssm:DescribeAssociation",
    ],
    remediation=INSTALL_FIX,
    options=NAMESPACE_OPTION,
)
def cwagent_installed(ctx: Context) -> Iterator[Finding]:
    """One finding per running instance, saying *why* agent metrics are missing when
    Systems Manager can tell. PASS when the agent reports (some memory or disk metric, as
    in `ec2.cwagent_metrics`). Otherwise FAIL with the reason: the SSM inventory lists the
    `amazon-cloudwatch-agent` package (installed but not reporting: a configuration or
    IAM problem), or a State Manager association runs `AmazonCloudWatch-ManageAgent` or
    installs `AmazonCloudWatchAgent` on it (set up but not reporting), or the inventory
    lists neither (never installed). UNKNOWN when SSM cannot tell: the instance is not
    managed by SSM, its inventory is not collected, or an SSM read is denied. Inventory is
    read only for instances without metrics (concurrently); associations once per region.
    Association targets are matched by instance id, `*` and tags (not resource groups).
    """
    running, other = running_instances(ctx)
    yield from other
    if not running:
        return
    region = ctx.region
    metrics = _agent_metrics(ctx)
    if isinstance(metrics, AwsError):
        for i in running:
            yield ctx.unknown_from(metrics, INSTANCE, i.arn, "could not list agent metrics")
        return
    silent = []
    for i in running:
        evidence = _metric_evidence(metrics, i)
        if evidence["memory_metrics"] or evidence["disk_metrics"]:
            yield ctx.passed(
                INSTANCE,
                i.arn,
                f"{i.label}: the CloudWatch Agent is installed and "
                f"reporting to namespace {metrics.namespace}",
                evidence=evidence,
            )
        else:
            silent.append(i)
    if not silent:
        return
    try:
        nodes = ssm_nodes(ctx, region)
        associations = agent_associations(ctx, region)
    except AwsError as err:
        for i in silent:
            yield ctx.unknown_from(
                err, INSTANCE, i.arn, f"{i.label} sends no agent metrics, and SSM cannot tell why"
            )
        return
    # One inventory read per silent instance, side by side: a region with hundreds of
    # silent instances is one round trip deep here, not hundreds.
    yield from ctx.map(
        lambda i: _why_silent(ctx, i, i.id in nodes, [a for a in associations if targets(a, i)]),
        silent,
    )


def _why_silent(
    ctx: Context, i: Instance, managed: bool, associations: list[Mapping[str, Any]]
) -> Finding:
    evidence: dict[str, object] = {
        **i.evidence(),
        "ssm_managed": managed,
        "agent_associations": [a["Name"] for a in associations],
    }
    if not managed:
        return ctx.unknown(
            INSTANCE,
            i.arn,
            f"{i.label} sends no agent metrics; it is not managed "
            "by Systems Manager, so SSM cannot tell whether the agent is "
            "installed (see ec2.ssm_managed)",
            evidence=evidence,
        )
    try:
        look = ctx.shared(f"ec2.inventory:{i.id}", (INVENTORY,), lambda c: agent_in_inventory(c, i))
    except AwsError as err:
        return ctx.unknown_from(
            err,
            INSTANCE,
            i.arn,
            f"could not read the SSM inventory of {i.label}",
            evidence=evidence,
        )
    evidence.update(inventory_collected=look.collected, agent_packages=list(look.packages))
    if look.packages:
        version = look.packages[0].get("Version", "")
        return ctx.failed(
            INSTANCE,
            i.arn,
            f"{i.label}: the CloudWatch Agent is installed ({look.packages[0].get('Name')} "
            f"{version}) but not reporting: check its configuration (namespace, "
            "append_dimensions) and the instance role (ec2.agent_permissions)",
            evidence=evidence,
            remediation="Push a configuration with the AmazonCloudWatch-ManageAgent document "
            "and restart the agent; check ec2.agent_permissions",
        )
    if associations:
        names = ", ".join(str(a["Name"]) for a in associations)
        return ctx.failed(
            INSTANCE,
            i.arn,
            f"{i.label}: an SSM association ({names}) sets up the CloudWatch Agent, but it is "
            "not reporting: check the association's last execution on this instance",
            evidence=evidence,
            remediation=f"aws ssm describe-instance-associations-status --instance-id {i.id}",
        )
    if look.collected:
        return ctx.failed(
            INSTANCE,
            i.arn,
            f"{i.label}: the CloudWatch Agent was never installed (SSM inventory lists no "
            "agent package and no association sets it up)",
            evidence=evidence,
        )
    return ctx.unknown(
        INSTANCE,
        i.arn,
        f"{i.label} sends no agent metrics; SSM inventory is "
        "not collected on it, so whether the agent is installed is unknown",
        evidence=evidence,
    )


@check(
    id="ec2.agent_permissions",
    title="Each running instance's role may send metrics and logs",
    severity=Severity.MEDIUM,
    signal=Signal.METRICS,
    resource_types=("AWS::EC2::Instance",),
    permissions=[
        DESCRIBE,
        *PROFILE_READS,
    ],
    remediation="aws iam attach-role-policy --role-name <instance-role> --policy-arn "
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
)
def agent_permissions(ctx: Context) -> Iterator[Finding]:
    """One finding per running instance. PASS when the instance has an instance profile
    whose role has the AWS managed `CloudWatchAgentServerPolicy` (or
    `CloudWatchAgentAdminPolicy`), or whose attached and inline policies allow both
    `cloudwatch:PutMetricData` and `logs:PutLogEvents` (wildcards understood, an explicit
    Deny wins). Conditions, resource scoping, permission boundaries and SCPs are not
    evaluated. No instance profile at all is a FAIL: the agent cannot send anything.
    Each role is read once, however many instances use it.
    """
    running, other = running_instances(ctx)
    yield from other
    for i in running:
        evidence: dict[str, object] = {**i.evidence(), "instance_profile": i.profile_arn}
        if not i.profile_arn:
            yield ctx.failed(
                INSTANCE,
                i.arn,
                f"{i.label} has no instance profile: the CloudWatch Agent cannot send metrics "
                "or logs",
                evidence=evidence,
                remediation=f"aws ec2 associate-iam-instance-profile --instance-id {i.id} "
                "--iam-instance-profile Name=<profile whose role has CloudWatchAgentServerPolicy>",
            )
            continue
        verdict = profile_verdict(ctx, i.profile_arn)
        evidence.update(verdict.evidence())
        if verdict.ok is True:
            yield ctx.passed(INSTANCE, i.arn, f"{i.label}: {verdict.message}", evidence=evidence)
        elif verdict.ok is False:
            yield ctx.failed(
                INSTANCE,
                i.arn,
                f"{i.label}: {verdict.message}",
                evidence=evidence,
                remediation=f"aws iam attach-role-policy --role-name {verdict.role or '<role>'} "
                f"--policy-arn arn:{ctx.partition}:iam::aws:policy/CloudWatchAgentServerPolicy",
            )
        elif verdict.error is not None:
            yield ctx.unknown_from(
                verdict.error, INSTANCE, i.arn, f"{i.label}: {verdict.message}", evidence=evidence
            )
