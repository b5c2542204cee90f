"""Which control of each framework every built-in check answers to (issue 17).

One entry per check id, `{}` where no framework has a control for it, so a check without
an entry is a test failure rather than a silent gap. Sources: the CIS AWS Foundations
Benchmark v1.4.0, v3.0.0 and v5.0.0 requirement lists, the AWS Security Hub CSPM control
pages and the AWS Config managed rule pages (verified against Security Hub's documentation,
Prowler's and Steampipe's CIS mappings; ids that could not be verified are left out).
`PARTIAL` says where awsobs's rule is stricter or looser than the control; the research,
with every source and the CIS requirements no check covers, is docs/compliance-sources.md.
"""

from __future__ import annotations

MAPPINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "cloudtrail.trail_logging": {
        "aws-securityhub": ("CloudTrail.3",),
        "aws-config": ("cloudtrail-enabled",),
    },
    "cloudtrail.multi_region": {
        "cis-aws-1.4": ("3.1",),
        "cis-aws-3.0": ("3.1",),
        "cis-aws-5.0": ("3.1",),
        "aws-securityhub": ("CloudTrail.1",),
        "aws-config": ("multi-region-cloudtrail-enabled",),
    },
    "cloudtrail.management_events_rw": {},
    "cloudtrail.s3_delivery": {},
    "cloudtrail.log_file_validation": {
        "cis-aws-1.4": ("3.2",),
        "cis-aws-3.0": ("3.2",),
        "cis-aws-5.0": ("3.2",),
        "aws-securityhub": ("CloudTrail.4",),
        "aws-config": ("cloud-trail-log-file-validation-enabled",),
    },
    "cloudtrail.kms_encryption": {
        "cis-aws-1.4": ("3.7",),
        "cis-aws-3.0": ("3.5",),
        "cis-aws-5.0": ("3.5",),
        "aws-securityhub": ("CloudTrail.2",),
        "aws-config": ("cloud-trail-encryption-enabled",),
    },
    "cloudtrail.cloudwatch_logs": {
        "cis-aws-1.4": ("3.4",),
        "aws-securityhub": ("CloudTrail.5",),
        "aws-config": ("cloud-trail-cloud-watch-logs-enabled",),
    },
    "cloudtrail.bucket_access_logging": {
        "cis-aws-1.4": ("3.6",),
        "cis-aws-3.0": ("3.4",),
        "cis-aws-5.0": ("3.4",),
        "aws-securityhub": ("CloudTrail.7",),
    },
    "cloudtrail.s3_data_events_read": {
        "cis-aws-1.4": ("3.11",),
        "cis-aws-3.0": ("3.9",),
        "cis-aws-5.0": ("3.9",),
        "aws-config": ("cloudtrail-all-read-s3-data-event-check",),
    },
    "cloudtrail.s3_data_events_write": {
        "cis-aws-1.4": ("3.10",),
        "cis-aws-3.0": ("3.8",),
        "cis-aws-5.0": ("3.8",),
        "aws-config": ("cloudtrail-all-write-s3-data-event-check",),
    },
    "cloudtrail.dynamodb_data_events": {},
    "cloudtrail.lambda_data_events": {},
    "apigw.account_cloudwatch_role": {},
    "apigw.rest.access_logging": {"aws-config": ("apigateway-stage-access-logs-enabled",)},
    "apigw.rest.execution_logging": {
        "aws-securityhub": ("APIGateway.1",),
        "aws-config": ("api-gw-execution-logging-enabled",),
    },
    "apigw.rest.data_trace": {},
    "apigw.rest.xray_tracing": {
        "aws-securityhub": ("APIGateway.3",),
        "aws-config": ("api-gw-xray-enabled",),
    },
    "apigw.rest.xray_traces_received": {},
    "apigw.v2.access_logging": {
        "aws-securityhub": ("APIGateway.9",),
        "aws-config": ("api-gwv2-access-logs-enabled",),
    },
    "apigw.ws.execution_logging": {
        "aws-securityhub": ("APIGateway.1",),
        "aws-config": ("api-gw-execution-logging-enabled",),
    },
    "apigw.http.execution_logging": {},
    "apigw.access_logs_delivered": {},
    "ec2.cwagent_metrics": {},
    "ec2.cwagent_installed": {},
    "ec2.agent_permissions": {},
    "ec2.ssm_managed": {
        "aws-securityhub": ("SSM.1",),
        "aws-config": ("ec2-instance-managed-by-systems-manager",),
    },
    "ec2.ssm_online": {},
    "ec2.detailed_monitoring": {"aws-config": ("ec2-instance-detailed-monitoring-enabled",)},
    "apigw.rest.error_alarms": {},
    "apigw.v2.error_alarms": {},
    "apigw.rest.client_error_alarms": {},
    "apigw.v2.client_error_alarms": {},
    "dynamodb.throttle_alarms": {},
    "lambda.error_throttle_alarms": {},
    "ec2.status_alarms": {},
    "cloudwatch.alarm_has_action": {
        "aws-securityhub": ("CloudWatch.15",),
        "aws-config": ("cloudwatch-alarm-action-check",),
    },
    "cloudwatch.alarm_actions_enabled": {
        "aws-securityhub": ("CloudWatch.17",),
        "aws-config": ("cloudwatch-alarm-action-enabled-check",),
    },
    "cloudwatch.alarm_action_targets_valid": {},
    "cloudwatch.alarm_not_stale": {},
    "s3.request_metrics_enabled": {},
    "s3.request_metrics_reporting": {},
    "s3.error_alarms": {},
    "cwalarm.unauthorized_api_calls": {
        "cis-aws-1.4": ("4.1",),
        "cis-aws-3.0": ("4.1",),
        "cis-aws-5.0": ("4.1",),
        "aws-securityhub": ("CloudWatch.2",),
    },
    "cwalarm.console_signin_no_mfa": {
        "cis-aws-1.4": ("4.2",),
        "cis-aws-3.0": ("4.2",),
        "cis-aws-5.0": ("4.2",),
        "aws-securityhub": ("CloudWatch.3",),
    },
    "cwalarm.root_usage": {
        "cis-aws-1.4": ("4.3",),
        "cis-aws-3.0": ("4.3",),
        "cis-aws-5.0": ("4.3",),
        "aws-securityhub": ("CloudWatch.1",),
    },
    "cwalarm.iam_policy_changes": {
        "cis-aws-1.4": ("4.4",),
        "cis-aws-3.0": ("4.4",),
        "cis-aws-5.0": ("4.4",),
        "aws-securityhub": ("CloudWatch.4",),
    },
    "cwalarm.cloudtrail_config_changes": {
        "cis-aws-1.4": ("4.5",),
        "cis-aws-3.0": ("4.5",),
        "cis-aws-5.0": ("4.5",),
        "aws-securityhub": ("CloudWatch.5",),
    },
    "cwalarm.console_auth_failures": {
        "cis-aws-1.4": ("4.6",),
        "cis-aws-3.0": ("4.6",),
        "cis-aws-5.0": ("4.6",),
        "aws-securityhub": ("CloudWatch.6",),
    },
    "cwalarm.cmk_disable_or_deletion": {
        "cis-aws-1.4": ("4.7",),
        "cis-aws-3.0": ("4.7",),
        "cis-aws-5.0": ("4.7",),
        "aws-securityhub": ("CloudWatch.7",),
    },
    "cwalarm.s3_bucket_policy_changes": {
        "cis-aws-1.4": ("4.8",),
        "cis-aws-3.0": ("4.8",),
        "cis-aws-5.0": ("4.8",),
        "aws-securityhub": ("CloudWatch.8",),
    },
    "cwalarm.config_changes": {
        "cis-aws-1.4": ("4.9",),
        "cis-aws-3.0": ("4.9",),
        "cis-aws-5.0": ("4.9",),
        "aws-securityhub": ("CloudWatch.9",),
    },
    "cwalarm.security_group_changes": {
        "cis-aws-1.4": ("4.10",),
        "cis-aws-3.0": ("4.10",),
        "cis-aws-5.0": ("4.10",),
        "aws-securityhub": ("CloudWatch.10",),
    },
    "cwalarm.nacl_changes": {
        "cis-aws-1.4": ("4.11",),
        "cis-aws-3.0": ("4.11",),
        "cis-aws-5.0": ("4.11",),
        "aws-securityhub": ("CloudWatch.11",),
    },
    "cwalarm.network_gateway_changes": {
        "cis-aws-1.4": ("4.12",),
        "cis-aws-3.0": ("4.12",),
        "cis-aws-5.0": ("4.12",),
        "aws-securityhub": ("CloudWatch.12",),
    },
    "cwalarm.route_table_changes": {
        "cis-aws-1.4": ("4.13",),
        "cis-aws-3.0": ("4.13",),
        "cis-aws-5.0": ("4.13",),
        "aws-securityhub": ("CloudWatch.13",),
    },
    "cwalarm.vpc_changes": {
        "cis-aws-1.4": ("4.14",),
        "cis-aws-3.0": ("4.14",),
        "cis-aws-5.0": ("4.14",),
        "aws-securityhub": ("CloudWatch.14",),
    },
    "cwalarm.organizations_changes": {
        "cis-aws-1.4": ("4.15",),
        "cis-aws-3.0": ("4.15",),
        "cis-aws-5.0": ("4.15",),
    },
    "logs.retention_defined": {},
    "logs.retention_minimum": {
        "aws-securityhub": ("CloudWatch.16",),
        "aws-config": ("cw-loggroup-retention-period-check",),
    },
    "lambda.log_retention": {},
    "lambda.logs_delivered": {},
    "s3.server_access_logging": {
        "aws-securityhub": ("S3.9",),
        "aws-config": ("s3-bucket-logging-enabled",),
    },
    "s3.server_access_logs_delivered": {},
    "vpc.flow_logs_enabled": {
        "cis-aws-1.4": ("3.9",),
        "cis-aws-3.0": ("3.7",),
        "cis-aws-5.0": ("3.7",),
        "aws-securityhub": ("EC2.6",),
        "aws-config": ("vpc-flow-logs-enabled",),
    },
    "config.recorder_all_regions": {
        "cis-aws-1.4": ("3.5",),
        "cis-aws-3.0": ("3.3",),
        "cis-aws-5.0": ("3.3",),
        "aws-securityhub": ("Config.1",),
    },
    "config.delivery_channel_ok": {},
    "lambda.xray_active": {"aws-config": ("lambda-function-xray-enabled",)},
    "lambda.xray_traces_received": {},
    "cloudfront.access_logs": {
        "aws-securityhub": ("CloudFront.5",),
        "aws-config": ("cloudfront-accesslogs-enabled",),
    },
    "cloudfront.access_logs_delivered": {},
    "cloudfront.error_alarms": {},
    "cloudtrail.bucket_not_public": {
        "cis-aws-1.4": ("3.3",),
        "aws-securityhub": ("CloudTrail.6",),
        "aws-config": ("cloudtrail-s3-bucket-public-access-prohibited",),
    },
    "cloudtrail.insights": {},
    "cloudwatch.alarm_missing_data": {},
    "ecs.service_alarms": {},
    "ecs.container_insights": {
        "aws-securityhub": ("ECS.12",),
        "aws-config": ("ecs-container-insights-enabled",),
    },
    "ecs.container_insights_reporting": {},
    "ecs.task_logging": {
        "aws-securityhub": ("ECS.9",),
        "aws-config": ("ecs-task-definition-log-configuration",),
    },
    "eks.control_plane_logging": {
        "aws-securityhub": ("EKS.8",),
        "aws-config": ("eks-cluster-log-enabled",),
    },
    "elb.access_logs": {"aws-securityhub": ("ELB.5",), "aws-config": ("elb-logging-enabled",)},
    "elb.access_logs_delivered": {},
    "elb.error_alarms": {},
    "elb.unhealthy_host_alarms": {},
    "lambda.async_failure_destination": {"aws-config": ("lambda-dlq-check",)},
    "rds.health_alarms": {},
    "rds.log_exports": {
        "aws-securityhub": (
            "RDS.9",
            "RDS.34",
            "RDS.36",
            "RDS.37",
            "RDS.40",
            "RDS.42",
            "RDS.45",
        ),
        "aws-config": ("rds-logging-enabled",),
    },
    "rds.enhanced_monitoring": {
        "aws-securityhub": ("RDS.6",),
        "aws-config": ("rds-enhanced-monitoring-enabled",),
    },
    "route53.query_logging": {
        "aws-securityhub": ("Route53.2",),
        "aws-config": ("route53-query-logging-enabled",),
    },
    "sqs.age_alarms": {},
    "sqs.dlq_alarms": {},
    "stepfunctions.failure_alarms": {},
    "stepfunctions.logging": {
        "aws-securityhub": ("StepFunctions.1",),
        "aws-config": ("step-functions-state-machine-logging-enabled",),
    },
    "stepfunctions.xray": {},
    "stepfunctions.logs_delivered": {},
    "stepfunctions.xray_traces_received": {},
    "wafv2.logging": {"aws-securityhub": ("WAF.11",), "aws-config": ("wafv2-logging-enabled",)},
    "vpc.flow_logs_delivered": {},
    "eks.control_plane_logs_delivered": {},
    "route53.query_logs_delivered": {},
    "rds.log_exports_delivered": {},
    "rds.enhanced_monitoring_reporting": {},
}

_CWALARM = (
    "any metric filter that matches the CIS events counts (Security Hub requires the "
    "exact CIS pattern), and the alarm must reach a confirmed subscriber, as the CIS "
    "audit says"
)

PARTIAL: dict[str, str] = {
    "cloudtrail.trail_logging": (
        "stricter: per region, a covering trail must be IsLogging; CloudTrail.3/cloudtrail-"
        "enabled only need one trail to exist/be enabled"
    ),
    "cloudtrail.management_events_rw": (
        "stricter: every trail must record all R/W management events; CIS/SH need only one "
        "multi-region trail"
    ),
    "cloudtrail.cloudwatch_logs": (
        "stricter than Security Hub (SH/Config default: log group ARN set; awsobs also needs "
        "no delivery error and delivery within 24 h, as the CIS 1.4 audit's 'recent "
        "LatestcloudwatchLogsDeliveryTime')"
    ),
    "apigw.rest.access_logging": (
        "stricter: also needs format, an existing destination and a working account role; "
        "Config only needs accessLogSettings present"
    ),
    "apigw.rest.execution_logging": (
        "stricter: also needs the region's account CloudWatch role to work, and a `*/*` "
        "stage-wide level"
    ),
    "apigw.v2.access_logging": (
        "stricter: also needs Format and an existing destination (and the account role for "
        "WebSocket)"
    ),
    "apigw.ws.execution_logging": "stricter: also needs the account CloudWatch role",
    "ec2.ssm_online": "stricter than SSM.1: PingStatus must be Online",
    "cloudwatch.alarm_has_action": (
        "looser: a child of a composite alarm that has actions passes (Security Hub fails it)"
    ),
    "cwalarm.unauthorized_api_calls": "differs: " + _CWALARM,
    "cwalarm.console_signin_no_mfa": "differs: " + _CWALARM,
    "cwalarm.root_usage": "differs: " + _CWALARM,
    "cwalarm.iam_policy_changes": "differs: " + _CWALARM,
    "cwalarm.cloudtrail_config_changes": "differs: " + _CWALARM,
    "cwalarm.console_auth_failures": "differs: " + _CWALARM,
    "cwalarm.cmk_disable_or_deletion": "differs: " + _CWALARM,
    "cwalarm.s3_bucket_policy_changes": "differs: " + _CWALARM,
    "cwalarm.config_changes": "differs: " + _CWALARM,
    "cwalarm.security_group_changes": "differs: " + _CWALARM,
    "cwalarm.nacl_changes": "differs: " + _CWALARM,
    "cwalarm.network_gateway_changes": "differs: " + _CWALARM,
    "cwalarm.route_table_changes": "differs: " + _CWALARM,
    "cwalarm.vpc_changes": "differs: " + _CWALARM,
    "cwalarm.organizations_changes": "differs: " + _CWALARM,
    "logs.retention_minimum": (
        "looser: only groups that receive trail, flow-log or API access-log data are judged "
        "(SH: every group); never-expire passes"
    ),
    "s3.server_access_logging": (
        "looser: buckets that are themselves log targets (access logs, trail, flow logs) are "
        "NOT_APPLICABLE"
    ),
    "vpc.flow_logs_enabled": (
        "stricter: flow log must be ACTIVE and delivery not FAILED; L: ALL accepted as "
        "covering REJECT (how the Config rule treats ALL with trafficType=REJECT: UNVERIFIED)"
    ),
    "config.recorder_all_regions": (
        "looser than CIS: an exclusion list passes (CIS audit wants allSupported=true); "
        "stricter: a stopped or failing recorder fails and service-linked recorders never "
        "count; Config.1 as AWS now words it also wants the service-linked role for "
        "recording, which awsobs does not judge"
    ),
    "cloudfront.access_logs": (
        "looser: standard logging v2 and real-time logs also pass; SH/Config look at legacy "
        "logging only"
    ),
    "ecs.task_logging": (
        "looser: only revisions in use are judged (Security Hub: the latest active revision of "
        "each family)"
    ),
    "eks.control_plane_logging": (
        "stricter: default needs api+audit+authenticator, EKS.8 needs audit only "
        "(configurable via `eks_log_types`)"
    ),
    "elb.access_logs": (
        "stricter: the bucket must exist and be in the LB's region; scope also includes TLS "
        "NLBs (ELB.5 = ALB + CLB)"
    ),
    "lambda.async_failure_destination": (
        "differs: only functions with an async invoker grant are judged (Config: every "
        "function), and an OnFailure destination also passes"
    ),
    "rds.log_exports": (
        "stricter: requires the engine's error **and** audit types (RDS.9 default: any export"
        " per engine list), and for Aurora MySQL the audit parameters; the default log types "
        "of RDS.40 (SQL Server) and RDS.42 (MariaDB) are not verified"
    ),
    "rds.enhanced_monitoring": (
        "stricter: MonitoringRoleArn must exist and trust monitoring.rds.amazonaws.com"
    ),
    "stepfunctions.logging": "stricter: destination log group must exist in this account",
}
