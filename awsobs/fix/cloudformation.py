"""CloudFormation: one template per account and region (a stack is regional). Only new
resources: CloudFormation cannot change a resource it does not own without an import, so
changes to existing resources are listed in the header and left to the `sh` or `terraform`
output. Every resource is `DeletionPolicy: Retain`: a template generated again after a
partial apply no longer holds what now passes, and updating the stack with it must not
delete what was applied."""

from __future__ import annotations

from typing import Any

from awsobs.fix import policies
from awsobs.fix.base import ALARM_TOPIC, TRAIL, TRAIL_LOG_GROUP
from awsobs.fix.model import Item, Plan, percentile
from awsobs.fix.names import logical_id
from awsobs.fix.text import comment
from awsobs.fix.yaml import dump

FORMAT = "cloudformation"


def render(plan: Plan) -> dict[str, str]:
    """File name -> template text, one per account and region."""
    out = {}
    left = [i for i in plan.items if FORMAT not in i.formats]
    for (account, region), items in plan.groups(FORMAT).items():
        out[f"awsobs-fix-{account}-{region}.yaml"] = _template(plan, account, region, items, left)
    return out


def _template(plan: Plan, account: str, region: str, items: list[Item], left: list[Item]) -> str:
    t = Template(plan.partition, account, region, items)
    for item in items:
        getattr(t, item.kind)(item)
    claims = sorted({c.label() for i in items for c in i.claims})
    elsewhere = [i for i in left if (i.account_id, i.region) == (account, region)]
    head = [
        f"# awsobs fix: CloudFormation for account {account}, region {region}",
        f"# Closes {len(claims)} finding(s) once deployed; review before applying:",
        f"#   aws cloudformation deploy --region {region} --stack-name awsobs-fix "
        "--template-file <this file> --capabilities CAPABILITY_NAMED_IAM"
        + (" --parameter-overrides AlarmEmail=<address>" if t.params else ""),
    ]
    if elsewhere:
        head.append(
            f"# {len(elsewhere)} change(s) to existing resources here are not in this template "
            "(CloudFormation would need to import them): see `awsobs fix --format sh`."
        )
    doc: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"awsobs fix for account {account} in {region}: {len(claims)} finding(s)",
        "Metadata": {"awsobs": {"account": account, "region": region, "fixes": claims}},
    }
    if t.params:
        doc["Parameters"] = t.params
    doc["Resources"] = t.resources
    return "\n".join(head) + "\n" + dump(doc)


class Template:
    """Builds one template's Resources; a method per item kind."""

    def __init__(self, partition: str, account: str, region: str, items: list[Item]) -> None:
        self.partition, self.account, self.region = partition, account, region
        self.items = items
        self.resources: dict[str, Any] = {}
        self.params: dict[str, Any] = {}

    def put(self, item: Item, suffix: str, rtype: str, props: dict[str, Any], **extra: Any) -> str:
        lid = logical_id(item.kind + suffix, item.name)
        for text in (item.why, item.note) if not suffix else ():
            if text:
                self.note(text)
        self.resources[lid] = {
            "Type": rtype,
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            **{k: v for k, v in extra.items() if v},  # no empty DependsOn
            "Metadata": {"awsobs": {"fixes": [c.label() for c in item.claims]}},
            "Properties": props,
        }
        return lid

    def note(self, text: str) -> None:
        """A comment line above the next resource (keys are unique: trailing spaces)."""
        key = comment(text)
        while key in self.resources:
            key += " "
        self.resources[key] = None

    def _ref(self, kind: str, name: str, suffix: str = "") -> str | None:
        if any(i.kind == kind and i.name == name for i in self.items):
            return logical_id(kind + suffix, name)
        return None

    # -- kinds ---------------------------------------------------------------------------

    def topic(self, item: Item) -> None:
        self.params["AlarmEmail"] = {
            "Type": "String",
            "Description": "The address that receives these alarms (confirm the email AWS sends)",
            "AllowedPattern": ".+@.+",
        }
        self.put(
            item,
            "",
            "AWS::SNS::Topic",
            {
                "TopicName": item.name,
                "Subscription": [{"Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}],
            },
        )

    def alarm(self, item: Item) -> None:
        p = item.props
        topic = p["topic"]
        action: Any = topic if topic else {"Ref": logical_id("topic", ALARM_TOPIC)}
        props: dict[str, Any] = {
            "AlarmName": item.name,
            "AlarmDescription": item.description(),
            "Namespace": p["namespace"],
            "MetricName": p["metric"],
        }
        if p["dimensions"]:
            props["Dimensions"] = [{"Name": k, "Value": v} for k, v in p["dimensions"].items()]
        props.update(
            {
                "ExtendedStatistic" if percentile(p["statistic"]) else "Statistic": p["statistic"],
                "Period": p["period"],
                "EvaluationPeriods": p["evaluation_periods"],
                "DatapointsToAlarm": p["datapoints_to_alarm"],
                "Threshold": p["threshold"],
                "ComparisonOperator": p["comparison"],
                "TreatMissingData": p["treat_missing_data"],
                "ActionsEnabled": True,
                "AlarmActions": [action],
            }
        )
        extra = {}
        group = p.get("log_group")
        if group:
            flt = self._ref("metric_filter", item.name)
            if flt:
                extra["DependsOn"] = [flt]
        self.put(item, "", "AWS::CloudWatch::Alarm", props, **extra)

    def log_bucket(self, item: Item) -> None:
        lid = self.put(
            item,
            "",
            "AWS::S3::Bucket",
            {
                "BucketName": item.name,
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
            },
        )
        self.put(
            item,
            "Policy",
            "AWS::S3::BucketPolicy",
            {
                "Bucket": {"Ref": lid},
                "PolicyDocument": policies.bucket_policy(self.partition, item.name, self.account),
            },
        )

    def _bucket_ready(self, name: str) -> list[str]:
        ref = self._ref("log_bucket", name, "Policy")
        return [ref] if ref else []

    def trail(self, item: Item) -> None:
        p = item.props
        group = self.put(
            item,
            "LogGroup",
            "AWS::Logs::LogGroup",
            {"LogGroupName": p["log_group"], "RetentionInDays": p["retention"]},
        )
        group_arn = policies.log_group_arn(
            self.partition, self.region, self.account, p["log_group"]
        )
        role = self.put(
            item,
            "Role",
            "AWS::IAM::Role",
            {
                "RoleName": policies.trail_role(self.region),
                "AssumeRolePolicyDocument": policies.trust("cloudtrail.amazonaws.com"),
                "Policies": [
                    {
                        "PolicyName": "awsobs-cloudtrail-to-logs",
                        "PolicyDocument": policies.trail_logs_policy(group_arn),
                    }
                ],
            },
        )
        self.put(
            item,
            "",
            "AWS::CloudTrail::Trail",
            {
                "TrailName": item.name,
                "S3BucketName": p["bucket"],
                "IsLogging": True,
                "IsMultiRegionTrail": True,
                "IncludeGlobalServiceEvents": True,
                "EnableLogFileValidation": True,
                "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": [group, "Arn"]},
                "CloudWatchLogsRoleArn": {"Fn::GetAtt": [role, "Arn"]},
            },
            DependsOn=self._bucket_ready(p["bucket"]),
        )

    def metric_filter(self, item: Item) -> None:
        p = item.props
        group: Any = p["log_group"]
        extra = {}
        if group == TRAIL_LOG_GROUP and self._ref("trail", TRAIL):
            extra["DependsOn"] = [logical_id("trailLogGroup", TRAIL)]
        self.put(
            item,
            "",
            "AWS::Logs::MetricFilter",
            {
                "FilterName": item.name,
                "LogGroupName": group,
                "FilterPattern": p["pattern"],
                "MetricTransformations": [
                    {
                        "MetricName": p["metric"],
                        "MetricNamespace": p["namespace"],
                        "MetricValue": "1",
                    }
                ],
            },
            **extra,
        )

    def flow_log(self, item: Item) -> None:
        p = item.props
        bucket = p["bucket"]
        dest: Any = p["destination"] or {"Fn::GetAtt": [logical_id("log_bucket", bucket), "Arn"]}
        self.put(
            item,
            "",
            "AWS::EC2::FlowLog",
            {
                "ResourceId": p["vpc_id"],
                "ResourceType": "VPC",
                "TrafficType": "ALL",
                "LogDestinationType": "s3",
                "LogDestination": dest,
                "Tags": [{"Key": "Name", "Value": item.name}],
            },
            DependsOn=self._bucket_ready(bucket) if bucket else [],
        )

    def log_group(self, item: Item) -> None:
        self.put(
            item,
            "",
            "AWS::Logs::LogGroup",
            {"LogGroupName": item.name, "RetentionInDays": item.props["retention"]},
        )

    def config(self, item: Item) -> None:
        p = item.props
        role = self.put(
            item,
            "Role",
            "AWS::IAM::Role",
            {
                "RoleName": policies.config_role(self.region),
                "AssumeRolePolicyDocument": policies.trust("config.amazonaws.com"),
                "ManagedPolicyArns": [policies.CONFIG_MANAGED_POLICY.format(p=self.partition)],
            },
        )
        recorder = self.put(
            item,
            "",
            "AWS::Config::ConfigurationRecorder",
            {
                "Name": item.name,
                "RoleARN": {"Fn::GetAtt": [role, "Arn"]},
                "RecordingGroup": {"AllSupported": True, "IncludeGlobalResourceTypes": False},
            },
        )
        self.put(
            item,
            "Channel",
            "AWS::Config::DeliveryChannel",
            {"Name": item.name, "S3BucketName": p["bucket"]},
            DependsOn=[recorder, *self._bucket_ready(p["bucket"])],
        )
