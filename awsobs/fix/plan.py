"""From a JSON report to a fix plan: which un-suppressed FAIL findings have a mechanical
fix, and the items that close them (docs/fix.md). Reads only the report: the evidence each
check wrote is what the fix is built from, so nothing here calls AWS."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from awsobs.fix import policies
from awsobs.fix.base import (
    BUCKET_METRICS_ID,
    CIS_NAMESPACE,
    SH_TF,
    TRAIL,
    TRAIL_LOG_GROUP,
    Base,
    Finding,
    _ev,
    _home,
    claim,
)
from awsobs.fix.changes import CHANGES
from awsobs.fix.model import RETENTION_DAYS, Claim, Item, Plan
from awsobs.fix.names import part
from awsobs.fix.recommended import Shape

__all__ = ["TRAIL_LOG_GROUP", "Planner", "plan"]


# CIS's remediation: an alarm on any match of the filter in five minutes
CIS_SHAPE = Shape(
    "Sum", 300, 1, 1, "GreaterThanOrEqualToThreshold", 1.0, 1.0, "notBreaching", "cis", ""
)


def _claims(f: Finding, again: bool) -> list[Claim]:
    """The finding an item closes; none when it is planned again (Planner.ours): its
    finding passes already."""
    return [] if again else [claim(f)]


class Planner(Base):
    """The plan of one report: every family, by check id."""

    def s3_error_alarms(self, f: Finding) -> bool:
        """A bucket with no request metrics: alarms on the whole-bucket filter this plan's
        bucket_metrics item creates (Terraform and sh only: CloudFormation cannot add one to
        an existing bucket)."""
        ev = _ev(f)
        if ev.get("filter_ids") != [] or not ev.get("bucket"):
            return False
        bucket = str(ev["bucket"])
        if bucket not in self.metricless:
            return False
        for metric in ("5xxErrors", "4xxErrors"):
            spec = {
                "namespace": "AWS/S3",
                "metric": metric,
                "dimensions": {"BucketName": bucket, "FilterId": BUCKET_METRICS_ID},
            }
            item = self.alarm(
                str(f["account_id"]), str(f["region"]), spec, formats=SH_TF, why=str(f["message"])
            )
            self.add(item, claim(f))
        return True

    @functools.cached_property
    def metricless(self) -> set[str]:
        """Buckets whose EntireBucket metrics filter this plan writes (their s3.error_alarms
        alarms watch it)."""
        return {str(_ev(g).get("bucket")) for g in self.found("s3.request_metrics_enabled")}

    def trail(self, account: str) -> Item:
        """The account's new multi-region trail (with its bucket, log group and role), homed
        in us-east-1 when scanned."""
        region = _home("global", self.regions)
        bucket = self.log_bucket(account, region)
        return self.add(
            Item(
                "trail",
                account,
                region,
                TRAIL,
                {"bucket": bucket.name, "log_group": TRAIL_LOG_GROUP, "retention": RETENTION_DAYS},
                why="no multi-region trail: a new one, validated, to S3 and CloudWatch Logs",
            )
        )

    def log_bucket(self, account: str, region: str) -> Item:
        return self.add(
            Item(
                "log_bucket",
                account,
                region,
                f"awsobs-logs-{account}-{region}",
                {},
                why="where the new trail, AWS Config and flow logs deliver",
            )
        )

    def ours(self, f: Finding) -> None:
        """A PASS that rests on what awsobs made: plan it again, claiming nothing, so that
        code regenerated from a later report still holds it (a Terraform apply of a file
        that lacks it would try to destroy it). Alarms: coverage(); the rest here."""
        ev = _ev(f)
        account, cid = str(f["account_id"]), str(f.get("check_id"))
        if cid == "cloudtrail.multi_region":
            arns = [str(t.get("trail_arn") or "") for t in ev.get("trails") or ()]
            if any(a.endswith(f":trail/{TRAIL}") for a in arns):
                self.trail(account)
        elif cid.startswith("cwalarm."):
            chain = [str(link) for link in ev.get("chain") or ()]
            control = cid.split(".", 1)[1]
            if len(chain) >= 4 and chain[0] == f"trail '{TRAIL}'":
                own = f"'awsobs-{control}'"
                if own in chain[2] and chain[3] == f"alarm {own}":
                    self.cis(f, {"step": "trail"}, again=True)
        elif cid == "s3.request_metrics_enabled":
            configs = ev.get("metrics_configurations") or ()
            if {"Id": BUCKET_METRICS_ID} in configs:  # the whole-bucket filter awsobs writes
                self.bucket_metrics(f, again=True)
        elif cid == "config.recorder_all_regions":
            role = f":role/{policies.config_role(str(f['region']))}"
            if any(str(r.get("roleARN") or "").endswith(role) for r in ev.get("recorders") or ()):
                self.new_recorder(f, again=True)
        elif cid == "vpc.flow_logs_enabled":
            for fl in ev.get("flow_logs") or ():
                dest = str(fl.get("destination") or "")
                if fl.get("traffic_type") == "ALL" and (
                    dest.endswith("/awsobs/") or ":::awsobs-logs-" in dest
                ):
                    self.flow_logs(f, again=dest)

    def multi_region(self, f: Finding) -> bool:
        if not self.no_trail(str(f["account_id"])):
            return False  # a multi-region trail exists but is broken: its findings say how
        item = self.trail(str(f["account_id"]))
        self.add(item, claim(f))
        # the regions with no logging trail are recorded once it logs
        for g in self.found("cloudtrail.trail_logging", str(f["account_id"])):
            self.add(item, claim(g))
        return True

    def no_trail(self, account: str) -> bool:
        """The report found no multi-region trail in this account (un-suppressed FAIL of
        cloudtrail.multi_region, and none in its evidence): then awsobs-trail is planned."""
        return any(
            not any(t.get("is_multi_region") for t in _ev(g).get("trails") or [])
            for g in self.found("cloudtrail.multi_region", account)
        )

    def cis(self, f: Finding, repair: Mapping[str, Any] | None = None, again: bool = False) -> bool:
        """What the CIS chain lacks from its broken link on (evidence `repair`; `again`: the
        chain awsobs made, from its trail on)."""
        from awsobs.checks.cwalarm.controls import CONTROLS

        repair = repair if repair is not None else (_ev(f).get("repair") or {})
        control_id = str(f["check_id"]).split(".", 1)[1]
        control = next((c for c in CONTROLS if c.id == control_id), None)
        step = repair.get("step")
        if control is None or step not in ("trail", "filter", "alarm"):
            return False
        account = str(f["account_id"])
        items: list[Item] = []
        if step == "trail":
            if not again and not self.no_trail(account):
                # a trail exists but sends nothing to CloudWatch Logs (or records too little):
                # a second trail would bill a second copy of every event; the existing one is
                # its owner's to change (the finding's remediation says how)
                return False
            trail = self.trail(account)
            region, group = trail.region, TRAIL_LOG_GROUP
            items.append(trail)
        else:
            region, group = str(repair["region"]), str(repair["log_group"])
        namespace = str(repair.get("namespace") or CIS_NAMESPACE)
        metric = str(repair.get("metric") or control.id)
        if step != "alarm":
            items.append(
                self.add(
                    Item(
                        "metric_filter",
                        account,
                        region,
                        f"awsobs-{control.id}",
                        {
                            "log_group": group,
                            "pattern": control.pattern,
                            "namespace": namespace,
                            "metric": metric,
                        },
                        why=f"CIS {control.cis}: {control.title}",
                    )
                )
            )
        spec = {"namespace": namespace, "metric": metric, "dimensions": {}}
        alarm = self.alarm(
            account,
            region,
            spec,
            name=f"awsobs-{control.id}",
            why=f"CIS {control.cis}",
            fixed=CIS_SHAPE,
        )
        alarm.props["log_group"] = group  # CloudFormation: after the filter that feeds it
        items.append(self.add(alarm))
        for item in items:
            self.add(item, *_claims(f, again))
        return True

    def flow_logs(self, f: Finding, again: str = "") -> bool:
        """A flow log of ALL traffic (`again`: the destination of the one awsobs made)."""
        ev = _ev(f)
        vpc = ev.get("vpc_id")
        if not vpc:
            return False
        account, region = str(f["account_id"]), str(f["region"])
        reuse = next(
            (
                fl["destination"]
                for fl in ev.get("flow_logs") or ()
                if fl.get("destination_type") == "s3"
                and fl.get("deliver_logs_status") == "SUCCESS"
                and fl.get("destination")
            ),
            None,
        )
        if reuse:
            # the same bucket, in a folder of its own: a second flow log to the very same
            # destination is refused (FlowLogAlreadyExists), and the folder says whose it is
            reuse = reuse.rstrip("/") + "/awsobs/"
        if again:
            reuse = again if again.endswith("/awsobs/") else None
        bucket = None if reuse else self.log_bucket(account, region)
        props = {"vpc_id": str(vpc), "destination": reuse, "bucket": bucket and bucket.name}
        self.add(
            Item(
                "flow_log",
                account,
                region,
                f"awsobs-{part(str(vpc))}",
                props,
                why=str(f["message"]),
            ),
            *_claims(f, bool(again)),
        )
        return True

    def retention(self, f: Finding) -> bool:
        ev = _ev(f)
        group = ev.get("log_group")
        if not group:
            return False
        from awsobs.checks.logs.readers import retention_at_least

        # a minimum from the check's options need not be a value PutRetentionPolicy takes
        days = retention_at_least(max(self.retention_days, int(ev.get("min_retention_days") or 0)))
        account, region = str(f["account_id"]), str(f["region"])
        exists = ev.get("exists", True)
        if f.get("check_id") == "lambda.log_retention" and ev.get("shared_with"):
            return False
        if exists is False:
            item = Item(
                "log_group", account, region, str(group), {"retention": days}, why=str(f["message"])
            )
        else:
            item = Item(
                "retention",
                account,
                region,
                str(group),
                {"retention": days},
                formats=SH_TF,
                why=str(f["message"]),
            )
        have = self.add(item, claim(f))
        have.props["retention"] = max(int(have.props["retention"]), days)
        return True

    def bucket_metrics(self, f: Finding, again: bool = False) -> bool:
        bucket = _ev(f).get("bucket")
        if not bucket:
            return False
        self.add(
            Item(
                "bucket_metrics",
                str(f["account_id"]),
                str(f["region"]),
                str(bucket),
                {"id": BUCKET_METRICS_ID},
                formats=SH_TF,
                why=str(f["message"]),
            ),
            *_claims(f, again),
        )
        return True

    def config(self, f: Finding) -> bool:
        ev = _ev(f)
        if f.get("resource_type") != "AWS::Region":
            return False
        recorders = ev.get("recorders")
        if recorders == [] and not ev.get("service_linked_recorders"):
            self.new_recorder(f)
            return True
        stopped = [r for r in recorders or () if r.get("recording") is False and r.get("name")]
        if len(stopped) == 1 and len(recorders or ()) == 1:
            name = str(stopped[0]["name"])
            self.cli(
                f,
                [
                    "configservice",
                    "start-configuration-recorder",
                    "--configuration-recorder-name",
                    name,
                ],
            )
            return True
        return False

    def new_recorder(self, f: Finding, again: bool = False) -> None:
        """A recorder, its role and delivery channel, to this region's log bucket."""
        account, region = str(f["account_id"]), str(f["region"])
        bucket = self.log_bucket(account, region)
        self.add(
            Item(
                "config", account, region, "default", {"bucket": bucket.name}, why=str(f["message"])
            ),
            *_claims(f, again),
        )

    # -- the whole report ----------------------------------------------------------------

    def families(self) -> dict[str, Callable[[Finding], bool]]:
        return {
            "s3.error_alarms": self.s3_error_alarms,
            "cloudtrail.multi_region": self.multi_region,
            "vpc.flow_logs_enabled": self.flow_logs,
            "logs.retention_defined": self.retention,
            "logs.retention_minimum": self.retention,
            "lambda.log_retention": self.retention,
            "s3.request_metrics_enabled": self.bucket_metrics,
            "config.recorder_all_regions": self.config,
        } | {cid: self.change(run) for cid, run in CHANGES.items()}

    def plan(self) -> Plan:
        fails = [f for f in self.findings if f.get("status") == "FAIL" and not f.get("suppressed")]
        families = self.families()
        handled: set[Claim] = set()
        for f in self.findings:  # PASS findings too: what awsobs made that they rest on
            ok = f.get("status") in ("FAIL", "PASS") and not f.get("suppressed")
            if ok and self.coverage(f):
                handled.add(claim(f))
            elif ok and f.get("status") == "PASS":
                self.ours(f)
        for f in fails:
            cid = str(f["check_id"])
            run = self.cis if cid.startswith("cwalarm.") else families.get(cid)
            if run is not None and claim(f) not in handled and run(f):
                handled.add(claim(f))
        items = sorted(
            self.items.values(), key=lambda i: (i.account_id, i.region, _ORDER[i.kind], i.name)
        )
        claimed = {c for i in items for c in i.claims}
        manual = [claim(f) for f in fails if claim(f) not in claimed]
        arns = (str(f.get("resource_id")) for f in self.findings)
        partition = next((a.split(":")[1] for a in arns if a.startswith("arn:")), "aws")
        return Plan(items, len(fails), manual, partition)


_ORDER = {
    k: n
    for n, k in enumerate(
        [
            "topic",
            "log_bucket",
            "trail",
            "config",
            "log_group",
            "metric_filter",
            "alarm",
            "flow_log",
            "retention",
            "bucket_metrics",
            "cli",
        ]
    )
}


def plan(report: Mapping[str, Any], *, retention_days: int = RETENTION_DAYS) -> Plan:
    """The fix plan for a JSON report (as `awsobs.report_io.load_report` returns it)."""
    return Planner(report, retention_days).plan()
