"""Accounts to benchmark against, seeded over HTTP into a (latency) moto server.

- `small`: in us-east-1, eu-west-1 and us-west-2: 2 REST and 2 HTTP APIs, 3 instances,
  4 buckets, 6 alarms, 2 tables, 3 trails (one stopped), 7 log groups, a load balancer,
  an ECS cluster and service, an RDS instance and a state machine.
- `x10`: ten times `small` (trails: 5 per region, CloudTrail's quota, so 15).
- `regions17`: the 17 regions AWS enables by default, a table, a log group and an alarm
  in each, one multi-region trail, an HTTP API and an instance in us-east-1.
- `org50`: an organization of 50 member accounts (a table, a log group and an alarm in
  each of 3 regions, a multi-region trail), seeded through an assumed role in each.
- `org300`: the same with 300 member accounts and 2 regions (us-east-1, eu-west-1).
- `org10`: the same as org50 with 10 members, to compare `--jobs` values in a minute.
- `large`: scenario_large.py.

Each seeder returns a `Seeded`: a `Manifest` of what it created per account, from which
`expected.py` derives how many requests a scan should need, and how to scan it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import boto3
from scenario_large import seed_large
from seeder import HOME, Manifest, Seeder

from awsobs.demo import ACCOUNT
from awsobs.demo.moto_ext import set_trail_status_fields

THREE = ("us-east-1", "eu-west-1", "us-west-2")
TWO = ("us-east-1", "eu-west-1")
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
# Member accounts are seeded side by side: the seeding clients' CPU (botocore) and the
# server's (moto) share this process's GIL, so more threads gain little; see seed_org.
SEED_THREADS = 4


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


def seed_org(endpoint: str, members: int, regions: tuple[str, ...]) -> Seeded:
    """The management account (empty) creates the organization and its `members`; each
    member is seeded through `awsobs-scan`, assumed from the management account, with
    `little()` in `regions`.

    Members are seeded on SEED_THREADS threads, each with one boto3 Session whose clients
    sign with the member's assumed credentials: the service models are parsed once per
    thread rather than once per member (a Session per member spent most of org50's
    seeding in botocore's JSON loading)."""
    mgmt = Seeder(endpoint)
    org = mgmt.client("organizations")
    org.create_organization(FeatureSet="ALL")
    sts = mgmt.client("sts")
    accounts = []
    for n in range(members):
        status = org.create_account(Email=f"member{n:03d}@example.com", AccountName=f"m{n:03d}")
        accounts.append(status["CreateAccountStatus"]["AccountId"])
    local = threading.local()

    def seed_member(account: str) -> Manifest:
        if not hasattr(local, "session"):
            local.session = boto3.Session(region_name=HOME)
        creds = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/{ORG_ROLE}", RoleSessionName="bench-seed"
        )["Credentials"]
        s = Seeder(endpoint, local.session, account, creds)
        little(s, regions, f"bench-{account}")
        return s.manifest

    with ThreadPoolExecutor(SEED_THREADS, thread_name_prefix="seed") as pool:
        seeded = dict(zip(accounts, pool.map(seed_member, accounts), strict=True))
    return Seeded({ACCOUNT: mgmt.manifest, **seeded}, regions, ["--org", "--role-name", ORG_ROLE])


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
    "org50": Scenario(partial(seed_org, members=50, regions=THREE), requires="--org"),
    "org10": Scenario(partial(seed_org, members=10, regions=THREE), requires="--org"),
    "org300": Scenario(partial(seed_org, members=300, regions=TWO), requires="--org"),
    "large": Scenario(seed_large_account),
}
