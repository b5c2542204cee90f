"""What a scan should send, from the seeded Manifests, and requests per resource type."""

from __future__ import annotations

from collections import Counter
from typing import Any

from seeder import Manifest


def expected_calls(m: Manifest, regions: list[str]) -> dict[str, int]:
    """What a scan of `regions` needs: one listing per region and one read per trail/bucket."""
    trails = [t for t in m.trails.values() if t[1] or t[0] in regions]

    def pages(counts: dict[str, int], size: int) -> int:
        return sum(max(1, -(-counts.get(r, 0) // size)) for r in regions)

    # the execution-log role is read where REST APIs are (HTTP APIs have no such role)
    apigw_regions = [r for r in regions if m.rest_apis.get(r)]
    groups = [g for g in m.log_destinations if g.split(":")[3] in regions]
    ec2_regions = [r for r in regions if m.instances.get(r)]
    silent = sum(m.silent_instances.get(r, 0) for r in regions)
    return {
        "ec2:DescribeInstances": len(regions),
        # the agent's namespace once per region with instances, and each alarmed metric
        "cloudwatch:ListMetrics": len(ec2_regions)
        + sum(len(m.alarm_metrics.get(r, ())) for r in regions)
        # at most: ECS Container Insights' and S3 request metrics' RecentlyActive listings
        + 2 * len(regions),
        "ssm:DescribeInstanceInformation": len(ec2_regions),
        "ssm:ListAssociations": len([r for r in regions if m.silent_instances.get(r)]),
        "ssm:ListInventoryEntries": silent,
        "iam:GetInstanceProfile": 1 if ec2_regions else 0,
        "iam:ListAttachedRolePolicies": 1 if ec2_regions else 0,
        "iam:ListRolePolicies": 1 if ec2_regions else 0,
        "iam:GetRolePolicy": 1 if ec2_regions else 0,
        "apigateway:GetRestApis": len(regions),
        "apigatewayv2:GetApis": len(regions),
        "apigateway:GetStages": sum(m.rest_apis.get(r, 0) for r in regions),
        "apigatewayv2:GetStages": sum(m.v2_apis.get(r, 0) for r in regions),
        "apigateway:GetAccount": len(apigw_regions),
        # the execution-log role, and the RDS Enhanced Monitoring role (one for all instances)
        "iam:GetRole": (1 if apigw_regions else 0)
        + (1 if any(m.db_instances.get(r) for r in regions) else 0),
        # one full listing per region (retention checks) plus a prefix read per API
        # Gateway access-log destination (the delivery checks)
        "logs:DescribeLogGroups": len(regions) + len(groups),
        "ec2:DescribeVpcs": len(regions),
        "ec2:DescribeFlowLogs": len(regions),
        "config:DescribeConfigurationRecorders": len(regions),
        "config:DescribeConfigurationRecorderStatus": len(regions),
        "config:DescribeDeliveryChannels": len(regions),
        "sts:GetCallerIdentity": 1,
        "ec2:DescribeRegions": 1,
        "cloudtrail:DescribeTrails": len(regions),
        "cloudtrail:GetTrailStatus": len(trails),
        "cloudtrail:GetEventSelectors": len(trails),
        "dynamodb:ListTables": pages(m.tables, 100),
        "lambda:ListFunctions": pages(m.functions, 50),
        "s3:ListBuckets": 1,
        # The S3 checks read every bucket (to tell log targets from buckets that serve
        # traffic); the alarm checks read all alarms once per region and each topic once.
        "s3:GetBucketLocation": len(m.buckets),
        "s3:GetBucketLogging": len(m.buckets),
        "s3:ListBucketMetricsConfigurations": len(m.app_buckets),
        "dynamodb:DescribeTable": sum(m.tables.get(r, 0) for r in regions),
        "cloudwatch:DescribeAlarms": sum(max(1, -(-m.alarms.get(r, 0) // 100)) for r in regions),
        "sns:ListSubscriptionsByTopic": len(m.topics & set(regions)),
        "logs:DescribeMetricFilters": len(m.metric_filter_groups & set(regions)),
        **stack_calls(m, regions),
        **delivery_bounds(m, regions),
    }


def delivery_bounds(m: Manifest, regions: list[str]) -> dict[str, int]:
    """The delivery checks (issue 20): at most one read per destination, so these are
    upper bounds, not exact counts (a destination that a failing configuration check
    already rules out is not read): one newest-stream read per CloudWatch Logs group a
    resource writes to, one or two key listings (today's date prefix, then yesterday's
    when today's is empty) per S3 log destination, one trace read per traced resource, and
    the traffic gate once per region and metric namespace (10 namespaces at most)."""

    def n(counts: dict[str, int]) -> int:
        return sum(counts.get(r, 0) for r in regions)

    groups = [g for g in m.log_destinations if g.split(":")[3] in regions]
    return {
        # access-log groups, function groups, state machines, RDS exports (2 types at most)
        "logs:DescribeLogStreams": len(groups)
        + n(m.functions)
        + n(m.state_machines)
        + 3 * n(m.db_instances),
        # load balancers (by day: up to 2), logged buckets, distributions, trails' buckets
        "s3:ListObjectsV2": 2 * n(m.load_balancers) + len(m.buckets) + m.distributions,
        "xray:GetTraceSummaries": n(m.functions) + n(m.rest_apis) + n(m.state_machines),
        "cloudwatch:GetMetricData": 10 * len(regions),
    }


def stack_calls(m: Manifest, regions: list[str]) -> dict[str, int]:
    """Load balancers, ECS, RDS and Step Functions: a listing per region (of each ELB
    API) and one detail read per resource. An ALB's log bucket is one S3 already reads,
    so it adds no GetBucketLocation."""

    def n(counts: dict[str, int]) -> int:
        return sum(counts.get(r, 0) for r in regions)

    # one cluster with one service (and no running task) per copy: DescribeClusters and
    # the account default once per region that has clusters
    clusters = len([r for r in regions if m.ecs_services.get(r)])
    trails = [name for name, t in m.trails.items() if t[1] or t[0] in regions]
    buckets = {m.trails[name][2] for name in trails}
    return {
        "elbv2:DescribeLoadBalancers": len(regions),
        "elb:DescribeLoadBalancers": len(regions),
        "elbv2:DescribeLoadBalancerAttributes": n(m.load_balancers),
        "ecs:ListClusters": len(regions),
        "ecs:DescribeClusters": clusters,
        "ecs:ListAccountSettings": clusters,
        "ecs:ListServices": n(m.ecs_services),
        "ecs:DescribeServices": n(m.ecs_services),
        "ecs:ListTasks": n(m.ecs_services),
        "ecs:DescribeTaskDefinition": n(m.ecs_services),
        "eks:ListClusters": len(regions),
        "stepfunctions:ListStateMachines": len(regions),
        "stepfunctions:DescribeStateMachine": n(m.state_machines),
        # global: CloudFront and Route 53 listed once; WAF's CLOUDFRONT scope once more
        "cloudfront:ListDistributions": 1,
        "cloudfront:GetDistributionConfig": m.distributions,
        "logs:DescribeDeliverySources": 1 if m.distributions else 0,
        "route53:ListHostedZones": 1,
        "wafv2:ListWebACLs": len(regions) + 1,
        # Insights selectors of each logging trail; public-ness of each trail bucket
        "cloudtrail:GetInsightSelectors": len([t for t in trails if t not in m.stopped_trails]),
        "s3:GetBucketPolicyStatus": len(buckets),
        "s3:GetPublicAccessBlock": len(buckets),
        "s3:GetBucketAcl": len(buckets),
        "s3control:GetPublicAccessBlock": 1 if buckets else 0,
        # issue 15: target groups and queues listed per region; each queue's redrive
        # policy; each function's resource policy, and the invoke config of one that an
        # asynchronous service may invoke
        "elbv2:DescribeTargetGroups": len(regions),
        "sqs:ListQueues": len(regions),
        "sqs:GetQueueAttributes": n(m.queues),
        "lambda:GetPolicy": n(m.functions),
        "lambda:GetFunctionEventInvokeConfig": n(m.async_functions),
        "rds:DescribeDBInstances": len(regions),
        "rds:DescribeDBClusters": len(regions),
    }


def expected_total(manifests: dict[str, Manifest], regions: list[str]) -> dict[str, int]:
    """Summed over the scanned accounts."""
    total: Counter[str] = Counter()
    for m in manifests.values():
        total.update(expected_calls(m, regions))
    return dict(total)


# Operations sent once per resource of a type; every other operation is a listing sent
# once per region or account.
PER_RESOURCE: dict[str, tuple[str, ...]] = {
    "REST API": ("apigateway:GetStages",),
    "HTTP/WebSocket API": ("apigatewayv2:GetStages",),
    "DynamoDB table": ("dynamodb:DescribeTable",),
    "S3 bucket": (
        "s3:GetBucketLocation",
        "s3:GetBucketLogging",
        "s3:ListBucketMetricsConfigurations",
    ),
    "trail": (
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
        "cloudtrail:GetInsightSelectors",
    ),
    "trail bucket": ("s3:GetBucketPolicyStatus", "s3:GetPublicAccessBlock", "s3:GetBucketAcl"),
    "instance with a silent agent": ("ssm:ListInventoryEntries",),
    "alarmed metric": ("cloudwatch:ListMetrics",),
    "alarm topic": ("sns:ListSubscriptionsByTopic",),
    "load balancer": ("elbv2:DescribeLoadBalancerAttributes",),
    "ECS cluster with a service": (
        "ecs:ListServices",
        "ecs:DescribeServices",
        "ecs:ListTasks",
        "ecs:DescribeTaskDefinition",
    ),
    "state machine": ("stepfunctions:DescribeStateMachine",),
    "CloudFront distribution": ("cloudfront:GetDistributionConfig",),
    "SQS queue": ("sqs:GetQueueAttributes",),
    "Lambda function": ("lambda:GetPolicy", "lambda:GetFunctionEventInvokeConfig"),
}


def resource_counts(
    manifests: dict[str, Manifest], regions: list[str], accounts: int
) -> dict[str, int]:
    def in_regions(counts: dict[str, int]) -> int:
        return sum(n for r, n in counts.items() if r in regions)

    ms = list(manifests.values())
    return {
        "REST API": sum(in_regions(m.rest_apis) for m in ms),
        "HTTP/WebSocket API": sum(in_regions(m.v2_apis) for m in ms),
        "DynamoDB table": sum(in_regions(m.tables) for m in ms),
        "S3 bucket": sum(len(m.buckets) for m in ms),
        "trail": sum(len([t for t in m.trails.values() if t[1] or t[0] in regions]) for m in ms),
        "instance with a silent agent": sum(in_regions(m.silent_instances) for m in ms),
        "alarmed metric": sum(
            len(v) for m in ms for r, v in m.alarm_metrics.items() if r in regions
        ),
        "alarm topic": sum(len(m.topics & set(regions)) for m in ms),
        "trail bucket": sum(
            len({t[2] for t in m.trails.values() if t[1] or t[0] in regions}) for m in ms
        ),
        "load balancer": sum(in_regions(m.load_balancers) for m in ms),
        "ECS cluster with a service": sum(in_regions(m.ecs_services) for m in ms),
        "state machine": sum(in_regions(m.state_machines) for m in ms),
        "CloudFront distribution": sum(m.distributions for m in ms),
        "SQS queue": sum(in_regions(m.queues) for m in ms),
        "Lambda function": sum(in_regions(m.functions) for m in ms),
        "(account, region): listings": accounts * len(regions),
    }


def per_resource_type(
    by_operation: dict[str, int], manifests: dict[str, Manifest], regions: list[str], accounts: int
) -> list[dict[str, Any]]:
    """Requests by resource type: per-resource reads, and listings per (account, region)."""
    counts = resource_counts(manifests, regions, accounts)
    claimed = {op for ops in PER_RESOURCE.values() for op in ops}
    rows = []
    for kind, ops in [*PER_RESOURCE.items(), ("(account, region): listings", ())]:
        sent = {
            op: n for op, n in by_operation.items() if (op in ops if ops else op not in claimed)
        }
        requests = sum(sent.values())
        n = counts[kind]
        rows.append(
            {
                "type": kind,
                "resources": n,
                "requests": requests,
                "per_resource": requests / n if n else None,
                "operations": len(sent),
            }
        )
    return rows
