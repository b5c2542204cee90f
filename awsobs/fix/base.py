"""The planner's core (docs/design.md, "awsobs fix"): the items planned so far, the
account's confirmed alarm topics, alarms from a finding's `alarm_specs`, and changes to
existing resources as CLI items. plan.py adds the other families and walks the report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from awsobs.fix.model import RETENTION_DAYS, Claim, Item
from awsobs.fix.names import alarm_name
from awsobs.fix.recommended import Shape, shape

ALARM_TOPIC = "awsobs-alarms"
TRAIL = "awsobs-trail"
TRAIL_LOG_GROUP = "/awsobs/cloudtrail"
CIS_NAMESPACE = "CISBenchmark"  # the namespace CIS's own remediation uses
BUCKET_METRICS_ID = "EntireBucket"
SH_TF = ("terraform", "sh")
SH = ("sh",)

Finding = Mapping[str, Any]


def claim(f: Finding) -> Claim:
    return Claim(str(f["check_id"]), str(f["account_id"]), str(f["region"]), str(f["resource_id"]))


def _ev(f: Finding) -> Mapping[str, Any]:
    ev = f.get("evidence")
    return ev if isinstance(ev, Mapping) else {}


def _home(region: str, regions: list[str]) -> str:
    """A global finding's region: us-east-1 when scanned (CloudFront's metrics and IAM's
    home), else the first region scanned."""
    if region != "global":
        return region
    return "us-east-1" if "us-east-1" in regions or not regions else regions[0]


class Base:
    """Builds the plan; one instance per report (plan.Planner adds the families)."""

    def __init__(self, report: Mapping[str, Any], retention_days: int = RETENTION_DAYS) -> None:
        self.findings: list[Finding] = list(report.get("findings") or ())
        self.by_check: dict[str, list[Finding]] = {}  # one pass; families look up by check
        for f in self.findings:
            self.by_check.setdefault(str(f.get("check_id")), []).append(f)
        scanned: Mapping[str, Any] = report.get("scan") or {}
        self.regions = [str(r) for r in scanned.get("regions") or ()]
        self.retention_days = retention_days
        self.items: dict[tuple[str, str, str, str], Item] = {}
        self.topics = self._confirmed_topics()

    # -- items ---------------------------------------------------------------------------

    def found(self, check_id: str, account: str | None = None) -> list[Finding]:
        """The un-suppressed FAIL findings of a check (in one account): what a fix closes."""
        return [
            g
            for g in self.by_check.get(check_id, ())
            if g.get("status") == "FAIL"
            and not g.get("suppressed")
            and (account is None or g.get("account_id") == account)
        ]

    def add(self, item: Item, *claims: Claim) -> Item:
        """Add an item, or merge claims into the same item planned already."""
        have = self.items.setdefault(item.key, item)
        for c in claims:
            if c not in have.claims:
                have.claims.append(c)
        return have

    def _confirmed_topics(self) -> dict[tuple[str, str], str]:
        """(account, region) -> the SNS topic with a confirmed subscription that the account's
        alarms use most (cloudwatch.alarm_action_targets_valid's evidence)."""
        seen: dict[tuple[str, str], Counter[str]] = {}
        for f in self.by_check.get("cloudwatch.alarm_action_targets_valid", ()):
            for arn, verdict in (_ev(f).get("targets") or {}).items():
                arn = str(arn)
                if (
                    str(verdict).startswith("valid")
                    and arn.startswith("arn:aws")
                    and ":sns:" in arn
                ):
                    key = (str(f["account_id"]), arn.split(":")[3])
                    seen.setdefault(key, Counter())[arn] += 1
        return {k: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for k, c in seen.items()}

    def topic(self, account: str, region: str) -> str | None:
        """The confirmed topic's ARN, or None: then a new topic item is planned and alarms
        refer to it."""
        arn = self.topics.get((account, region))
        if arn is not None and arn.rsplit(":", 1)[-1] == ALARM_TOPIC:
            arn = None  # awsobs made it: written again, so that regenerating keeps it
        if arn is None:
            self.add(
                Item(
                    "topic",
                    account,
                    region,
                    ALARM_TOPIC,
                    {},
                    why="no topic with a confirmed subscription in this region but awsobs's "
                    "own: a new one (confirm the email)",
                )
            )
        return arn

    def alarm(
        self,
        account: str,
        region: str,
        spec: Mapping[str, Any],
        *,
        dead_letter: bool = False,
        name: str | None = None,
        formats: tuple[str, ...] = ("cloudformation", "terraform", "sh"),
        why: str = "",
        fixed: Shape | None = None,
    ) -> Item:
        """An alarm on `spec`'s metric, shaped as recommended.py says (or as `fixed`); its
        note says what to tune where the threshold is not AWS's own number."""
        from awsobs.checks.cloudwatch.missing_data import heartbeat
        from awsobs.checks.cloudwatch.readers import Metric

        dims = {str(k): str(v) for k, v in (spec.get("dimensions") or {}).items()}
        namespace, metric = str(spec["namespace"]), str(spec["metric"])
        s = fixed or shape(namespace, metric, dead_letter=dead_letter)
        tune = s.why and (s.threshold is None or s.source == "awsobs")
        beat = heartbeat(Metric(namespace, metric, frozenset(dims.items())))
        props = {
            "namespace": namespace,
            "metric": metric,
            "dimensions": dims,
            "statistic": s.statistic,
            "period": s.period,
            "evaluation_periods": s.evaluation_periods,
            "datapoints_to_alarm": s.datapoints_to_alarm,
            "comparison": s.comparison,
            "threshold": s.default,
            # a metric published every period: silence means the resource is gone
            "treat_missing_data": "breaching" if beat else s.treat_missing_data,
            "topic": self.topic(account, region),
        }
        return Item(
            "alarm",
            account,
            region,
            name or alarm_name(dims, metric),
            props,
            formats=formats,
            why=why,
            note=f"threshold: {s.why}" if tune else "",
        )

    # -- families ------------------------------------------------------------------------

    def coverage(self, f: Finding) -> bool:
        """Alarms for every missing metric of an alarm-coverage finding (evidence
        `alarm_specs`); PASS findings covered by an awsobs alarm keep theirs, so that a
        regenerated template still holds what was applied."""
        ev = _ev(f)
        specs = ev.get("alarm_specs")
        if not specs:
            return False
        account = str(f["account_id"])
        region = _home(str(ev.get("alarm_region") or f["region"]), self.regions)
        alarms = ev.get("alarms") or {}
        missing = {label for label, a in alarms.items() if not (a or {}).get("covered_by")}
        fail = f.get("status") == "FAIL"
        dead = f.get("check_id") == "sqs.dlq_alarms"
        planned = set()
        for spec in specs:
            dims = {str(k): str(v) for k, v in (spec.get("dimensions") or {}).items()}
            covered = (alarms.get(spec["label"]) or {}).get("covered_by") or []
            if spec["label"] in missing or alarm_name(dims, str(spec["metric"])) in covered:
                item = self.alarm(account, region, spec, dead_letter=dead, why=str(f["message"]))
                self.add(item, *([claim(f)] if fail else []))
                planned.add(spec["label"])
        return fail and bool(planned)

    def change(self, run: Callable[[Finding], list[str] | None]) -> Callable[[Finding], bool]:
        """A family of changes.py: its command as a `cli` item."""

        def family(f: Finding) -> bool:
            args = run(f)
            if args is not None:
                self.cli(f, args)
            return args is not None

        return family

    def cli(self, f: Finding, args: list[str], *, name: str | None = None) -> None:
        """A change to an existing resource, as one AWS CLI command (sh only)."""
        region = _home(str(f["region"]), self.regions)
        self.add(
            Item(
                "cli",
                str(f["account_id"]),
                region,
                name or f"{f['check_id']} {f['resource_id']}",
                {"commands": [args]},
                formats=SH,
                why=str(f["message"]),
            ),
            claim(f),
        )
