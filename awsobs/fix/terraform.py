"""Terraform (AWS provider 5.x names): one file; a provider alias per account and region.
New resources as resources; an existing log group's retention as an `import` block plus the
resource (Terraform 1.5+), with `prevent_destroy`; changes the provider cannot make to an
existing resource without owning all of it are left to the `sh` output (listed at the top)."""

from __future__ import annotations

import json
import re
from typing import Any

from awsobs.fix import policies
from awsobs.fix.base import ALARM_TOPIC, TRAIL, TRAIL_LOG_GROUP
from awsobs.fix.model import Item, Plan, percentile
from awsobs.fix.names import tf_name
from awsobs.fix.text import comment

FORMAT = "terraform"


def string(value: Any) -> str:
    """An HCL string literal: JSON escapes, and `${` / `%{` doubled so that nothing from the
    account is interpolated."""
    text = json.dumps(str(value), ensure_ascii=True)
    return text.replace("${", "$${").replace("%{", "%%{")


def value(v: Any, indent: int = 2) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return json.dumps(v)
    if isinstance(v, Raw):
        return v.text
    pad = " " * indent
    if isinstance(v, dict):
        if not v:
            return "{}"
        inner = "".join(f"{pad}  {string(k)} = {value(x, indent + 2)}\n" for k, x in v.items())
        return "{\n" + inner + pad + "}"
    if isinstance(v, list | tuple):
        return "[" + ", ".join(value(x, indent) for x in v) + "]"
    return string(v)


class Raw:
    """An HCL expression written as is (a reference or a function call we built)."""

    def __init__(self, text: str) -> None:
        self.text = text


def render(plan: Plan) -> dict[str, str]:
    return {"awsobs-fix.tf": _file(plan)}


def _file(plan: Plan) -> str:
    groups = plan.groups(FORMAT)
    left = [i for i in plan.items if FORMAT not in i.formats]
    claims = sorted({c.label() for items in groups.values() for i in items for c in i.claims})
    out = [
        "# awsobs fix: Terraform",
        f"# Closes {len(claims)} finding(s) once applied. Review `terraform plan` first: the "
        "import blocks adopt existing log groups (only their retention is managed).",
    ]
    if left:
        out.append(
            f"# {len(left)} change(s) to existing resources are not here (the provider would have "
            "to own the whole resource): see `awsobs fix --format sh`."
        )
    out += [
        "",
        "terraform {",
        '  required_version = ">= 1.5.0"',
        "  required_providers {",
        '    aws = { source = "hashicorp/aws", version = ">= 5.30" }',
        "  }",
        "}",
        "",
    ]
    if any(i.kind == "topic" for items in groups.values() for i in items):
        out += [
            'variable "alarm_email" {',
            "  type        = string",
            '  description = "Who receives the new alarms (confirm the email AWS sends)"',
            "}",
            "",
        ]
    for (account, region), items in groups.items():
        alias = provider_alias(account, region)
        out += [
            f"# == account {account}, region {region} ==",
            'provider "aws" {',
            f"  alias               = {string(alias)}",
            f"  region              = {string(region)}",
            f"  allowed_account_ids = [{string(account)}]",
            "}",
            "",
        ]
        w = Writer(plan.partition, account, region, alias, items)
        for item in items:
            getattr(w, item.kind)(item)
        out += w.lines
    return "\n".join(out).rstrip() + "\n"


def provider_alias(account: str, region: str) -> str:
    return "a" + re.sub(r"[^A-Za-z0-9]", "_", f"{account}_{region}")


class Writer:
    def __init__(
        self, partition: str, account: str, region: str, alias: str, items: list[Item]
    ) -> None:
        self.partition, self.account, self.region, self.alias = partition, account, region, alias
        self.items = items
        self.lines: list[str] = []

    def block(
        self,
        rtype: str,
        name: str,
        args: dict[str, Any],
        *,
        why: str = "",
        note: str = "",
        fixes: list[str] | None = None,
        nested: dict[str, dict[str, Any]] | None = None,
        tail: list[str] | None = None,
    ) -> str:
        for text in (why, note):
            if text:
                self.lines.append(comment(text))
        for label in fixes or ():
            self.lines.append(comment(f"fixes: {label}"))
        self.lines.append(f"resource {string(rtype)} {string(name)} {{")
        self.lines.append(f"  provider = aws.{self.alias}")
        for k, v in args.items():
            self.lines.append(f"  {k} = {value(v)}")
        for label, body in (nested or {}).items():
            self.lines.append(f"  {label} {{")
            for k, v in body.items():
                self.lines.append(f"    {k} = {value(v, 4)}")
            self.lines.append("  }")
        # as CloudFormation's Retain: a resource that drops out of a regenerated file (its
        # finding resolved some other way) makes `terraform plan` stop, never destroy it
        tail = list(tail or ())
        if not any(line.strip() == "lifecycle {" for line in tail):
            tail += ["  lifecycle {", "    prevent_destroy = true", "  }"]
        self.lines.extend(tail)
        self.lines.append("}")
        self.lines.append("")
        return f"{rtype}.{name}"

    def _fixes(self, item: Item) -> list[str]:
        return [c.label() for c in item.claims]

    def _has(self, kind: str, name: str) -> bool:
        return any(i.kind == kind and i.name == name for i in self.items)

    # -- kinds ---------------------------------------------------------------------------

    def topic(self, item: Item) -> None:
        ref = self.block(
            "aws_sns_topic", tf_name("topic", item.name), {"name": item.name}, why=item.why
        )
        self.block(
            "aws_sns_topic_subscription",
            tf_name("subscription", item.name),
            {
                "topic_arn": Raw(f"{ref}.arn"),
                "protocol": "email",
                "endpoint": Raw("var.alarm_email"),
            },
        )

    def alarm(self, item: Item) -> None:
        p = item.props
        topic = p["topic"] or Raw(f"aws_sns_topic.{tf_name('topic', ALARM_TOPIC)}.arn")
        args: dict[str, Any] = {
            "alarm_name": item.name,
            "alarm_description": item.description(),
            "namespace": p["namespace"],
            "metric_name": p["metric"],
        }
        if p["dimensions"]:
            args["dimensions"] = p["dimensions"]
        stat = "extended_statistic" if percentile(p["statistic"]) else "statistic"
        args[stat] = p["statistic"]
        args.update(
            period=p["period"],
            evaluation_periods=p["evaluation_periods"],
            datapoints_to_alarm=p["datapoints_to_alarm"],
            threshold=p["threshold"],
            comparison_operator=p["comparison"],
            treat_missing_data=p["treat_missing_data"],
            alarm_actions=[topic],
        )
        self.block(
            "aws_cloudwatch_metric_alarm",
            tf_name("alarm", item.name),
            args,
            why=item.why,
            note=item.note,
            fixes=self._fixes(item),
        )

    def log_bucket(self, item: Item) -> None:
        name = tf_name("log_bucket", item.name)
        ref = self.block("aws_s3_bucket", name, {"bucket": item.name}, why=item.why)
        self.block(
            "aws_s3_bucket_public_access_block",
            name,
            {
                "bucket": Raw(f"{ref}.id"),
                "block_public_acls": True,
                "block_public_policy": True,
                "ignore_public_acls": True,
                "restrict_public_buckets": True,
            },
        )
        policy = policies.bucket_policy(self.partition, item.name, self.account)
        self.block(
            "aws_s3_bucket_policy",
            name,
            {"bucket": Raw(f"{ref}.id"), "policy": Raw(f"jsonencode({value(policy)})")},
        )

    def _depends(self, refs: list[str], bucket: str | None) -> list[str]:
        """`depends_on` the given resources and, when this file creates the bucket, its
        policy (the services check it before they deliver)."""
        if bucket and self._has("log_bucket", bucket):
            refs = [*refs, f"aws_s3_bucket_policy.{tf_name('log_bucket', bucket)}"]
        return [f"  depends_on = [{', '.join(refs)}]"] if refs else []

    def trail(self, item: Item) -> None:
        p = item.props
        name = tf_name("trail", item.name)
        group = self.block(
            "aws_cloudwatch_log_group",
            name,
            {"name": p["log_group"], "retention_in_days": p["retention"]},
        )
        arn = policies.log_group_arn(self.partition, self.region, self.account, p["log_group"])
        role = self.block(
            "aws_iam_role",
            name,
            {
                "name": policies.trail_role(self.region),
                "assume_role_policy": Raw(
                    f"jsonencode({value(policies.trust('cloudtrail.amazonaws.com'))})"
                ),
            },
        )
        self.block(
            "aws_iam_role_policy",
            name,
            {
                "name": "awsobs-cloudtrail-to-logs",
                "role": Raw(f"{role}.id"),
                "policy": Raw(f"jsonencode({value(policies.trail_logs_policy(arn))})"),
            },
        )
        self.block(
            "aws_cloudtrail",
            name,
            {
                "name": item.name,
                "s3_bucket_name": p["bucket"],
                "is_multi_region_trail": True,
                "include_global_service_events": True,
                "enable_log_file_validation": True,
                "enable_logging": True,
                "cloud_watch_logs_group_arn": Raw(f'"${{{group}.arn}}:*"'),
                "cloud_watch_logs_role_arn": Raw(f"{role}.arn"),
            },
            why=item.why,
            fixes=self._fixes(item),
            tail=self._depends([f"aws_iam_role_policy.{name}"], p["bucket"]),
        )

    def metric_filter(self, item: Item) -> None:
        p = item.props
        group: Any = p["log_group"]
        if group == TRAIL_LOG_GROUP and self._has("trail", TRAIL):
            group = Raw(f"aws_cloudwatch_log_group.{tf_name('trail', 'awsobs-trail')}.name")
        self.block(
            "aws_cloudwatch_log_metric_filter",
            tf_name("metric_filter", item.name),
            {"name": item.name, "log_group_name": group, "pattern": p["pattern"]},
            why=item.why,
            nested={
                "metric_transformation": {
                    "name": p["metric"],
                    "namespace": p["namespace"],
                    "value": "1",
                }
            },
        )

    def flow_log(self, item: Item) -> None:
        p = item.props
        dest: Any = p["destination"]
        if not dest:
            dest = Raw(f"aws_s3_bucket.{tf_name('log_bucket', p['bucket'])}.arn")
        self.block(
            "aws_flow_log",
            tf_name("flow_log", item.name),
            {
                "vpc_id": p["vpc_id"],
                "traffic_type": "ALL",
                "log_destination_type": "s3",
                "log_destination": dest,
                "tags": {"Name": item.name},
            },
            why=item.why,
            fixes=self._fixes(item),
            tail=self._depends([], p["bucket"]),
        )

    def log_group(self, item: Item) -> None:
        self.block(
            "aws_cloudwatch_log_group",
            tf_name("log_group", item.name),
            {"name": item.name, "retention_in_days": item.props["retention"]},
            why=item.why,
            fixes=self._fixes(item),
        )

    def retention(self, item: Item) -> None:
        name = tf_name("retention", item.name)
        self.lines += [
            "import {",
            f"  provider = aws.{self.alias}",
            f"  to       = aws_cloudwatch_log_group.{name}",
            f"  id       = {string(item.name)}",
            "}",
        ]
        self.block(
            "aws_cloudwatch_log_group",
            name,
            {"name": item.name, "retention_in_days": item.props["retention"]},
            why=item.why,
            fixes=self._fixes(item),
            # adopted, not owned: only the retention is ours to set (no KMS key, class or
            # tags in this block must read as "remove them"; a class change replaces it)
            tail=[
                "  lifecycle {",
                "    prevent_destroy = true",
                "    ignore_changes  = [kms_key_id, log_group_class, tags]",
                "  }",
            ],
        )

    def bucket_metrics(self, item: Item) -> None:
        self.block(
            "aws_s3_bucket_metric",
            tf_name("bucket_metrics", item.name),
            {"bucket": item.name, "name": item.props["id"]},
            why=item.why,
            fixes=self._fixes(item),
        )

    def config(self, item: Item) -> None:
        p = item.props
        name = tf_name("config", item.name + "-" + self.region)
        role = self.block(
            "aws_iam_role",
            name,
            {
                "name": policies.config_role(self.region),
                "assume_role_policy": Raw(
                    f"jsonencode({value(policies.trust('config.amazonaws.com'))})"
                ),
            },
        )
        self.block(
            "aws_iam_role_policy_attachment",
            name,
            {
                "role": Raw(f"{role}.name"),
                "policy_arn": policies.CONFIG_MANAGED_POLICY.format(p=self.partition),
            },
        )
        recorder = self.block(
            "aws_config_configuration_recorder",
            name,
            {"name": item.name, "role_arn": Raw(f"{role}.arn")},
            why=item.why,
            fixes=self._fixes(item),
            nested={
                "recording_group": {"all_supported": True, "include_global_resource_types": False}
            },
        )
        channel = self.block(
            "aws_config_delivery_channel",
            name,
            {"name": item.name, "s3_bucket_name": p["bucket"]},
            tail=self._depends([recorder], p["bucket"]),
        )
        self.block(
            "aws_config_configuration_recorder_status",
            name,
            {"name": Raw(f"{recorder}.name"), "is_enabled": True},
            tail=[f"  depends_on = [{channel}]"],
        )
