"""Small moto extensions for what moto 5.2 does not model, used by `awsobs demo` and the tests.

- Trail status: moto's GetTrailStatus never reports CloudWatch Logs delivery or delivery
  errors, and stamps LatestDeliveryTime with "now"; `set_trail_status_fields` sets them.
- Systems Manager: moto does not implement DescribeInstanceInformation,
  ListInventoryEntries, ListAssociations or DescribeAssociation. `install_ssm_extension`
  serves them from data registered with `ssm_managed`, `ssm_inventory` and
  `ssm_association`.

Both patch moto's in-process classes, so they also apply to a moto server started in the
same process (ThreadedMotoServer). Nothing here is used by `awsobs scan`. moto's service
modules are imported inside the functions: importing some of them (ssm pulls in ec2)
creates a boto3 Session, which must not happen before the demo has isolated itself from
the user's AWS_PROFILE and config files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from moto.core.responses import ActionResult

# -- CloudTrail trail status ---------------------------------------------------------------

_EXTRA_ATTR = "awsobs_extra_fields"


def install_trail_status_extension() -> None:
    """Make moto's trail status include fields set with `set_trail_status_fields` (idempotent)."""
    from moto.cloudtrail import models as cloudtrail_models

    status_cls = cloudtrail_models.TrailStatus
    if getattr(status_cls.description, "awsobs_extended", False):
        return
    original = status_cls.description

    def description(self: Any) -> dict[str, Any]:
        desc: dict[str, Any] = original(self)
        desc.update(getattr(self, _EXTRA_ATTR, {}))
        return desc

    description.awsobs_extended = True  # type: ignore[attr-defined]
    status_cls.description = description  # type: ignore[method-assign]


def set_trail_status_fields(account: str, region: str, name: str, **fields: Any) -> None:
    """Override GetTrailStatus fields of trail `name` (timestamps as epoch seconds)."""
    from moto.cloudtrail import models as cloudtrail_models

    install_trail_status_extension()
    trail = cloudtrail_models.cloudtrail_backends[account][region].trails[name]
    extra: Mapping[str, Any] = getattr(trail.status, _EXTRA_ATTR, {})
    setattr(trail.status, _EXTRA_ATTR, {**extra, **fields})


# -- Systems Manager -----------------------------------------------------------------------

# (account, region) -> {"nodes": {id: info}, "inventory": {id: {...}}, "associations": [...]}
_SSM: dict[tuple[str, str], dict[str, Any]] = {}
_ids = itertools.count(1)


def _state(account: str, region: str) -> dict[str, Any]:
    return _SSM.setdefault((account, region), {"nodes": {}, "inventory": {}, "associations": []})


def reset_ssm() -> None:
    """Forget every registered node, inventory and association."""
    _SSM.clear()


def ssm_managed(
    account: str,
    region: str,
    instance_id: str,
    *,
    ping: str = "Online",
    platform: str = "Linux",
    last_ping: dt.datetime | None = None,
) -> None:
    """Register `instance_id` as an SSM managed node."""
    when = last_ping or dt.datetime.now(dt.UTC)
    _state(account, region)["nodes"][instance_id] = {
        "InstanceId": instance_id,
        "PingStatus": ping,
        "LastPingDateTime": when.timestamp(),
        "AgentVersion": "3.3.1142.0",
        "PlatformType": platform,
        "ResourceType": "EC2Instance",
    }


def ssm_inventory(
    account: str, region: str, instance_id: str, applications: list[Mapping[str, str]]
) -> None:
    """Record `applications` (Name, Version) as the instance's AWS:Application inventory."""
    _state(account, region)["inventory"][instance_id] = {
        "CaptureTime": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Entries": [dict(a) for a in applications],
    }


def ssm_association(
    account: str,
    region: str,
    name: str,
    targets: list[Mapping[str, Any]],
    parameters: Mapping[str, list[str]] | None = None,
) -> str:
    """Register a State Manager association; returns its id."""
    association_id = f"00000000-0000-4000-8000-{next(_ids):012d}"
    _state(account, region)["associations"].append(
        {
            "AssociationId": association_id,
            "Name": name,
            "Targets": [dict(t) for t in targets],
            "Parameters": dict(parameters or {}),
        }
    )
    return association_id


def _describe_instance_information(self: Any) -> ActionResult:
    nodes = _state(self.current_account, self.region)["nodes"].values()
    return ActionResult({"InstanceInformationList": list(nodes)})


def _list_inventory_entries(self: Any) -> ActionResult:
    instance_id = self._get_param("InstanceId")
    type_name = self._get_param("TypeName")
    found = _state(self.current_account, self.region)["inventory"].get(instance_id)
    result: dict[str, Any] = {"TypeName": type_name, "InstanceId": instance_id, "Entries": []}
    if found is None or type_name != "AWS:Application":
        return ActionResult(result)
    entries = found["Entries"]
    for flt in self._get_param("Filters") or []:
        values, kind = flt.get("Values", []), flt.get("Type", "Equal")
        key = flt.get("Key")
        if kind == "BeginWith":
            entries = [e for e in entries if any(str(e.get(key)).startswith(v) for v in values)]
        else:
            entries = [e for e in entries if e.get(key) in values]
    result.update(CaptureTime=found["CaptureTime"], SchemaVersion="1.1", Entries=entries)
    return ActionResult(result)


def _list_associations(self: Any) -> ActionResult:
    associations = _state(self.current_account, self.region)["associations"]
    listed = [{k: v for k, v in a.items() if k != "Parameters"} for a in associations]
    return ActionResult({"Associations": listed})


def _describe_association(self: Any) -> ActionResult:
    wanted = self._get_param("AssociationId")
    for a in _state(self.current_account, self.region)["associations"]:
        if a["AssociationId"] == wanted:
            return ActionResult({"AssociationDescription": a})
    from moto.ssm.exceptions import ValidationException

    raise ValidationException(f"Association {wanted} does not exist")


_SSM_METHODS = {
    "describe_instance_information": _describe_instance_information,
    "list_inventory_entries": _list_inventory_entries,
    "list_associations": _list_associations,
    "describe_association": _describe_association,
}


def install_ssm_extension() -> None:
    """Serve the SSM reads above from moto (in process and ThreadedMotoServer); idempotent."""
    from moto.ssm.responses import SimpleSystemManagerResponse

    for name, method in _SSM_METHODS.items():
        setattr(SimpleSystemManagerResponse, name, method)


def uninstall_ssm_extension() -> None:
    """Back to plain moto, where these operations are not implemented."""
    from moto.ssm.responses import SimpleSystemManagerResponse

    for name in _SSM_METHODS:
        if name in vars(SimpleSystemManagerResponse):
            delattr(SimpleSystemManagerResponse, name)


# -- CloudWatch composite alarms -------------------------------------------------------------
# moto's alarm model has a composite rule, but PutCompositeAlarm has no response handler.


def _put_composite_alarm(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    self.cloudwatch_backend.put_metric_alarm(
        name=self._get_param("AlarmName"),
        namespace=None,
        metric_name=None,
        comparison_operator=None,
        evaluation_periods=None,
        period=None,
        threshold=None,
        statistic=None,
        description=self._get_param("AlarmDescription"),
        dimensions=[],
        alarm_actions=self._get_param("AlarmActions") or [],
        ok_actions=self._get_param("OKActions") or [],
        insufficient_data_actions=self._get_param("InsufficientDataActions") or [],
        actions_enabled=self._get_param("ActionsEnabled", True) not in (False, "false"),
        rule=self._get_param("AlarmRule"),
    )
    return EmptyResult()


def install_composite_alarm_extension() -> None:
    """Serve PutCompositeAlarm (DescribeAlarms already returns composite alarms)."""
    from moto.cloudwatch.responses import CloudWatchResponse

    CloudWatchResponse.put_composite_alarm = _put_composite_alarm  # type: ignore[attr-defined]


# -- S3 request-metrics configurations -------------------------------------------------------
# moto accepts PutBucketMetricsConfiguration but keeps nothing, and answers the listing with
# an object listing. These wrappers keep the configurations per bucket and list them.

_S3_METRICS: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}


def reset_s3_metrics() -> None:
    _S3_METRICS.clear()


def install_s3_metrics_extension() -> None:
    """Keep and list bucket metrics configurations (idempotent)."""
    from moto.s3.responses import S3Response

    if getattr(S3Response._bucket_response_get, "awsobs_extended", False):
        return
    get, put = S3Response._bucket_response_get, S3Response._bucket_response_put

    def bucket_get(self: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        if "metrics" not in querystring:
            return get(self, bucket_name, querystring)
        configs = _S3_METRICS.get((self.current_account, bucket_name), {})
        self.data["Action"] = "ListBucketMetricsConfigurations"
        if "id" in querystring:
            wanted = querystring["id"][0]
            self.data["Action"] = "GetBucketMetricsConfiguration"
            return self.serialized(ActionResult({"MetricsConfiguration": configs.get(wanted, {})}))
        return self.serialized(
            ActionResult({"IsTruncated": False, "MetricsConfigurationList": list(configs.values())})
        )

    def bucket_put(self: Any, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        if "metrics" not in querystring:
            return put(self, request, bucket_name, querystring)
        root = ElementTree.fromstring(self.body)
        fields = {el.tag.rsplit("}", 1)[-1]: el for el in root}
        config: dict[str, Any] = {"Id": fields["Id"].text}
        if "Filter" in fields:
            config["Filter"] = {el.tag.rsplit("}", 1)[-1]: el.text for el in fields["Filter"]}
        _S3_METRICS.setdefault((self.current_account, bucket_name), {})[config["Id"]] = config
        return 204, {}, ""

    bucket_get.awsobs_extended = True  # type: ignore[attr-defined]
    S3Response._bucket_response_get = bucket_get  # type: ignore[method-assign]
    S3Response._bucket_response_put = bucket_put  # type: ignore[method-assign]


# -- SNS subscriptions pending confirmation --------------------------------------------------
# moto confirms every subscription at once; AWS lists an unconfirmed one with the
# SubscriptionArn "PendingConfirmation".

_PENDING: set[tuple[str, str]] = set()  # (topic arn, endpoint)


def sns_pending(topic_arn: str, endpoint: str) -> None:
    """List the subscription of `endpoint` to `topic_arn` as pending confirmation."""
    _PENDING.add((topic_arn, endpoint))


def reset_sns_pending() -> None:
    _PENDING.clear()


def install_sns_pending_extension() -> None:
    from moto.sns.responses import SNSResponse

    if getattr(SNSResponse.list_subscriptions_by_topic, "awsobs_extended", False):
        return
    original = SNSResponse.list_subscriptions_by_topic

    def listing(self: Any) -> Any:
        result: Any = original(self)
        subscriptions = []
        for sub in result.result["Subscriptions"]:
            pending = (sub.topic.arn, sub.endpoint) in _PENDING
            subscriptions.append(
                {
                    "SubscriptionArn": "PendingConfirmation" if pending else sub.arn,
                    "Owner": sub.account_id,
                    "Protocol": sub.protocol,
                    "Endpoint": sub.endpoint,
                    "TopicArn": sub.topic.arn,
                }
            )
        return ActionResult(
            {"Subscriptions": subscriptions, "NextToken": result.result.get("NextToken")}
        )

    listing.awsobs_extended = True  # type: ignore[attr-defined]
    SNSResponse.list_subscriptions_by_topic = listing  # type: ignore[method-assign]


def install_alarm_extensions() -> None:
    """Composite alarms, S3 metrics configurations and pending SNS subscriptions."""
    install_composite_alarm_extension()
    install_s3_metrics_extension()
    install_sns_pending_extension()


def reset_alarm_extensions() -> None:
    reset_s3_metrics()
    reset_sns_pending()


# -- AWS Config: moto 5 raises NotImplementedError for DescribeDeliveryChannelStatus -----


def _delivery_channel_status(self: Any) -> str:
    channels = self.config_backend.describe_delivery_channels(
        self._get_param("DeliveryChannelNames")
    )
    now = time.time()
    ok = {"lastStatus": "Success", "lastAttemptTime": now, "lastSuccessfulTime": now}
    return json.dumps(
        {
            "DeliveryChannelsStatus": [
                {
                    "name": ch["name"],
                    "configSnapshotDeliveryInfo": ok,
                    "configHistoryDeliveryInfo": ok,
                    "configStreamDeliveryInfo": {"lastStatus": "Not_Applicable"},
                }
                for ch in channels
            ]
        }
    )


def install_config_extension() -> None:
    """Answer DescribeDeliveryChannelStatus from moto's own channels (idempotent)."""
    from moto.config.responses import ConfigResponse

    ConfigResponse.describe_delivery_channel_status = _delivery_channel_status  # type: ignore[method-assign]
