"""elb.error_alarms and elb.unhealthy_host_alarms: 5XX alarms per Application Load
Balancer and UnHealthyHostCount alarms per target group, keyed by ARN suffixes.

moto serves every read: DescribeLoadBalancers, DescribeTargetGroups (with
`LoadBalancerArns` and `HealthCheckEnabled`), DescribeAlarms (metric math included) and
ListSubscriptionsByTopic; pending subscriptions come from the `alarm_ext` fixture. moto
names a Network Load Balancer's ARN `app/...` where AWS says `net/...`: the test of a real
`net/...` ARN stubs elbv2's two listings with botocore's Stubber (helpers.stub_client) in
eu-west-1 (where the engine sends no request of its own). Denied reads are one operation
answered AccessDenied by the replay gateway (tests/replay.py, over an empty recording,
every other read going to moto).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from alarm_seed import alarm, topic
from helpers import ACCOUNT, findings, only, run, stub_client
from replay import Recording, replaying

import awsobs.checks.elb.alarms  # noqa: F401
from awsobs import Finding, Status
from awsobs.demo.alarms_lbcdn import metric_id, sum_alarm, target_group, unhealthy_alarm
from awsobs.demo.elb import v2_load_balancer

ERRORS = "elb.error_alarms"
UNHEALTHY = "elb.unhealthy_host_alarms"
ALB = "AWS/ApplicationELB"
NLB = "AWS/NetworkELB"
REGION = "us-east-1"
ONCALL = f"arn:aws:sns:{REGION}:{ACCOUNT}:oncall"


@pytest.fixture
def web(aws: boto3.Session, alarm_ext: None) -> str:
    """An Application Load Balancer 'web' and a confirmed topic 'oncall'; the ALB's ARN."""
    topic(aws)
    return v2_load_balancer(aws, "web", "application", REGION)


def by_id(report: Any, check_id: str) -> dict[str, Finding]:
    return {f.resource_id: f for f in findings(report, check_id)}


def denied(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, check: str, op: str) -> Any:
    with replaying(monkeypatch, Recording(), deny=lambda key: key[2] == op):
        return run(aws, [check])


# -- elb.error_alarms ------------------------------------------------------------------


def test_both_5xx_alarms_on_the_arn_suffix_pass(aws: boto3.Session, web: str) -> None:
    lb = {"LoadBalancer": metric_id(web)}
    assert lb["LoadBalancer"].startswith("app/web/")
    alarm(aws, "web-elb-5xx", ALB, "HTTPCode_ELB_5XX_Count", lb)
    alarm(aws, "web-target-5xx", ALB, "HTTPCode_Target_5XX_Count", lb)
    f = only(run(aws, [ERRORS]), ERRORS)
    assert f.status is Status.PASS and f.resource_id == web
    assert f.message == (
        "Application Load Balancer 'web': HTTPCode_ELB_5XX_Count by 'web-elb-5xx', "
        "HTTPCode_Target_5XX_Count by 'web-target-5xx'"
    )
    assert f.evidence["metric_dimensions"] == lb


def test_one_metric_math_alarm_on_their_sum_passes(aws: boto3.Session, web: str) -> None:
    lb = {"LoadBalancer": metric_id(web)}
    sum_alarm(
        aws,
        REGION,
        "web-5xx",
        ALB,
        [("HTTPCode_ELB_5XX_Count", lb), ("HTTPCode_Target_5XX_Count", lb)],
        [ONCALL],
    )
    f = only(run(aws, [ERRORS]), ERRORS)
    assert f.status is Status.PASS and f.message.count("'web-5xx'") == 2


def test_target_5xx_alone_fails_naming_the_load_balancers_own_errors(
    aws: boto3.Session, web: str
) -> None:
    alarm(aws, "web-target-5xx", ALB, "HTTPCode_Target_5XX_Count", {"LoadBalancer": metric_id(web)})
    f = only(run(aws, [ERRORS]), ERRORS)
    assert f.status is Status.FAIL
    assert f.message == "Application Load Balancer 'web': no alarm on HTTPCode_ELB_5XX_Count"
    assert "--metric-name HTTPCode_ELB_5XX_Count" in f.remediation
    assert f"Name=LoadBalancer,Value='{metric_id(web)}'" in f.remediation


def test_an_alarm_keyed_by_the_name_is_the_near_miss(aws: boto3.Session, web: str) -> None:
    """The pitfall: LoadBalancer=web (the name) never receives a data point."""
    alarm(aws, "web-elb-5xx", ALB, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": "web"})
    alarm(aws, "web-target-5xx", ALB, "HTTPCode_Target_5XX_Count", {"LoadBalancer": "web"})
    f = only(run(aws, [ERRORS]), ERRORS)
    assert f.status is Status.FAIL
    assert (
        "alarm 'web-elb-5xx' watches AWS/ApplicationELB HTTPCode_ELB_5XX_Count "
        "(LoadBalancer=web)" in f.message
    )
    assert (
        "alarm 'web-elb-5xx' puts the name in the LoadBalancer dimension: CloudWatch publishes "
        f"it under the end of the ARN, LoadBalancer={metric_id(web)}"
    ) in f.message


def test_per_zone_and_per_target_group_alarms_are_near_misses(aws: boto3.Session, web: str) -> None:
    lb = metric_id(web)
    alarm(
        aws,
        "zone-a",
        ALB,
        "HTTPCode_ELB_5XX_Count",
        {"LoadBalancer": lb, "AvailabilityZone": "us-east-1a"},
    )
    alarm(
        aws,
        "one-pool",
        ALB,
        "HTTPCode_Target_5XX_Count",
        {"LoadBalancer": lb, "TargetGroup": "targetgroup/pool/abc"},
    )
    f = only(run(aws, [ERRORS]), ERRORS)
    assert f.status is Status.FAIL
    assert "alarm 'zone-a' watches" in f.message and "AvailabilityZone=us-east-1a" in f.message
    assert "alarm 'one-pool' watches" in f.message


def test_another_load_balancers_alarm_is_not_a_near_miss(aws: boto3.Session, web: str) -> None:
    other = v2_load_balancer(aws, "admin", "application", REGION)
    alarm(aws, "admin-5xx", ALB, "HTTPCode_ELB_5XX_Count", {"LoadBalancer": metric_id(other)})
    got = by_id(run(aws, [ERRORS]), ERRORS)
    assert got[web].status is Status.FAIL and "admin-5xx" not in got[web].message


def test_disabled_actions_and_pending_topics_do_not_cover(aws: boto3.Session, web: str) -> None:
    lb = {"LoadBalancer": metric_id(web)}
    alarm(aws, "off", ALB, "HTTPCode_ELB_5XX_Count", lb, enabled=False)
    alarm(
        aws,
        "pending",
        ALB,
        "HTTPCode_Target_5XX_Count",
        lb,
        actions=[topic(aws, "nobody", confirmed=False)],
    )
    f = only(run(aws, [ERRORS]), ERRORS)
    assert f.status is Status.FAIL
    assert "alarm 'off' has its actions disabled" in f.message
    assert "topic nobody has no confirmed subscription" in f.message


def test_network_load_balancers_only_is_not_applicable(aws: boto3.Session) -> None:
    v2_load_balancer(aws, "tcp", "network", REGION)
    f = only(run(aws, [ERRORS]), ERRORS)
    assert f.status is Status.NOT_APPLICABLE and f.resource_id == REGION
    assert f.message == f"no Application Load Balancer in {REGION}"


def test_no_load_balancer_is_not_applicable(aws: boto3.Session) -> None:
    assert only(run(aws, [ERRORS]), ERRORS).status is Status.NOT_APPLICABLE


def test_listing_denied_is_unknown_for_the_region(
    aws: boto3.Session, web: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = only(denied(aws, monkeypatch, ERRORS, "DescribeLoadBalancers"), ERRORS)
    assert f.status is Status.UNKNOWN and f.resource_id == REGION
    assert f.evidence["error"]["action"] == "elasticloadbalancing:DescribeLoadBalancers"


def test_alarms_denied_is_unknown_per_load_balancer(
    aws: boto3.Session, web: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = only(denied(aws, monkeypatch, ERRORS, "DescribeAlarms"), ERRORS)
    assert f.status is Status.UNKNOWN and f.resource_id == web
    assert f.message.startswith("could not read alarms: access denied")
    assert f.evidence["error"]["action"] == "cloudwatch:DescribeAlarms"


# -- elb.unhealthy_host_alarms ------------------------------------------------------------


def test_alb_and_nlb_groups_pass_in_their_own_namespaces(aws: boto3.Session, web: str) -> None:
    """moto's NLB ARN reads `app/...`: the namespace comes from the Type, not the ARN."""
    pool = target_group(aws, "pool", lb=web)
    tcp = v2_load_balancer(aws, "tcp", "network", REGION)
    tcp_pool = target_group(aws, "tcp-pool", lb=tcp, protocol="TCP", port=443)
    unhealthy_alarm(aws, "pool-unhealthy", pool, web, [ONCALL])
    unhealthy_alarm(aws, "tcp-unhealthy", tcp_pool, tcp, [ONCALL], namespace=NLB)
    got = by_id(run(aws, [UNHEALTHY]), UNHEALTHY)
    assert got[pool].status is Status.PASS
    assert got[pool].message == "target group 'pool': UnHealthyHostCount by 'pool-unhealthy'"
    assert got[pool].evidence["metric_dimensions"] == [
        {"TargetGroup": metric_id(pool), "LoadBalancer": metric_id(web)}
    ]
    assert metric_id(pool).startswith("targetgroup/pool/")
    assert got[tcp_pool].status is Status.PASS


def test_an_nlb_groups_alarm_in_the_alb_namespace_fails(aws: boto3.Session, web: str) -> None:
    tcp = v2_load_balancer(aws, "tcp", "network", REGION)
    tcp_pool = target_group(aws, "tcp-pool", lb=tcp, protocol="TCP", port=443)
    unhealthy_alarm(aws, "tcp-unhealthy", tcp_pool, tcp, [ONCALL])  # AWS/ApplicationELB
    f = only(run(aws, [UNHEALTHY]), UNHEALTHY)
    assert f.status is Status.FAIL
    assert f.message == (
        "target group 'tcp-pool': no alarm on UnHealthyHostCount (alarm 'tcp-unhealthy' "
        "watches it in AWS/ApplicationELB: its load balancer publishes to AWS/NetworkELB)"
    )
    assert "--namespace AWS/NetworkELB" in f.remediation


def test_a_real_net_arn_gives_the_dimension(
    aws: boto3.Session, alarm_ext: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stubbed: AWS names an NLB `net/<name>/<id>` (moto says `app/`)."""
    region = "eu-west-1"
    prefix = f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT}"
    lb, tg = (
        f"{prefix}:loadbalancer/net/tcp/50dc6c495c0c9188",
        f"{prefix}:targetgroup/tcp/73e2d6bc24d8a067",
    )
    groups = {
        "TargetGroups": [
            {
                "TargetGroupName": "tcp",
                "TargetGroupArn": tg,
                "LoadBalancerArns": [lb],
                "HealthCheckEnabled": True,
            }
        ]
    }
    lbs = {"LoadBalancers": [{"LoadBalancerName": "tcp", "LoadBalancerArn": lb, "Type": "network"}]}
    stub_client(
        monkeypatch,
        "elbv2",
        [("describe_target_groups", groups), ("describe_load_balancers", lbs)],
        region=region,
    )
    sns = topic(aws, "oncall", region=region)
    alarm(
        aws,
        "tcp-unhealthy",
        NLB,
        "UnHealthyHostCount",
        {
            "TargetGroup": "targetgroup/tcp/73e2d6bc24d8a067",
            "LoadBalancer": "net/tcp/50dc6c495c0c9188",
        },
        actions=[sns],
        region=region,
    )
    f = only(run(aws, [UNHEALTHY], [region]), UNHEALTHY)
    assert f.status is Status.PASS, f.message
    assert f.resource_id == tg


@pytest.mark.parametrize(
    ("dims", "text"),
    [
        pytest.param(
            {"TargetGroup": "pool", "LoadBalancer": "LB"},
            "(LoadBalancer=LB, TargetGroup=pool)",
            id="name-not-suffix",
        ),
        pytest.param({"TargetGroup": "TG"}, "(TargetGroup=TG)", id="no-load-balancer"),
        pytest.param(
            {"TargetGroup": "TG", "LoadBalancer": "LB", "AvailabilityZone": "us-east-1a"},
            "AvailabilityZone=us-east-1a",
            id="one-zone",
        ),
    ],
)
def test_wrong_dimensions_are_near_misses(
    aws: boto3.Session, web: str, dims: dict[str, str], text: str
) -> None:
    pool = target_group(aws, "pool", lb=web)
    values = {"TG": metric_id(pool), "LB": metric_id(web)}
    real = {k: values.get(v, v) for k, v in dims.items()}
    alarm(aws, "near", ALB, "UnHealthyHostCount", real)
    f = only(run(aws, [UNHEALTHY]), UNHEALTHY)
    assert f.status is Status.FAIL
    shown = text.replace("TG", values["TG"]).replace("LB", values["LB"])
    assert "alarm 'near' watches AWS/ApplicationELB UnHealthyHostCount" in f.message
    assert shown in f.message, f.message
    if "TargetGroup=pool" in shown:
        assert "puts the name in the TargetGroup dimension" in f.message


def test_another_groups_alarm_is_not_a_near_miss(aws: boto3.Session, web: str) -> None:
    pool, other = target_group(aws, "pool", lb=web), target_group(aws, "other", lb=web, port=81)
    unhealthy_alarm(aws, "other-unhealthy", other, web, [ONCALL])
    got = by_id(run(aws, [UNHEALTHY]), UNHEALTHY)
    assert got[other].status is Status.PASS
    assert got[pool].status is Status.FAIL and "other-unhealthy" not in got[pool].message


def test_detached_and_unchecked_groups_are_not_applicable(aws: boto3.Session, web: str) -> None:
    spare = target_group(aws, "spare")
    lam = target_group(aws, "fn", lb=web, port=81, TargetType="lambda", HealthCheckEnabled=False)
    got = by_id(run(aws, [UNHEALTHY]), UNHEALTHY)
    assert got[spare].status is Status.NOT_APPLICABLE
    assert "attached to no load balancer" in got[spare].message
    assert got[lam].status is Status.NOT_APPLICABLE
    assert "health checks turned off (target type lambda)" in got[lam].message


def test_no_target_group_is_not_applicable(aws: boto3.Session, web: str) -> None:
    f = only(run(aws, [UNHEALTHY]), UNHEALTHY)
    assert f.status is Status.NOT_APPLICABLE and f.message == f"no target groups in {REGION}"


@pytest.mark.parametrize(
    ("op", "action", "per_group"),
    [
        ("DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroups", False),
        ("DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers", True),
        ("DescribeAlarms", "cloudwatch:DescribeAlarms", True),
    ],
)
def test_each_read_denied_is_unknown(
    aws: boto3.Session,
    web: str,
    monkeypatch: pytest.MonkeyPatch,
    op: str,
    action: str,
    per_group: bool,
) -> None:
    pool = target_group(aws, "pool", lb=web)
    unhealthy_alarm(aws, "pool-unhealthy", pool, web, [ONCALL])
    spare = target_group(aws, "spare")
    got = by_id(denied(aws, monkeypatch, UNHEALTHY, op), UNHEALTHY)
    f = got[pool] if per_group else got[REGION]
    assert f.status is Status.UNKNOWN and f.evidence["error"]["action"] == action
    if per_group:  # a group attached to nothing needs neither read
        assert got[spare].status is Status.NOT_APPLICABLE
