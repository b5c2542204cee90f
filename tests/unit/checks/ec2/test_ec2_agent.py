"""EC2 + CloudWatch Agent + SSM checks (controls.md §5), one finding per instance.

Pitfalls: Linux vs Windows metric names, a custom agent namespace, metrics without an
InstanceId dimension (host fallback), memory without disk, stopped instances, no
instance profile, SSM that cannot tell (not managed, no inventory, AccessDenied).

moto implements none of the SSM reads used here: the `ssm` fixture serves them with the
small moto extension in awsobs/demo/moto_ext.py (shared with `awsobs demo`).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import boto3
import pytest
from ec2_seed import LINUX, WINDOWS, allow, instance, metrics, profile
from helpers import ACCOUNT, findings, only, run, stub_error

from awsobs import Status
from awsobs.demo.moto_ext import ssm_association, ssm_inventory, ssm_managed

METRICS = "ec2.cwagent_metrics"
INSTALLED = "ec2.cwagent_installed"
PERMS = "ec2.agent_permissions"
MANAGED = "ec2.ssm_managed"
ONLINE = "ec2.ssm_online"
DETAILED = "ec2.detailed_monitoring"
ALL = [METRICS, INSTALLED, PERMS, MANAGED, ONLINE, DETAILED]
REGION = "us-east-1"


def verdicts(report, check_id):  # type: ignore[no-untyped-def]
    return {f.resource_id: f for f in findings(report, check_id)}


# -- ec2.cwagent_metrics ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "status", "text"),
    [
        pytest.param(LINUX, Status.PASS, "reports memory and disk", id="linux"),
        pytest.param(WINDOWS, Status.PASS, "reports memory and disk", id="windows"),
        pytest.param(
            ("mem_used_percent", "mem_available", "disk_free", "disk_inodes_free"),
            Status.PASS,
            "reports memory and disk",
            id="other-linux-names",
        ),
        pytest.param(("mem_used_percent",), Status.FAIL, "memory but no disk-space", id="no-disk"),
        pytest.param(
            ("mem_used_percent", "diskio_reads"),
            Status.FAIL,
            "memory but no disk-space",
            id="diskio-is-not-disk-space",
        ),
        pytest.param(
            ("LogicalDisk % Free Space",),
            Status.FAIL,
            "disk-space but no memory",
            id="windows-no-memory",
        ),
        pytest.param(("cpu_usage_idle",), Status.FAIL, "no memory or disk metric", id="cpu-only"),
    ],
)
def test_metric_names(
    aws: boto3.Session, names: tuple[str, ...], status: Status, text: str
) -> None:
    i = instance(aws)
    metrics(aws, i["id"], names)
    f = only(run(aws, [METRICS]), METRICS)
    assert (f.resource_id, f.status) == (i["arn"], status)
    assert text in f.message and f.evidence["matched_by"] in ("InstanceId", None)


@pytest.mark.parametrize("host", ["full", "short"])
def test_host_dimension_fallback(aws: boto3.Session, host: str) -> None:
    i = instance(aws)
    name = i["dns"] if host == "full" else i["dns"].split(".")[0]
    metrics(aws, name, dimension="host")
    f = only(run(aws, [METRICS]), METRICS)
    assert f.status is Status.PASS and "matched by host name" in f.message
    assert f.evidence["matched_by"] == "host"
    assert f.evidence["memory_metrics"] == ["mem_used_percent"]


def test_custom_namespace(aws: boto3.Session) -> None:
    i = instance(aws)
    metrics(aws, i["id"], namespace="Acme/Agent")
    default = only(run(aws, [METRICS]), METRICS)
    assert default.status is Status.FAIL and "namespace CWAgent" in default.message
    custom = only(run(aws, [METRICS], options={"cwagent_namespace": "Acme/Agent"}), METRICS)
    assert custom.status is Status.PASS and custom.evidence["namespace"] == "Acme/Agent"


def test_one_list_metrics_pass_per_region_for_all_instances(aws: boto3.Session) -> None:
    sent = []
    for n in range(6):
        i = instance(aws, f"web-{n}")
        if n % 2:
            metrics(aws, i["id"])
    instance(aws, "eu", region="eu-west-1")
    report = run(
        aws,
        [METRICS, INSTALLED],
        regions=("us-east-1", "eu-west-1"),
        on_request=lambda s, op, r, p: sent.append((op, r, dict(p))),
    )
    list_metrics = [(r, p) for op, r, p in sent if op == "ListMetrics"]
    assert sorted(r for r, _ in list_metrics) == ["eu-west-1", "us-east-1"]
    assert all(p == {"Namespace": "CWAgent", "RecentlyActive": "PT3H"} for _, p in list_metrics)
    assert [f.status for f in findings(report, METRICS)].count(Status.PASS) == 3


def test_stopped_instances_are_not_judged(aws: boto3.Session) -> None:
    i = instance(aws, stopped=True)
    report = run(aws, ALL)
    for check_id in ALL:
        f = only(report, check_id)
        assert (f.resource_id, f.status) == (i["arn"], Status.NOT_APPLICABLE), check_id
        assert "is stopped" in f.message


def test_region_without_instances_is_not_applicable(aws: boto3.Session) -> None:
    report = run(aws, ALL)
    assert {only(report, c).status for c in ALL} == {Status.NOT_APPLICABLE}


def test_list_metrics_denied_is_unknown_per_instance(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    i = instance(aws)
    stub_error(monkeypatch, "cloudwatch", "list_metrics")
    f = only(run(aws, [METRICS]), METRICS)
    assert (f.resource_id, f.status) == (i["arn"], Status.UNKNOWN)
    assert "cloudwatch:ListMetrics" in f.message


# -- ec2.cwagent_installed -----------------------------------------------------------------


def test_reporting_instance_has_the_agent(aws: boto3.Session, ssm: None) -> None:
    i = instance(aws)
    metrics(aws, i["id"])
    assert only(run(aws, [INSTALLED]), INSTALLED).status is Status.PASS


def test_installed_but_not_reporting(aws: boto3.Session, ssm: None) -> None:
    i = instance(aws)
    ssm_managed(ACCOUNT, REGION, i["id"])
    ssm_inventory(
        ACCOUNT, REGION, i["id"], [{"Name": "amazon-cloudwatch-agent", "Version": "1.300049"}]
    )
    f = only(run(aws, [INSTALLED]), INSTALLED)
    assert f.status is Status.FAIL
    assert "installed (amazon-cloudwatch-agent 1.300049) but not reporting" in f.message


def test_inventory_reads_of_silent_instances_run_side_by_side(
    aws: boto3.Session, ssm: None
) -> None:
    """One inventory read per silent instance, concurrently: 6 instances whose reads take
    0.3 s each are read in well under 6 x 0.3 s, more than one at a time."""
    ids = [instance(aws)["id"] for _ in range(6)]
    for i in ids:
        ssm_managed(ACCOUNT, REGION, i)
        ssm_inventory(ACCOUNT, REGION, i, [{"Name": "amazon-cloudwatch-agent", "Version": "1"}])
    lock, now, peak = threading.Lock(), [0], [0]

    def slow(**_: object) -> None:
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.3)
        with lock:
            now[0] -= 1

    aws.events.register("before-call.ssm.ListInventoryEntries", slow)
    started = time.monotonic()
    found = verdicts(run(aws, [INSTALLED]), INSTALLED)
    elapsed = time.monotonic() - started
    assert {f.status for f in found.values()} == {Status.FAIL} and len(found) == 6
    assert peak[0] > 1, "the inventory reads ran one after the other"
    assert elapsed < 6 * 0.3


@pytest.mark.parametrize(
    ("name", "targets", "parameters"),
    [
        pytest.param(
            "AmazonCloudWatch-ManageAgent",
            [{"Key": "tag:Role", "Values": ["web"]}],
            None,
            id="manage-agent-by-tag",
        ),
        pytest.param(
            "AWS-ConfigureAWSPackage",
            [{"Key": "InstanceIds", "Values": ["*"]}],
            {"action": ["Install"], "name": ["AmazonCloudWatchAgent"]},
            id="install-package-all-instances",
        ),
    ],
)
def test_association_sets_it_up_but_it_is_not_reporting(
    aws: boto3.Session, ssm: None, name: str, targets: list, parameters: dict | None
) -> None:
    i = instance(aws, tags={"Role": "web"})
    ssm_managed(ACCOUNT, REGION, i["id"])
    ssm_association(ACCOUNT, REGION, name, targets, parameters)
    f = only(run(aws, [INSTALLED]), INSTALLED)
    assert f.status is Status.FAIL
    assert f"an SSM association ({name}) sets up the CloudWatch Agent" in f.message


def test_unrelated_associations_do_not_count(aws: boto3.Session, ssm: None) -> None:
    i = instance(aws)
    ssm_managed(ACCOUNT, REGION, i["id"])
    ssm_inventory(ACCOUNT, REGION, i["id"], [{"Name": "nginx", "Version": "1.24"}])
    ssm_association(
        ACCOUNT,
        REGION,
        "AmazonCloudWatch-ManageAgent",
        [{"Key": "InstanceIds", "Values": ["i-0000000000000000"]}],
    )
    ssm_association(
        ACCOUNT,
        REGION,
        "AWS-ConfigureAWSPackage",
        [{"Key": "InstanceIds", "Values": ["*"]}],
        {"name": ["AWSNVMe"]},
    )
    f = only(run(aws, [INSTALLED]), INSTALLED)
    assert f.status is Status.FAIL and "was never installed" in f.message


@pytest.mark.parametrize(
    ("managed", "text"),
    [
        pytest.param(False, "not managed by Systems Manager", id="not-managed"),
        pytest.param(True, "SSM inventory is not collected", id="no-inventory"),
    ],
)
def test_ssm_cannot_tell(aws: boto3.Session, ssm: None, managed: bool, text: str) -> None:
    i = instance(aws)
    if managed:
        ssm_managed(ACCOUNT, REGION, i["id"])
    f = only(run(aws, [INSTALLED]), INSTALLED)
    assert f.status is Status.UNKNOWN and text in f.message


def test_ssm_access_denied_is_unknown(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    i = instance(aws)
    stub_error(monkeypatch, "ssm", "describe_instance_information")
    report = run(aws, [INSTALLED, MANAGED, ONLINE])
    for check_id in (INSTALLED, MANAGED, ONLINE):
        f = only(report, check_id)
        assert (f.resource_id, f.status) == (i["arn"], Status.UNKNOWN), check_id
        assert "access denied to ssm:DescribeInstanceInformation" in f.message


# -- ec2.agent_permissions -----------------------------------------------------------------


def test_no_instance_profile_fails_with_the_fix(aws: boto3.Session) -> None:
    i = instance(aws)
    f = only(run(aws, [PERMS]), PERMS)
    assert f.status is Status.FAIL and "has no instance profile" in f.message
    assert f.remediation.startswith(
        f"aws ec2 associate-iam-instance-profile --instance-id {i['id']}"
    )


def test_aws_managed_agent_policy(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # moto knows AWS's policies
    profile(aws, "agent", managed=["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"])
    instance(aws, profile="agent")
    report = run(aws, [PERMS])
    f = only(report, PERMS)
    assert f.status is Status.PASS and "has CloudWatchAgentServerPolicy" in f.message
    assert "iam:GetPolicyVersion" not in report.api_calls_by_operation  # known by name


@pytest.mark.parametrize(
    ("kwargs", "status", "text"),
    [
        pytest.param(
            {"inline": [allow("cloudwatch:PutMetricData", "logs:PutLogEvents")]},
            Status.PASS,
            "allows cloudwatch:PutMetricData and logs:PutLogEvents",
            id="inline-allow",
        ),
        pytest.param(
            {"customer": [allow("cloudwatch:*", "logs:Put*")]},
            Status.PASS,
            "allows",
            id="customer-wildcards",
        ),
        pytest.param(
            {"inline": [allow("cloudwatch:PutMetricData")]},
            Status.FAIL,
            "cannot call logs:PutLogEvents",
            id="no-logs",
        ),
        pytest.param(
            {
                "inline": [
                    allow("*"),
                    {"Effect": "Deny", "Action": "cloudwatch:Put*", "Resource": "*"},
                ]
            },
            Status.FAIL,
            "cloudwatch:PutMetricData explicitly denied",
            id="explicit-deny",
        ),
        pytest.param(
            {"inline": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]},
            Status.PASS,
            "allows",
            id="not-action",
        ),
    ],
)
def test_role_policies(aws: boto3.Session, kwargs: dict, status: Status, text: str) -> None:
    profile(aws, "agent", **kwargs)
    instance(aws, profile="agent")
    f = only(run(aws, [PERMS]), PERMS)
    assert f.status is status and text in f.message, f.message
    if status is Status.FAIL:
        assert "attach-role-policy --role-name agent" in f.remediation


def test_each_role_is_read_once(aws: boto3.Session) -> None:
    profile(aws, "agent", inline=[allow("cloudwatch:PutMetricData", "logs:PutLogEvents")])
    for n in range(4):
        instance(aws, f"web-{n}", profile="agent")
    report = run(aws, [PERMS])
    assert {f.status for f in findings(report, PERMS)} == {Status.PASS}
    assert report.api_calls_by_operation["iam:GetInstanceProfile"] == 1
    assert report.api_calls_by_operation["iam:GetRolePolicy"] == 1


def test_deleted_instance_profile(aws: boto3.Session) -> None:
    profile(aws, "agent", inline=[allow("*")])
    instance(aws, profile="agent")
    iam = aws.client("iam")
    iam.remove_role_from_instance_profile(InstanceProfileName="agent", RoleName="agent")
    iam.delete_instance_profile(InstanceProfileName="agent")
    f = only(run(aws, [PERMS]), PERMS)
    assert f.status is Status.FAIL and "instance profile agent no longer exists" in f.message


def test_role_unreadable_is_unknown(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    profile(aws, "agent", inline=[allow("*")])
    instance(aws, profile="agent")
    stub_error(monkeypatch, "iam", "get_instance_profile")
    f = only(run(aws, [PERMS]), PERMS)
    assert f.status is Status.UNKNOWN and "iam:GetInstanceProfile" in f.message


# -- ec2.ssm_managed / ec2.ssm_online / ec2.detailed_monitoring ---------------------------


def test_ssm_managed_and_online(aws: boto3.Session, ssm: None) -> None:
    online = instance(aws, "online")
    lost = instance(aws, "lost")
    unmanaged = instance(aws, "unmanaged")
    ssm_managed(ACCOUNT, REGION, online["id"])
    two_days = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
    ssm_managed(ACCOUNT, REGION, lost["id"], ping="ConnectionLost", last_ping=two_days)
    ssm_managed(ACCOUNT, REGION, "mi-0123456789abcdef0")  # a hybrid node: ignored
    report = run(aws, [MANAGED, ONLINE])
    managed = {k: f.status for k, f in verdicts(report, MANAGED).items()}
    assert managed == {
        online["arn"]: Status.PASS,
        lost["arn"]: Status.PASS,
        unmanaged["arn"]: Status.FAIL,
    }
    got = verdicts(report, ONLINE)
    assert got[online["arn"]].status is Status.PASS
    assert got[lost["arn"]].status is Status.FAIL
    assert "ConnectionLost (last ping 2 days ago)" in got[lost["arn"]].message
    assert got[unmanaged["arn"]].status is Status.NOT_APPLICABLE


def test_detailed_monitoring(aws: boto3.Session) -> None:
    on = instance(aws, "on", monitoring=True)
    off = instance(aws, "off")
    got = verdicts(run(aws, [DETAILED]), DETAILED)
    assert got[on["arn"]].status is Status.PASS
    assert got[off["arn"]].status is Status.FAIL
    assert "not the CloudWatch Agent" in got[off["arn"]].message
    assert got[off["arn"]].remediation == f"aws ec2 monitor-instances --instance-ids {off['id']}"
