"""AWS Config: does every region record its resources, completely, and deliver the records?

Semantics and pitfalls: controls.md §12. Only customer-managed recorders count; a
service-linked recorder (Security Hub's, say) records for its service and is evidence only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import age, unread_regions
from awsobs.context import Context
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

SERVICE = "config"
RECORDERS = "DescribeConfigurationRecorders"
RECORDER_STATUS = "DescribeConfigurationRecorderStatus"
CHANNELS = "DescribeDeliveryChannels"
CHANNEL_STATUS = "DescribeDeliveryChannelStatus"
EXCLUSION = "EXCLUSION_BY_RESOURCE_TYPES"
SERVICE_LINKED_PREFIX = "AWSConfigurationRecorderFor"
IAM_GLOBAL_TYPES = ("AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy")
_ALL = "allSupported=true,includeGlobalResourceTypes=true"
_PUT = (
    "aws configservice put-configuration-recorder --configuration-recorder "
    "name={name},roleARN=<role-arn> --recording-group " + _ALL
)
_START = "aws configservice start-configuration-recorder --configuration-recorder-name {name}"
_ROLE_FIX = (
    "give the recorder's role the AWS_ConfigRole managed policy (or use the service-linked "
    "role AWSServiceRoleForConfig), then " + _START
)
_CHANNEL = (
    "aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=<bucket>"
)
_CREATE = " && ".join((_PUT.format(name="default"), _CHANNEL, _START.format(name="default")))
_DELIVERIES = {
    "configSnapshotDeliveryInfo": "snapshot",
    "configHistoryDeliveryInfo": "history",
    "configStreamDeliveryInfo": "stream (SNS)",
}


_ERROR_KEYS = ("lastErrorCode", "lastErrorMessage")


def _is_failure(value: Any) -> bool:
    return str(value or "").lower() == "failure"


def _detail(info: Mapping[str, Any]) -> str:
    return ": ".join(str(info[k]) for k in _ERROR_KEYS if info.get(k)) or "no error reported"


def _service_linked(raw: Mapping[str, Any]) -> bool:
    name = str(raw.get("name", ""))
    return bool(raw.get("servicePrincipal")) or name.startswith(SERVICE_LINKED_PREFIX)


def _types(group: Mapping[str, Any], key: str) -> tuple[str, ...]:
    if key == "exclusionByResourceTypes":
        return tuple((group.get(key) or {}).get("resourceTypes") or ())
    return tuple(group.get(key) or ())


@dataclass(frozen=True)
class Recorder:
    """A configuration recorder with its status (None when the status list omits it)."""

    raw: Mapping[str, Any]
    status: Mapping[str, Any] | None

    @property
    def name(self) -> str:
        return str(self.raw.get("name", ""))

    @property
    def group(self) -> Mapping[str, Any] | None:
        return self.raw.get("recordingGroup")

    @property
    def exclusion(self) -> bool:
        group = self.group or {}
        return (group.get("recordingStrategy") or {}).get("useOnly") == EXCLUSION

    @property
    def working(self) -> bool:
        s = self.status or {}
        return bool(s.get("recording")) and not _is_failure(s.get("lastStatus"))

    def coverage(self) -> str | None:
        """What the recorder records when that is broad; None when it records a subset.
        No recording group at all is AWS's default: all supported types."""
        group = self.group
        if group is None or group.get("allSupported"):
            return "all supported resource types"
        if self.exclusion:
            excluded = _types(group, "exclusionByResourceTypes")
            return f"all resource types except {len(excluded)} ({', '.join(excluded) or 'none'})"
        return None

    def global_iam(self) -> bool:
        """Records the global IAM resource types (users, groups, roles, policies)."""
        group = self.group
        if group is None or not self.working:
            return False
        if group.get("allSupported"):
            return bool(group.get("includeGlobalResourceTypes"))
        if self.exclusion:
            return not set(IAM_GLOBAL_TYPES) & set(_types(group, "exclusionByResourceTypes"))
        return set(IAM_GLOBAL_TYPES) <= set(_types(group, "resourceTypes"))

    def problems(self, ctx: Context) -> list[tuple[str, str]]:
        """(why it fails, remediation) for each reason this recorder falls short."""
        s = self.status or {}
        label = f"recorder '{self.name}'"
        out: list[tuple[str, str]] = []
        if not s.get("recording"):
            when = (
                f"stopped {age(ctx.now, s.get('lastStopTime'))}"
                if s.get("lastStartTime") or s.get("lastStopTime")
                else "never started"
            )
            out.append((f"{label} is not recording ({when})", _START.format(name=self.name)))
        if _is_failure(s.get("lastStatus")):
            why = f"{label} last status is Failure ({_detail(s)})"
            out.append((why, _ROLE_FIX.format(name=self.name)))
        if self.coverage() is None:
            types = _types(self.group or {}, "resourceTypes")
            more = ", ..." if len(types) > 5 else ""
            why = (
                f"{label} records only {len(types)} resource type(s) ({', '.join(types[:5])}{more})"
            )
            out.append((why, _PUT.format(name=self.name)))
        return out

    def evidence(self) -> dict[str, Any]:
        """The recorder's own fields (AWS names), its recording group included."""
        s = self.status or {}
        mine = {k: self.raw.get(k) for k in ("name", "arn", "roleARN", "recordingGroup")}
        return mine | {k: s.get(k) for k in ("recording", "lastStatus", *_ERROR_KEYS)}


@dataclass(frozen=True)
class RegionRecorders:
    region: str
    own: tuple[Recorder, ...] = ()
    service_linked: tuple[Mapping[str, Any], ...] = ()
    error: AwsError | None = None

    def evidence(self) -> dict[str, Any]:
        return {
            "recorders": [r.evidence() for r in self.own],
            "service_linked_recorders": [
                {k: r.get(k) for k in ("name", "servicePrincipal", "recordingScope")}
                for r in self.service_linked
            ],
        }


def read_recorders(ctx: Context, region: str) -> RegionRecorders:
    """The recorders of `region` with their statuses (or the error that hid them)."""
    try:
        raws = ctx.call(SERVICE, RECORDERS, region=region).get("ConfigurationRecorders") or ()
        statuses = ctx.call(SERVICE, RECORDER_STATUS, region=region).get(
            "ConfigurationRecordersStatus"
        )
    except AwsError as err:
        return RegionRecorders(region, error=err)

    def status_of(raw: Mapping[str, Any]) -> Mapping[str, Any] | None:
        same = (s for s in statuses or () if s.get("name") == raw.get("name"))
        found: Mapping[str, Any] | None = next(same, None)
        return found

    own = tuple(Recorder(r, status_of(r)) for r in raws if not _service_linked(r))
    linked = tuple(r for r in raws if _service_linked(r))
    return RegionRecorders(region, own, linked)


def _region_finding(ctx: Context, rr: RegionRecorders) -> Finding:
    region = rr.region
    rtype, rid = ctx.region_resource(region)
    if rr.error is not None:
        what = f"could not read the configuration recorders of {region}"
        return ctx.unknown_from(rr.error, rtype, rid, what, region=region)
    ev = rr.evidence()
    if not rr.own:
        linked = ", ".join(str(r.get("name")) for r in rr.service_linked)
        note = f" (service-linked {linked} records for its service only)" if linked else ""
        text = f"no configuration recorder in {region}: resource changes are not recorded{note}"
        return ctx.failed(rtype, rid, text, evidence=ev, region=region, remediation=_CREATE)
    for r in rr.own:
        if r.status is not None and not r.problems(ctx):
            last = (r.status or {}).get("lastStatus") or "no status yet"
            text = f"recorder '{r.name}' is recording {r.coverage()} (last status {last})"
            return ctx.passed(rtype, rid, text, evidence=ev, region=region)
    silent = [r.name for r in rr.own if r.status is None]
    if silent:
        text = f"the status of recorder '{silent[0]}' in {region} was not reported"
        return ctx.unknown(rtype, rid, text, evidence=ev, region=region)
    problems = [p for r in rr.own for p in r.problems(ctx)]
    text = f"{region}: " + "; ".join(why for why, _ in problems)
    return ctx.failed(rtype, rid, text, evidence=ev, region=region, remediation=problems[0][1])


def _global_finding(ctx: Context, states: list[RegionRecorders]) -> Finding:
    rtype, rid = ctx.account_resource()
    where = [s.region for s in states if any(r.global_iam() for r in s.own)]
    unreadable = [s for s in states if s.error is not None]
    ev = {
        "regions_recording_global_iam_types": where,
        "unreadable_regions": [s.region for s in unreadable],
    }
    if where:
        text = f"global IAM resource types are recorded in {', '.join(where)}"
        return ctx.passed(rtype, rid, text, evidence=ev)
    if unreadable:
        err = unreadable[0].error
        assert err is not None
        what = (
            "no readable region records global IAM resource types, and "
            f"{', '.join(s.region for s in unreadable)} could not be read"
        )
        return ctx.unknown_from(err, rtype, rid, what, evidence=ev)
    return ctx.failed(
        rtype,
        rid,
        "no region records the global IAM resource types (users, groups, roles, policies): "
        "changes to IAM are not recorded",
        evidence=ev,
        remediation=_PUT.format(name="<recorder>") + " (in one region only, e.g. us-east-1)",
    )


@check(
    id="config.recorder_all_regions",
    title="AWS Config records all resource types in every region, and IAM in one",
    severity=Severity.HIGH,
    signal=Signal.CONFIG,
    resource_types=("*",),
    scope=Scope.ACCOUNT,
    permissions=[f"{SERVICE}:{RECORDERS}", f"{SERVICE}:{RECORDER_STATUS}"],
    remediation=_CREATE,
)
def recorder_all_regions(ctx: Context) -> Iterator[Finding]:
    """One finding per scanned region plus one for the account (CIS v1.4 3.5, v3.0 and
    v5.0 3.3; Security Hub Config.1). A region PASSes when a customer-managed recorder is
    recording, its last status is not Failure (compared case-insensitively), and it records all
    supported resource types, or all but an exclusion list (`EXCLUSION_BY_RESOURCE_TYPES`, the
    excluded types are in the evidence). An inclusion list FAILs, as does a stopped or
    failing recorder. A service-linked recorder (`AWSConfigurationRecorderFor...`) records
    for its service only and never counts. The account finding PASSes when some region's
    working recorder records the global IAM types: `includeGlobalResourceTypes` with
    `allSupported`, an exclusion list that spares all four IAM types, or an inclusion list
    naming all four; UNKNOWN when none was found and some region could not be read.
    """
    states = ctx.map(lambda r: read_recorders(ctx, r), ctx.regions)
    for state in states:
        yield _region_finding(ctx, state)
    unread = unread_regions(ctx, {}, [s.region for s in states], "a recorder of IAM types")
    yield unread or _global_finding(ctx, states)


def _channel_evidence(ch: Mapping[str, Any], st: Mapping[str, Any] | None) -> dict[str, Any]:
    """The channel's destination and its three delivery infos (AWS names)."""
    ev = {k: ch.get(k) for k in ("name", "s3BucketName", "s3KeyPrefix", "snsTopicARN")}
    return ev | {key: (st or {}).get(key) for key in _DELIVERIES}


@check(
    id="config.delivery_channel_ok",
    title="AWS Config delivers configuration snapshots and history without failures",
    severity=Severity.MEDIUM,
    signal=Signal.CONFIG,
    resource_types=("*",),
    permissions=[f"{SERVICE}:{CHANNELS}", f"{SERVICE}:{CHANNEL_STATUS}", f"{SERVICE}:{RECORDERS}"],
    remediation="aws configservice describe-delivery-channel-status, then fix the bucket "
    "policy, KMS key or SNS topic policy it names for the Config role",
)
def delivery_channel_ok(ctx: Context) -> Iterator[Finding]:
    """One finding per region. PASS when a delivery channel exists and none of its
    snapshot, history or stream (SNS) deliveries last ended in `Failure`: a recorder can
    be recording while nothing reaches the bucket. FAIL when a delivery failed (the
    message names the error code) or when a customer-managed recorder exists with no
    channel. NOT_APPLICABLE when the region has neither recorder nor channel (the missing
    recorder is `config.recorder_all_regions`' FAIL).
    """
    rtype, rid = ctx.region_resource()
    try:
        channels = ctx.call(SERVICE, CHANNELS).get("DeliveryChannels") or ()
    except AwsError as err:
        yield ctx.unknown_from(err, rtype, rid, "could not read the delivery channels")
        return
    try:
        raws = ctx.call(SERVICE, RECORDERS).get("ConfigurationRecorders") or ()
        recorders, rec_err = [r for r in raws if not _service_linked(r)], None
    except AwsError as err:
        recorders, rec_err = [], err
    names: list[str] = [str(r.get("name")) for r in recorders]
    if not channels:
        none = {"channels": [], "recorders": names}
        if rec_err is not None:
            what = "no delivery channel, and the recorders could not be read to tell if one is due"
            yield ctx.unknown_from(rec_err, rtype, rid, what, evidence=none)
        elif names:
            text = f"recorder '{names[0]}' has no delivery channel: its records reach no bucket"
            yield ctx.failed(rtype, rid, text, evidence=none, remediation=_CHANNEL)
        else:
            text = f"no configuration recorder and no delivery channel in {ctx.region}"
            yield ctx.not_applicable(rtype, rid, text, evidence=none)
        return
    try:
        statuses = ctx.call(SERVICE, CHANNEL_STATUS).get("DeliveryChannelsStatus") or ()
    except AwsError as err:
        yield ctx.unknown_from(err, rtype, rid, "could not read the delivery channel status")
        return
    by_name = {s.get("name"): s for s in statuses}
    ev = {
        "channels": [_channel_evidence(ch, by_name.get(ch.get("name"))) for ch in channels],
        "recorders": names,
    }
    failures: list[str] = []
    silent: list[str] = []
    for ch in channels:
        st = by_name.get(ch.get("name"))
        if st is None:
            silent.append(str(ch.get("name")))
            continue
        for key, label in _DELIVERIES.items():
            info = st.get(key) or {}
            if _is_failure(info.get("lastStatus")):
                failures.append(
                    f"channel '{ch.get('name')}' {label} delivery failed ({_detail(info)})"
                )
    if failures:
        while_ = f" while recorder '{names[0]}' exists" if names else ""
        yield ctx.failed(rtype, rid, "; ".join(failures) + while_, evidence=ev)
    elif silent:
        text = f"the delivery status of channel '{silent[0]}' was not reported"
        yield ctx.unknown(rtype, rid, text, evidence=ev)
    else:
        ch = channels[0]
        text = f"delivery channel '{ch.get('name')}' delivers to s3://{ch.get('s3BucketName')}"
        yield ctx.passed(rtype, rid, text + " with no failed delivery", evidence=ev)
