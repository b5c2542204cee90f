"""The rest of the stack for the bench scenarios: load balancers, ECS, RDS, Step Functions.

Each creates, over HTTP like any client, one resource of the kind issue 14's checks judge,
configured the way a careful team would (logs on), so that the scan reads every detail
the checks need and the request count shows what each resource costs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seeder import Manifest


def _bump(counts: dict[str, int], region: str) -> None:
    counts[region] = counts.get(region, 0) + 1


class StackSeeding:
    """Mixed into `Seeder`: needs its `client()`, `log_group()` and `manifest`."""

    manifest: Manifest
    account: str

    def client(self, service: str, region: str = "us-east-1") -> Any:  # Seeder.client
        raise NotImplementedError

    def log_group(self, region: str, name: str) -> str:  # Seeder.log_group
        raise NotImplementedError

    def load_balancer(self, region: str, name: str, bucket: str) -> str:
        """An Application Load Balancer in the default VPC writing access logs to `bucket`."""
        ec2 = self.client("ec2", region)
        subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])
        where = sorted(s["SubnetId"] for s in subnets["Subnets"])[:2]
        elbv2 = self.client("elbv2", region)
        arn = str(elbv2.create_load_balancer(Name=name, Subnets=where)["LoadBalancers"][0]
                  ["LoadBalancerArn"])  # fmt: skip
        elbv2.modify_load_balancer_attributes(
            LoadBalancerArn=arn,
            Attributes=[
                {"Key": "access_logs.s3.enabled", "Value": "true"},
                {"Key": "access_logs.s3.bucket", "Value": bucket},
                {"Key": "access_logs.s3.prefix", "Value": name},
            ],
        )
        # a target group behind an HTTP listener: what the unhealthy-host alarms judge
        vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
        group = elbv2.create_target_group(
            Name=f"{name}-tg"[:32], Protocol="HTTP", Port=80, VpcId=vpc["VpcId"]
        )["TargetGroups"][0]["TargetGroupArn"]
        elbv2.create_listener(
            LoadBalancerArn=arn,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
        )
        _bump(self.manifest.load_balancers, region)
        return arn

    def queue(self, region: str, name: str) -> None:
        """An SQS queue whose failed messages go to a dead-letter queue."""
        sqs = self.client("sqs", region)
        dlq = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "5"})
        sqs.create_queue(QueueName=name, Attributes={"RedrivePolicy": redrive})
        self.manifest.queues[region] = self.manifest.queues.get(region, 0) + 2
        _bump(self.manifest.dead_letter_queues, region)

    def functions(self, region: str, count: int, prefix: str = "fn") -> list[str]:
        raise NotImplementedError  # Seeder.functions

    def async_function(self, region: str, name: str) -> None:
        """A function that an SNS topic may invoke (asynchronously), with an on-failure
        destination: a failed event goes to a queue instead of being dropped."""
        fn = self.functions(region, 1, prefix=name)[0]
        lam = self.client("lambda", region)
        lam.add_permission(
            FunctionName=fn,
            StatementId="sns",
            Action="lambda:InvokeFunction",
            Principal="sns.amazonaws.com",
        )
        sqs = self.client("sqs", region)
        url = sqs.create_queue(QueueName=f"{name}-failed")["QueueUrl"]
        target = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        lam.put_function_event_invoke_config(
            FunctionName=fn, DestinationConfig={"OnFailure": {"Destination": target}}
        )
        self.manifest.queues[region] = self.manifest.queues.get(region, 0) + 1
        _bump(self.manifest.async_functions, region)

    def distribution(self, name: str, bucket: str) -> None:
        """A CloudFront distribution in front of `bucket`, with legacy access logs."""
        origin = f"{bucket}.s3.amazonaws.com"
        self.client("cloudfront").create_distribution(
            DistributionConfig={
                "CallerReference": name,
                "Comment": name,
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "s3",
                            "DomainName": origin,
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "s3",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                    "TrustedSigners": {"Enabled": False, "Quantity": 0},
                },
                "Logging": {
                    "Enabled": True,
                    "IncludeCookies": False,
                    "Bucket": origin,
                    "Prefix": f"cdn/{name}",
                },
            }
        )
        self.manifest.distributions += 1

    def ecs_service(self, region: str, name: str) -> None:
        """A cluster with Container Insights, a task definition logging to CloudWatch Logs,
        and a service running it."""
        ecs = self.client("ecs", region)
        ecs.create_cluster(
            clusterName=name, settings=[{"name": "containerInsights", "value": "enabled"}]
        )
        group = f"/ecs/{name}"
        self.log_group(region, group)
        log = {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": group,
                "awslogs-region": region,
                "awslogs-stream-prefix": "web",
            },
        }
        task = ecs.register_task_definition(
            family=name,
            containerDefinitions=[
                {"name": "web", "image": "nginx", "memory": 128, "logConfiguration": log}
            ],
        )["taskDefinition"]["taskDefinitionArn"]
        ecs.create_service(cluster=name, serviceName="web", taskDefinition=task, desiredCount=0)
        _bump(self.manifest.ecs_services, region)

    def rds_instance(self, region: str, name: str) -> None:
        """A PostgreSQL instance exporting its log, with Enhanced Monitoring."""
        role = self._monitoring_role()
        self.client("rds", region).create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="postgres",
            MasterUsername="bench",
            MasterUserPassword="bench-password",
            AllocatedStorage=20,
            EnableCloudwatchLogsExports=["postgresql", "upgrade"],
            MonitoringInterval=60,
            MonitoringRoleArn=role,
        )
        _bump(self.manifest.db_instances, region)

    def _monitoring_role(self) -> str:
        arn = f"arn:aws:iam::{self.account}:role/bench-rds-monitoring"
        if not self.manifest.db_instances:
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            self.client("iam").create_role(
                RoleName="bench-rds-monitoring", AssumeRolePolicyDocument=json.dumps(trust)
            )
        return arn

    def state_machine(self, region: str, name: str, role: str) -> None:
        """A Standard state machine logging ERROR with execution data off, traced by X-Ray."""
        group = self.log_group(region, f"/aws/states/{name}")
        definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
        self.client("stepfunctions", region).create_state_machine(
            name=name,
            definition=json.dumps(definition),
            roleArn=role,
            loggingConfiguration={
                "level": "ERROR",
                "includeExecutionData": False,
                "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": group}}],
            },
            tracingConfiguration={"enabled": True},
        )
        _bump(self.manifest.state_machines, region)
