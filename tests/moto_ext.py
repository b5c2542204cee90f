"""Small moto extensions for what moto 5.2 does not model, each named by what it adds.

- `organization_trails_visible(status_readable)`: AWS shows an organization trail to every
  member account (DescribeTrails with shadow trails); moto only shows an account its own
  trails. A member's GetEventSelectors by ARN fails with TrailNotFoundException (as in the
  issue reports controls.md cites); GetTrailStatus succeeds or fails with
  `status_readable`, so both outcomes members report can be tested.
- `iam_enforced()`: moto's own IAM authorizer switched on for the block (the context
  manager form of `moto.core.set_initial_no_auth_action_count(0)`), so a scan with a
  restricted user's keys gets the AccessDenied responses AWS would send.
- `set_trail_status_fields` and the SSM extension live in awsobs/demo/moto_ext.py, because the
  demo needs them too: GetTrailStatus fields moto never reports (LatestDeliveryError,
  LatestCloudWatchLogsDeliveryTime, ...) or always stamps with "now" (LatestDeliveryTime);
  the SSM reads moto does not implement (DescribeInstanceInformation, inventory,
  associations).

- `cli_updates()`: what the AWS CLI commands `awsobs fix --format sh` writes need and moto
  5.2 lacks: ECS UpdateClusterSettings (the command AWS's Container Insights guide runs;
  served by moto's own UpdateCluster, which sets the same `settings`), Lambda's
  UpdateFunctionConfiguration keeping `TracingConfig` (moto drops it), and a flow log to
  an S3 subfolder (`arn:aws:s3:::bucket/folder/`, which AWS accepts and moto takes for a
  bucket named "bucket/folder/").

All patch moto's in-process backends, so they also apply to a ThreadedMotoServer started
in the test process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from moto import settings
from moto.cloudtrail import models as cloudtrail_models
from moto.core.responses import ActionAuthenticatorMixin

from awsobs.demo.moto_ext import install_trail_status_extension, set_trail_status_fields

__all__ = [
    "cli_updates",
    "flow_logs_to_folders",
    "iam_enforced",
    "install_trail_status_extension",
    "organization_trails_visible",
    "set_trail_status_fields",
]


@contextlib.contextmanager
def organization_trails_visible(status_readable: bool = True) -> Iterator[None]:
    backend_cls = cloudtrail_models.CloudTrailBackend
    original = backend_cls.describe_trails
    original_status = backend_cls.get_trail_status

    def get_trail_status(self: Any, name: str) -> Any:
        if not status_readable and f":{self.account_id}:" not in name:
            raise cloudtrail_models.TrailNotFoundException(account_id=self.account_id, name=name)
        return original_status(self, name)

    def describe_trails(self: Any, include_shadow_trails: bool) -> list[Any]:
        trails = list(original(self, include_shadow_trails))
        if not include_shadow_trails:
            return trails
        for account, regions in list(cloudtrail_models.cloudtrail_backends.items()):
            if account == self.account_id:
                continue
            for backend in list(regions.values()):
                trails.extend(
                    t
                    for t in backend.trails.values()
                    if t.is_org_trail and (t.is_multi_region or t.region_name == self.region_name)
                )
        return trails

    backend_cls.describe_trails = describe_trails  # type: ignore[method-assign]
    backend_cls.get_trail_status = get_trail_status  # type: ignore[method-assign]
    try:
        yield
    finally:
        backend_cls.describe_trails = original  # type: ignore[method-assign]
        backend_cls.get_trail_status = original_status  # type: ignore[method-assign]


@contextlib.contextmanager
def iam_enforced() -> Iterator[None]:
    saved = settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    ActionAuthenticatorMixin.request_count = 0
    try:
        yield
    finally:
        settings.INITIAL_NO_AUTH_ACTION_COUNT, ActionAuthenticatorMixin.request_count = saved


def flow_logs_to_folders(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's CreateFlowLogs (FlowLogsBackend.create_flow_logs), accepting an S3 destination
    with a folder (`arn:aws:s3:::bucket/folder/`, which AWS accepts; moto looks up a bucket
    named "bucket/folder/"). The API and CloudFormation (tests/moto_cfn.py) both go
    through it."""
    from moto.s3.models import S3Backend

    def create_flow_logs(self: Any, *args: Any, **kwargs: Any) -> Any:
        original_get_bucket = S3Backend.get_bucket

        def get_bucket(backend: Any, name: str) -> Any:
            return original_get_bucket(backend, name.split("/", 1)[0])

        S3Backend.get_bucket = get_bucket  # type: ignore[method-assign,assignment]
        try:
            return original(self, *args, **kwargs)
        finally:
            S3Backend.get_bucket = original_get_bucket  # type: ignore[method-assign]

    return create_flow_logs


@contextlib.contextmanager
def cli_updates() -> Iterator[None]:
    """What the AWS CLI commands of `awsobs fix --format sh` need and moto 5.2 lacks."""
    from moto.awslambda.models import LambdaFunction
    from moto.core.responses import ActionResult
    from moto.ec2.models.flow_logs import FlowLogsBackend
    from moto.ecs.responses import EC2ContainerServiceResponse as Responses

    def update_cluster_settings(self: Any) -> Any:
        cluster = self.ecs_backend.update_cluster(
            cluster_name=self._get_param("cluster"),
            cluster_settings=self._get_param("settings"),
            configuration=None,
            service_connect_defaults=None,
        )
        return ActionResult({"cluster": cluster})

    original_update = LambdaFunction.update_configuration

    def update_configuration(self: Any, config_updates: dict[str, Any]) -> Any:
        if "TracingConfig" in config_updates:  # moto drops it
            self.tracing_config = config_updates["TracingConfig"]
        return original_update(self, config_updates)

    original_flow_logs = FlowLogsBackend.create_flow_logs

    Responses.update_cluster_settings = update_cluster_settings  # type: ignore[attr-defined]
    LambdaFunction.update_configuration = update_configuration  # type: ignore[method-assign]
    FlowLogsBackend.create_flow_logs = flow_logs_to_folders(original_flow_logs)  # type: ignore[method-assign]
    try:
        yield
    finally:
        del Responses.update_cluster_settings  # type: ignore[attr-defined]
        LambdaFunction.update_configuration = original_update  # type: ignore[method-assign]
        FlowLogsBackend.create_flow_logs = original_flow_logs  # type: ignore[method-assign]
