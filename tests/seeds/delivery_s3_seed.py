"""Seed delivery to S3 destinations in moto (issue 20, WP3): every read of
`elb.access_logs_delivered` happens, with no UNKNOWN.

moto delivers no log file: a delivery is a PutObject of a key named as AWS names it, moved
into the past with `set_key_last_modified` (awsobs/demo/moto_delivery.py); traffic is
PutMetricData in the service's namespace (moto accepts `AWS/...`).

On top of `seed_every_elb_read` (run first): `seed-web` (ALB) has a fresh file (PASS);
`seed-classic` has no file and served requests (FAIL, so GetMetricData is sent);
`seed-tls` has no file and served nothing (NOT_APPLICABLE). On top of
`seed_every_edge_read`: `seed-legacy` (CloudFront, legacy logging to `seed-cdn-logs`,
created here) has no file and served requests (FAIL). On top of
`seed_every_vpc_s3_read`: `seed-sal-fresh` logs a fresh file (PASS), `seed-sal-busy`
has request metrics, requests and no file (FAIL: moto delivers server access logs itself,
on every request, so its delivery is silenced for that bucket).
"""

from __future__ import annotations

import datetime as dt

import boto3
from elb_seed import SEED_BUCKET
from helpers import bucket
from logging_seed import access_logs

from awsobs.demo.moto_delivery import set_key_last_modified, silence_server_access_logs
from awsobs.demo.moto_ext import install_s3_metrics_extension

CDN_BUCKET = "seed-cdn-logs"  # edge_seed's legacy distribution logs there
SAL_TARGET = "access-logs-use1"  # logging_seed's target bucket in us-east-1


def account_of(session: boto3.Session) -> str:
    return str(session.client("sts").get_caller_identity()["Account"])


def put_key(session: boto3.Session, bucket: str, key: str, when: dt.datetime | None) -> None:
    """An empty object `key`, last modified `when` (None: now, as moto stamps it)."""
    session.client("s3").put_object(Bucket=bucket, Key=key, Body=b"")
    if when is not None:
        set_key_last_modified(account_of(session), bucket, key, when)


def elb_file_id(arn_or_name: str) -> str:
    """The load balancer's id in its log file names: `app.<name>.<id>` (from the ARN's
    `loadbalancer/app/<name>/<id>`), or a Classic Load Balancer's name."""
    if ":loadbalancer/" not in arn_or_name:
        return arn_or_name
    return arn_or_name.split(":loadbalancer/", 1)[1].replace("/", ".")


def elb_log_key(
    account: str, region: str, arn_or_name: str, when: dt.datetime, prefix: str = ""
) -> str:
    """The key ELB writes for a file whose interval ends at `when`."""
    head = f"{prefix.strip('/')}/" if prefix.strip("/") else ""
    return (
        f"{head}AWSLogs/{account}/elasticloadbalancing/{region}/{when:%Y/%m/%d}/"
        f"{account}_elasticloadbalancing_{region}_{elb_file_id(arn_or_name)}_"
        f"{when:%Y%m%dT%H%M}Z_10.0.0.1_5d3b7c2a.log.gz"
    )


def put_elb_log(
    session: boto3.Session,
    bucket: str,
    arn_or_name: str,
    *,
    prefix: str = "",
    when: dt.datetime | None = None,
    region: str = "us-east-1",
) -> str:
    """A delivered access-log file of the load balancer (now, or at `when`); its key."""
    at = when or dt.datetime.now(dt.UTC)
    key = elb_log_key(account_of(session), region, arn_or_name, at, prefix)
    put_key(session, bucket, key, when)
    return key


def put_cloudfront_log(
    session: boto3.Session,
    bucket: str,
    prefix: str,
    distribution_id: str,
    when: dt.datetime | None = None,
) -> str:
    """A delivered standard (legacy) log file of the distribution's requests in the hour
    of `when` (default now), last modified then; its key."""
    at = when or dt.datetime.now(dt.UTC)
    key = f"{prefix}{distribution_id}.{at:%Y-%m-%d-%H}.a1b2c3d4.gz"
    put_key(session, bucket, key, when)
    return key


def sal_log_key(prefix: str, when: dt.datetime, *, partition: str = "") -> str:
    """The key of a server access log file delivered at `when`: simple
    (`<prefix>YYYY-MM-DD-hh-mm-ss-<unique>`), or under `partition` (`<account>/<region>/
    <bucket>/`) dated by EventTime (the day's directory, the time 00-00-00)."""
    if partition:
        return f"{prefix}{partition}{when:%Y/%m/%d}/{when:%Y-%m-%d}-00-00-00-0A1B2C3D4E5F"
    return f"{prefix}{when:%Y-%m-%d-%H-%M-%S}-0A1B2C3D4E5F"


def request_metrics(session: boto3.Session, bucket: str, config_id: str = "EntireBucket") -> None:
    """A request-metrics configuration of the whole bucket (S3 then publishes AllRequests).
    moto keeps none without awsobs/demo/moto_ext.py's extension (the `alarm_ext` fixture
    resets it between tests)."""
    install_s3_metrics_extension()
    session.client("s3").put_bucket_metrics_configuration(
        Bucket=bucket, Id=config_id, MetricsConfiguration={"Id": config_id}
    )


def put_traffic(
    session: boto3.Session,
    namespace: str,
    metric: str,
    dimensions: dict[str, str],
    value: float = 100.0,
    ago: dt.timedelta = dt.timedelta(hours=6),  # before every pipeline's delivery delay
    region: str = "us-east-1",
) -> None:
    """`value` of `metric` at now minus `ago` (what the service would have published)."""
    datum = {
        "MetricName": metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
        "Value": value,
        "Timestamp": dt.datetime.now(dt.UTC) - ago,
    }
    session.client("cloudwatch", region_name=region).put_metric_data(
        Namespace=namespace, MetricData=[datum]
    )


def _v2_arn(session: boto3.Session, name: str) -> str:
    found = session.client("elbv2").describe_load_balancers(Names=[name])
    return str(found["LoadBalancers"][0]["LoadBalancerArn"])


def _distribution_id(session: boto3.Session, comment: str) -> str:
    listed = session.client("cloudfront").list_distributions()["DistributionList"]
    return next(str(d["Id"]) for d in listed.get("Items", ()) if d.get("Comment") == comment)


def seed_elb_delivery(session: boto3.Session) -> None:
    """After `seed_every_elb_read`: seed-web fresh, seed-classic stale with traffic."""
    put_elb_log(session, SEED_BUCKET, _v2_arn(session, "seed-web"), prefix="web")
    put_traffic(session, "AWS/ELB", "RequestCount", {"LoadBalancerName": "seed-classic"})


def seed_cloudfront_delivery(session: boto3.Session) -> None:
    """After `seed_every_edge_read`: seed-legacy's bucket, no file, and requests."""
    s3 = session.client("s3")
    if CDN_BUCKET not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=CDN_BUCKET)
    legacy = _distribution_id(session, "seed-legacy")
    dims = {"DistributionId": legacy, "Region": "Global"}
    put_traffic(session, "AWS/CloudFront", "Requests", dims)


def seed_sal_delivery(session: boto3.Session) -> None:
    """Two new buckets logging into `access-logs-use1` (logging_seed's target):
    `seed-sal-fresh` with a fresh file (PASS), `seed-sal-busy` with request metrics,
    requests and no file (FAIL)."""
    silence_server_access_logs(account_of(session), "seed-sal-busy")  # moto would deliver
    for name in ("seed-sal-fresh", "seed-sal-busy"):
        bucket(session, name)
        access_logs(session, name, SAL_TARGET, f"{name}/")
    put_key(session, SAL_TARGET, sal_log_key("seed-sal-fresh/", dt.datetime.now(dt.UTC)), None)
    request_metrics(session, "seed-sal-busy")
    dims = {"BucketName": "seed-sal-busy", "FilterId": "EntireBucket"}
    put_traffic(session, "AWS/S3", "AllRequests", dims)


def seed_every_delivery_s3_read(session: boto3.Session) -> None:
    """The cases in the module docstring (after the ELB, edge and logging seeds)."""
    seed_elb_delivery(session)
    seed_cloudfront_delivery(session)
    seed_sal_delivery(session)
