"""The `large` scenario: what a real account looks like (bench/README.md describes it).

6 trails (a multi-region one with advanced selectors, single-region ones in 5 regions,
one of them stopped), 40 DynamoDB tables and 40 Lambda functions spread over 6 regions,
6 S3 buckets, 12 APIs and 15 instances in 3 regions, about 140 alarms (half the tables
and functions, most instances, the 15 CIS controls) notifying a topic per region.
"""

from __future__ import annotations

import json
import time
from typing import Any

from seeder import HOME, SIX_REGIONS, Manifest, Seeder, _trust

from awsobs.demo import ACCOUNT
from awsobs.demo.moto_ext import set_trail_status_fields


def _advanced(name: str, *fields: dict[str, Any]) -> dict[str, Any]:
    return {"Name": name, "FieldSelectors": list(fields)}


def _eq(field_name: str, *values: str) -> dict[str, Any]:
    return {"Field": field_name, "Equals": list(values)}


def seed_large(endpoint: str) -> Manifest:
    """6 trails, 40 tables and 40 functions over 6 regions, 6 buckets, and 12 APIs
    (REST, HTTP, WebSocket) and 15 instances in 3 regions (module docstring)."""
    s = Seeder(endpoint)
    s.bucket("bench-access-logs", log_target=True)
    s.bucket("bench-org-trail-logs", log_to="bench-access-logs")
    s.bucket("bench-legacy-logs")
    s.bucket("bench-eu-access-logs", "eu-west-1", log_target=True)
    s.bucket("bench-eu-trail-logs", "eu-west-1", log_to="bench-eu-access-logs")
    s.bucket("bench-regional-trail-logs", "us-east-2")
    s.app_bucket("bench-web-assets", metrics=True, alarm=True)
    s.app_bucket("bench-uploads", metrics=False, alarm=False)

    tables = {r: s.tables(r, 7 if i < 4 else 6) for i, r in enumerate(SIX_REGIONS)}
    for i, region in enumerate(SIX_REGIONS):
        functions = s.functions(region, 7 if i < 4 else 6)
        s.resource_alarms(region, tables[region], functions)
    apigw_role = s.client("iam").create_role(
        RoleName="bench-apigateway",
        AssumeRolePolicyDocument=json.dumps(_trust("apigateway.amazonaws.com")),
    )["Role"]["Arn"]
    for region in ("us-east-1", "eu-west-1", "ap-southeast-1"):
        s.apis(region, apigw_role)
    iam = s.client("iam")
    iam.create_role(
        RoleName="bench-agent", AssumeRolePolicyDocument=json.dumps(_trust("ec2.amazonaws.com"))
    )
    iam.put_role_policy(
        RoleName="bench-agent",
        PolicyName="agent",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Resource": "*",
                        "Action": ["cloudwatch:PutMetricData", "logs:PutLogEvents"],
                    }
                ],
            }
        ),
    )
    iam.create_instance_profile(InstanceProfileName="bench-agent")
    iam.add_role_to_instance_profile(InstanceProfileName="bench-agent", RoleName="bench-agent")
    for region in ("us-east-1", "eu-west-1", "ap-southeast-1"):
        s.instances(region, "bench-agent")

    key = s.client("kms").create_key()["KeyMetadata"]["Arn"]
    group = s.log_group(HOME, "/aws/cloudtrail/org-audit")
    s.trail(
        "org-audit",
        HOME,
        "bench-org-trail-logs",
        multi_region=True,
        EnableLogFileValidation=True,
        KmsKeyId=key,
        CloudWatchLogsLogGroupArn=group,
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-cloudwatch",
        selectors={
            "AdvancedEventSelectors": [
                _advanced("Management events", _eq("eventCategory", "Management")),
                _advanced(
                    "S3 writes",
                    _eq("eventCategory", "Data"),
                    _eq("resources.type", "AWS::S3::Object"),
                    _eq("readOnly", "false"),
                ),
                _advanced(
                    "Lambda invocations",
                    _eq("eventCategory", "Data"),
                    _eq("resources.type", "AWS::Lambda::Function"),
                ),
            ]
        },
    )
    set_trail_status_fields(
        ACCOUNT, HOME, "org-audit", LatestCloudWatchLogsDeliveryTime=int(time.time())
    )
    s.cis_alarms(group)
    s.trail(
        "legacy-trail",
        HOME,
        "bench-legacy-logs",
        logging=False,
        selectors={"EventSelectors": [{"ReadWriteType": "ReadOnly"}]},
    )
    eu_arns = [f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{n}" for n in tables["eu-west-1"][:3]]
    s.trail(
        "eu-app-trail",
        "eu-west-1",
        "bench-eu-trail-logs",
        EnableLogFileValidation=True,
        selectors={
            "AdvancedEventSelectors": [
                _advanced("Management events", _eq("eventCategory", "Management")),
                _advanced(
                    "Order tables",
                    _eq("eventCategory", "Data"),
                    _eq("resources.type", "AWS::DynamoDB::Table"),
                    _eq("resources.ARN", *eu_arns),
                ),
            ]
        },
    )
    ddb_all = [{"Type": "AWS::DynamoDB::Table", "Values": ["arn:aws:dynamodb"]}]
    s.trail(
        "eu-central-data",
        "eu-central-1",
        "bench-regional-trail-logs",
        selectors={"EventSelectors": [{"ReadWriteType": "All", "DataResources": ddb_all}]},
    )
    s.trail("apac-trail", "ap-southeast-1", "bench-regional-trail-logs")
    lambda_all = [{"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]
    s.trail(
        "us-west-2-lambda",
        "us-west-2",
        "bench-regional-trail-logs",
        CloudWatchLogsLogGroupArn=s.log_group("us-west-2", "/aws/cloudtrail/us-west-2"),
        CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/cloudtrail-to-cloudwatch",
        selectors={"EventSelectors": [{"ReadWriteType": "All", "DataResources": lambda_all}]},
    )
    return s.manifest
