"""What `awsobs fix` plans: items (a resource to create, or a change to an existing one),
each naming the findings it closes. The planner (plan.py) builds them from a report; the
renderers (cloudformation.py, terraform.py, shell.py) turn them into code. Items are plain
data so that every format renders the same plan."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Claim:
    """A finding an item closes, as the report names it."""

    check_id: str
    account_id: str
    region: str
    resource_id: str

    def label(self) -> str:
        return f"{self.check_id} {self.resource_id}"


@dataclass
class Item:
    """One thing to create or change, in one account and region.

    `kind` picks the renderer (see KINDS); `name` is the stable physical name (alarm name,
    log group, trail...) the logical ids derive from; `props` are the kind's fields;
    `formats` the output formats that can express it; `claims` the findings it closes
    (several items may share a claim: it is claimed when all of them are in the output)."""

    kind: str
    account_id: str
    region: str
    name: str
    props: dict[str, Any]
    claims: list[Claim] = field(default_factory=list)
    formats: tuple[str, ...] = ("cloudformation", "terraform", "sh")
    why: str = ""  # the comment above the item: which finding, in words
    note: str = ""  # a second comment line: what the reviewer should tune

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.account_id, self.region, self.kind, self.name)

    def description(self) -> str:
        """A resource's description: the findings it closes (or its name), within the
        1,024 characters CloudWatch allows an alarm's."""
        return "awsobs fix: " + ("; ".join(c.label() for c in self.claims)[:900] or self.name)


# kind -> what it is; an existing-resource change is never in CloudFormation
KINDS = {
    "topic": "an SNS topic for alarms, with an email subscription (parameter)",
    "alarm": "a CloudWatch metric alarm",
    "log_bucket": "an S3 bucket (+ policy) that CloudTrail, AWS Config and flow logs deliver to",
    "trail": "a multi-region trail with log file validation, to S3 and CloudWatch Logs",
    "metric_filter": "a CloudWatch Logs metric filter",
    "flow_log": "a VPC flow log (ALL traffic)",
    "log_group": "a new CloudWatch Logs group with retention",
    "config": "an AWS Config recorder (all resource types) and delivery channel",
    "retention": "the retention of an existing log group",
    "bucket_metrics": "an S3 request-metrics configuration for the whole bucket",
    "cli": "an AWS CLI change to an existing resource",
}
FORMATS = ("cloudformation", "terraform", "sh")
RETENTION_DAYS = 365  # for log groups that keep data forever, unless --retention-days says


def percentile(statistic: str) -> bool:
    """p90, p99.9: CloudWatch takes these as ExtendedStatistic, never as Statistic."""
    return re.fullmatch(r"p\d{1,2}(\.\d+)?", statistic) is not None


@dataclass
class Plan:
    """Everything `awsobs fix` would write, and what it leaves to a person."""

    items: list[Item]
    failed: int  # un-suppressed FAIL findings in the report
    manual: list[Claim]  # FAIL findings with no mechanical fix
    partition: str = "aws"
    # No timestamp or report name is kept: the same gaps give the same files (a scheduled
    # job opens a pull request only when the code changes).

    def for_format(self, fmt: str) -> list[Item]:
        return [i for i in self.items if fmt in i.formats]

    def groups(self, fmt: str) -> dict[tuple[str, str], list[Item]]:
        """This format's items by (account, region), in plan order."""
        out: dict[tuple[str, str], list[Item]] = {}
        for item in self.for_format(fmt):
            out.setdefault((item.account_id, item.region), []).append(item)
        return out

    def claims(self, fmt: str) -> set[Claim]:
        """Findings this format's output closes once applied: every item that claims one is
        in the output."""
        inside: dict[Claim, bool] = {}
        for item in self.items:
            for c in item.claims:
                inside[c] = inside.get(c, True) and fmt in item.formats
        return {c for c, ok in inside.items() if ok}
