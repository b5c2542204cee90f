"""The demo account's alarms for issue 15 (lbcdn): a good and a bad case of each check.

elb.error_alarms, us-east-1: the Application Load Balancer `shop-web` has one metric-math
alarm on the sum of HTTPCode_ELB_5XX_Count and HTTPCode_Target_5XX_Count (PASS);
`admin-web` has an HTTPCode_ELB_5XX_Count alarm keyed by its name, not `app/<name>/<id>`,
and none on target 5XX (FAIL naming both).

elb.unhealthy_host_alarms, us-east-1: `shop-web-pool` (behind `shop-web`) and the Network
Load Balancer `shop-tls`'s group have UnHealthyHostCount alarms (PASS); `shop-tcp`'s group
has one, but in AWS/ApplicationELB, where a Network Load Balancer publishes nothing (FAIL);
`admin-web-pool` (behind `admin-web`) has none (FAIL); `spare-pool` is attached to no load
balancer (NOT_APPLICABLE).

cloudfront.error_alarms (global): `shop-cdn` has a 5xxErrorRate alarm in us-east-1 with
Region=Global (PASS); `media-cdn`'s alarm lacks Region=Global (FAIL, near miss); `api-cdn`'s
alarm is in eu-west-1, where CloudFront publishes nothing (FAIL naming it); `admin-cdn`
has none (FAIL).

The load balancers and distributions come from awsobs/demo/elb.py and edge.py; the
helpers here are shared with tests/seeds/lbcdn_alarm_seed.py and the unit tests. moto
serves every read these checks make (no patch needed).
"""

from __future__ import annotations

from typing import Any

import boto3

from awsobs.demo.alarms import metric_alarm, topic

REGION = "us-east-1"


def metric_id(arn: str) -> str:
    """A load balancer's or target group's CloudWatch dimension value (its ARN's end)."""
    return arn.split(":", 5)[-1].removeprefix("loadbalancer/")


def lb_arn(session: boto3.Session, name: str, region: str = REGION) -> str:
    elbv2 = session.client("elbv2", region_name=region)
    return str(elbv2.describe_load_balancers(Names=[name])["LoadBalancers"][0]["LoadBalancerArn"])


def target_group(
    session: boto3.Session,
    name: str,
    region: str = REGION,
    *,
    lb: str = "",
    port: int = 80,
    protocol: str = "HTTP",
    **extra: Any,
) -> str:
    """A target group in the default VPC, behind a listener of `lb` (an ARN) on `port`
    when given; its ARN."""
    ec2 = session.client("ec2", region_name=region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    elbv2 = session.client("elbv2", region_name=region)
    where: dict[str, Any] = {"Protocol": protocol, "Port": port, "VpcId": vpc["VpcId"]}
    if extra.get("TargetType") == "lambda":  # a Lambda target group has none of these
        where = {}
    made = elbv2.create_target_group(Name=name, **where, **extra)
    arn = str(made["TargetGroups"][0]["TargetGroupArn"])
    if lb:
        elbv2.create_listener(
            LoadBalancerArn=lb,
            Protocol=protocol,
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": arn}],
        )
    return arn


def group_of(session: boto3.Session, lb: str, region: str = REGION) -> str:
    """The ARN of the (first) target group attached to load balancer `lb`."""
    elbv2 = session.client("elbv2", region_name=region)
    return str(
        elbv2.describe_target_groups(LoadBalancerArn=lb)["TargetGroups"][0]["TargetGroupArn"]
    )


def sum_alarm(
    session: boto3.Session,
    region: str,
    name: str,
    namespace: str,
    metrics: list[tuple[str, dict[str, str]]],
    actions: list[str],
) -> None:
    """A metric-math alarm on the sum of `metrics` (name, dimensions)."""
    queries: list[dict[str, Any]] = [
        {
            "Id": f"m{i}",
            "ReturnData": False,
            "MetricStat": {
                "Metric": {
                    "Namespace": namespace,
                    "MetricName": metric,
                    "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
                },
                "Period": 300,
                "Stat": "Sum",
            },
        }
        for i, (metric, dims) in enumerate(metrics)
    ]
    queries.append(
        {"Id": "total", "Expression": " + ".join(q["Id"] for q in queries), "ReturnData": True}
    )
    session.client("cloudwatch", region_name=region).put_metric_alarm(
        AlarmName=name,
        Metrics=queries,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=actions,
    )


def unhealthy_alarm(
    session: boto3.Session, name: str, group: str, lb: str, actions: list[str], **kw: Any
) -> None:
    """UnHealthyHostCount of `group` behind `lb` (ARNs); namespace AWS/ApplicationELB
    unless `namespace` is given, region us-east-1 unless `region` is."""
    region = kw.pop("region", REGION)
    namespace = kw.pop("namespace", "AWS/ApplicationELB")
    dims = {"TargetGroup": metric_id(group), "LoadBalancer": metric_id(lb)}
    metric_alarm(session, region, name, namespace, "UnHealthyHostCount", dims, actions, **kw)


def distribution_ids(session: boto3.Session) -> dict[str, str]:
    """comment -> id of the account's distributions (the demo names them by comment)."""
    listed = session.client("cloudfront").list_distributions()["DistributionList"]
    return {str(d.get("Comment")): str(d["Id"]) for d in listed.get("Items") or ()}


def error_rate_alarm(
    session: boto3.Session,
    name: str,
    dist_id: str,
    actions: list[str],
    *,
    region: str = REGION,
    global_dim: bool = True,
) -> None:
    """5xxErrorRate of distribution `dist_id` (with Region=Global unless `global_dim` is
    False), created in `region`."""
    dims = {"DistributionId": dist_id, **({"Region": "Global"} if global_dim else {})}
    metric_alarm(session, region, name, "AWS/CloudFront", "5xxErrorRate", dims, actions)


def seed_alarms_lbcdn(session: boto3.Session) -> None:
    """Create the demo's lbcdn resources and alarms (see the module docstring)."""
    oncall = topic(session, "edge-oncall", REGION)
    web, admin = lb_arn(session, "shop-web"), lb_arn(session, "admin-web")
    sum_alarm(session, REGION, "shop-web-5xx", "AWS/ApplicationELB",
              [("HTTPCode_ELB_5XX_Count", {"LoadBalancer": metric_id(web)}),
               ("HTTPCode_Target_5XX_Count", {"LoadBalancer": metric_id(web)})],
              [oncall])  # fmt: skip
    metric_alarm(session, REGION, "admin-web-5xx", "AWS/ApplicationELB",
                 "HTTPCode_ELB_5XX_Count", {"LoadBalancer": "admin-web"}, [oncall])  # fmt: skip
    target_group(session, "admin-web-pool", lb=admin)  # no alarm: FAIL
    pool = target_group(session, "shop-web-pool", lb=web)
    unhealthy_alarm(session, "shop-web-pool-unhealthy", pool, web, [oncall])
    tls, tcp = lb_arn(session, "shop-tls"), lb_arn(session, "shop-tcp")
    unhealthy_alarm(session, "shop-tls-unhealthy", group_of(session, tls), tls, [oncall],
                    namespace="AWS/NetworkELB")  # fmt: skip
    unhealthy_alarm(session, "shop-tcp-unhealthy", group_of(session, tcp), tcp, [oncall])
    target_group(session, "spare-pool")
    ids = distribution_ids(session)
    error_rate_alarm(session, "shop-cdn-5xx", ids["shop-cdn"], [oncall])
    error_rate_alarm(session, "media-cdn-5xx", ids["media-cdn"], [oncall], global_dim=False)
    eu = topic(session, "edge-oncall", "eu-west-1")
    error_rate_alarm(session, "api-cdn-5xx", ids["api-cdn"], [eu], region="eu-west-1")
