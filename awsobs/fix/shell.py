"""A POSIX shell script of AWS CLI commands: every item, new resources and changes to
existing ones, each block commented with the findings it fixes. Every value is quoted with
`shlex.quote`, structured parameters are JSON, and each account's section first checks that
the credentials are for that account."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from awsobs.fix import policies
from awsobs.fix.model import Item, Plan, percentile
from awsobs.fix.text import comment

FORMAT = "sh"

PRELUDE = """\
set -eu
# The IAM changes below need a moment to reach CloudTrail and AWS Config.
AWSOBS_IAM_WAIT="${AWSOBS_IAM_WAIT:-10}"

awsobs_unsuccessful() {
  if [ "$2" != "[]" ]; then
    echo "awsobs fix: $1 failed: $2" >&2
    exit 1
  fi
}

awsobs_account() {
  actual=$(aws sts get-caller-identity --query Account --output text)
  if [ "$actual" != "$1" ]; then
    echo "awsobs fix: this section is for account $1; the credentials are for $actual" >&2
    exit 1
  fi
}
"""


def q(value: Any) -> str:
    return shlex.quote(str(value))


def j(doc: Any) -> str:
    return q(json.dumps(doc, separators=(",", ":"), sort_keys=False))


def render(plan: Plan) -> dict[str, str]:
    groups = plan.groups(FORMAT)
    claims = sorted({c.label() for items in groups.values() for i in items for c in i.claims})
    out = [
        "#!/bin/sh",
        "# awsobs fix: AWS CLI commands",
        f"# Closes {len(claims)} finding(s). Read every command before you run this script;",
        "# awsobs never runs it. Run it with credentials for the accounts it names.",
        PRELUDE,
    ]
    if any(i.kind == "topic" for items in groups.values() for i in items):
        out.append(
            ': "${ALARM_EMAIL:?set ALARM_EMAIL to the address that receives the new alarms}"\n'
        )
    current = None
    for (account, region), items in groups.items():
        if account != current:
            out += [f"# == account {account} ==", f"awsobs_account {q(account)}", ""]
            current = account
        out.append(f"# -- {region} --")
        w = Script(plan.partition, account, region)
        for item in items:
            out.append(comment(item.why) if item.why else "")
            if item.note:
                out.append(comment(item.note))
            for c in item.claims:
                out.append(comment(f"fixes: {c.label()}"))
            getattr(w, item.kind)(item)
            out += w.take()
            out.append("")
    out.append('echo "awsobs fix: done"')
    return {"awsobs-fix.sh": "\n".join(line for line in out if line is not None) + "\n"}


def topic_var(region: str) -> str:
    return "AWSOBS_TOPIC_" + re.sub(r"[^A-Za-z0-9]", "_", region).upper()


class Script:
    def __init__(self, partition: str, account: str, region: str) -> None:
        self.partition, self.account, self.region = partition, account, region
        self.lines: list[str] = []

    def aws(self, *args: str, raw: str = "") -> None:
        """One CLI command in this region; `args` are quoted, `raw` is appended as is (only
        awsobs's own variable references)."""
        self.lines.append(self.command(*args, raw=raw))

    def command(self, *args: str, raw: str = "") -> str:
        words = ["aws", *[q(a) for a in args], "--region", q(self.region)]
        return " ".join(words) + (f" {raw}" if raw else "")

    def create_role(self, role: str, service: str) -> None:
        """An IAM role that `service` may assume (its policy follows)."""
        self.aws(
            "iam",
            "create-role",
            "--role-name",
            role,
            "--assume-role-policy-document",
            json.dumps(policies.trust(service)),
        )

    def take(self) -> list[str]:
        out, self.lines = self.lines, []
        return out

    # -- kinds ---------------------------------------------------------------------------

    def topic(self, item: Item) -> None:
        var = topic_var(self.region)
        create = self.command(
            "sns", "create-topic", "--name", item.name, "--query", "TopicArn", "--output", "text"
        )
        self.lines.append(f"{var}=$({create})")
        self.aws(
            "sns",
            "subscribe",
            "--protocol",
            "email",
            "--topic-arn",
            raw=f'"${var}" --notification-endpoint "$ALARM_EMAIL"',
        )

    def alarm(self, item: Item) -> None:
        p = item.props
        args = [
            "cloudwatch",
            "put-metric-alarm",
            "--alarm-name",
            item.name,
            "--alarm-description",
            item.description(),
            "--namespace",
            p["namespace"],
            "--metric-name",
            p["metric"],
        ]
        if p["dimensions"]:
            args += [
                "--dimensions",
                json.dumps([{"Name": k, "Value": v} for k, v in p["dimensions"].items()]),
            ]
        args += [
            "--extended-statistic" if percentile(p["statistic"]) else "--statistic",
            p["statistic"],
            "--period",
            str(p["period"]),
            "--evaluation-periods",
            str(p["evaluation_periods"]),
            "--datapoints-to-alarm",
            str(p["datapoints_to_alarm"]),
            "--threshold",
            repr(float(p["threshold"])),
            "--comparison-operator",
            p["comparison"],
            "--treat-missing-data",
            p["treat_missing_data"],
        ]
        if p["topic"]:
            self.aws(*args, "--alarm-actions", p["topic"])
        else:
            self.aws(*args, raw=f'--alarm-actions "${topic_var(self.region)}"')

    def log_bucket(self, item: Item) -> None:
        where = (
            []
            if self.region == "us-east-1"
            else ["--create-bucket-configuration", f"LocationConstraint={self.region}"]
        )
        self.aws("s3api", "create-bucket", "--bucket", item.name, *where)
        self.aws(
            "s3api",
            "put-public-access-block",
            "--bucket",
            item.name,
            "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        )
        policy = policies.bucket_policy(self.partition, item.name, self.account)
        self.aws(
            "s3api", "put-bucket-policy", "--bucket", item.name, "--policy", json.dumps(policy)
        )

    def trail(self, item: Item) -> None:
        p = item.props
        role = policies.trail_role(self.region)
        group_arn = policies.log_group_arn(
            self.partition, self.region, self.account, p["log_group"]
        )
        self.aws("logs", "create-log-group", "--log-group-name", p["log_group"])
        self.aws(
            "logs",
            "put-retention-policy",
            "--log-group-name",
            p["log_group"],
            "--retention-in-days",
            str(p["retention"]),
        )
        self.create_role(role, "cloudtrail.amazonaws.com")
        self.aws(
            "iam",
            "put-role-policy",
            "--role-name",
            role,
            "--policy-name",
            "awsobs-cloudtrail-to-logs",
            "--policy-document",
            json.dumps(policies.trail_logs_policy(group_arn)),
        )
        self.lines.append('sleep "$AWSOBS_IAM_WAIT"')
        self.aws(
            "cloudtrail",
            "create-trail",
            "--name",
            item.name,
            "--s3-bucket-name",
            p["bucket"],
            "--is-multi-region-trail",
            "--include-global-service-events",
            "--enable-log-file-validation",
            "--cloud-watch-logs-log-group-arn",
            f"{group_arn}:*",
            "--cloud-watch-logs-role-arn",
            policies.role_arn(self.partition, self.account, role),
        )
        self.aws("cloudtrail", "start-logging", "--name", item.name)

    def metric_filter(self, item: Item) -> None:
        p = item.props
        transform = [
            {"metricName": p["metric"], "metricNamespace": p["namespace"], "metricValue": "1"}
        ]
        self.aws(
            "logs",
            "put-metric-filter",
            "--log-group-name",
            p["log_group"],
            "--filter-name",
            item.name,
            "--filter-pattern",
            p["pattern"],
            "--metric-transformations",
            json.dumps(transform),
        )

    def flow_log(self, item: Item) -> None:
        p = item.props
        dest = p["destination"] or f"arn:{self.partition}:s3:::{p['bucket']}"
        create = self.command(
            "ec2",
            "create-flow-logs",
            "--resource-type",
            "VPC",
            "--resource-ids",
            p["vpc_id"],
            "--traffic-type",
            "ALL",
            "--log-destination-type",
            "s3",
            "--log-destination",
            dest,
            "--tag-specifications",
            json.dumps(
                [{"ResourceType": "vpc-flow-log", "Tags": [{"Key": "Name", "Value": item.name}]}]
            ),
            "--query",
            "Unsuccessful",
            "--output",
            "json",
        )
        # CreateFlowLogs answers 200 with the refusals listed: the CLI's exit code is 0
        self.lines.append(f'awsobs_unsuccessful create-flow-logs "$({create})"')

    def log_group(self, item: Item) -> None:
        self.aws("logs", "create-log-group", "--log-group-name", item.name)
        self.retention(item)

    def retention(self, item: Item) -> None:
        self.aws(
            "logs",
            "put-retention-policy",
            "--log-group-name",
            item.name,
            "--retention-in-days",
            str(item.props["retention"]),
        )

    def bucket_metrics(self, item: Item) -> None:
        mid = item.props["id"]
        self.aws(
            "s3api",
            "put-bucket-metrics-configuration",
            "--bucket",
            item.name,
            "--id",
            mid,
            "--metrics-configuration",
            json.dumps({"Id": mid}),
        )

    def config(self, item: Item) -> None:
        p = item.props
        role = policies.config_role(self.region)
        self.create_role(role, "config.amazonaws.com")
        self.aws(
            "iam",
            "attach-role-policy",
            "--role-name",
            role,
            "--policy-arn",
            policies.CONFIG_MANAGED_POLICY.format(p=self.partition),
        )
        self.lines.append('sleep "$AWSOBS_IAM_WAIT"')
        recorder = {
            "name": item.name,
            "roleARN": policies.role_arn(self.partition, self.account, role),
            "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": False},
        }
        self.aws(
            "configservice",
            "put-configuration-recorder",
            "--configuration-recorder",
            json.dumps(recorder),
        )
        self.aws(
            "configservice",
            "put-delivery-channel",
            "--delivery-channel",
            json.dumps({"name": item.name, "s3BucketName": p["bucket"]}),
        )
        self.aws(
            "configservice",
            "start-configuration-recorder",
            "--configuration-recorder-name",
            item.name,
        )

    def cli(self, item: Item) -> None:
        for args in item.props["commands"]:
            self.aws(*args)
