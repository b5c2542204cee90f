"""Elastic Load Balancing reads: the region's load balancers and their access-log settings.

- Application, Network and Gateway Load Balancers (`elbv2`): DescribeLoadBalancers per
  region, DescribeLoadBalancerAttributes per load balancer (`access_logs.s3.enabled`,
  `access_logs.s3.bucket`, `access_logs.s3.prefix`; on an Application Load Balancer also
  `connection_logs.s3.*` and `health_check_logs.s3.*`), DescribeListeners per Network
  Load Balancer (its access logs exist only for TLS listeners).
- Classic Load Balancers (`elb`): DescribeLoadBalancers per region (listeners included),
  DescribeLoadBalancerAttributes per load balancer (`AccessLog.Enabled`, `S3BucketName`,
  `S3BucketPrefix`, `EmitInterval`).
- Target groups (`elbv2`): DescribeTargetGroups per region (one listing, all pages), for
  the load balancers each is attached to (`LoadBalancerArns`) and `HealthCheckEnabled`.
- The target bucket: GetBucketLocation per distinct bucket, sent where S3's own readers
  send it (the partition's global region) so a full scan reads each bucket once.

Both ELB APIs sign as `elasticloadbalancing` (awsobs/aws/iam.py), so one IAM action covers
the v2 and the classic read of the same name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.session import global_region
from awsobs.checks._shared import bucket_region
from awsobs.context import Context

V2_LB = "AWS::ElasticLoadBalancingV2::LoadBalancer"
CLASSIC_LB = "AWS::ElasticLoadBalancing::LoadBalancer"

APPLICATION = "application"
NETWORK = "network"
GATEWAY = "gateway"
CLASSIC = "classic"
KIND_LABEL = {
    APPLICATION: "Application Load Balancer",
    NETWORK: "Network Load Balancer",
    GATEWAY: "Gateway Load Balancer",
    CLASSIC: "Classic Load Balancer",
}

DESCRIBE_LBS = "elasticloadbalancing:DescribeLoadBalancers"
DESCRIBE_ATTRIBUTES = "elasticloadbalancing:DescribeLoadBalancerAttributes"
DESCRIBE_LISTENERS = "elasticloadbalancing:DescribeListeners"
DESCRIBE_TARGET_GROUPS = "elasticloadbalancing:DescribeTargetGroups"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"
GET_BUCKET_LOCATION = "s3:GetBucketLocation"


@dataclass(frozen=True)
class LoadBalancer:
    """One load balancer of this region, of either API."""

    kind: str  # application | network | gateway | classic (or a type AWS adds later)
    name: str
    arn: str
    region: str
    raw: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{KIND_LABEL.get(self.kind, f'{self.kind} load balancer')} '{self.name}'"

    @property
    def resource_type(self) -> str:
        return CLASSIC_LB if self.kind == CLASSIC else V2_LB

    def evidence(self) -> dict[str, Any]:
        state = self.raw.get("State") or {}
        return {
            "load_balancer_name": self.name,
            "type": self.kind,
            "scheme": self.raw.get("Scheme"),
            "state": state.get("Code") if isinstance(state, Mapping) else None,
            "vpc_id": self.raw.get("VpcId") or self.raw.get("VPCId"),
        }


def v2_load_balancers(ctx: Context) -> tuple[LoadBalancer, ...]:
    """This region's Application, Network and Gateway Load Balancers (raises `AwsError`)."""
    listed = ctx.call("elbv2", "DescribeLoadBalancers").get("LoadBalancers", ())
    return tuple(
        LoadBalancer(
            str(lb.get("Type") or APPLICATION),
            str(lb["LoadBalancerName"]),
            str(lb["LoadBalancerArn"]),
            ctx.region,
            lb,
        )
        for lb in listed
    )


def classic_load_balancers(ctx: Context) -> tuple[LoadBalancer, ...]:
    """This region's Classic Load Balancers (raises `AwsError`). The API gives no ARN:
    it is built as IAM documents it (`loadbalancer/<name>`)."""
    listed = ctx.call("elb", "DescribeLoadBalancers").get("LoadBalancerDescriptions", ())
    prefix = f"arn:{ctx.partition}:elasticloadbalancing:{ctx.region}:{ctx.account_id}"
    return tuple(
        LoadBalancer(
            CLASSIC,
            str(lb["LoadBalancerName"]),
            f"{prefix}:loadbalancer/{lb['LoadBalancerName']}",
            ctx.region,
            lb,
        )
        for lb in listed
    )


@dataclass(frozen=True)
class LogConfig:
    """Where a load balancer writes one kind of log (access, connection, health check)."""

    enabled: bool
    bucket: str
    prefix: str

    def evidence(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "bucket": self.bucket or None, "prefix": self.prefix}

    @property
    def location(self) -> str:
        prefix = self.prefix.strip("/")
        return f"s3://{self.bucket}/{prefix}" if prefix else f"s3://{self.bucket}"


def v2_attributes(ctx: Context, lb: LoadBalancer) -> Mapping[str, str]:
    """The load balancer's attributes as key -> value (raises `AwsError`)."""
    attrs = ctx.call("elbv2", "DescribeLoadBalancerAttributes", LoadBalancerArn=lb.arn).get(
        "Attributes", ()
    )
    return {str(a.get("Key")): str(a.get("Value") or "") for a in attrs}


def v2_log_config(attrs: Mapping[str, str], kind: str = "access_logs") -> LogConfig:
    """`<kind>.s3.enabled/bucket/prefix`; an absent `enabled` is AWS's default, false."""
    return LogConfig(
        attrs.get(f"{kind}.s3.enabled", "false").strip().lower() == "true",
        attrs.get(f"{kind}.s3.bucket", "").strip(),
        attrs.get(f"{kind}.s3.prefix", "").strip(),
    )


def classic_access_log(ctx: Context, lb: LoadBalancer) -> tuple[LogConfig, Mapping[str, Any]]:
    """The Classic Load Balancer's `AccessLog` attribute, parsed and raw (raises `AwsError`)."""
    answer = ctx.call("elb", "DescribeLoadBalancerAttributes", LoadBalancerName=lb.name)
    raw: Mapping[str, Any] = (answer.get("LoadBalancerAttributes") or {}).get("AccessLog") or {}
    config = LogConfig(
        raw.get("Enabled") is True,
        str(raw.get("S3BucketName") or "").strip(),
        str(raw.get("S3BucketPrefix") or "").strip(),
    )
    return config, raw


def listener_protocols(ctx: Context, lb: LoadBalancer) -> tuple[str, ...]:
    """The protocols of the load balancer's listeners, sorted (raises `AwsError`)."""
    listeners = ctx.call("elbv2", "DescribeListeners", LoadBalancerArn=lb.arn).get("Listeners", ())
    return tuple(sorted(str(li.get("Protocol") or "?") for li in listeners))


@dataclass(frozen=True)
class BucketState:
    """What GetBucketLocation said about a log bucket: where it is, that it does not
    exist (NoSuchBucket), or the read that failed (`error`)."""

    name: str
    region: str | None = None
    missing: bool = False
    error: AwsError | None = None


def bucket_state(ctx: Context, name: str) -> BucketState:
    """Does bucket `name` exist, and in which region? Never raises."""
    try:
        answer = ctx.call("s3", "GetBucketLocation", global_region(ctx.partition), Bucket=name)
    except AwsError as err:
        if err.kind is ErrorKind.NOT_FOUND:
            return BucketState(name, missing=True)
        return BucketState(name, error=err)
    return BucketState(name, region=bucket_region(answer.get("LocationConstraint")))


def metric_id(arn: str) -> str:
    """The CloudWatch dimension value of a load balancer or target group: the end of its
    ARN after `loadbalancer/` (`app/<name>/<id>`, `net/...`, `gwy/...`) or from
    `targetgroup/` on (`targetgroup/<name>/<id>`); never the name alone."""
    resource = arn.split(":", 5)[-1]
    return resource.removeprefix("loadbalancer/")


@dataclass(frozen=True)
class TargetGroup:
    """One target group of this region, as DescribeTargetGroups lists it."""

    name: str
    arn: str
    load_balancers: tuple[str, ...]  # ARNs of the load balancers it is attached to
    health_checks: bool
    target_type: str
    protocol: str

    @property
    def label(self) -> str:
        return f"target group '{self.name}'"

    def evidence(self) -> dict[str, Any]:
        return {
            "target_group_name": self.name,
            "target_type": self.target_type or None,
            "protocol": self.protocol or None,
            "health_check_enabled": self.health_checks,
            "load_balancer_arns": list(self.load_balancers),
        }


def target_groups(ctx: Context) -> tuple[TargetGroup, ...]:
    """This region's target groups, sorted by name (raises `AwsError`). An absent
    `HealthCheckEnabled` is taken as enabled: only Lambda target groups can turn it off."""
    listed = ctx.call("elbv2", "DescribeTargetGroups").get("TargetGroups", ())
    found = [
        TargetGroup(
            str(tg["TargetGroupName"]),
            str(tg["TargetGroupArn"]),
            tuple(str(a) for a in tg.get("LoadBalancerArns") or ()),
            tg.get("HealthCheckEnabled") is not False,
            str(tg.get("TargetType") or ""),
            str(tg.get("Protocol") or ""),
        )
        for tg in listed
    ]
    return tuple(sorted(found, key=lambda t: (t.name, t.arn)))


def log_file_token(lb: LoadBalancer, account: str) -> str:
    """How the names of `lb`'s access-log files begin (ELB's access-log docs):
    `<account>_elasticloadbalancing_<region>_<id>_`, where `<id>` is the Classic Load
    Balancer's name (which has no `_`) or, for v2, `metric_id` with `/` as `.`
    (`app.<name>.<hex id>`, `net.<name>.<hex id>`)."""
    lb_id = lb.name if lb.kind == CLASSIC else metric_id(lb.arn).replace("/", ".")
    return f"{account}_elasticloadbalancing_{lb.region}_{lb_id}_"


def log_day_prefix(config: LogConfig, account: str, region: str) -> str:
    """The key prefix of a day's access logs, up to the day: `[prefix/]AWSLogs/<account>/
    elasticloadbalancing/<region>/` (append `yyyy/mm/dd/`, then the file token)."""
    prefix = config.prefix.strip("/")
    head = f"{prefix}/" if prefix else ""
    return f"{head}AWSLogs/{account}/elasticloadbalancing/{region}/"
