"""EC2 instances and what tells us whether the CloudWatch Agent runs on them.

Every read here is one per region (instances, SSM nodes, agent metrics, associations),
shared by all EC2 checks; only the per-instance SSM inventory lookup and the per-role IAM
reads are per resource, and they are made only where a check needs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.session import global_region
from awsobs.checks.ec2.iam_policy import decide
from awsobs.context import Context
from awsobs.model import Finding

INSTANCE = "AWS::EC2::Instance"
DEFAULT_NAMESPACE = "CWAgent"
RECENTLY_ACTIVE = "PT3H"  # the only window ListMetrics offers: data in the last 3 hours
AGENT_PACKAGES = ("amazon-cloudwatch-agent", "Amazon CloudWatch Agent")  # Linux, Windows
AGENT_DOCUMENTS = ("AmazonCloudWatch-ManageAgent",)  # configures and starts the agent
INVENTORY = "ssm:ListInventoryEntries"
PACKAGE_DOCUMENT = "AWS-ConfigureAWSPackage"  # installs it with name=AmazonCloudWatchAgent
AGENT_PACKAGE_PARAM = "AmazonCloudWatchAgent"


@dataclass(frozen=True)
class Instance:
    """One EC2 instance, as DescribeInstances describes it."""

    id: str
    arn: str
    region: str
    state: str
    private_dns: str
    platform: str
    profile_arn: str | None
    monitoring: str
    tags: Mapping[str, str] = field(default_factory=dict)
    launched: dt.datetime | None = None

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def label(self) -> str:
        name = self.tags.get("Name")
        return f"instance {self.id}" + (f" ({name})" if name else "")

    def evidence(self) -> dict[str, Any]:
        return {
            "instance_id": self.id,
            "state": self.state,
            "platform": self.platform,
            "private_dns_name": self.private_dns,
        }


def instances(ctx: Context, region: str) -> tuple[Instance, ...]:
    """Every instance in `region`; raises `AwsError`."""
    listed = ctx.call("ec2", "DescribeInstances", region)
    found = []
    for reservation in listed.get("Reservations", ()):
        for raw in reservation.get("Instances", ()):
            found.append(
                Instance(
                    id=str(raw["InstanceId"]),
                    arn=f"arn:{ctx.partition}:ec2:{region}:{ctx.account_id}:instance/{raw['InstanceId']}",
                    region=region,
                    state=str((raw.get("State") or {}).get("Name", "unknown")),
                    private_dns=str(raw.get("PrivateDnsName") or ""),
                    platform="Windows" if raw.get("Platform") == "windows" else "Linux",
                    profile_arn=(raw.get("IamInstanceProfile") or {}).get("Arn"),
                    monitoring=str((raw.get("Monitoring") or {}).get("State", "disabled")),
                    tags={t["Key"]: t.get("Value", "") for t in raw.get("Tags", ())},
                    launched=raw.get("LaunchTime"),
                )
            )
    return tuple(sorted(found, key=lambda i: i.id))


# -- CloudWatch Agent metrics ---------------------------------------------------------------


def is_memory(metric: str) -> bool:
    """Linux `mem_used_percent`, `mem_available`...; Windows `Memory % Committed Bytes In Use`."""
    return metric.startswith(("mem_", "Memory "))


def is_disk(metric: str) -> bool:
    """Disk *space*: Linux `disk_used_percent`... (not `diskio_`); Windows `LogicalDisk ...`."""
    return metric.startswith(("disk_", "LogicalDisk "))


@dataclass(frozen=True)
class AgentMetrics:
    """Recently active agent metric names, by InstanceId and by host dimension."""

    namespace: str
    by_instance: Mapping[str, frozenset[str]]
    by_host: Mapping[str, frozenset[str]]

    def for_instance(self, instance: Instance) -> tuple[frozenset[str], str | None]:
        """(metric names, how they were matched: `InstanceId`, `host` or None)."""
        if instance.id in self.by_instance:
            return self.by_instance[instance.id], "InstanceId"
        dns = instance.private_dns
        for host in (dns, dns.split(".", 1)[0]):
            if host and host in self.by_host:
                return self.by_host[host], "host"
        return frozenset(), None


def agent_metrics(ctx: Context, region: str, namespace: str) -> AgentMetrics:
    """One ListMetrics pass over the agent's namespace in `region` (raises `AwsError`)."""

    def build(ctx: Context) -> AgentMetrics:
        listed = ctx.call(
            "cloudwatch", "ListMetrics", region, Namespace=namespace, RecentlyActive=RECENTLY_ACTIVE
        )
        by_instance: dict[str, set[str]] = {}
        by_host: dict[str, set[str]] = {}
        for metric in listed.get("Metrics", ()):
            dims = {d["Name"]: d["Value"] for d in metric.get("Dimensions", ())}
            name = str(metric.get("MetricName", ""))
            if "InstanceId" in dims:
                by_instance.setdefault(dims["InstanceId"], set()).add(name)
            elif "host" in dims:
                by_host.setdefault(dims["host"], set()).add(name)
        return AgentMetrics(
            namespace,
            {k: frozenset(v) for k, v in by_instance.items()},
            {k: frozenset(v) for k, v in by_host.items()},
        )

    return ctx.shared(f"ec2.agent_metrics:{region}:{namespace}", ("cloudwatch:ListMetrics",), build)


# -- Systems Manager -----------------------------------------------------------------------


def ssm_nodes(ctx: Context, region: str) -> Mapping[str, Mapping[str, Any]]:
    """SSM-managed EC2 instances in `region` by id (hybrid `mi-` nodes ignored)."""
    listed = ctx.call("ssm", "DescribeInstanceInformation", region)
    return {
        str(n["InstanceId"]): n
        for n in listed.get("InstanceInformationList", ())
        if str(n.get("InstanceId", "")).startswith("i-")
    }


@dataclass(frozen=True)
class InventoryLook:
    """The agent package in one instance's SSM inventory (`collected` False: no inventory)."""

    collected: bool
    packages: tuple[Mapping[str, Any], ...] = ()
    captured: Any = None


def agent_in_inventory(ctx: Context, instance: Instance) -> InventoryLook:
    """ListInventoryEntries for the agent package on one instance (raises `AwsError`)."""
    listed = ctx.call(
        "ssm",
        "ListInventoryEntries",
        instance.region,
        InstanceId=instance.id,
        TypeName="AWS:Application",
        Filters=[{"Key": "Name", "Values": list(AGENT_PACKAGES), "Type": "Equal"}],
    )
    captured = listed.get("CaptureTime")
    entries = tuple(listed.get("Entries", ()))
    return InventoryLook(
        collected=bool(captured) or bool(entries), packages=entries, captured=captured
    )


def agent_associations(ctx: Context, region: str) -> tuple[Mapping[str, Any], ...]:
    """State Manager associations in `region` that install or configure the agent."""
    listed = ctx.call("ssm", "ListAssociations", region).get("Associations", ())
    found = [a for a in listed if a.get("Name") in AGENT_DOCUMENTS]
    for assoc in listed:
        if assoc.get("Name") != PACKAGE_DOCUMENT:
            continue
        described = ctx.call(
            "ssm", "DescribeAssociation", region, AssociationId=assoc["AssociationId"]
        ).get("AssociationDescription", {})
        if AGENT_PACKAGE_PARAM in (described.get("Parameters") or {}).get("name", ()):
            found.append(assoc)
    return tuple(found)


def targets(association: Mapping[str, Any], instance: Instance) -> bool:
    """Does an association target this instance (by id, `*`, or tag)? Resource groups: no."""
    if association.get("InstanceId") == instance.id:
        return True
    for target in association.get("Targets", ()):
        key, values = str(target.get("Key", "")), list(target.get("Values", ()))
        if key == "InstanceIds" and (instance.id in values or "*" in values):
            return True
        if key.startswith("tag:") and instance.tags.get(key[4:]) in values:
            return True
        if key == "tag-key" and any(v in instance.tags for v in values):
            return True
    return False


# -- the instance role ----------------------------------------------------------------------

AGENT_POLICIES = ("CloudWatchAgentServerPolicy", "CloudWatchAgentAdminPolicy")  # AWS managed
AGENT_ACTIONS = ("cloudwatch:PutMetricData", "logs:PutLogEvents")
PROFILE_READS = (
    "iam:GetInstanceProfile",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:GetRolePolicy",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
)
"""What judging an instance profile's role reads (`profile_verdict`)."""


@dataclass(frozen=True)
class RoleVerdict:
    """Can the instance profile's role send metrics and logs? `ok` None: could not tell."""

    ok: bool | None
    message: str
    role: str | None = None
    policies: tuple[str, ...] = ()
    error: AwsError | None = None

    def evidence(self) -> dict[str, Any]:
        return {"role": self.role, "policies": list(self.policies)}


def profile_verdict(ctx: Context, profile_arn: str) -> RoleVerdict:
    """Evaluate an instance profile's role for AGENT_ACTIONS (once per profile per scan)."""
    return ctx.shared(
        f"ec2.profile:{profile_arn}", PROFILE_READS, lambda c: _profile_verdict(c, profile_arn)
    )


def _profile_verdict(ctx: Context, profile_arn: str) -> RoleVerdict:
    iam = global_region(ctx.partition)
    name = profile_arn.rsplit("/", 1)[-1]
    try:
        profile = ctx.call("iam", "GetInstanceProfile", iam, InstanceProfileName=name)
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            return RoleVerdict(False, f"instance profile {name} no longer exists")
        return RoleVerdict(None, f"could not read instance profile {name}", error=err)
    roles = profile["InstanceProfile"].get("Roles", ())
    if not roles:
        return RoleVerdict(False, f"instance profile {name} has no role")
    role = str(roles[0]["RoleName"])
    try:
        attached = ctx.call("iam", "ListAttachedRolePolicies", iam, RoleName=role)
        attached = attached.get("AttachedPolicies", ())
        names = tuple(str(p["PolicyName"]) for p in attached)
        aws_managed = f"arn:{ctx.partition}:iam::aws:policy/"
        for p in attached:
            if p["PolicyName"] in AGENT_POLICIES and str(p["PolicyArn"]).startswith(aws_managed):
                return RoleVerdict(True, f"role {role} has {p['PolicyName']}", role, names)
        documents = []
        for p in attached:
            policy = ctx.call("iam", "GetPolicy", iam, PolicyArn=p["PolicyArn"])["Policy"]
            version = ctx.call(
                "iam",
                "GetPolicyVersion",
                iam,
                PolicyArn=p["PolicyArn"],
                VersionId=policy["DefaultVersionId"],
            )
            documents.append(version["PolicyVersion"]["Document"])
        inline = ctx.call("iam", "ListRolePolicies", iam, RoleName=role).get("PolicyNames", ())
        for policy_name in inline:
            doc = ctx.call("iam", "GetRolePolicy", iam, RoleName=role, PolicyName=policy_name)
            documents.append(doc["PolicyDocument"])
            names += (str(policy_name),)
    except AwsError as err:
        return RoleVerdict(None, f"could not read the policies of role {role}", role, error=err)
    decisions = {action: decide(documents, action) for action in AGENT_ACTIONS}
    missing = [a for a, d in decisions.items() if d != "allow"]
    if not missing:
        return RoleVerdict(True, f"role {role} allows {' and '.join(AGENT_ACTIONS)}", role, names)
    denied = [a for a in missing if decisions[a] == "deny"]
    why = f" ({', '.join(denied)} explicitly denied)" if denied else ""
    return RoleVerdict(False, f"role {role} cannot call {', '.join(missing)}{why}", role, names)


DESCRIBE = "ec2:DescribeInstances"


SSM_INFO = "ssm:DescribeInstanceInformation"


SSM_FIX = (
    "aws iam attach-role-policy --role-name <instance-role> --policy-arn "
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore (and make sure the SSM Agent runs)"
)


def running_instances(ctx: Context) -> tuple[list[Instance], list[Finding]]:
    """The region's running instances, plus findings for the rest (NOT_APPLICABLE) or
    for the region when instances cannot be listed (UNKNOWN) or there are none."""
    none = f"no EC2 instances in {ctx.region}"
    found, gap = ctx.listing("instances", lambda: instances(ctx, ctx.region), none=none)
    if gap is not None:
        return [], [gap]
    others = [
        ctx.not_applicable(
            INSTANCE,
            i.arn,
            f"{i.label} is {i.state}: only running instances are judged",
            evidence=i.evidence(),
        )
        for i in found
        if not i.running
    ]
    return [i for i in found if i.running], others
