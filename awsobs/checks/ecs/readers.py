"""ECS clusters, and the task definition revisions their services and tasks run, read once
for all checks (the gateway memoizes each request for the scan).

- Clusters: `ListClusters` per region, then `DescribeClusters` with `include=["SETTINGS"]`
  per batch of up to 100 clusters (AWS's limit): without SETTINGS the answer has no
  `settings`, where the cluster's `containerInsights` value is.
- The account default: `ListAccountSettings` (`name=containerInsights`,
  `effectiveSettings=true`), once per region. It is the value *new* clusters get; an
  existing cluster keeps its own (AWS: "any new clusters that are created will have
  Container Insights turned on unless you disable it during cluster creation").
- Revisions in use, per cluster: `ListServices`, `DescribeServices` per batch of up to 10
  (the service's `taskDefinition`, the revision of every deployment that is not INACTIVE,
  and every task set's), `ListTasks` (desired status RUNNING, AWS's default, sent explicitly) and
  `DescribeTasks` per batch of up to 100 (`taskDefinitionArn`); then
  `DescribeTaskDefinition` once per distinct revision. A revision nobody runs is never
  read, however many were registered; a deregistered (INACTIVE) revision that a service
  still runs is read and judged like any other.

Secrets: task definitions and task overrides carry plain-text environment values. The
gateway drops `environment[].value` from `DescribeTaskDefinition` and `DescribeTasks` as
each page arrives (awsobs/aws/readpolicy.py SCRUBBED); what is parsed here keeps only
names, revisions and each container's log driver, never its environment, command or log
options (a Splunk token or a FireLens API key can sit in `logConfiguration.options`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.context import Context

CLUSTER = "AWS::ECS::Cluster"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
SERVICE = "ecs"
LIST_CLUSTERS = "ecs:ListClusters"
DESCRIBE_CLUSTERS = "ecs:DescribeClusters"
LIST_ACCOUNT_SETTINGS = "ecs:ListAccountSettings"
USE_READS = (
    "ecs:ListServices",
    "ecs:DescribeServices",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
)
DESCRIBE_TASK_DEFINITION = "ecs:DescribeTaskDefinition"
INSIGHTS = "containerInsights"
INSIGHTS_ON = ("enabled", "enhanced")  # the values that turn Container Insights on
CLUSTER_BATCH = 100  # DescribeClusters: up to 100 clusters per call
SERVICE_BATCH = 10  # DescribeServices: up to 10 services per call
TASK_BATCH = 100  # DescribeTasks: up to 100 tasks per call


def _chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def name_of(arn: str) -> str:
    """The last path segment of an ECS ARN (`.../cluster/shop` -> `shop`)."""
    return arn.rsplit("/", 1)[-1]


def cluster_arns(ctx: Context) -> tuple[str, ...]:
    """The ARNs of this region's clusters; raises `AwsError` when they cannot be listed."""
    return tuple(str(a) for a in ctx.call(SERVICE, "ListClusters").get("clusterArns", ()))


# -- clusters and their settings ---------------------------------------------------------------


@dataclass(frozen=True)
class Cluster:
    """One described cluster: its status and its settings (name -> value), None when the
    answer carried no `settings` at all."""

    arn: str
    name: str
    status: str
    settings: Mapping[str, str] | None
    running_tasks: int | None = None  # `runningTasksCount` (None when absent)

    @property
    def insights(self) -> str | None:
        """The cluster's `containerInsights` value as AWS reports it (None when absent)."""
        return None if self.settings is None else self.settings.get(INSIGHTS)

    @property
    def insights_on(self) -> bool:
        """Container Insights is `enabled` or `enhanced` (enhanced observability)."""
        return (self.insights or "").lower() in INSIGHTS_ON


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


@dataclass(frozen=True)
class ClusterDescriptions:
    """The clusters of one region as described; those whose batch failed carry its error;
    those AWS listed under `failures` carry the reason it gave (`MISSING`)."""

    clusters: tuple[Cluster, ...] = ()
    failed: Mapping[str, AwsError] = field(default_factory=dict)
    missing: Mapping[str, str] = field(default_factory=dict)


def describe_clusters(ctx: Context, arns: Sequence[str]) -> ClusterDescriptions:
    """DescribeClusters (with SETTINGS) per batch of up to 100 clusters."""
    clusters: list[Cluster] = []
    failed: dict[str, AwsError] = {}
    missing: dict[str, str] = {}
    for batch in _chunks(arns, CLUSTER_BATCH):
        try:
            got = ctx.call(SERVICE, "DescribeClusters", clusters=batch, include=["SETTINGS"])
        except AwsError as err:
            failed.update(dict.fromkeys(batch, err))
            continue
        seen: set[str] = set()
        for raw in got.get("clusters") or ():
            arn = str(raw.get("clusterArn") or "")
            seen.add(arn)
            settings = raw.get("settings")
            clusters.append(
                Cluster(
                    arn,
                    str(raw.get("clusterName") or name_of(arn)),
                    str(raw.get("status") or ""),
                    None
                    if settings is None
                    else {str(s.get("name")): str(s.get("value")) for s in settings},
                    _count(raw.get("runningTasksCount")),
                )
            )
        for failure in got.get("failures") or ():
            arn = str(failure.get("arn") or "")
            missing[arn] = str(failure.get("reason") or "no reason given")
        for arn in batch:  # neither described nor reported as a failure
            if arn not in seen and arn not in missing:
                missing[arn] = "not in the DescribeClusters answer"
    return ClusterDescriptions(tuple(clusters), failed, missing)


@dataclass(frozen=True)
class AccountDefault:
    """The region's `containerInsights` account setting, as it applies to new clusters."""

    value: str | None
    principal: str | None = None
    error: AwsError | None = None


def account_default(ctx: Context) -> AccountDefault:
    """ListAccountSettings(name=containerInsights, effectiveSettings=true) in this region.

    With `effectiveSettings`, AWS answers the caller's setting or, when it has none, the
    account's default (an account that never set it answers `disabled`)."""
    try:
        got = ctx.call(SERVICE, "ListAccountSettings", name=INSIGHTS, effectiveSettings=True)
    except AwsError as err:
        return AccountDefault(None, error=err)
    for setting in got.get("settings") or ():
        if setting.get("name") == INSIGHTS:
            principal = setting.get("principalArn")
            return AccountDefault(str(setting.get("value")), str(principal) if principal else None)
    return AccountDefault(None)


# -- the task definition revisions in use -------------------------------------------------------


@dataclass(frozen=True)
class ClusterUse:
    """Which revisions one cluster runs, and who runs each: (revision ARN, user) pairs.
    `errors` are the reads that failed; what the other reads found is still listed."""

    cluster: str
    uses: tuple[tuple[str, str], ...] = ()
    errors: tuple[AwsError, ...] = ()
    missing: tuple[str, ...] = ()  # listed services DescribeServices answered as failures


def _service_revisions(service: Mapping[str, Any]) -> list[str]:
    """The revisions a service runs or is rolling to: its own, every deployment's that is
    not finished (PRIMARY, ACTIVE), and every task set's (CodeDeploy, external)."""
    found = [service.get("taskDefinition")]
    found += [
        d.get("taskDefinition")
        for d in service.get("deployments") or ()
        if str(d.get("status") or "").upper() != "INACTIVE"
    ]
    found += [t.get("taskDefinition") for t in service.get("taskSets") or ()]
    return [str(td) for td in dict.fromkeys(found) if td]


def cluster_use(ctx: Context, cluster: str) -> ClusterUse:
    """The revisions `cluster`'s services and running tasks use (see the module docstring)."""
    label = name_of(cluster)
    uses: list[tuple[str, str]] = []
    services = cluster_services(ctx, cluster)
    for svc in services.services:
        if svc.status.upper() != "INACTIVE":
            uses += [(td, f"service '{svc.name}' (cluster '{label}')") for td in svc.revisions]
    errors = [services.error] if services.error is not None else []
    missing = list(services.missing)
    try:
        listed = ctx.call(SERVICE, "ListTasks", cluster=cluster, desiredStatus="RUNNING")
        tasks = [str(t) for t in listed.get("taskArns", ())]
        for batch in _chunks(tasks, TASK_BATCH):
            got = ctx.call(SERVICE, "DescribeTasks", cluster=cluster, tasks=batch)
            for task in got.get("tasks") or ():
                td = task.get("taskDefinitionArn")
                if td:
                    group = task.get("group") or "no group"
                    who = f"task {name_of(str(task.get('taskArn')))} ({group}, cluster '{label}')"
                    uses.append((str(td), who))
    except AwsError as err:
        errors.append(err)
    return ClusterUse(cluster, tuple(uses), tuple(errors), tuple(missing))


@dataclass(frozen=True)
class Container:
    """A container definition, reduced to what the logging check needs."""

    name: str
    log_driver: str | None
    essential: bool


@dataclass(frozen=True)
class TaskDefinition:
    arn: str
    family: str
    revision: int | None
    status: str
    containers: tuple[Container, ...]
    compatibilities: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.family}:{self.revision}" if self.revision is not None else self.family


def task_definition(ctx: Context, arn: str) -> TaskDefinition | None:
    """DescribeTaskDefinition of one revision (its environment values already dropped by
    the gateway); None when the answer holds none; raises `AwsError`."""
    raw = ctx.call(SERVICE, "DescribeTaskDefinition", taskDefinition=arn).get("taskDefinition")
    if not raw:
        return None
    containers = tuple(
        Container(
            str(c.get("name") or "?"),
            str((c.get("logConfiguration") or {}).get("logDriver") or "") or None,
            bool(c.get("essential", True)),
        )
        for c in raw.get("containerDefinitions") or ()
    )
    revision = raw.get("revision")
    return TaskDefinition(
        str(raw.get("taskDefinitionArn") or arn),
        str(raw.get("family") or name_of(arn).split(":")[0]),
        int(revision) if revision is not None else None,
        str(raw.get("status") or ""),
        containers,
        tuple(str(c) for c in raw.get("requiresCompatibilities") or ()),
    )


# -- the services themselves (for their alarms) ---------------------------------------------


@dataclass(frozen=True)
class Service:
    """One described service, reduced to what its alarm coverage needs."""

    arn: str
    name: str
    cluster: str  # the cluster's name: the `ClusterName` dimension
    status: str
    desired: int | None
    revisions: tuple[str, ...] = ()  # what it runs or is rolling to (_service_revisions)


@dataclass(frozen=True)
class ClusterServices:
    """A cluster's services as described; `error` when listing or describing failed
    (the services described before it are kept); `missing`: DescribeServices failures."""

    cluster: str
    services: tuple[Service, ...] = ()
    error: AwsError | None = None
    missing: tuple[str, ...] = ()


def cluster_services(ctx: Context, cluster: str) -> ClusterServices:
    """ListServices and DescribeServices of `cluster` (the alarm check and, through
    `cluster_use`, the logging check share them)."""
    label = name_of(cluster)
    found: list[Service] = []
    missing: list[str] = []
    try:
        arns = [
            str(s)
            for s in ctx.call(SERVICE, "ListServices", cluster=cluster).get("serviceArns", ())
        ]
        for batch in _chunks(arns, SERVICE_BATCH):
            got = ctx.call(SERVICE, "DescribeServices", cluster=cluster, services=batch)
            for svc in got.get("services") or ():
                arn = str(svc.get("serviceArn") or "")
                desired = svc.get("desiredCount")
                found.append(
                    Service(
                        arn,
                        str(svc.get("serviceName") or name_of(arn)),
                        label,
                        str(svc.get("status") or ""),
                        int(desired) if desired is not None else None,
                        tuple(_service_revisions(svc)),
                    )
                )
            for failure in got.get("failures") or ():
                reason = failure.get("reason") or "no reason given"
                missing.append(f"service '{name_of(str(failure.get('arn')))}' ({reason})")
    except AwsError as err:
        return ClusterServices(cluster, tuple(found), err, tuple(missing))
    return ClusterServices(cluster, tuple(found), None, tuple(missing))


# -- Container Insights metrics ----------------------------------------------------------------

INSIGHTS_NAMESPACE = "ECS/ContainerInsights"
INSIGHTS_METRIC = "CpuUtilized"  # published for every cluster with running tasks
LIST_METRICS = "cloudwatch:ListMetrics"


def reporting_clusters(ctx: Context, region: str) -> frozenset[str]:
    """Names of the clusters of `region` with a Container Insights metric in the last 3
    hours: one ListMetrics (`ECS/ContainerInsights`, `CpuUtilized`, `RecentlyActive=PT3H`)
    per region, shared by every check, matched on the `ClusterName` dimension (raises
    `AwsError`)."""

    def build(narrow: Context) -> frozenset[str]:
        listed = narrow.call(
            "cloudwatch",
            "ListMetrics",
            region,
            Namespace=INSIGHTS_NAMESPACE,
            MetricName=INSIGHTS_METRIC,
            RecentlyActive="PT3H",
        )
        return frozenset(
            str(d.get("Value"))
            for metric in listed.get("Metrics", ())
            for d in metric.get("Dimensions", ())
            if d.get("Name") == "ClusterName"
        )

    return ctx.shared(f"ecs.reporting_clusters:{region}", (LIST_METRICS,), build)
