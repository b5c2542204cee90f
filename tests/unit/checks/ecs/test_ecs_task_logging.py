"""ecs.task_logging: every container of each task definition revision in use has a
logConfiguration; revisions nobody runs are never read; environment values never kept.

moto serves every read (ListClusters, ListServices, DescribeServices, ListTasks,
DescribeTasks, DescribeTaskDefinition). Two moto quirks shape the tests: its ListTasks
matches the cluster name as a substring of each task's cluster ARN (cluster names here
are not substrings of one another's ARNs), and its UpdateService changes the service's
`taskDefinition` but leaves the PRIMARY deployment on the old revision, which is what a
rollout in progress looks like on AWS (both revisions run). Services that DescribeServices
answers under `failures` are stubbed with botocore's Stubber (helpers.stub_client) in
eu-west-1. Denied reads come from moto's IAM authorizer (`restricted_session` +
`iam_enforced`).
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from containers_seed import SEED_SECRET, seed_every_containers_read
from helpers import ACCOUNT, findings, only, restricted_session, run, stub_client
from moto_ext import iam_enforced

import awsobs.checks.ecs.task_logging  # noqa: F401
from awsobs import Finding, Status, scan
from awsobs.aws.gateway import Gateway
from awsobs.demo.containers import (
    awslogs,
    container,
    ecs_cluster,
    run_task,
    service,
    task_definition,
)
from awsobs.report import json as json_report

CHECK = "ecs.task_logging"
REGION = "us-east-1"
ALL_READS = ["ecs:*", "ec2:*", "sts:*"]
LOG = awslogs("/ecs/app", REGION)


def by_id(report: Any) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, CHECK)}


def revision(family: str, number: int, region: str = REGION) -> str:
    return f"arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{family}:{number}"


def scan_counting(session: boto3.Session) -> tuple[Any, list[tuple[str, str, dict]]]:
    calls: list[tuple[str, str, dict]] = []
    report = scan(
        session,
        checks=[CHECK],
        regions=[REGION],
        on_request=lambda service, op, region, params: calls.append((service, op, params)),
    )
    return report, calls


def test_service_and_task_revisions_with_log_drivers_pass(aws: boto3.Session) -> None:
    seed_every_containers_read(aws)
    got = by_id(run(aws, [CHECK]))
    assert set(got) == {revision("seed-web", 1), revision("seed-job", 1)}
    assert {f.status for f in got.values()} == {Status.PASS}
    web = got[revision("seed-web", 1)]
    assert web.resource_type == "AWS::ECS::TaskDefinition"
    assert web.message == (
        "every container of task definition seed-web:1, used by service 'seed-web' "
        "(cluster 'seed-ecs'), has a log configuration (web: awslogs)"
    )
    job = got[revision("seed-job", 1)]
    assert "(job: awsfirelens, router: awslogs)" in job.message
    assert job.evidence["used_by"][0].startswith("task ")


def test_a_container_without_log_configuration_fails_naming_it(aws: boto3.Session) -> None:
    ecs_cluster(aws, "shop", None, REGION)
    td = task_definition(aws, "web", [container("app", LOG), container("sidecar")], REGION)
    service(aws, "shop", "web", td, REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert f.resource_id == td
    assert "container(s) 'sidecar' have no logConfiguration" in f.message
    assert "used by service 'web' (cluster 'shop')" in f.message
    assert f.evidence["containers"] == [
        {"name": "app", "log_driver": "awslogs"},
        {"name": "sidecar", "log_driver": None},
    ]
    assert f.remediation.startswith("register a new revision of 'web' in which container(s)")


def test_only_revisions_in_use_are_judged_and_read(aws: boto3.Session) -> None:
    """The pitfall: not every revision ever registered. web:1 and web:3 have no logging
    and nothing runs them; the service runs web:2: one finding, one DescribeTaskDefinition."""
    ecs_cluster(aws, "shop", None, REGION)
    task_definition(aws, "web", [container("app")], REGION)
    used = task_definition(aws, "web", [container("app", LOG)], REGION)
    task_definition(aws, "web", [container("app")], REGION)
    service(aws, "shop", "web", used, REGION)
    report, calls = scan_counting(aws)
    f = only(report, CHECK)
    assert (f.resource_id, f.status) == (revision("web", 2), Status.PASS)
    described = [c[2]["taskDefinition"] for c in calls if c[1] == "DescribeTaskDefinition"]
    assert described == [revision("web", 2)]


@pytest.mark.parametrize(
    "driver", ["awslogs", "awsfirelens", "splunk", "fluentd", "gelf", "syslog", "json-file"]
)
def test_every_log_driver_counts(aws: boto3.Session, driver: str) -> None:
    ecs_cluster(aws, "shop", None, REGION)
    td = task_definition(aws, "web", [container("app", {"logDriver": driver})], REGION)
    run_task(aws, "shop", td, REGION)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.PASS
    assert f"(app: {driver})" in f.message
    if driver == "json-file":
        assert "json-file keep the logs on the container instance only" in f.message


def test_the_none_driver_is_no_logging(aws: boto3.Session) -> None:
    ecs_cluster(aws, "shop", None, REGION)
    td = task_definition(aws, "web", [container("app", {"logDriver": "none"})], REGION)
    run_task(aws, "shop", td, REGION)
    assert only(run(aws, [CHECK]), CHECK).status is Status.FAIL


def test_a_deregistered_revision_still_in_use_is_judged(aws: boto3.Session) -> None:
    ecs_cluster(aws, "shop", None, REGION)
    td = task_definition(aws, "web", [container("app")], REGION)
    service(aws, "shop", "web", td, REGION)
    aws.client("ecs").deregister_task_definition(taskDefinition=td)
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.FAIL
    assert "web:1 (deregistered, still in use)" in f.message
    assert f.evidence["status"] == "INACTIVE"


def test_both_revisions_of_a_rollout_in_progress_are_judged(aws: boto3.Session) -> None:
    """moto's UpdateService leaves the PRIMARY deployment on web:1 (see module docstring)."""
    ecs_cluster(aws, "shop", None, REGION)
    old = task_definition(aws, "web", [container("app")], REGION)
    new = task_definition(aws, "web", [container("app", LOG)], REGION)
    service(aws, "shop", "web", old, REGION)
    aws.client("ecs").update_service(cluster="shop", service="web", taskDefinition=new)
    got = by_id(run(aws, [CHECK]))
    assert got[old].status is Status.FAIL
    assert got[new].status is Status.PASS


def test_one_revision_used_many_times_is_read_once(aws: boto3.Session) -> None:
    """12 services (two DescribeServices batches of 10) and a task share one revision."""
    ecs_cluster(aws, "shop", None, REGION)
    td = task_definition(aws, "web", [container("app", LOG)], REGION)
    for i in range(12):
        service(aws, "shop", f"web-{i:02}", td, REGION)
    run_task(aws, "shop", td, REGION)
    report, calls = scan_counting(aws)
    f = only(report, CHECK)
    assert f.status is Status.PASS
    assert f.evidence["users"] == 13 and len(f.evidence["used_by"]) == 10
    assert "and 12 more" in f.message
    ops = sorted(c[1] for c in calls if c[0] == "ecs")
    listing = ["ListClusters", "ListServices", "ListTasks", "DescribeTasks"]
    assert ops == sorted(
        [*listing, "DescribeServices", "DescribeServices", "DescribeTaskDefinition"]
    )
    assert next(c[2] for c in calls if c[1] == "ListTasks")["desiredStatus"] == "RUNNING"


def test_no_cluster_or_nothing_running_is_not_applicable(aws: boto3.Session) -> None:
    f = only(run(aws, [CHECK]), CHECK)
    assert (f.status, f.message) == (Status.NOT_APPLICABLE, "no ECS clusters in us-east-1")
    ecs_cluster(aws, "idle", None, REGION)
    task_definition(aws, "web", [container("app")], REGION)  # registered, never run
    f = only(run(aws, [CHECK]), CHECK)
    assert f.status is Status.NOT_APPLICABLE
    assert f.message == (
        "no service or running task in us-east-1's 1 ECS cluster(s) uses a task definition"
    )


def test_a_revision_that_cannot_be_read_is_unknown(aws: boto3.Session) -> None:
    seed_every_containers_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=["ecs:DescribeTaskDefinition"])
    with iam_enforced():
        got = by_id(run(scanner, [CHECK]))
    assert {f.status for f in got.values()} == {Status.UNKNOWN}
    f = got[revision("seed-web", 1)]
    assert f.message.startswith("could not read task definition seed-web:1, used by service")
    assert f.evidence["error"]["action"] == "ecs:DescribeTaskDefinition"


@pytest.mark.parametrize("denied", ["ecs:ListServices", "ecs:DescribeServices"])
def test_unreadable_services_are_unknown_for_the_cluster_tasks_still_judged(
    aws: boto3.Session, denied: str
) -> None:
    seed_every_containers_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=[denied])
    with iam_enforced():
        got = by_id(run(scanner, [CHECK]))
    cluster = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/seed-ecs"
    assert got[cluster].status is Status.UNKNOWN
    assert got[cluster].message.startswith("could not read everything cluster 'seed-ecs' runs")
    assert got[cluster].evidence["error"]["action"] == denied
    assert got[revision("seed-job", 1)].status is Status.PASS  # found through its task
    assert revision("seed-web", 1) not in got


def test_both_use_reads_denied_is_unknown_never_not_applicable(aws: boto3.Session) -> None:
    seed_every_containers_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=["ecs:ListServices", "ecs:ListTasks"])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert f.status is Status.UNKNOWN
    assert "; also " in f.message
    assert [e["action"] for e in f.evidence["errors"]] == ["ecs:ListServices", "ecs:ListTasks"]


def test_listing_denied_is_one_unknown_for_the_region(aws: boto3.Session) -> None:
    seed_every_containers_read(aws)
    scanner = restricted_session(aws, ALL_READS, deny=["ecs:ListClusters"])
    with iam_enforced():
        f = only(run(scanner, [CHECK]), CHECK)
    assert (f.status, f.resource_id) == (Status.UNKNOWN, REGION)
    assert f.evidence["error"]["action"] == "ecs:ListClusters"


def test_a_service_described_as_missing_is_unknown_for_the_cluster(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed: a service listed, then deleted before DescribeServices (`failures`)."""
    cluster = f"arn:aws:ecs:eu-west-1:{ACCOUNT}:cluster/edge"
    svc = f"arn:aws:ecs:eu-west-1:{ACCOUNT}:service/edge/gone"
    stub_client(
        monkeypatch,
        "ecs",
        [
            ("list_clusters", {"clusterArns": [cluster]}),
            ("list_services", {"serviceArns": [svc]}),
            (
                "describe_services",
                {"services": [], "failures": [{"arn": svc, "reason": "MISSING"}]},
            ),
            ("list_tasks", {"taskArns": []}),
        ],
        region="eu-west-1",
    )
    f = only(run(aws, [CHECK], ["eu-west-1"]), CHECK)
    assert f.status is Status.UNKNOWN
    assert f.message.endswith("DescribeServices did not describe service 'gone' (MISSING)")


def test_environment_values_never_reach_the_report_evidence_or_cache(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Marker: a secret in a task definition's environment (and in a running task's
    override) is dropped as the answer arrives; the variable's name is all that exists."""
    seed_every_containers_read(aws)
    td = task_definition(
        aws,
        "leaky",
        [container("app", LOG, environment=[{"name": "API_KEY", "value": SEED_SECRET}])],
        REGION,
    )
    aws.client("ecs").run_task(
        cluster="seed-ecs",
        taskDefinition=td,
        launchType="FARGATE",
        overrides={
            "containerOverrides": [
                {"name": "app", "environment": [{"name": "TOKEN", "value": SEED_SECRET}]}
            ]
        },
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": [_subnet(aws)], "securityGroups": [_group(aws)]}
        },
    )
    planted = aws.client("ecs").describe_task_definition(taskDefinition=td)
    assert SEED_SECRET in json.dumps(planted, default=str)  # moto does hand it out
    gateways: list[Gateway] = []
    original = Gateway.__init__

    def keep(self: Gateway, *args: Any, **kw: Any) -> None:
        original(self, *args, **kw)
        gateways.append(self)

    monkeypatch.setattr(Gateway, "__init__", keep)
    report = run(aws, [CHECK])
    got = by_id(report)
    assert got[td].status is Status.PASS  # the secret's revision was read and judged
    assert SEED_SECRET not in json_report.render(report)
    assert SEED_SECRET not in json.dumps([dict(f.evidence) for f in report.findings], default=str)
    (gw,) = gateways
    futures = gw._memo._futures
    assert {k[2] for k in futures} >= {"DescribeTaskDefinition", "DescribeTasks"}
    cache = repr([f.result() for f in futures.values() if f.exception() is None])
    assert "API_KEY" in cache and "TOKEN" in cache  # the names are kept
    assert SEED_SECRET not in cache


def _subnet(aws: boto3.Session) -> str:
    return str(aws.client("ec2").describe_subnets()["Subnets"][0]["SubnetId"])


def _group(aws: boto3.Session) -> str:
    return str(aws.client("ec2").describe_security_groups()["SecurityGroups"][0]["GroupId"])
