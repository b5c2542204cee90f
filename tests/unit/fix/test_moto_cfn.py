"""tests/moto_cfn.py: each CloudFormation type moto 5.2 lacks, deployed in a stack, creates
the real resource (read back with the service's own API), and plain moto skips it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto_cfn import cfn_extension

REGION = "us-east-1"
ACCOUNT = "123456789012"
BUCKET = "trail-logs-example"


@pytest.fixture
def cfn(aws: boto3.Session) -> Iterator[boto3.Session]:
    with cfn_extension():
        yield aws


def deploy(
    session: boto3.Session, resources: dict[str, Any], outputs: dict[str, Any] | None = None
) -> dict[str, str]:
    """Create a stack of `resources`; its outputs (name -> value) once CREATE_COMPLETE."""
    cf = session.client("cloudformation", region_name=REGION)
    body: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if outputs:
        body["Outputs"] = {k: {"Value": v} for k, v in outputs.items()}
    cf.create_stack(StackName="s", TemplateBody=json.dumps(body))
    stack = cf.describe_stacks(StackName="s")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def trail_bucket(policy: bool = True) -> dict[str, Any]:
    """A bucket (+ the policy CloudTrail needs) as template resources."""
    arn = f"arn:aws:s3:::{BUCKET}"
    out: dict[str, Any] = {
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": BUCKET,
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "VersioningConfiguration": {"Status": "Enabled"},
            },
        }
    }
    if policy:
        service = {"Service": "cloudtrail.amazonaws.com"}
        out["Policy"] = {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {
                "Bucket": {"Ref": "Bucket"},
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": service,
                            "Action": "s3:GetBucketAcl",
                            "Resource": arn,
                        },
                        {
                            "Effect": "Allow",
                            "Principal": service,
                            "Action": "s3:PutObject",
                            "Resource": f"{arn}/AWSLogs/{ACCOUNT}/*",
                        },
                    ],
                },
            },
        }
    return out


def test_an_alarm_is_created_with_its_properties(cfn: boto3.Session) -> None:
    alarm = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": "orders-throttled",
            "AlarmDescription": "writes throttled",
            "Namespace": "AWS/DynamoDB",
            "MetricName": "WriteThrottleEvents",
            "Dimensions": [{"Name": "TableName", "Value": "orders"}],
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 5,
            "DatapointsToAlarm": 3,
            "Threshold": 1.0,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "ActionsEnabled": True,
            "AlarmActions": [f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"],
        },
    }
    out = deploy(
        cfn, {"Alarm": alarm}, {"Arn": {"Fn::GetAtt": ["Alarm", "Arn"]}, "Name": {"Ref": "Alarm"}}
    )
    found = cfn.client("cloudwatch", region_name=REGION).describe_alarms()["MetricAlarms"]
    assert len(found) == 1
    a = found[0]
    assert (a["AlarmName"], a["Namespace"], a["MetricName"]) == (
        "orders-throttled",
        "AWS/DynamoDB",
        "WriteThrottleEvents",
    )
    assert a["Dimensions"] == [{"Name": "TableName", "Value": "orders"}]
    assert (a["Period"], a["EvaluationPeriods"], a["DatapointsToAlarm"]) == (60, 5, 3)
    assert (a["Threshold"], a["ComparisonOperator"]) == (1.0, "GreaterThanOrEqualToThreshold")
    assert (a["TreatMissingData"], a["ActionsEnabled"]) == ("notBreaching", True)
    assert a["AlarmActions"] == [f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"]
    assert out == {"Arn": a["AlarmArn"], "Name": "orders-throttled"}


def test_without_the_extension_moto_skips_the_alarm(aws: boto3.Session) -> None:
    """Why the extension exists: plain moto reports the stack complete, with no alarm."""
    alarm = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": "a",
            "Namespace": "N",
            "MetricName": "M",
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanThreshold",
        },
    }
    with cfn_extension():
        pass  # installed and uninstalled again: back to moto's own types
    with pytest.warns(UserWarning, match="not supported by moto"):
        deploy(aws, {"Alarm": alarm})
    assert aws.client("cloudwatch", region_name=REGION).describe_alarms()["MetricAlarms"] == []


def test_a_metric_filter_is_created_on_its_log_group(cfn: boto3.Session) -> None:
    deploy(
        cfn,
        {
            "Group": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/trail", "RetentionInDays": 365},
            },
            "Filter": {
                "Type": "AWS::Logs::MetricFilter",
                "DependsOn": ["Group"],
                "Properties": {
                    "FilterName": "root-usage",
                    "LogGroupName": "/trail",
                    "FilterPattern": '{ $.userIdentity.type = "Root" }',
                    "MetricTransformations": [
                        {"MetricName": "RootUsage", "MetricNamespace": "CIS", "MetricValue": "1"}
                    ],
                },
            },
        },
    )
    logs = cfn.client("logs", region_name=REGION)
    (f,) = logs.describe_metric_filters(logGroupName="/trail")["metricFilters"]
    assert (f["filterName"], f["filterPattern"]) == (
        "root-usage",
        '{ $.userIdentity.type = "Root" }',
    )
    assert f["metricTransformations"] == [
        {"metricName": "RootUsage", "metricNamespace": "CIS", "metricValue": "1"}
    ]
    (g,) = logs.describe_log_groups(logGroupNamePrefix="/trail")["logGroups"]
    assert g["retentionInDays"] == 365


def test_a_metric_filter_on_a_missing_log_group_fails_the_stack(cfn: boto3.Session) -> None:
    """As on AWS (ResourceNotFoundException); moto's own PutMetricFilter accepts it."""
    flt = {
        "Type": "AWS::Logs::MetricFilter",
        "Properties": {
            "LogGroupName": "/nowhere",
            "FilterPattern": "x",
            "MetricTransformations": [
                {"MetricName": "M", "MetricNamespace": "N", "MetricValue": "1"}
            ],
        },
    }
    with pytest.raises(ClientError, match="log group does not exist"):
        deploy(cfn, {"Filter": flt})


def test_a_trail_is_created_logging_to_s3_and_cloudwatch_logs(cfn: boto3.Session) -> None:
    resources = trail_bucket()
    resources["Group"] = {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/ct"}}
    resources["Trail"] = {
        "Type": "AWS::CloudTrail::Trail",
        "DependsOn": ["Policy"],
        "Properties": {
            "TrailName": "main",
            "S3BucketName": {"Ref": "Bucket"},
            "IsLogging": True,
            "IsMultiRegionTrail": True,
            "IncludeGlobalServiceEvents": True,
            "EnableLogFileValidation": True,
            "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["Group", "Arn"]},
            "CloudWatchLogsRoleArn": f"arn:aws:iam::{ACCOUNT}:role/ct",
            "AdvancedEventSelectors": [
                {
                    "Name": "management",
                    "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
                }
            ],
        },
    }
    out = deploy(cfn, resources, {"Arn": {"Fn::GetAtt": ["Trail", "Arn"]}})
    ct = cfn.client("cloudtrail", region_name=REGION)
    (t,) = ct.describe_trails()["trailList"]
    assert (t["Name"], t["S3BucketName"]) == ("main", BUCKET)
    assert t["IsMultiRegionTrail"] and t["IncludeGlobalServiceEvents"]
    assert t["LogFileValidationEnabled"]
    # CloudFormation's GetAtt Arn of a log group ends in ":*" (moto's own returns it bare)
    assert t["CloudWatchLogsLogGroupArn"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/ct:*"
    assert ct.get_trail_status(Name="main")["IsLogging"] is True
    selectors = ct.get_event_selectors(TrailName="main")["AdvancedEventSelectors"]
    assert selectors[0]["Name"] == "management"
    assert out == {"Arn": t["TrailARN"]}


def test_a_trail_that_is_not_logging_is_not_started(cfn: boto3.Session) -> None:
    resources = trail_bucket()
    resources["Trail"] = {
        "Type": "AWS::CloudTrail::Trail",
        "DependsOn": ["Policy"],
        "Properties": {"TrailName": "quiet", "S3BucketName": BUCKET, "IsLogging": False},
    }
    deploy(cfn, resources)
    ct = cfn.client("cloudtrail", region_name=REGION)
    assert ct.get_trail_status(Name="quiet")["IsLogging"] is False


def test_a_trail_whose_bucket_policy_lets_cloudtrail_not_write_fails(cfn: boto3.Session) -> None:
    """CreateTrail checks the bucket policy on AWS (InsufficientS3BucketPolicyException)."""
    resources = trail_bucket(policy=False)
    resources["Trail"] = {
        "Type": "AWS::CloudTrail::Trail",
        "Properties": {"TrailName": "main", "S3BucketName": {"Ref": "Bucket"}, "IsLogging": True},
    }
    with pytest.raises(ClientError, match="InsufficientS3BucketPolicyException"):
        deploy(cfn, resources)


def test_a_bucket_policy_and_the_bucket_settings_moto_drops(cfn: boto3.Session) -> None:
    deploy(cfn, trail_bucket())
    s3 = cfn.client("s3", region_name=REGION)
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    assert [s["Action"] for s in policy["Statement"]] == ["s3:GetBucketAcl", "s3:PutObject"]
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"


def test_an_sns_subscription_is_created(cfn: boto3.Session) -> None:
    out = deploy(
        cfn,
        {
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "ops"}},
            "Sub": {
                "Type": "AWS::SNS::Subscription",
                "Properties": {
                    "TopicArn": {"Ref": "Topic"},
                    "Protocol": "email",
                    "Endpoint": "ops@example.com",
                },
            },
        },
        {"Sub": {"Ref": "Sub"}},
    )
    sns = cfn.client("sns", region_name=REGION)
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:ops"
    (s,) = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (s["Protocol"], s["Endpoint"]) == ("email", "ops@example.com")
    assert out == {"Sub": s["SubscriptionArn"]}


def test_a_config_recorder_records_once_its_delivery_channel_exists(cfn: boto3.Session) -> None:
    """CloudFormation starts the recorder as soon as the delivery channel is available."""
    resources = trail_bucket()
    resources["Recorder"] = {
        "Type": "AWS::Config::ConfigurationRecorder",
        "Properties": {
            "Name": "default",
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/config",
            "RecordingGroup": {"AllSupported": True, "IncludeGlobalResourceTypes": False},
        },
    }
    resources["Channel"] = {
        "Type": "AWS::Config::DeliveryChannel",
        "DependsOn": ["Recorder", "Policy"],
        "Properties": {"Name": "default", "S3BucketName": BUCKET},
    }
    deploy(cfn, resources)
    config = cfn.client("config", region_name=REGION)
    (r,) = config.describe_configuration_recorders()["ConfigurationRecorders"]
    assert r["name"] == "default"
    assert r["recordingGroup"]["allSupported"] is True
    assert r["roleARN"] == f"arn:aws:iam::{ACCOUNT}:role/config"
    (st,) = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert st["recording"] is True
    (ch,) = config.describe_delivery_channels()["DeliveryChannels"]
    assert (ch["name"], ch["s3BucketName"]) == ("default", BUCKET)


def test_a_recorder_without_a_delivery_channel_does_not_record(cfn: boto3.Session) -> None:
    deploy(
        cfn,
        {
            "Recorder": {
                "Type": "AWS::Config::ConfigurationRecorder",
                "Properties": {"RoleARN": f"arn:aws:iam::{ACCOUNT}:role/config"},
            }
        },
    )
    config = cfn.client("config", region_name=REGION)
    (st,) = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    assert st["recording"] is False


def test_a_property_the_extension_does_not_handle_fails_the_stack(cfn: boto3.Session) -> None:
    """Never a half-made resource: an unhandled property is an error, not dropped."""
    alarm = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": "a",
            "ComparisonOperator": "GreaterThanThreshold",
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "Metrics": [{"Id": "m", "Expression": "1"}],
        },
    }
    with pytest.raises(ClientError, match=r"does not handle \['Metrics'\]"):
        deploy(cfn, {"Alarm": alarm})


# -- moto's own types, made to match AWS ------------------------------------------------------


def test_a_flow_log_may_deliver_to_a_folder_of_a_bucket(cfn: boto3.Session) -> None:
    """AWS accepts `arn:aws:s3:::bucket/folder/`; moto alone looks for a bucket of that name."""
    cfn.client("s3", region_name=REGION).create_bucket(Bucket="flow-logs")
    ec2 = cfn.client("ec2", region_name=REGION)
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    flow = {
        "Type": "AWS::EC2::FlowLog",
        "Properties": {
            "ResourceId": vpc,
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "s3",
            "LogDestination": "arn:aws:s3:::flow-logs/awsobs/",
        },
    }
    deploy(cfn, {"Flow": flow})
    (fl,) = ec2.describe_flow_logs()["FlowLogs"]
    assert (fl["ResourceId"], fl["TrafficType"]) == (vpc, "ALL")
    assert fl["LogDestination"] == "arn:aws:s3:::flow-logs/awsobs/"


def test_a_flow_log_to_a_missing_bucket_fails_the_stack(cfn: boto3.Session) -> None:
    vpc = cfn.client("ec2", region_name=REGION).describe_vpcs()["Vpcs"][0]["VpcId"]
    flow = {
        "Type": "AWS::EC2::FlowLog",
        "Properties": {
            "ResourceId": vpc,
            "ResourceType": "VPC",
            "TrafficType": "ALL",
            "LogDestinationType": "s3",
            "LogDestination": "arn:aws:s3:::nowhere/awsobs/",
        },
    }
    with pytest.raises(ClientError, match="nowhere does not exist"):
        deploy(cfn, {"Flow": flow})


def test_a_role_gets_its_managed_policies(cfn: boto3.Session) -> None:
    iam = cfn.client("iam")
    mine = iam.create_policy(PolicyName="mine", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }))["Policy"]["Arn"]  # fmt: skip
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "RoleName": "config",
            "AssumeRolePolicyDocument": trust,
            # AWS's own managed policies are not loaded in moto by default: skipped
            "ManagedPolicyArns": [mine, "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"],
        },
    }
    deploy(cfn, {"Role": role})
    attached = iam.list_attached_role_policies(RoleName="config")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [mine]


def test_a_property_moto_would_drop_fails_the_stack(cfn: boto3.Session) -> None:
    group = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": "/x", "KmsKeyId": "arn:aws:kms:us-east-1:1:key/k"},
    }
    with pytest.raises(ClientError, match=r"LogGroup does not handle \['KmsKeyId'\]"):
        deploy(cfn, {"Group": group})
