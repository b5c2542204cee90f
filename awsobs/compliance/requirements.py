"""The requirements of each benchmark `--compliance` speaks for, as data (issue 17).

A `Benchmark` lists every requirement of the sections awsobs claims, in the benchmark's
order, with its title and whether the benchmark calls its assessment automated or manual.
Which checks answer a requirement is not written here: it is read from the checks' own
mappings (`CheckMeta.compliance[benchmark.mapping]`), so the two cannot drift apart. A
requirement no check answers says why (`not_covered`); a test holds every requirement to
one or the other. Titles and assessment types: docs/compliance-sources.md section B
(CIS) and C (Security Hub).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

AUTOMATED = "automated"
MANUAL = "manual"


@dataclass(frozen=True)
class Requirement:
    """One requirement (CIS) or control (Security Hub) of a benchmark."""

    id: str
    title: str
    assessment: str = AUTOMATED
    not_covered: str = ""
    """Why no awsobs check answers it; "" when one does."""
    note: str = ""
    """What an auditor should know beside the verdict (disputed type, accepted SIEM)."""


@dataclass(frozen=True)
class Benchmark:
    """A benchmark `awsobs scan --compliance ID` reports on."""

    id: str
    name: str
    mapping: str
    """The key of `CheckMeta.compliance` whose ids are this benchmark's requirement ids."""
    scope: str
    """The part of the benchmark the requirements cover, said to the user."""
    requirements: tuple[Requirement, ...]
    url: str

    def requirement(self, requirement_id: str) -> Requirement | None:
        return next((r for r in self.requirements if r.id == requirement_id), None)


_R = Requirement
_KMS = "key rotation is key management, not observability: out of scope"
_SH = "Security Hub enablement is a detection service, not telemetry: out of scope"
_SIEM = (
    "the benchmark also accepts an external SIEM instead of CloudWatch metric filters; "
    "awsobs sees only CloudWatch"
)


def _cis_monitoring(
    assessment: str, titles: tuple[str, ...], *, start: int = 1, note: str = ""
) -> tuple[Requirement, ...]:
    """Section 4's alarm requirements, numbered from 4.`start`."""
    siem = _SIEM if assessment == MANUAL else ""
    return tuple(
        _R(f"4.{n}", t, assessment, note="; ".join(x for x in (note, siem) if x))
        for n, t in enumerate(titles, start)
    )


_CIS_MONITORED = (
    "Ensure unauthorized API calls are monitored",
    "Ensure management console sign-in without MFA is monitored",
    "Ensure usage of 'root' account is monitored",
    "Ensure IAM policy changes are monitored",
    "Ensure CloudTrail configuration changes are monitored",
    "Ensure AWS Management Console authentication failures are monitored",
    "Ensure disabling or scheduled deletion of customer created CMKs is monitored",
    "Ensure S3 bucket policy changes are monitored",
    "Ensure AWS Config configuration changes are monitored",
    "Ensure security group changes are monitored",
    "Ensure Network Access Control Lists (NACL) changes are monitored",
    "Ensure changes to network gateways are monitored",
    "Ensure route table changes are monitored",
    "Ensure VPC changes are monitored",
    "Ensure AWS Organizations changes are monitored",
)

_CIS_50_MONITORED = tuple(
    t.replace("usage of 'root'", "usage of the 'root'").replace("Control Lists", "Control List")
    for t in _CIS_MONITORED
)

_CIS_14_ALARMS = tuple(
    f"Ensure a log metric filter and alarm exist{s}"
    for s in (
        " for unauthorized API calls",
        " for Management Console sign-in without MFA",
        " for usage of 'root' account",
        " for IAM policy changes",
        " for CloudTrail configuration changes",
        " for AWS Management Console authentication failures",
        " for disabling or scheduled deletion of customer created CMKs",
        " for S3 bucket policy changes",
        " for AWS Config configuration changes",
        " for security group changes",
        " for changes to Network Access Control Lists (NACL)",
        " for changes to network gateways",
        " for route table changes",
        " for VPC changes",
        "s for AWS Organizations changes",
    )
)

_CIS_SCOPE = "sections 3 Logging and 4 Monitoring"
_CIS_URL = "https://www.cisecurity.org/benchmark/amazon_web_services"

CIS_14 = Benchmark(
    "cis-aws-1.4",
    "CIS AWS Foundations Benchmark v1.4.0",
    "cis-aws-1.4",
    _CIS_SCOPE,
    (
        _R("3.1", "Ensure CloudTrail is enabled in all regions"),
        _R("3.2", "Ensure CloudTrail log file validation is enabled"),
        _R("3.3", "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible"),
        _R("3.4", "Ensure CloudTrail trails are integrated with CloudWatch Logs"),
        _R("3.5", "Ensure AWS Config is enabled in all regions"),
        _R("3.6", "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket"),
        _R("3.7", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs"),
        _R("3.8", "Ensure rotation for customer created CMKs is enabled", not_covered=_KMS),
        _R("3.9", "Ensure VPC flow logging is enabled in all VPCs"),
        _R("3.10", "Ensure that Object-level logging for write events is enabled for S3 bucket"),
        _R("3.11", "Ensure that Object-level logging for read events is enabled for S3 bucket"),
        *_cis_monitoring(AUTOMATED, _CIS_14_ALARMS),
    ),
    _CIS_URL,
)

CIS_30 = Benchmark(
    "cis-aws-3.0",
    "CIS AWS Foundations Benchmark v3.0.0",
    "cis-aws-3.0",
    _CIS_SCOPE,
    (
        _R("3.1", "Ensure CloudTrail is enabled in all regions"),
        _R("3.2", "Ensure CloudTrail log file validation is enabled"),
        _R("3.3", "Ensure AWS Config is enabled in all regions"),
        _R("3.4", "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket"),
        _R("3.5", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs"),
        _R(
            "3.6",
            "Ensure rotation for customer-created symmetric CMKs is enabled",
            not_covered=_KMS,
        ),
        _R("3.7", "Ensure VPC flow logging is enabled in all VPCs"),
        _R("3.8", "Ensure that Object-level logging for write events is enabled for S3 bucket"),
        _R("3.9", "Ensure that Object-level logging for read events is enabled for S3 bucket"),
        *_cis_monitoring(MANUAL, _CIS_MONITORED),
        _R("4.16", "Ensure AWS Security Hub is enabled", not_covered=_SH),
    ),
    _CIS_URL,
)

_DISPUTED = "the CIS v5.0.0 sources disagree on whether this is automated or manual"
CIS_50 = Benchmark(
    "cis-aws-5.0",
    "CIS AWS Foundations Benchmark v5.0.0",
    "cis-aws-5.0",
    _CIS_SCOPE,
    (
        _R("3.1", "Ensure CloudTrail is enabled in all regions", note=_DISPUTED),
        _R("3.2", "Ensure CloudTrail log file validation is enabled"),
        _R("3.3", "Ensure AWS Config is enabled in all regions"),
        _R(
            "3.4",
            "Ensure that server access logging is enabled on the CloudTrail S3 bucket",
            note=_DISPUTED,
        ),
        _R("3.5", "Ensure CloudTrail logs are encrypted at rest using KMS CMKs"),
        _R(
            "3.6",
            "Ensure rotation for customer-created symmetric CMKs is enabled",
            not_covered=_KMS,
        ),
        _R("3.7", "Ensure VPC flow logging is enabled in all VPCs"),
        _R("3.8", "Ensure that object-level logging for write events is enabled for S3 buckets"),
        _R("3.9", "Ensure that object-level logging for read events is enabled for S3 buckets"),
        *_cis_monitoring(MANUAL, _CIS_50_MONITORED[:1], note=_DISPUTED),
        *_cis_monitoring(MANUAL, _CIS_50_MONITORED[1:], start=2),
        _R("4.16", "Ensure AWS Security Hub is enabled", not_covered=_SH),
    ),
    _CIS_URL,
)

_NOT_SCANNED = "awsobs does not scan this service yet"
_SUBSCRIPTIONS = "RDS event subscriptions are not read yet (rds.health_alarms judges alarms)"


def _fsbp(*rows: tuple[str, str] | tuple[str, str, str]) -> tuple[Requirement, ...]:
    """(id, title) for a control a check answers, (id, title, reason) for one none does."""
    return tuple(_R(r[0], r[1], not_covered=r[2] if len(r) == 3 else "") for r in rows)


FSBP = Benchmark(
    "aws-foundational-security-best-practices",
    "AWS Foundational Security Best Practices v1.0.0",
    "aws-securityhub",
    "its logging and monitoring controls",
    _fsbp(
        (
            "CloudTrail.1",
            "CloudTrail should be enabled and configured with at least one multi-Region trail "
            "that includes read and write management events",
        ),
        ("CloudTrail.2", "CloudTrail should have encryption at-rest enabled"),
        ("CloudTrail.4", "CloudTrail log file validation should be enabled"),
        ("CloudTrail.5", "CloudTrail trails should be integrated with Amazon CloudWatch Logs"),
        (
            "Config.1",
            "AWS Config should be enabled and use the service-linked role for resource recording",
        ),
        ("APIGateway.1", "API Gateway REST and WebSocket API execution logging should be enabled"),
        ("APIGateway.3", "API Gateway REST API stages should have AWS X-Ray tracing enabled"),
        ("APIGateway.9", "Access logging should be configured for API Gateway V2 Stages"),
        ("AppSync.2", "AWS AppSync should have field-level logging enabled", _NOT_SCANNED),
        ("Athena.4", "Athena workgroups should have logging enabled", _NOT_SCANNED),
        ("CloudFront.5", "CloudFront distributions should have logging enabled"),
        (
            "CodeBuild.4",
            "CodeBuild project environments should have a logging configuration",
            _NOT_SCANNED,
        ),
        (
            "Connect.2",
            "Amazon Connect instances should have CloudWatch logging enabled",
            _NOT_SCANNED,
        ),
        ("DataSync.1", "DataSync tasks should have logging enabled", _NOT_SCANNED),
        (
            "DMS.7",
            "DMS replication tasks for the target database should have logging enabled",
            _NOT_SCANNED,
        ),
        (
            "DMS.8",
            "DMS replication tasks for the source database should have logging enabled",
            _NOT_SCANNED,
        ),
        (
            "DocumentDB.4",
            "Amazon DocumentDB clusters should publish audit logs to CloudWatch Logs",
            _NOT_SCANNED,
        ),
        ("EC2.6", "VPC flow logging should be enabled in all VPCs"),
        (
            "EC2.51",
            "EC2 Client VPN endpoints should have client connection logging enabled",
            _NOT_SCANNED,
        ),
        ("EC2.171", "EC2 VPN connections should have logging enabled", _NOT_SCANNED),
        ("ECS.9", "ECS task definitions should have a logging configuration"),
        ("ECS.12", "ECS clusters should use Container Insights"),
        ("EKS.8", "EKS clusters should have audit logging enabled"),
        (
            "ElasticBeanstalk.1",
            "Elastic Beanstalk environments should have enhanced health reporting enabled",
            _NOT_SCANNED,
        ),
        ("ElasticBeanstalk.3", "Elastic Beanstalk should stream logs to CloudWatch", _NOT_SCANNED),
        ("ELB.5", "Application and Classic Load Balancers logging should be enabled"),
        (
            "ES.4",
            "Elasticsearch domain error logging to CloudWatch Logs should be enabled",
            _NOT_SCANNED,
        ),
        ("ES.5", "Elasticsearch domains should have audit logging enabled", _NOT_SCANNED),
        ("MQ.2", "ActiveMQ brokers should stream audit logs to CloudWatch", _NOT_SCANNED),
        ("MSK.5", "MSK connectors should have logging enabled", _NOT_SCANNED),
        (
            "Neptune.2",
            "Neptune DB clusters should publish audit logs to CloudWatch Logs",
            _NOT_SCANNED,
        ),
        ("NetworkFirewall.2", "Network Firewall logging should be enabled", _NOT_SCANNED),
        (
            "Opensearch.4",
            "OpenSearch domain error logging to CloudWatch Logs should be enabled",
            _NOT_SCANNED,
        ),
        ("OpenSearch.5", "OpenSearch domains should have audit logging enabled", _NOT_SCANNED),
        ("RDS.6", "Enhanced monitoring should be configured for RDS DB instances"),
        ("RDS.9", "RDS DB instances should publish logs to CloudWatch Logs"),
        (
            "RDS.19",
            "Existing RDS event notification subscriptions should be configured for critical "
            "cluster events",
            _SUBSCRIPTIONS,
        ),
        (
            "RDS.20",
            "Existing RDS event notification subscriptions should be configured for critical "
            "database instance events",
            _SUBSCRIPTIONS,
        ),
        (
            "RDS.21",
            "An RDS event notifications subscription should be configured for critical "
            "database parameter group events",
            _SUBSCRIPTIONS,
        ),
        (
            "RDS.22",
            "An RDS event notifications subscription should be configured for critical "
            "database security group events",
            _SUBSCRIPTIONS,
        ),
        ("RDS.34", "Aurora MySQL DB clusters should publish audit logs to CloudWatch Logs"),
        ("RDS.36", "RDS for PostgreSQL DB instances should publish logs to CloudWatch Logs"),
        ("RDS.37", "Aurora PostgreSQL DB clusters should publish logs to CloudWatch Logs"),
        ("RDS.40", "RDS for SQL Server DB instances should publish logs to CloudWatch Logs"),
        ("RDS.42", "RDS for MariaDB DB instances should publish logs to CloudWatch Logs"),
        ("RDS.45", "Aurora MySQL DB clusters should have audit logging enabled"),
        ("Redshift.4", "Amazon Redshift clusters should have audit logging enabled", _NOT_SCANNED),
        (
            "RedshiftServerless.6",
            "Redshift Serverless namespaces should export logs to CloudWatch Logs",
            _NOT_SCANNED,
        ),
        ("Route53.2", "Route 53 public hosted zones should log DNS queries"),
        ("S3.9", "S3 general purpose buckets should have server access logging enabled"),
        ("SSM.1", "Amazon EC2 instances should be managed by AWS Systems Manager"),
        ("SSM.6", "SSM Automation should have CloudWatch logging enabled", _NOT_SCANNED),
        ("StepFunctions.1", "Step Functions state machines should have logging turned on"),
        (
            "Transfer.3",
            "Transfer Family connectors should have logging enabled",
            _NOT_SCANNED,
        ),
        (
            "WAF.1",
            "AWS WAF Classic Global Web ACL logging should be enabled",
            "WAF Classic is not scanned (wafv2.logging judges AWS WAF, Security Hub WAF.11)",
        ),
        (
            "WAF.12",
            "AWS WAF rules should have CloudWatch metrics enabled",
            "per-rule CloudWatch metrics are not judged (wafv2.logging judges logging)",
        ),
    ),
    "https://docs.aws.amazon.com/securityhub/latest/userguide/fsbp-standard.html",
)

BENCHMARKS: Mapping[str, Benchmark] = {b.id: b for b in (CIS_14, CIS_30, CIS_50, FSBP)}
