"""CloudFormation resource types moto 5.2 does not model, for deploying `awsobs fix` templates.

moto's CloudFormation creates a resource only if a `CloudFormationModel` subclass declares
its type; for any other type it logs a warning, skips the resource and still reports the
stack CREATE_COMPLETE. The templates `awsobs fix --format cloudformation` writes use seven
such types. Each class below creates the real resource through moto's own backend, the way
the service's API would, so a scan after the deploy sees what AWS would show:

- AWS::CloudWatch::Alarm (PutMetricAlarm), AWS::Logs::MetricFilter (PutMetricFilter; the
  log group must exist), AWS::CloudTrail::Trail (CreateTrail, PutEventSelectors,
  PutInsightSelectors, StartLogging when IsLogging; the bucket policy must let CloudTrail
  write, as CreateTrail checks), AWS::S3::BucketPolicy, AWS::SNS::Subscription,
  AWS::Config::ConfigurationRecorder and AWS::Config::DeliveryChannel (CloudFormation
  starts the recorder as soon as the delivery channel is available: the
  AWS::Config::ConfigurationRecorder page of the CloudFormation user guide).

Types moto has, made to match AWS where the templates depend on it:
AWS::Logs::LogGroup's `Fn::GetAtt Arn` ends in `:*` as CloudFormation's does (moto returns
the bare ARN); AWS::S3::Bucket applies PublicAccessBlockConfiguration and
VersioningConfiguration, AWS::IAM::Role attaches ManagedPolicyArns (moto drops them);
AWS::EC2::FlowLog accepts an S3 destination with a folder (`arn:aws:s3:::bucket/folder/`,
which moto takes for a bucket named `bucket/folder/`).

A property these types do not handle (these classes', or moto's own model's) fails the
stack (ValidationError) rather than being dropped, so the closed-loop test cannot pass on
a resource that was only half created.
Deletion and update are not modelled. `cfn_extension()` installs the types for a block;
moto lists models once (parsing.get_model_list, cached), so installing swaps that function
for one that honours the switch and clears the caches.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, TypeVar

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.cloudtrail.models import cloudtrail_backends
from moto.cloudwatch.models import cloudwatch_backends
from moto.config.models import config_backends
from moto.core.common_models import CloudFormationModel
from moto.ec2.models.flow_logs import FlowLogs, FlowLogsBackend
from moto.iam.models import Role, iam_backends
from moto.logs.models import LogGroup, logs_backends
from moto.s3.models import FakeBucket, s3_backends
from moto.settings import load_iam_aws_managed_policies
from moto.sns.models import sns_backends
from moto.utilities.utils import get_partition
from moto_ext import flow_logs_to_folders
from werkzeug.exceptions import HTTPException

__all__ = ["cfn_extension", "install_cfn_extension", "uninstall_cfn_extension"]

# moto's model metaclass files every model under the second part of its module name
_MODULE = "tests.moto_cfn"
F = TypeVar("F", bound=Callable[..., Any])


def _fail(code: str, message: str) -> ValidationError:
    """A resource that AWS would not create: CreateStack's ValidationError, naming the
    service's error (on AWS the stack fails, with that error as the resource's reason)."""
    return ValidationError(message=f"{code}: {message}")


def _aws_errors(create: F) -> F:
    """moto's own errors while creating the resource, as `_fail`: they carry their own
    protocol's body (JSON for Logs, Config, CloudTrail), which a CloudFormation client
    cannot parse."""

    @functools.wraps(create)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return create(*args, **kwargs)
        except HTTPException as err:
            code = getattr(err, "error_type", type(err).__name__)
            raise _fail(code, getattr(err, "message", str(err))) from err

    return wrapper  # type: ignore[return-value]


def _props(cfn: Mapping[str, Any], rtype: str, handled: frozenset[str]) -> Any:
    """The resource's Properties; a ValidationError for any property not in `handled`."""
    props = dict(cfn.get("Properties") or {})
    extra = sorted(set(props) - handled)
    if extra:
        raise ValidationError(message=f"tests/moto_cfn.py: {rtype} does not handle {extra}")
    return props


def _bool(value: Any, default: bool = False) -> bool:
    """A CloudFormation boolean (true/false, or "true"/"false" from a parameter)."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() == "true"
    return bool(value)


def _lower_keys(value: Any) -> Any:
    """CloudFormation's property names as the Config API spells them (first letter lower)."""
    if isinstance(value, Mapping):
        return {k[:1].lower() + k[1:]: _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


class _Named:
    """A created resource known by its name (Ref) and, when it has one, its ARN (GetAtt);
    TYPE is its CloudFormation type, NAME_TYPE the property that names it ("": none)."""

    TYPE: ClassVar[str]
    NAME_TYPE: ClassVar[str]
    attributes: tuple[str, ...] = ()

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_TYPE

    def __init__(self, name: str, arn: str = "", **attrs: str) -> None:
        self.name, self.arn = name, arn
        self.attrs = {"Arn": arn, **attrs}

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.attributes

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name in self.attributes:
            return self.attrs[attribute_name]
        raise UnformattedGetAttTemplateException()


class CloudWatchAlarm(_Named, CloudFormationModel):
    """AWS::CloudWatch::Alarm, which moto's CloudFormation lacks: a metric alarm made with
    moto's PutMetricAlarm (metric math `Metrics` is not handled)."""

    __module__ = _MODULE
    attributes = ("Arn",)
    HANDLED: ClassVar[frozenset[str]] = frozenset({
        "AlarmName", "AlarmDescription", "ActionsEnabled", "AlarmActions", "OKActions",
        "InsufficientDataActions", "Namespace", "MetricName", "Dimensions", "Statistic",
        "ExtendedStatistic", "Period", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
        "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile", "Unit",
        "Tags",
    })  # fmt: skip

    TYPE = "AWS::CloudWatch::Alarm"
    NAME_TYPE = "AlarmName"

    @classmethod
    @_aws_errors
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> CloudWatchAlarm:
        p = _props(cloudformation_json, cls.cloudformation_type(), cls.HANDLED)
        alarm = cloudwatch_backends[account_id][region_name].put_metric_alarm(
            name=resource_name,
            namespace=p.get("Namespace"),
            metric_name=p.get("MetricName"),
            comparison_operator=p["ComparisonOperator"],
            evaluation_periods=int(p["EvaluationPeriods"]),
            period=int(p["Period"]) if "Period" in p else None,  # type: ignore[arg-type]
            threshold=float(p["Threshold"]) if "Threshold" in p else None,  # type: ignore[arg-type]
            statistic=p.get("Statistic"),
            extended_statistic=p.get("ExtendedStatistic"),
            description=p.get("AlarmDescription"),
            dimensions=list(p.get("Dimensions") or []),
            alarm_actions=list(p.get("AlarmActions") or []),
            ok_actions=list(p.get("OKActions") or []),
            insufficient_data_actions=list(p.get("InsufficientDataActions") or []),
            datapoints_to_alarm=int(p["DatapointsToAlarm"]) if "DatapointsToAlarm" in p else None,
            unit=p.get("Unit"),
            actions_enabled=_bool(p.get("ActionsEnabled"), default=True),
            treat_missing_data=p.get("TreatMissingData"),
            evaluate_low_sample_count_percentile=p.get("EvaluateLowSampleCountPercentile"),
            tags=list(p.get("Tags") or []),
        )
        return cls(resource_name, alarm.alarm_arn)


class LogsMetricFilter(_Named, CloudFormationModel):
    """AWS::Logs::MetricFilter, which moto's CloudFormation lacks: moto's PutMetricFilter,
    after checking that the log group exists (AWS answers ResourceNotFoundException; moto
    accepts a filter on any name)."""

    __module__ = _MODULE
    HANDLED: ClassVar[frozenset[str]] = frozenset(
        {"FilterName", "FilterPattern", "LogGroupName", "MetricTransformations"}
    )

    TYPE = "AWS::Logs::MetricFilter"
    NAME_TYPE = "FilterName"

    @classmethod
    @_aws_errors
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> LogsMetricFilter:
        p = _props(cloudformation_json, cls.cloudformation_type(), cls.HANDLED)
        backend = logs_backends[account_id][region_name]
        group = p["LogGroupName"]
        if group not in backend.groups:
            raise _fail("ResourceNotFoundException", "The specified log group does not exist.")
        transformations = []
        for t in p["MetricTransformations"]:
            out = _lower_keys({k: v for k, v in t.items() if k != "Dimensions"})
            if t.get("Dimensions"):
                out["dimensions"] = {d["Key"]: d["Value"] for d in t["Dimensions"]}
            transformations.append(out)
        backend.put_metric_filter(resource_name, p["FilterPattern"], group, transformations)  # type: ignore[arg-type]
        return cls(resource_name)


class CloudTrailTrail(_Named, CloudFormationModel):
    """AWS::CloudTrail::Trail, which moto's CloudFormation lacks: moto's CreateTrail, then
    PutEventSelectors / PutInsightSelectors when set and StartLogging when IsLogging. Like
    CreateTrail on AWS (InsufficientS3BucketPolicyException), it fails unless the bucket's
    policy lets cloudtrail.amazonaws.com read the bucket ACL and write under AWSLogs/."""

    __module__ = _MODULE
    attributes = ("Arn", "SnsTopicArn")
    HANDLED: ClassVar[frozenset[str]] = frozenset({
        "TrailName", "S3BucketName", "S3KeyPrefix", "SnsTopicName", "IsLogging",
        "IsMultiRegionTrail", "IncludeGlobalServiceEvents", "EnableLogFileValidation",
        "IsOrganizationTrail", "CloudWatchLogsLogGroupArn", "CloudWatchLogsRoleArn",
        "KMSKeyId", "Tags", "EventSelectors", "AdvancedEventSelectors", "InsightSelectors",
    })  # fmt: skip

    TYPE = "AWS::CloudTrail::Trail"
    NAME_TYPE = "TrailName"

    @classmethod
    @_aws_errors
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> CloudTrailTrail:
        p = _props(cloudformation_json, cls.cloudformation_type(), cls.HANDLED)
        bucket, prefix = p["S3BucketName"], p.get("S3KeyPrefix")
        _require_trail_policy(account_id, region_name, bucket, prefix)
        backend = cloudtrail_backends[account_id][region_name]
        trail = backend.create_trail(
            resource_name,
            bucket,
            prefix,
            p.get("SnsTopicName"),
            _bool(p.get("IncludeGlobalServiceEvents"), default=True),
            _bool(p.get("IsMultiRegionTrail")),
            _bool(p.get("EnableLogFileValidation")),
            _bool(p.get("IsOrganizationTrail")),
            p.get("CloudWatchLogsLogGroupArn"),
            p.get("CloudWatchLogsRoleArn"),
            p.get("KMSKeyId"),
            list(p.get("Tags") or []),
        )
        if p.get("EventSelectors") or p.get("AdvancedEventSelectors"):
            backend.put_event_selectors(
                resource_name, p.get("EventSelectors") or [], p.get("AdvancedEventSelectors") or []
            )
        if p.get("InsightSelectors"):
            backend.put_insight_selectors(resource_name, p["InsightSelectors"])
        if _bool(p["IsLogging"]):
            backend.start_logging(resource_name)
        return cls(resource_name, trail.arn, SnsTopicArn=trail.topic_arn or "")


def _require_trail_policy(account: str, region: str, bucket: str, prefix: str | None) -> None:
    """What CreateTrail checks of the bucket policy (conditions are not evaluated)."""
    s3 = s3_backends[account][get_partition(region)]
    found = s3.buckets.get(bucket)
    if found is None:
        raise _fail("S3BucketDoesNotExistException", f"S3 bucket {bucket} does not exist!")
    arn = f"arn:{get_partition(region)}:s3:::{bucket}"
    key = f"{arn}/{prefix.strip('/') + '/' if prefix else ''}AWSLogs/{account}/x"
    raw = found.policy or b"{}"
    policy = json.loads(raw.decode() if isinstance(raw, bytes) else raw)

    def allows(action: str, resource: str) -> bool:
        for s in _listed(policy.get("Statement")):
            principal = s.get("Principal")
            services = _listed(principal.get("Service")) if isinstance(principal, dict) else []
            if s.get("Effect") != "Allow" or "cloudtrail.amazonaws.com" not in services:
                continue
            actions = _listed(s.get("Action"))
            if any(fnmatch.fnmatchcase(action, a) for a in actions) and any(
                fnmatch.fnmatchcase(resource, r) for r in _listed(s.get("Resource"))
            ):
                return True
        return False

    if not (allows("s3:GetBucketAcl", arn) and allows("s3:PutObject", key)):
        raise _fail(
            "InsufficientS3BucketPolicyException",
            f"Incorrect S3 bucket policy is detected for bucket: {bucket}",
        )


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


class S3BucketPolicy(_Named, CloudFormationModel):
    """AWS::S3::BucketPolicy, which moto's CloudFormation lacks: moto's PutBucketPolicy on
    an existing bucket (Ref: the bucket name)."""

    __module__ = _MODULE
    HANDLED: ClassVar[frozenset[str]] = frozenset({"Bucket", "PolicyDocument"})

    TYPE = "AWS::S3::BucketPolicy"
    NAME_TYPE = ""

    @classmethod
    @_aws_errors
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> S3BucketPolicy:
        p = _props(cloudformation_json, cls.cloudformation_type(), cls.HANDLED)
        doc = p["PolicyDocument"]
        text = doc if isinstance(doc, str) else json.dumps(doc)
        s3 = s3_backends[account_id][get_partition(region_name)]
        s3.put_bucket_policy(p["Bucket"], text.encode())
        return cls(p["Bucket"])


class SnsSubscription(_Named, CloudFormationModel):
    """AWS::SNS::Subscription, which moto's CloudFormation lacks: moto's Subscribe (in the
    topic's region, or `Region`), then RawMessageDelivery / FilterPolicy as attributes.
    moto confirms every subscription at once; AWS leaves an email one pending until the
    recipient confirms. Ref: the subscription ARN."""

    __module__ = _MODULE
    HANDLED: ClassVar[frozenset[str]] = frozenset(
        {"TopicArn", "Protocol", "Endpoint", "Region", "RawMessageDelivery", "FilterPolicy"}
    )

    TYPE = "AWS::SNS::Subscription"
    NAME_TYPE = ""

    @classmethod
    @_aws_errors
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> SnsSubscription:
        p = _props(cloudformation_json, cls.cloudformation_type(), cls.HANDLED)
        topic = p["TopicArn"]
        region = p.get("Region") or topic.split(":")[3]
        backend = sns_backends[account_id][region]
        sub = backend.subscribe(topic, p["Endpoint"], p["Protocol"])
        if "RawMessageDelivery" in p:
            value = "true" if _bool(p["RawMessageDelivery"]) else "false"
            backend.set_subscription_attributes(sub.arn, "RawMessageDelivery", value)
        if "FilterPolicy" in p:
            policy = p["FilterPolicy"]
            text = policy if isinstance(policy, str) else json.dumps(policy)
            backend.set_subscription_attributes(sub.arn, "FilterPolicy", text)
        return cls(sub.arn, sub.arn)


def _start_recorders(account: str, region: str) -> None:
    """Start the region's recorders once a delivery channel exists (what CloudFormation
    does for a stack's recorder)."""
    backend = config_backends[account][region]
    if backend.delivery_channels:
        for name in list(backend.recorders):
            backend.start_configuration_recorder(name)


class ConfigRecorder(_Named, CloudFormationModel):
    """AWS::Config::ConfigurationRecorder, which moto's CloudFormation lacks: moto's
    PutConfigurationRecorder, started at once if the region already has a delivery channel
    (else when DeliveryChannel is created), as CloudFormation does."""

    __module__ = _MODULE
    HANDLED: ClassVar[frozenset[str]] = frozenset({"Name", "RoleARN", "RecordingGroup"})

    TYPE = "AWS::Config::ConfigurationRecorder"
    NAME_TYPE = "Name"

    @classmethod
    @_aws_errors
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ConfigRecorder:
        p = _props(cloudformation_json, cls.cloudformation_type(), cls.HANDLED)
        recorder = _lower_keys({k: v for k, v in p.items() if k != "Name"})
        recorder["name"] = resource_name
        config_backends[account_id][region_name].put_configuration_recorder(recorder)
        _start_recorders(account_id, region_name)
        return cls(resource_name)


class ConfigDeliveryChannel(_Named, CloudFormationModel):
    """AWS::Config::DeliveryChannel, which moto's CloudFormation lacks: moto's
    PutDeliveryChannel (after checking the bucket exists, as AWS does), then the region's
    recorder starts: "AWS CloudFormation starts the recorder as soon as the delivery
    channel is available"."""

    __module__ = _MODULE
    HANDLED: ClassVar[frozenset[str]] = frozenset({
        "Name", "S3BucketName", "S3KeyPrefix", "S3KmsKeyArn", "SnsTopicARN",
        "ConfigSnapshotDeliveryProperties",
    })  # fmt: skip

    TYPE = "AWS::Config::DeliveryChannel"
    NAME_TYPE = "Name"

    @classmethod
    @_aws_errors
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> ConfigDeliveryChannel:
        p = _props(cloudformation_json, cls.cloudformation_type(), cls.HANDLED)
        if p["S3BucketName"] not in s3_backends[account_id][get_partition(region_name)].buckets:
            raise _fail(
                "NoSuchBucketException", f"Cannot find a S3 bucket named {p['S3BucketName']}."
            )
        channel = _lower_keys({k: v for k, v in p.items() if k != "Name"})
        channel["name"] = resource_name
        config_backends[account_id][region_name].put_delivery_channel(channel)
        _start_recorders(account_id, region_name)
        return cls(resource_name)


MODELS: tuple[type[CloudFormationModel], ...] = (
    CloudWatchAlarm,
    LogsMetricFilter,
    CloudTrailTrail,
    S3BucketPolicy,
    SnsSubscription,
    ConfigRecorder,
    ConfigDeliveryChannel,
)

# -- moto's own models, made to match AWS where the templates depend on it ---------------

Create = Callable[..., Any]
After = Callable[[Any, dict[str, Any], str, str], None]


def _strict(original: Create, rtype: str, handled: set[str], after: After | None = None) -> Any:
    """moto's own create for `rtype`, failing on a property moto would drop (beyond
    `handled`), then `after(resource, properties, account, region)`: what moto leaves out."""

    def create(
        cls: type[Any],
        /,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Any:
        props = _props(cloudformation_json, rtype, frozenset(handled))
        resource = original(resource_name, cloudformation_json, account_id, region_name, **kwargs)
        if after is not None:
            after(resource, props, account_id, region_name)
        return resource

    return classmethod(create)


def _bucket_settings(bucket: FakeBucket, props: dict[str, Any], account: str, region: str) -> None:
    """The block-public-access and versioning settings moto's bucket model drops."""
    backend = s3_backends[account][get_partition(region)]
    if props.get("PublicAccessBlockConfiguration"):
        block = {k: _bool(v) for k, v in props["PublicAccessBlockConfiguration"].items()}
        backend.put_public_access_block(bucket.name, block)
    versioning = (props.get("VersioningConfiguration") or {}).get("Status")
    if versioning:
        backend.put_bucket_versioning(bucket.name, versioning)


def _role_policies(role: Role, props: dict[str, Any], account: str, region: str) -> None:
    """ManagedPolicyArns, which moto's role model drops. moto loads AWS's own managed
    policies only when asked (MOTO_IAM_LOAD_MANAGED_POLICIES): without them an
    `arn:<partition>:iam::aws:policy/...` is skipped; any other missing policy fails the
    stack, as on AWS."""
    iam = iam_backends[account][get_partition(region)]
    known = {p.arn for p in iam.managed_policies.values()}
    for arn in props.get("ManagedPolicyArns") or ():
        if arn not in known and ":iam::aws:policy/" in arn and not load_iam_aws_managed_policies():
            continue
        iam.attach_role_policy(arn, role.name)


def _log_group_attribute(self: LogGroup, attribute_name: str) -> str:
    """GetAtt Arn as CloudFormation returns it: `arn:...:log-group:<name>:*`."""
    if attribute_name == "Arn":
        return f"{self.arn}:*"
    raise UnformattedGetAttTemplateException()


def _flow_log_create(original: Create) -> Create:
    def create(
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> FlowLogs:
        """moto's flow log; a missing S3 bucket fails the stack (moto's own model raises
        IndexError on CreateFlowLogs' refusal). Folders in the destination: the backend
        patch (tests/moto_ext.py flow_logs_to_folders)."""
        props = cloudformation_json.get("Properties") or {}
        destination = props.get("LogDestination")
        if props.get("LogDestinationType") == "s3" and destination:
            bucket = str(destination).split(":", 5)[5].split("/", 1)[0]
            if bucket not in s3_backends[account_id][get_partition(region_name)].buckets:
                raise _fail("InvalidParameter", f"LogDestination: {bucket} does not exist.")
        return original(resource_name, cloudformation_json, account_id, region_name, **kwargs)  # type: ignore[no-any-return]

    return create


def _patches() -> list[tuple[type[Any], str, Any]]:
    """(class, attribute, replacement) for the moto models above. The handled properties
    are those moto's model reads (and this module's additions)."""
    bucket = {"BucketName", "BucketEncryption", "Tags"}
    bucket |= {"PublicAccessBlockConfiguration", "VersioningConfiguration"}
    role = {"RoleName", "AssumeRolePolicyDocument", "Path", "PermissionsBoundary", "Tags"}
    role |= {"Description", "MaxSessionDuration", "Policies", "ManagedPolicyArns"}
    flow_log = {"ResourceId", "ResourceType", "TrafficType", "DeliverLogsPermissionArn"}
    flow_log |= {"LogDestinationType", "LogDestination", "LogGroupName", "LogFormat"}
    flow_log |= {"MaxAggregationInterval", "Tags"}
    create = "create_from_cloudformation_json"
    return [
        (
            FlowLogsBackend,
            "create_flow_logs",
            flow_logs_to_folders(vars(FlowLogsBackend)["create_flow_logs"]),
        ),
        (LogGroup, "get_cfn_attribute", _log_group_attribute),
        (
            LogGroup,
            create,
            _strict(
                LogGroup.create_from_cloudformation_json,
                "AWS::Logs::LogGroup",
                {"LogGroupName", "RetentionInDays", "Tags"},
            ),
        ),
        (
            FakeBucket,
            create,
            _strict(
                FakeBucket.create_from_cloudformation_json,
                "AWS::S3::Bucket",
                bucket,
                _bucket_settings,
            ),
        ),
        (
            Role,
            create,
            _strict(Role.create_from_cloudformation_json, "AWS::IAM::Role", role, _role_policies),
        ),
        (
            FlowLogs,
            create,
            _strict(
                _flow_log_create(FlowLogs.create_from_cloudformation_json),
                "AWS::EC2::FlowLog",
                flow_log,
            ),
        ),
    ]


# -- install -------------------------------------------------------------------------------

_STATE: dict[str, Any] = {"installed": False, "saved": []}


@functools.lru_cache
def _model_list() -> list[type[CloudFormationModel]]:
    """moto's model list (every CloudFormationModel subclass), this module's only while
    installed."""
    models = CloudFormationModel.__subclasses__()
    return [m for m in models if _STATE["installed"] or m not in MODELS]


def _clear_caches() -> None:
    _model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()


def install_cfn_extension() -> None:
    """Make moto's CloudFormation create the types above (idempotent)."""
    if _STATE["installed"]:
        return
    _STATE["installed"] = True
    parsing.get_model_list = _model_list
    for cls, attr, replacement in _patches():
        _STATE["saved"].append((cls, attr, vars(cls)[attr]))
        setattr(cls, attr, replacement)
    _clear_caches()


def uninstall_cfn_extension() -> None:
    """Back to moto's own CloudFormation types and behaviour."""
    if not _STATE["installed"]:
        return
    _STATE["installed"] = False
    while _STATE["saved"]:
        cls, attr, original = _STATE["saved"].pop()
        setattr(cls, attr, original)
    # moto's own list would be computed again with this module's classes in it (they are
    # CloudFormationModel subclasses for as long as the process runs): keep the filter
    _clear_caches()


@contextlib.contextmanager
def cfn_extension() -> Iterator[None]:
    """The extension, installed for the block."""
    install_cfn_extension()
    try:
        yield
    finally:
        uninstall_cfn_extension()
