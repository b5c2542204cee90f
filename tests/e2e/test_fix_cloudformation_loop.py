"""`awsobs fix --format cloudformation`, closed loop: scan the demo account, deploy every
generated template into that same (moto) account, scan again. Every finding the plan claims
for CloudFormation must now PASS, and nothing else may change except on what the stacks
created, and in the few ways listed here with the reason.

moto's CloudFormation lacks most of the types the templates use; tests/moto_cfn.py adds
them (each through moto's own service backend), and the deploy fails if moto would skip a
resource."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import yaml
from moto_cfn import cfn_extension

from awsobs.demo import ACCOUNT, DEMO_REGIONS, demo_account
from awsobs.engine import scan
from awsobs.fix import plan, render
from awsobs.report_io import load_report, report_to_dict

Key = tuple[str, str, str, str]  # check_id, account_id, region, resource_id
TEMPLATE = re.compile(r"^awsobs-fix-(\d{12})-([a-z0-9-]+)\.yaml$")


@dataclass
class Deployed:
    """What the stacks created, as the findings name it."""

    arns: set[str] = field(default_factory=set)  # resource ids of created resources
    flow_log_vpcs: set[str] = field(default_factory=set)  # VPC ARNs given a flow log
    first_bucket: set[str] = field(default_factory=set)  # regions that had no bucket
    channel: set[str] = field(default_factory=set)  # regions given a delivery channel


def _arn(rtype: str, physical_id: str, region: str) -> str | None:
    """The resource id a finding gives a created resource (None: no check judges the type)."""
    return {
        "AWS::CloudWatch::Alarm": f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{physical_id}",
        "AWS::CloudTrail::Trail": f"arn:aws:cloudtrail:{region}:{ACCOUNT}:trail/{physical_id}",
        "AWS::S3::Bucket": f"arn:aws:s3:::{physical_id}",
        "AWS::Logs::LogGroup": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{physical_id}",
    }.get(rtype)


@dataclass(frozen=True)
class Ripple:
    """An unclaimed finding on a resource the stacks did not create that changes status,
    expectedly."""

    checks: tuple[str, ...]
    before: str  # "ABSENT": no such finding
    after: str
    where: Callable[[Key, Deployed], bool]
    why: str


RIPPLES = (
    Ripple(
        ("vpc.flow_logs_delivered",),
        "NOT_APPLICABLE",
        "FAIL",
        lambda k, d: k[3] in d.flow_log_vpcs,
        "the VPC's new flow log has delivered nothing yet (AWS delivers within ~10 minutes; "
        "moto never does)",
    ),
    Ripple(
        ("config.delivery_channel_ok",),
        "NOT_APPLICABLE",
        "PASS",
        lambda k, d: k[2] == k[3] and k[2] in d.channel,
        "the region's first delivery channel, created by the stack, is now judged",
    ),
    Ripple(
        (
            "s3.error_alarms",
            "s3.request_metrics_enabled",
            "s3.request_metrics_reporting",
            "s3.server_access_logging",
            "s3.server_access_logs_delivered",
        ),
        "NOT_APPLICABLE",
        "ABSENT",
        lambda k, d: k[2] == k[3] and k[2] in d.first_bucket,
        "\"no S3 buckets in <region>\": the stack's log bucket is the region's first, and "
        "its own findings replace this one",
    ),
)

# FAIL findings on resources the stacks created: gaps the fix leaves (or that only time
# closes). Every other finding on a created resource PASSes or is NOT_APPLICABLE.
TRAIL = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/awsobs-trail"
NEW_GAPS = {
    # the trail's log files are SSE-S3 only: the template sets no KMSKeyId
    ("cloudtrail.kms_encryption", TRAIL),
    # moto never reports a CloudWatch Logs delivery (LatestCloudWatchLogsDeliveryTime); on
    # AWS the trail delivers within minutes, if its role may write to the group
    ("cloudtrail.cloudwatch_logs", TRAIL),
    # the new trail bucket has no server access logging
    ("cloudtrail.bucket_access_logging", f"arn:aws:s3:::awsobs-logs-{ACCOUNT}-us-east-1"),
    # the us-west-2 log bucket (flow logs, AWS Config) has no request metrics, so no error
    # alarm; the us-east-1 one is out of scope of these checks as a CloudTrail target
    ("s3.request_metrics_enabled", f"arn:aws:s3:::awsobs-logs-{ACCOUNT}-us-west-2"),
    ("s3.error_alarms", f"arn:aws:s3:::awsobs-logs-{ACCOUNT}-us-west-2"),
}


def _statuses(report: dict[str, Any]) -> dict[Key, str]:
    out = {}
    for f in report["findings"]:
        key = (f["check_id"], f["account_id"], f["region"], f["resource_id"])
        assert key not in out, f"two findings for {key}"
        out[key] = f["status"]
    return out


def _scan(session: boto3.Session, path: Path) -> dict[str, Any]:
    """A scan, written and read back as `awsobs fix` reads its REPORT.json."""
    path.write_text(json.dumps(report_to_dict(scan(session, regions=DEMO_REGIONS))))
    return load_report(str(path))


def _deploy(session: boto3.Session, files: dict[str, str]) -> Deployed:
    """Create one stack per template, in its region; what they created."""
    done = Deployed()
    s3 = session.client("s3", region_name="us-east-1")
    had_bucket = {
        s3.get_bucket_location(Bucket=b["Name"])["LocationConstraint"] or "us-east-1"
        for b in s3.list_buckets()["Buckets"]
    }
    for name, body in sorted(files.items()):
        match = TEMPLATE.match(name)
        assert match, name
        account, region = match.groups()
        doc = yaml.safe_load(body)
        meta = doc["Metadata"]["awsobs"]
        assert (meta["account"], meta["region"]) == (account, region), name
        cf = session.client("cloudformation", region_name=region)
        params = [
            {"ParameterKey": "AlarmEmail", "ParameterValue": "oncall@example.com"}
            for p in doc.get("Parameters") or {}
            if p == "AlarmEmail"
        ]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cf.create_stack(
                StackName="awsobs-fix",
                TemplateBody=body,
                Capabilities=["CAPABILITY_NAMED_IAM"],
                Parameters=params,
            )
        skipped = [str(w.message) for w in caught if "not supported by moto" in str(w.message)]
        assert not skipped, f"{name}: moto skipped resources: {skipped}"
        stack = cf.describe_stacks(StackName="awsobs-fix")["Stacks"][0]
        assert stack["StackStatus"] == "CREATE_COMPLETE", (name, stack.get("StackStatusReason"))
        created = cf.list_stack_resources(StackName="awsobs-fix")["StackResourceSummaries"]
        assert len(created) == len(doc["Resources"]), name
        for r in created:
            rtype, pid = r["ResourceType"], r["PhysicalResourceId"]
            arn = _arn(rtype, pid, region)
            if arn:
                done.arns.add(arn)
            if rtype == "AWS::S3::Bucket" and region not in had_bucket:
                done.first_bucket.add(region)
            if rtype == "AWS::Config::DeliveryChannel":
                done.channel.add(region)
        for res in doc["Resources"].values():
            if res["Type"] == "AWS::EC2::FlowLog":
                vpc = res["Properties"]["ResourceId"]
                done.flow_log_vpcs.add(f"arn:aws:ec2:{region}:{account}:vpc/{vpc}")
    return done


def test_deployed_templates_close_every_claimed_finding(tmp_path: Path) -> None:
    with demo_account() as session, cfn_extension():
        before_doc = _scan(session, tmp_path / "before.json")
        p = plan(before_doc)
        files = render(p, "cloudformation")
        claims = p.claims("cloudformation")
        assert files and claims
        deployed = _deploy(session, files)
        after_doc = _scan(session, tmp_path / "after.json")
    before, after = _statuses(before_doc), _statuses(after_doc)

    # Regenerated from the report after the deploy, each template still holds what its
    # stack created (an update with it removes nothing), but for the log groups made for
    # Lambda functions: a passing lambda.log_retention cannot tell whose retention it is
    # (Retain keeps them in AWS; docs/fix.md says so).
    again = render(plan(after_doc), "cloudformation")
    for name, body in files.items():
        kept = set(yaml.safe_load(again.get(name, "Resources: {}"))["Resources"])
        dropped = {
            lid: res["Properties"].get("LogGroupName")
            for lid, res in yaml.safe_load(body)["Resources"].items()
            if lid not in kept
        }
        others = {k: v for k, v in dropped.items() if not str(v).startswith("/aws/lambda/")}
        assert not others, others

    keys = {(c.check_id, c.account_id, c.region, c.resource_id) for c in claims}
    for k in keys:
        assert before.get(k) == "FAIL", k  # a claim is a FAIL of the report
    still = {k: after.get(k, "ABSENT") for k in keys if after.get(k) != "PASS"}
    assert not still, f"claimed but not PASS after the deploy: {still}"

    unexpected = {}
    for k in (before.keys() | after.keys()) - keys:
        was, now = before.get(k, "ABSENT"), after.get(k, "ABSENT")
        if k[3] in deployed.arns:
            if now == "FAIL" and (k[0], k[3]) in NEW_GAPS:
                continue
            if was == "ABSENT" and now in ("PASS", "NOT_APPLICABLE"):
                continue
        elif was == now or any(
            k[0] in r.checks and (was, now) == (r.before, r.after) and r.where(k, deployed)
            for r in RIPPLES
        ):
            continue
        unexpected[k] = (was, now)
    assert not unexpected, f"unclaimed findings that changed: {unexpected}"
    got_gaps = {(k[0], k[3]) for k in after if k[3] in deployed.arns and after[k] == "FAIL"}
    assert got_gaps == NEW_GAPS  # a gap closed: take it off the list
