"""Accounts to benchmark against, seeded over HTTP into a (latency) moto server.

- `small`: in us-east-1, eu-west-1 and us-west-2: 2 REST and 2 HTTP APIs, 3 instances,
  4 buckets, 6 alarms, 2 tables, 3 trails (one stopped), 7 log groups, a load balancer,
  an ECS cluster and service, an RDS instance and a state machine.
- `x10`: ten times `small` (trails: 5 per region, CloudTrail's quota, so 15).
- `regions17`: the 17 regions AWS enables by default, a table, a log group and an alarm
  in each, one multi-region trail, an HTTP API and an instance in us-east-1.
- `org50`: an organization of 50 member accounts (a table, a log group and an alarm in
  each of 3 regions, a multi-region trail), seeded through an assumed role in each.
- `org10`: the same with 10 members, to compare `--jobs` values in a minute.
- `large`: scenario_large.py.

Each seeder returns a `Seeded`: a `Manifest` of what it created per account, from which
`expected.py` derives how many requests a scan should need, and how to scan it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import boto3
from scenario_large import seed_large
from seeder import HOME, Manifest, Seeder

from awsobs.demo import ACCOUNT
from awsobs.demo.moto_ext import set_trail_status_fields

THREE = ("us-east-1", "eu-west-1", "us-west-2")
# The regions an AWS account has enabled by default (the others are opt-in). moto's
# DescribeRegions reports 24 "enabled" regions (it counts cn-* and us-gov-*), so the
# regions17 scan names these with --regions.
SEVENTEEN = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
)
ORG_ROLE = "awsobs-scan"
ORG_MEMBERS = 50


@dataclass
class Seeded:
    """What a scenario created (a Manifest per account) and how to scan it."""

    manifests: dict[str, Manifest]  # account id -> what was created there
    regions: tuple[str, ...] | None = None  # --regions (None: every enabled region)
    scan_args: list[str] = field(default_factory=list)  # more `awsobs scan` flags

    @property
    def manifest(self) -> Manifest:
        """The single account's manifest (single-account scenarios)."""
        return self.manifests[ACCOUNT]


def populate(s: Seeder, scale: int, prefix: str) -> None:
    """`scale` copies of small's resources (module docstring) into the Seeder's account."""
    role = s.apigateway_role()
    profile = s.agent_profile()
    now = int(time.time())
    for i in range(scale):
        tag = f"{prefix}-{i:02d}" if scale > 1 else prefix
        trail_bucket, access, audit = f"{tag}-trail-logs", f"{tag}-access-logs", f"{tag}-audit"
        s.bucket(trail_bucket)
        s.bucket(access, "eu-west-1", log_target=True)
        s.bucket(audit, "eu-west-1", log_to=access)
        s.app_bucket(f"{tag}-web-assets", metrics=True, alarm=False)
        if i < 5:  # CloudTrail allows 5 trails per region
            s.trail(f"legacy-trail-{i}", HOME, trail_bucket, logging=False)
            group = s.log_group("eu-west-1", f"/aws/cloudtrail/audit-trail-{i}")
            s.trail(
                f"audit-trail-{i}",
                "eu-west-1",
                audit,
                EnableLogFileValidation=True,
                CloudWatchLogsLogGroupArn=group,
                CloudWatchLogsRoleArn=f"arn:aws:iam::{s.account}:role/cloudtrail-to-cloudwatch",
            )
            set_trail_status_fields(
                s.account, "eu-west-1", f"audit-trail-{i}", LatestCloudWatchLogsDeliveryTime=now
            )
            s.trail(f"west-trail-{i}", "us-west-2", trail_bucket)
        else:  # no trail writes to these: the S3 checks judge them like app buckets
            s.manifest.app_buckets.update((trail_bucket, audit))
        s.log_group("us-west-2", f"/app/{tag}")
        s.apis("us-east-1", role, rest=1, http=1, websocket=0)
        s.apis("eu-west-1", role, rest=1, http=0, websocket=0)
        s.apis("us-west-2", role, rest=0, http=1, websocket=0)
        s.instances("us-east-1", profile, "R")
        s.instances("eu-west-1", profile, "R")
        s.instances("us-west-2", profile, "S")
        table = s.tables("us-east-1", 1, prefix=f"{tag}-orders")[0]
        s.tables("us-west-2", 1, prefix=f"{tag}-users")
        topic = s.topic("us-east-1")
        for metric in ("ReadThrottleEvents", "WriteThrottleEvents"):
            s.alarm("us-east-1", "AWS/DynamoDB", metric, {"TableName": table}, topic)
        s.load_balancer("us-east-1", f"{tag}-web", trail_bucket)
        s.ecs_service("eu-west-1", f"{tag}-shop")
        s.rds_instance("us-west-2", f"{tag}-db")
        s.state_machine("us-east-1", f"{tag}-checkout", role)
        s.queue("eu-west-1", f"{tag}-orders")
        s.distribution(f"{tag}-cdn", f"{tag}-web-assets")
        s.async_function("us-east-1", f"{tag}-notify")


def seed_small(endpoint: str) -> Seeded:
    s = Seeder(endpoint)
    populate(s, 1, "bench")
    return Seeded({ACCOUNT: s.manifest}, THREE)


def seed_x10(endpoint: str) -> Seeded:
    s = Seeder(endpoint)
    populate(s, 10, "bench")
    return Seeded({ACCOUNT: s.manifest}, THREE)


def little(s: Seeder, regions: tuple[str, ...], prefix: str) -> None:
    """A multi-region trail, and a table with a throttling alarm and a log group per region."""
    bucket = f"{prefix}-trail-logs"
    s.bucket(bucket)
    s.trail("org-audit", HOME, bucket, multi_region=True, EnableLogFileValidation=True)
    for region in regions:
        table = s.tables(region, 1, prefix=f"{prefix}-orders")[0]
        s.log_group(region, f"/app/{prefix}/{region}")
        topic = s.topic(region)
        s.alarm(region, "AWS/DynamoDB", "ReadThrottleEvents", {"TableName": table}, topic)


def seed_regions17(endpoint: str) -> Seeded:
    s = Seeder(endpoint)
    little(s, SEVENTEEN, "bench")
    s.apis(HOME, s.apigateway_role(), rest=0, http=1, websocket=0)
    s.instances(HOME, s.agent_profile(), "R")
    return Seeded({ACCOUNT: s.manifest}, SEVENTEEN)


def seed_org50(endpoint: str) -> Seeded:
    """The management account (empty) creates the organization and its 50 members; each
    member is seeded through `awsobs-scan`, assumed from the management account."""
    return seed_org(endpoint, ORG_MEMBERS)


def seed_org10(endpoint: str) -> Seeded:
    return seed_org(endpoint, 10)


def seed_org(endpoint: str, members: int) -> Seeded:
    mgmt = Seeder(endpoint)
    org = mgmt.client("organizations")
    org.create_organization(FeatureSet="ALL")
    sts = mgmt.client("sts")
    manifests = {ACCOUNT: mgmt.manifest}
    for n in range(members):
        status = org.create_account(Email=f"member{n:02d}@example.com", AccountName=f"m{n:02d}")
        account = status["CreateAccountStatus"]["AccountId"]
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ORG_ROLE}", RoleSessionName="bench-seed"
        )["Credentials"]
        session = boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=HOME,
        )
        s = Seeder(endpoint, session, account)
        little(s, THREE, f"bench-{account}")
        manifests[account] = s.manifest
    return Seeded(manifests, THREE, ["--org", "--role-name", ORG_ROLE])


def seed_large_account(endpoint: str) -> Seeded:
    return Seeded({ACCOUNT: seed_large(endpoint)}, None)


@dataclass(frozen=True)
class Scenario:
    seed: Callable[[str], Seeded]
    requires: str | None = None  # an `awsobs scan` flag the scenario's scan needs


SCENARIOS: dict[str, Scenario] = {
    "small": Scenario(seed_small),
    "x10": Scenario(seed_x10),
    "regions17": Scenario(seed_regions17),
    "org50": Scenario(seed_org50, requires="--org"),
    "org10": Scenario(seed_org10, requires="--org"),
    "large": Scenario(seed_large_account),
}
