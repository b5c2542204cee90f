"""The demo account's CloudFront, WAF, Route 53: a good and a bad case per check.

cloudfront.access_logs (global): `shop-cdn` writes standard logs (legacy) to S3 (PASS);
`media-cdn` uses standard logging v2 only, a CloudWatch Logs delivery to a log group, with
legacy logging off (PASS: the case scanners that read only `Logging` get wrong);
`api-cdn` has real-time logs on its default cache behavior but not on `/admin/*` (FAIL
naming it); `admin-cdn` logs nothing (FAIL).

wafv2.logging: regional web ACL `shop-waf` in us-east-1 logs to a log group (PASS);
`admin-waf` does not (FAIL); CloudFront web ACL `cdn-waf` logs (PASS, region global).

route53.query_logging (global): public zone `shop.example.com` logs queries to a log
group in us-east-1 (PASS); public `admin.example.com` does not (FAIL); private
`corp.internal` is NOT_APPLICABLE (Resolver query logging's business).

moto serves every read but WAF's ListLoggingConfigurations by scope, patched in
awsobs/demo/moto_edge.py. The helpers are shared with tests/seeds/edge_seed.py.
"""

from __future__ import annotations

from typing import Any

import boto3

from awsobs.demo.moto_edge import install_edge_extension

GLOBAL = "us-east-1"  # where CloudFront, Route 53 and CloudFront-scope WAF are called
_CACHE_POLICY = "658327ea-f89d-4fab-a63d-7e88639e58f6"  # AWS managed CachingOptimized
_VISIBILITY = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True}


def _behavior(realtime: str = "", path: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {
        "TargetOriginId": "origin",
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": _CACHE_POLICY,
    }
    if realtime:
        b["RealtimeLogConfigArn"] = realtime
    if path is not None:
        b["PathPattern"] = path
    return b


def distribution(
    session: boto3.Session,
    name: str,
    *,
    legacy_bucket: str = "",
    realtime: str = "",
    other_paths: tuple[str, ...] = (),
    realtime_everywhere: bool = False,
) -> tuple[str, str]:
    """A distribution (comment `name`) in front of `<name>.example.com`; (id, ARN).
    `realtime` is attached to the default behavior, and to `other_paths` too when
    `realtime_everywhere`."""
    config: dict[str, Any] = {
        "CallerReference": name,
        "Comment": name,
        "Enabled": True,
        "Origins": {
            "Quantity": 1,
            "Items": [
                {
                    "Id": "origin",
                    "DomainName": f"{name}.example.com",
                    "CustomOriginConfig": {
                        "HTTPPort": 80,
                        "HTTPSPort": 443,
                        "OriginProtocolPolicy": "https-only",
                    },
                }
            ],
        },
        "DefaultCacheBehavior": _behavior(realtime),
    }
    if other_paths:
        paths = [_behavior(realtime if realtime_everywhere else "", p) for p in other_paths]
        config["CacheBehaviors"] = {"Quantity": len(paths), "Items": paths}
    if legacy_bucket:
        config["Logging"] = {
            "Enabled": True,
            "IncludeCookies": False,
            "Bucket": f"{legacy_bucket}.s3.amazonaws.com",
            "Prefix": f"{name}/",
        }
    made = session.client("cloudfront").create_distribution(DistributionConfig=config)
    return str(made["Distribution"]["Id"]), str(made["Distribution"]["ARN"])


def log_group(session: boto3.Session, name: str, region: str = GLOBAL) -> str:
    """A log group kept 90 days; its ARN without the `:*` suffix."""
    logs = session.client("logs", region_name=region)
    logs.create_log_group(logGroupName=name)
    logs.put_retention_policy(logGroupName=name, retentionInDays=90)
    found = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    arn = next(g["arn"] for g in found if g["logGroupName"] == name)
    return str(arn).removesuffix(":*")


def v2_delivery(session: boto3.Session, dist_arn: str, name: str, group_arn: str) -> None:
    """Standard logging v2: delivery source `name` for the distribution, delivered to the
    log group `group_arn` (all in us-east-1, where CloudFront's deliveries live)."""
    logs = session.client("logs", region_name=GLOBAL)
    logs.put_delivery_source(name=name, resourceArn=dist_arn, logType="ACCESS_LOGS")
    dest = logs.put_delivery_destination(
        name=f"{name}-dest",
        deliveryDestinationConfiguration={"destinationResourceArn": group_arn},
    )["deliveryDestination"]["arn"]
    logs.create_delivery(deliverySourceName=name, deliveryDestinationArn=dest)


def web_acl(session: boto3.Session, name: str, scope: str, region: str = GLOBAL) -> str:
    """A web ACL that allows everything; its ARN (CLOUDFRONT scope: call in us-east-1)."""
    made = session.client("wafv2", region_name=region).create_web_acl(
        Name=name,
        Scope=scope,
        DefaultAction={"Allow": {}},
        VisibilityConfig={**_VISIBILITY, "MetricName": name},
    )
    return str(made["Summary"]["ARN"])


def waf_logging(session: boto3.Session, acl_arn: str, region: str = GLOBAL) -> str:
    """Log the web ACL to a new log group `aws-waf-logs-<name>`; the group's ARN."""
    name = acl_arn.split("/")[-2]
    group = log_group(session, f"aws-waf-logs-{name}", region)
    session.client("wafv2", region_name=region).put_logging_configuration(
        LoggingConfiguration={"ResourceArn": acl_arn, "LogDestinationConfigs": [group]}
    )
    return group


def hosted_zone(session: boto3.Session, name: str, *, private: bool = False) -> str:
    """A hosted zone (a private one in us-east-1's default VPC); its id (`Z...`)."""
    extra: dict[str, Any] = {}
    if private:
        ec2 = session.client("ec2", region_name=GLOBAL)
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
        extra = {
            "HostedZoneConfig": {"PrivateZone": True},
            "VPC": {"VPCRegion": GLOBAL, "VPCId": vpc["VpcId"]},
        }
    made = session.client("route53").create_hosted_zone(Name=name, CallerReference=name, **extra)
    return str(made["HostedZone"]["Id"]).rsplit("/", 1)[-1]


def query_logging(session: boto3.Session, zone: str, name: str) -> None:
    """Log the zone's DNS queries to `/aws/route53/<name>` in us-east-1."""
    group = log_group(session, f"/aws/route53/{name}")
    session.client("route53").create_query_logging_config(
        HostedZoneId=zone, CloudWatchLogsLogGroupArn=f"{group}:*"
    )


def seed_edge(session: boto3.Session) -> None:
    """Create the demo's CloudFront, WAF, Route 53 resources."""
    install_edge_extension()
    distribution(session, "shop-cdn", legacy_bucket="shop-cdn-logs")
    _, media = distribution(session, "media-cdn")
    v2_delivery(session, media, "media-cdn-access", log_group(session, "/aws/cloudfront/media"))
    realtime = "arn:aws:cloudfront::123456789012:realtime-log-config/api-realtime"
    distribution(session, "api-cdn", realtime=realtime, other_paths=("/admin/*",))
    distribution(session, "admin-cdn")
    waf_logging(session, web_acl(session, "shop-waf", "REGIONAL"))
    web_acl(session, "admin-waf", "REGIONAL")
    waf_logging(session, web_acl(session, "cdn-waf", "CLOUDFRONT"))
    query_logging(session, hosted_zone(session, "shop.example.com"), "shop.example.com")
    hosted_zone(session, "admin.example.com")
    hosted_zone(session, "corp.internal", private=True)
