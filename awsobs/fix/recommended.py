"""Alarm shapes for `awsobs fix`: statistic, period, datapoints and threshold per metric, from
CloudWatch's "Recommended alarms" (CloudWatch User Guide,
Best_Practice_Recommended_Alarms_AWS_Services.html), read on 2026-12-03.

An alarm written with AWS's numbers is one a reviewer can check against a page AWS keeps;
anything else has to say where it came from. So every row names its `source`:
"recommended" when the page has a row for the metric (statistic, period, datapoints to
alarm, evaluation periods, comparison and threshold are the page's), "awsobs" when it has
none and the shape is ours.

The page has no section for Elastic Load Balancing or Step Functions (its sections, as
read: API Gateway, EC2 Auto Scaling, ACM, CloudFront, Cognito, DynamoDB, EBS, EC2,
ElastiCache, ECS with and without Container Insights, EFS, EKS, EventBridge Scheduler,
Kinesis, Lambda, Lambda Insights, NAT gateway, PrivateLink, RDS, Route 53, S3, S3 Object
Lambda, SNS, SQS, Site-to-Site VPN): those rows are awsobs's.

`threshold` is the page's fixed number, or None where the page says "Depends on your
situation"; on an awsobs row it is a number only where the metric's meaning fixes it (a
failed status check is 1), else None. `default` is what awsobs writes either way: for None
a conservative starting value that `why` explains and says what to tune it to.

The page gives no TreatMissingData. awsobs uses `breaching` where silence is the failure:
metrics published every period while the resource lives (cloudwatch.missing_data's
heartbeats, which plan.py forces to breaching anyway) and alarms on a value going low;
`notBreaching` on metrics published only when traffic or failures happen; `ignore` on
AWS/DynamoDB, whose alarms ignore missing data whatever they say (PutMetricAlarm API
reference); `missing` (the API's default) where silence tells nothing.

One row uses a percentile (CloudFront OriginLatency, p90): CloudWatch takes a percentile
in ExtendedStatistic, not Statistic.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """How to alarm on one metric: the fields of PutMetricAlarm, and where they come from."""

    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    comparison: str
    threshold: float | None  # AWS's fixed number (or awsobs's, on an awsobs row); None: depends
    default: float  # the threshold awsobs writes
    treat_missing_data: str
    source: str  # "recommended" (the page has the row) or "awsobs"
    why: str


GT = "GreaterThanThreshold"
GE = "GreaterThanOrEqualToThreshold"
LT = "LessThanThreshold"
LE = "LessThanOrEqualToThreshold"

BREACHING = "breaching"
NOT_BREACHING = "notBreaching"
IGNORE = "ignore"
MISSING = "missing"

GIB = 2.0**30
TIB = 2.0**40

AWS = "recommended"
AWSOBS = "awsobs"


def _row(
    statistic: str,
    period: int,
    evaluation_periods: int,
    datapoints: int,
    comparison: str,
    threshold: float | None,
    treat_missing_data: str,
    why: str,
    *,
    default: float | None = None,
    source: str = AWS,
) -> Shape:
    """One row; `default` is given only where the threshold depends on the workload."""
    value = threshold if default is None else default
    if value is None:
        raise ValueError(f"no threshold to write: {why}")
    return Shape(
        statistic,
        period,
        evaluation_periods,
        datapoints,
        comparison,
        threshold,
        value,
        treat_missing_data,
        source,
        why,
    )


RECOMMENDED: dict[tuple[str, str], Shape] = {
    # -- Amazon API Gateway: REST (ApiName, Stage) and HTTP (ApiId, Stage) rows; Average of
    # a 0/1 per request is the error rate. Published only when requests arrive.
    ("AWS/ApiGateway", "5XXError"): _row(
        "Average", 60, 3, 3, GT, 0.05, NOT_BREACHING,
        "High rates of server-side errors for the REST API's requests: more than 5% of "
        "requests answered 5XX.",
    ),
    ("AWS/ApiGateway", "4XXError"): _row(
        "Average", 60, 5, 5, GT, 0.05, NOT_BREACHING,
        "High rates of client-side errors for the REST API's requests: more than 5% of "
        "requests answered 4XX (throttled requests count, as 429s).",
    ),
    ("AWS/ApiGateway", "5xx"): _row(
        "Average", 60, 3, 3, GT, 0.05, NOT_BREACHING,
        "High rates of server-side errors for the HTTP API's requests: more than 5% of "
        "requests answered 5xx.",
    ),
    ("AWS/ApiGateway", "4xx"): _row(
        "Average", 60, 5, 5, GT, 0.05, NOT_BREACHING,
        "High rates of client-side errors for the HTTP API's requests: more than 5% of "
        "requests answered 4xx.",
    ),
    # -- Amazon CloudFront (DistributionId, Region=Global; us-east-1 only). 5xxErrorRate is
    # a percentage (0-100); OriginLatency is in milliseconds.
    ("AWS/CloudFront", "5xxErrorRate"): _row(
        "Average", 60, 5, 5, GT, None, NOT_BREACHING,
        "Problems serving requests from the origin; AWS says above 0, tuned to your "
        "tolerance for 5xx responses (awsobs starts at 5% of requests).",
        default=5.0,
    ),
    ("AWS/CloudFront", "OriginLatency"): _row(
        "p90", 60, 5, 5, GT, None, NOT_BREACHING,
        "The origin taking too long to respond; set it to about 80% of the origin response "
        "timeout (awsobs: 24,000 ms, 80% of the default 30 s).",
        default=24_000.0,
    ),
    # -- Amazon DynamoDB (TableName, or TableName and GlobalSecondaryIndexName: the same
    # rows). Alarms on AWS/DynamoDB ignore missing data whatever they say.
    ("AWS/DynamoDB", "ReadThrottleEvents"): _row(
        "Sum", 60, 5, 5, GT, None, IGNORE,
        "Sustained throttling of read requests; awsobs starts at 0 (throttling in 5 minutes "
        "in a row), raise it above the table's usual throttling.",
        default=0.0,
    ),
    ("AWS/DynamoDB", "WriteThrottleEvents"): _row(
        "Sum", 60, 5, 5, GT, None, IGNORE,
        "Sustained throttling of write requests; awsobs starts at 0 (throttling in 5 minutes "
        "in a row), raise it above the table's usual throttling.",
        default=0.0,
    ),
    ("AWS/DynamoDB", "SystemErrors"): _row(
        "Sum", 60, 15, 15, GT, None, IGNORE,
        "Sustained system errors (DynamoDB's own 5xx) for the table's requests; awsobs "
        "starts at 0 (errors in 15 minutes in a row), raise it to what retries absorb.",
        default=0.0,
    ),
    ("AWS/DynamoDB", "ThrottledRequests"): _row(
        "Sum", 60, 5, 5, GT, None, IGNORE,
        "Not on AWS's list (its throttling rows are Read/WriteThrottleEvents), shaped like "
        "them: throttled requests in 5 minutes in a row; raise it above the usual level.",
        default=0.0,
        source=AWSOBS,
    ),
    # -- Amazon EC2 (InstanceId; awsobs also accepts AutoScalingGroupName). A status check
    # metric is published every period while the instance runs.
    ("AWS/EC2", "StatusCheckFailed"): _row(
        "Maximum", 300, 2, 2, GE, 1.0, BREACHING,
        "Instance and system status check failures: the metric is 1 when a check fails.",
    ),
    ("AWS/EC2", "StatusCheckFailed_System"): _row(
        "Maximum", 300, 2, 2, GE, 1.0, BREACHING,
        "Not on AWS's list (it recommends StatusCheckFailed, both checks in one), shaped "
        "like it: the system status check failed.",
        source=AWSOBS,
    ),
    ("AWS/EC2", "StatusCheckFailed_Instance"): _row(
        "Maximum", 300, 2, 2, GE, 1.0, BREACHING,
        "Not on AWS's list (it recommends StatusCheckFailed, both checks in one), shaped "
        "like it: the instance status check failed.",
        source=AWSOBS,
    ),
    # -- Amazon ECS (ClusterName, ServiceName), and ECS with Container Insights. Published
    # every minute while the service runs.
    ("AWS/ECS", "CPUUtilization"): _row(
        "Average", 60, 5, 5, GT, 80.0, BREACHING,
        "High CPU utilization for the ECS service: a resource bottleneck or an application "
        "performance problem.",
    ),
    ("AWS/ECS", "MemoryUtilization"): _row(
        "Average", 60, 5, 5, GT, 80.0, BREACHING,
        "High memory utilization for the ECS service: a resource bottleneck or an "
        "application performance problem.",
    ),
    ("ECS/ContainerInsights", "RunningTaskCount"): _row(
        "Average", 60, 5, 5, LE, 0.0, BREACHING,
        "Too few running tasks: at 0 the ECS service is unavailable (raise it to the "
        "service's minimum task count).",
    ),
    # -- Elastic Load Balancing: no section on the page. LoadBalancer = app/<name>/<id>;
    # UnHealthyHostCount per TargetGroup and LoadBalancer, published every minute.
    ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"): _row(
        "Sum", 60, 5, 5, GT, None, NOT_BREACHING,
        "Not on AWS's list: 5XX the load balancer itself returns, in 5 minutes in a row; "
        "raise it to your error tolerance (about 5% of RequestCount, as AWS says for ECS).",
        default=0.0,
        source=AWSOBS,
    ),
    ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"): _row(
        "Sum", 60, 5, 5, GT, None, NOT_BREACHING,
        "Not on AWS's list: 5XX the targets return, in 5 minutes in a row; raise it to your "
        "error tolerance (about 5% of RequestCount, as AWS says for ECS).",
        default=0.0,
        source=AWSOBS,
    ),
    ("AWS/ApplicationELB", "UnHealthyHostCount"): _row(
        "Maximum", 60, 3, 3, GT, 0.0, BREACHING,
        "Not on AWS's list: a target failing its health checks for 3 minutes in a row.",
        source=AWSOBS,
    ),
    ("AWS/NetworkELB", "UnHealthyHostCount"): _row(
        "Maximum", 60, 3, 3, GT, 0.0, BREACHING,
        "Not on AWS's list: a target failing its health checks for 3 minutes in a row.",
        source=AWSOBS,
    ),
    ("AWS/GatewayELB", "UnHealthyHostCount"): _row(
        "Maximum", 60, 3, 3, GT, 0.0, BREACHING,
        "Not on AWS's list: a target failing its health checks for 3 minutes in a row.",
        source=AWSOBS,
    ),
    # -- AWS Lambda (FunctionName, or no dimension: the whole region). Published only when
    # the function is invoked.
    ("AWS/Lambda", "Errors"): _row(
        "Sum", 60, 3, 3, GT, None, NOT_BREACHING,
        "High error counts in function invocations; AWS says a number greater than zero, "
        "per your tolerance for errors (awsobs: more than 1 a minute).",
        default=1.0,
    ),
    ("AWS/Lambda", "Throttles"): _row(
        "Sum", 60, 5, 5, GE, None, NOT_BREACHING,
        "Invocation requests constantly rejected by throttling; AWS says a number greater "
        "than zero, per the function's scaling needs (awsobs: 1 a minute).",
        default=1.0,
    ),
    # -- Amazon RDS (DBInstanceIdentifier; Aurora also DBClusterIdentifier, with Role).
    # The four instance metrics are published every minute while the instance runs.
    ("AWS/RDS", "CPUUtilization"): _row(
        "Average", 60, 5, 5, GT, 90.0, BREACHING,
        "Consistent high CPU utilization, to prevent very high response times and "
        "time-outs.",
    ),
    ("AWS/RDS", "DatabaseConnections"): _row(
        "Average", 60, 5, 5, GT, None, BREACHING,
        "Rejected connections at the maximum; set it to 90-95% of max_connections for the "
        "engine and instance class (awsobs starts at 100, for a small class).",
        default=100.0,
    ),
    ("AWS/RDS", "FreeableMemory"): _row(
        "Average", 60, 15, 15, LT, None, BREACHING,
        "Running out of memory, which can reject connections; keep it above 25% of the "
        "instance's memory (awsobs: 256 MiB, 25% of a 1 GiB class).",
        default=0.25 * GIB,
    ),
    ("AWS/RDS", "FreeStorageSpace"): _row(
        "Minimum", 60, 5, 5, LT, None, BREACHING,
        "Storage full, and the downtime it causes; set it to 10% of the allocated storage "
        "(awsobs: 2 GiB, 10% of the 20 GiB minimum).",
        default=2 * GIB,
    ),
    ("AWS/RDS", "AuroraVolumeBytesLeftTotal"): _row(
        "Average", 60, 5, 5, LT, None, MISSING,
        "The Aurora MySQL cluster volume nearing its size limit; set it to 10-20% of the "
        "limit (awsobs: 12.8 TiB, 10% of 128 TiB and 20% of 64 TiB).",
        default=float(round(0.1 * 128 * TIB)),
    ),
    # -- Amazon S3 (BucketName, FilterId: request metrics). Average of a 0/1 per request is
    # the error rate; published only when requests arrive.
    ("AWS/S3", "5xxErrors"): _row(
        "Average", 60, 15, 15, GT, 0.05, NOT_BREACHING,
        "The application running into S3 server-side errors: more than 5% of requests "
        "answered 5xx.",
    ),
    ("AWS/S3", "4xxErrors"): _row(
        "Average", 60, 15, 15, GT, 0.05, NOT_BREACHING,
        "A baseline for 4xx error rates, whose changes show a setup issue: more than 5% of "
        "requests answered 4xx.",
    ),
    # -- Amazon SQS (QueueName). An inactive queue stops publishing: silence is no backlog.
    ("AWS/SQS", "ApproximateAgeOfOldestMessage"): _row(
        "Maximum", 60, 15, 15, GE, None, NOT_BREACHING,
        "Messages not processed quickly enough, or poison-pill messages stuck; set it 50% "
        "above the longest expected processing time (awsobs: 300 s).",
        default=300.0,
    ),
    ("AWS/SQS", "ApproximateNumberOfMessagesVisible"): _row(
        "Average", 60, 15, 15, GE, None, NOT_BREACHING,
        "A backlog bigger than expected, consumers too slow or too few; set it from the "
        "queue's usual backlog (awsobs: 100 messages).",
        default=100.0,
    ),
    ("AWS/SQS", "NumberOfMessagesSent"): _row(
        "Sum", 60, 15, 15, LE, 0.0, BREACHING,
        "A producer that stopped sending messages (on a low-traffic queue, use more "
        "evaluation periods).",
    ),
    # -- AWS Step Functions (StateMachineArn): no section on the page. An execution that
    # fails, times out or is aborted ends with nobody called back.
    ("AWS/States", "ExecutionsFailed"): _row(
        "Sum", 60, 1, 1, GT, 0.0, NOT_BREACHING,
        "Not on AWS's list: any failed execution, which otherwise ends unnoticed.",
        source=AWSOBS,
    ),
    ("AWS/States", "ExecutionsTimedOut"): _row(
        "Sum", 60, 1, 1, GT, 0.0, NOT_BREACHING,
        "Not on AWS's list: any execution that ran past its timeout.",
        source=AWSOBS,
    ),
    ("AWS/States", "ExecutionsAborted"): _row(
        "Sum", 60, 1, 1, GT, 0.0, NOT_BREACHING,
        "Not on AWS's list: any aborted execution.",
        source=AWSOBS,
    ),
    ("AWS/States", "ExecutionThrottled"): _row(
        "Sum", 60, 5, 5, GT, None, NOT_BREACHING,
        "Not on AWS's list: executions throttled in 5 minutes in a row; raise it if "
        "throttled starts are retried and expected.",
        default=0.0,
        source=AWSOBS,
    ),
}  # fmt: skip

# An SQS dead-letter queue: the page's ApproximateNumberOfMessagesVisible row is a backlog
# alarm; a dead-letter queue receives only failures, so its first message is one.
DEAD_LETTER = _row(
    "Maximum", 60, 1, 1, GT, 0.0, NOT_BREACHING,
    "Not on AWS's list: a dead-letter queue receives only messages its consumer gave up "
    "on, so one visible message is a failure.",
    source=AWSOBS,
)  # fmt: skip

# Any other metric: any occurrence in 5 minutes (what alarm_fix in the checks' remediation
# text writes), for a person to review.
DEFAULT = _row(
    "Sum", 300, 1, 1, GE, None, NOT_BREACHING,
    "No recommendation for this metric: any occurrence in 5 minutes; review the statistic "
    "and the threshold.",
    default=1.0,
    source=AWSOBS,
)  # fmt: skip


def shape(namespace: str, metric: str, *, dead_letter: bool = False) -> Shape:
    """The alarm shape for a metric; `dead_letter` for an SQS dead-letter queue's depth."""
    if dead_letter and (namespace, metric) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible"):
        return DEAD_LETTER
    return RECOMMENDED.get((namespace, metric), DEFAULT)
