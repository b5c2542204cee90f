"""Load balancer access logs: does each load balancer record who sent it what, and does
the record land somewhere that still exists?

Access logs are the only per-request record a load balancer keeps (client address,
request, TLS details, status, target): without them an incident at the edge of an
application cannot be traced back to its source. They are off by default on every kind.

Reads: two listings per region (elbv2 and classic DescribeLoadBalancers), then one
DescribeLoadBalancerAttributes per Application, Network (with a TLS listener) and Classic
Load Balancer, one DescribeListeners per Network Load Balancer, and one GetBucketLocation
per distinct target bucket.

Why GetBucketLocation for "the bucket exists": s3:ListAllMyBuckets is one call for the
account, but it lists only this account's buckets, and AWS lets a load balancer write to
a bucket of another account (a central log-archive account is common): a bucket missing
from the list may be deleted or simply foreign, so it could never be a FAIL. A per-bucket
GetBucketLocation tells the cases apart: NoSuchBucket means no account has the bucket (a
deleted bucket: FAIL, naming it); an answer gives its region (ELB delivers only to a
bucket in the load balancer's region); AccessDenied is what another account's bucket
answers, and also what a scanner without the permission gets, so it is UNKNOWN. S3's own
readers make the same request (same region, same parameters) for every bucket of the
account, so in a full scan the account's own log buckets cost no extra request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks.elb.readers import (
    APPLICATION,
    CLASSIC,
    DESCRIBE_ATTRIBUTES,
    DESCRIBE_LBS,
    DESCRIBE_LISTENERS,
    GATEWAY,
    GET_BUCKET_LOCATION,
    NETWORK,
    BucketState,
    LoadBalancer,
    LogConfig,
    bucket_state,
    classic_access_log,
    classic_load_balancers,
    listener_protocols,
    v2_attributes,
    v2_load_balancers,
    v2_log_config,
)
from awsobs.context import Context, error_evidence
from awsobs.model import Finding, Severity, Signal
from awsobs.registry import check

_LISTINGS = (
    ("Application, Network and Gateway Load Balancers", v2_load_balancers),
    ("Classic Load Balancers", classic_load_balancers),
)


@dataclass(frozen=True)
class _Enabled:
    """A load balancer whose access logs are on: the verdict waits for its bucket."""

    lb: LoadBalancer
    config: LogConfig
    evidence: dict[str, Any]


def _fix(lb: LoadBalancer, bucket: str = "<bucket>", prefix: str = "") -> str:
    """The command that turns access logs on for `lb`, writing to `bucket`."""
    if lb.kind == CLASSIC:
        log = f"Enabled=true,S3BucketName={bucket},EmitInterval=5"
        if prefix:
            log += f",S3BucketPrefix={prefix}"
        return (
            f"aws elb modify-load-balancer-attributes --region {lb.region} "
            f"--load-balancer-name {lb.name} --load-balancer-attributes 'AccessLog={{{log}}}'"
        )
    attrs = f"Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value={bucket}"
    if prefix:
        attrs += f" Key=access_logs.s3.prefix,Value={prefix}"
    return (
        f"aws elbv2 modify-load-balancer-attributes --region {lb.region} "
        f"--load-balancer-arn {lb.arn} --attributes {attrs}"
    )


def _new_bucket_fix(lb: LoadBalancer, why: str) -> str:
    return (
        f"{why}: point the load balancer at a bucket in {lb.region} whose bucket policy lets "
        f"Elastic Load Balancing write to it: {_fix(lb)}"
    )


def _listings(ctx: Context) -> tuple[list[LoadBalancer], Finding | None]:
    """The region's load balancers of both APIs, or the finding that stands in for the
    region: UNKNOWN when a listing failed (the other listing's load balancers are still
    judged), NOT_APPLICABLE when both were read and are empty."""
    found: list[LoadBalancer] = []
    failed: list[tuple[str, AwsError]] = []
    for noun, read in _LISTINGS:
        try:
            found.extend(read(ctx))
        except AwsError as err:
            failed.append((noun, err))
    if failed:
        first_noun, first_err = failed[0]
        also = "".join(f"; could not list {n} either: {e.describe()}" for n, e in failed[1:])
        gap = ctx.unknown_from(
            first_err,
            *ctx.region_resource(),
            f"could not list {first_noun}",
            evidence={
                "unlisted": [n for n, _ in failed],
                "errors": [error_evidence(e) for _, e in failed],
            },
        )
        if also:
            gap = ctx.unknown(
                gap.resource_type, gap.resource_id, gap.message + also, evidence=gap.evidence
            )
        return found, gap
    if not found:
        return [], ctx.not_applicable(*ctx.region_resource(), f"no load balancer in {ctx.region}")
    return found, None


def _settings(ctx: Context, lb: LoadBalancer) -> Finding | _Enabled:
    """The load balancer's verdict, or `_Enabled` when it hangs on the target bucket."""
    evidence = lb.evidence()
    rtype, arn = lb.resource_type, lb.arn
    if lb.kind == GATEWAY:
        return ctx.not_applicable(
            rtype,
            arn,
            f"{lb.label} has no access logs to write: Gateway Load Balancers forward packets "
            "to appliances without terminating connections, and ELB offers no access logs "
            "for them (VPC flow logs on the appliances' interfaces record that traffic)",
            evidence=evidence,
        )
    if lb.kind not in (APPLICATION, NETWORK, CLASSIC):
        return ctx.unknown(
            rtype,
            arn,
            f"{lb.label} is of a type awsobs does not know ({lb.kind}): whether it writes "
            "access logs is not judged",
            evidence=evidence,
        )
    if lb.kind == NETWORK:
        try:
            protocols = listener_protocols(ctx, lb)
        except AwsError as err:
            return ctx.unknown_from(
                err,
                rtype,
                arn,
                f"could not list the listeners of {lb.label} (only a TLS listener gives a "
                "Network Load Balancer access logs to write)",
                evidence=evidence,
            )
        evidence["listener_protocols"] = list(protocols)
        if "TLS" not in protocols:
            listed = ", ".join(sorted(set(protocols))) if protocols else "none"
            return ctx.not_applicable(
                rtype,
                arn,
                f"{lb.label} has no TLS listener (listener protocols: {listed}): a Network "
                "Load Balancer writes access logs only for TLS connections, so it has none "
                "to write",
                evidence=evidence,
            )
    try:
        if lb.kind == CLASSIC:
            config, raw = classic_access_log(ctx, lb)
            evidence["emit_interval_minutes"] = raw.get("EmitInterval")
        else:
            attrs = v2_attributes(ctx, lb)
            config = v2_log_config(attrs)
            if lb.kind == APPLICATION:  # evidence only: the control asks for access logs
                evidence["connection_logs"] = v2_log_config(attrs, "connection_logs").evidence()
                evidence["health_check_logs"] = v2_log_config(attrs, "health_check_logs").evidence()
    except AwsError as err:
        return ctx.unknown_from(
            err, rtype, arn, f"could not read the attributes of {lb.label}", evidence=evidence
        )
    evidence["access_logs"] = config.evidence()
    if not config.enabled:
        why = f" (bucket '{config.bucket}' is still configured)" if config.bucket else ""
        vended = (
            " (access logs sent through CloudWatch Logs vended delivery instead are not "
            "read by this check)"
            if lb.kind == NETWORK
            else ""
        )
        return ctx.failed(
            rtype,
            arn,
            f"{lb.label} does not write access logs to S3{why}: the requests it serves "
            f"leave no record{vended}",
            evidence=evidence,
            remediation=_fix(lb, config.bucket or "<bucket>", config.prefix),
        )
    if not config.bucket:
        return ctx.failed(
            rtype,
            arn,
            f"{lb.label} has access logs enabled but names no bucket, so none are written",
            evidence=evidence,
            remediation=_fix(lb),
        )
    return _Enabled(lb, config, evidence)


def _judge(ctx: Context, pending: _Enabled, state: BucketState) -> Finding:
    lb, config, evidence = pending.lb, pending.config, pending.evidence
    rtype, arn, bucket = lb.resource_type, lb.arn, config.bucket
    evidence["bucket_region"] = state.region
    if state.error is not None:
        return ctx.unknown_from(
            state.error,
            rtype,
            arn,
            f"{lb.label} writes access logs to bucket '{bucket}', but whether that bucket "
            "exists could not be read (a bucket owned by another account answers "
            "AccessDenied too)",
            evidence=evidence,
        )
    if state.missing:
        return ctx.failed(
            rtype,
            arn,
            f"{lb.label} writes access logs to bucket '{bucket}', which does not exist "
            "(NoSuchBucket): no access log is being delivered",
            evidence=evidence,
            remediation=_new_bucket_fix(lb, f"bucket '{bucket}' was deleted"),
        )
    if state.region != lb.region:
        return ctx.failed(
            rtype,
            arn,
            f"{lb.label} writes access logs to bucket '{bucket}', which is in "
            f"{state.region}: Elastic Load Balancing delivers only to a bucket in the load "
            f"balancer's own region ({lb.region})",
            evidence=evidence,
            remediation=_new_bucket_fix(lb, f"bucket '{bucket}' is in {state.region}"),
        )
    return ctx.passed(
        rtype, arn, f"{lb.label} writes access logs to {config.location}", evidence=evidence
    )


@check(
    id="elb.access_logs",
    title="Each load balancer writes access logs to an existing S3 bucket",
    severity=Severity.MEDIUM,
    signal=Signal.LOGS,
    resource_types=(
        "AWS::ElasticLoadBalancing::LoadBalancer",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
    ),
    permissions=[DESCRIBE_LBS, DESCRIBE_ATTRIBUTES, DESCRIBE_LISTENERS, GET_BUCKET_LOCATION],
    remediation="aws elbv2 modify-load-balancer-attributes --load-balancer-arn <arn> "
    "--attributes Key=access_logs.s3.enabled,Value=true Key=access_logs.s3.bucket,Value=<bucket>"
    " (Classic: aws elb modify-load-balancer-attributes --load-balancer-name <name> "
    "--load-balancer-attributes 'AccessLog={Enabled=true,S3BucketName=<bucket>,EmitInterval=5}')",
)
def access_logs(ctx: Context) -> Iterator[Finding]:
    """One finding per load balancer in the region, resource id its ARN (a Classic Load
    Balancer's is built as `arn:<partition>:elasticloadbalancing:<region>:<account>:
    loadbalancer/<name>`). Security Hub ELB.5 / Config `elb-logging-enabled` and
    `nlb-logging-enabled`; MEDIUM like ELB.5: the gap is in investigation (who sent what),
    not an exposure by itself.

    PASS when an Application or Network Load Balancer has `access_logs.s3.enabled` true
    (an absent attribute is AWS's default, false) or a Classic Load Balancer has
    `AccessLog.Enabled` true, the bucket it names (`access_logs.s3.bucket` /
    `AccessLog.S3BucketName`; the prefix is in the evidence) exists, and the bucket is in
    the load balancer's region. On an Application Load Balancer, connection logs
    (`connection_logs.s3.*`) and health check logs (`health_check_logs.s3.*`) are shown in
    the evidence and not required.

    FAIL when access logs are off, when they are on but name no bucket, when the bucket
    does not exist (GetBucketLocation answers NoSuchBucket: a bucket deleted after logging
    was set up; the message names it), or when the bucket is in another region. The fix
    names the load balancer and the `aws elbv2` / `aws elb modify-load-balancer-attributes`
    command.

    NOT_APPLICABLE for a Network Load Balancer without a TLS listener (AWS creates NLB
    access logs only for TLS listeners, so it has nothing to write; its attributes are not
    read), for a Gateway Load Balancer (no access logs exist for it), and for a region
    with no load balancer of either API.

    UNKNOWN, naming the failed read, when a listing fails (one finding for the region; the
    other API's load balancers are still judged), when a Network Load Balancer's listeners
    or any load balancer's attributes cannot be read, and when the bucket's existence
    cannot be read (AccessDenied is also how a bucket of another account answers, and ELB
    may write to one; such a bucket is never taken to exist or to be gone). A load
    balancer type awsobs does not know is UNKNOWN too.

    Not read: access logs a Network Load Balancer sends through CloudWatch Logs vended
    delivery (2025) instead of the `access_logs.s3` attribute, and the bucket policy that
    lets ELB write.
    """
    lbs, gap = _listings(ctx)
    if gap is not None:
        yield gap
    lbs.sort(key=lambda lb: (lb.kind, lb.name, lb.arn))
    settled = ctx.map(lambda lb: _settings(ctx, lb), lbs)
    buckets = sorted({s.config.bucket for s in settled if isinstance(s, _Enabled)})
    states = dict(zip(buckets, ctx.map(lambda b: bucket_state(ctx, b), buckets), strict=True))
    for verdict in settled:
        if isinstance(verdict, _Enabled):
            yield _judge(ctx, verdict, states[verdict.config.bucket])
        else:
            yield verdict
