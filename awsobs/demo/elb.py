"""The demo account's load balancers: a good and a bad case of each of their checks.

elb.access_logs, in us-east-1: the Application Load Balancer `shop-web` writes access
logs to `shop-elb-logs` (PASS); `admin-web` writes none (FAIL); the Network Load Balancer
`shop-tls` has a TLS listener and writes to `old-elb-logs`, a bucket deleted since (FAIL
naming it); `shop-tcp` has only a TCP listener, so no access logs to write (N/A); the
Classic Load Balancer `legacy` writes none (FAIL). moto serves every read these need.

The helpers are shared with the tests' seeds (tests/seeds/elb_seed.py).
"""

from __future__ import annotations

from typing import Any

import boto3

DEMO_REGION = "us-east-1"


def subnets(session: boto3.Session, region: str) -> list[str]:
    """Two subnets of the default VPC (moto creates one per availability zone)."""
    ec2 = session.client("ec2", region_name=region)
    found = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
    return sorted(s["SubnetId"] for s in found["Subnets"])[:2]


def v2_load_balancer(session: boto3.Session, name: str, kind: str, region: str) -> str:
    """An Application, Network or Gateway Load Balancer in the default VPC; its ARN."""
    where = subnets(session, region)
    if kind == "gateway":
        where = where[:1]
    elbv2 = session.client("elbv2", region_name=region)
    made = elbv2.create_load_balancer(Name=name, Subnets=where, Type=kind)
    return str(made["LoadBalancers"][0]["LoadBalancerArn"])


def listener(
    session: boto3.Session, lb_arn: str, protocol: str, region: str, port: int = 443
) -> None:
    """A listener on `port` forwarding to a new target group; TLS gets an ACM certificate."""
    ec2 = session.client("ec2", region_name=region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    elbv2 = session.client("elbv2", region_name=region)
    name = f"{lb_arn.rsplit('/', 2)[-2][:24]}-{port}"
    group = elbv2.create_target_group(Name=name, Protocol="TCP", Port=443, VpcId=vpc["VpcId"])
    extra: dict[str, Any] = {}
    if protocol == "TLS":
        acm = session.client("acm", region_name=region)
        cert = acm.request_certificate(DomainName=f"{name}.example.com")["CertificateArn"]
        extra["Certificates"] = [{"CertificateArn": cert}]
    elbv2.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol=protocol,
        Port=port,
        DefaultActions=[
            {"Type": "forward", "TargetGroupArn": group["TargetGroups"][0]["TargetGroupArn"]}
        ],
        **extra,
    )


def v2_access_logs(
    session: boto3.Session, lb_arn: str, bucket: str, region: str, prefix: str = ""
) -> None:
    """Turn on access logs of an Application or Network Load Balancer."""
    session.client("elbv2", region_name=region).modify_load_balancer_attributes(
        LoadBalancerArn=lb_arn,
        Attributes=[
            {"Key": "access_logs.s3.enabled", "Value": "true"},
            {"Key": "access_logs.s3.bucket", "Value": bucket},
            {"Key": "access_logs.s3.prefix", "Value": prefix},
        ],
    )


def classic_load_balancer(session: boto3.Session, name: str, region: str) -> None:
    """A Classic Load Balancer with one HTTP listener."""
    session.client("elb", region_name=region).create_load_balancer(
        LoadBalancerName=name,
        Listeners=[{"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": 80}],
        AvailabilityZones=[f"{region}a"],
    )


def classic_access_logs(
    session: boto3.Session, name: str, bucket: str, region: str, prefix: str = ""
) -> None:
    """Turn on access logs of a Classic Load Balancer."""
    log: dict[str, Any] = {"Enabled": True, "S3BucketName": bucket, "EmitInterval": 5}
    if prefix:
        log["S3BucketPrefix"] = prefix
    session.client("elb", region_name=region).modify_load_balancer_attributes(
        LoadBalancerName=name, LoadBalancerAttributes={"AccessLog": log}
    )


def log_bucket(session: boto3.Session, name: str, region: str) -> None:
    """A bucket in `region` for access logs."""
    s3 = session.client("s3", region_name=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        where: Any = {"LocationConstraint": region}
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=where)


def seed_elb(session: boto3.Session) -> None:
    """Create the demo's load balancers (see the module docstring)."""
    region = DEMO_REGION
    log_bucket(session, "shop-elb-logs", region)
    web = v2_load_balancer(session, "shop-web", "application", region)
    v2_access_logs(session, web, "shop-elb-logs", region, prefix="shop-web")
    v2_load_balancer(session, "admin-web", "application", region)
    tls = v2_load_balancer(session, "shop-tls", "network", region)
    listener(session, tls, "TLS", region)
    log_bucket(session, "old-elb-logs", region)
    v2_access_logs(session, tls, "old-elb-logs", region)
    session.client("s3", region_name=region).delete_bucket(Bucket="old-elb-logs")
    tcp = v2_load_balancer(session, "shop-tcp", "network", region)
    listener(session, tcp, "TCP", region)
    classic_load_balancer(session, "legacy", region)
