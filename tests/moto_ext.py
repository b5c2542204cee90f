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

Both patch moto's in-process backends, so they also apply to a ThreadedMotoServer started
in the test process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from moto import settings
from moto.cloudtrail import models as cloudtrail_models
from moto.core.responses import ActionAuthenticatorMixin

from awsobs.demo.moto_ext import install_trail_status_extension, set_trail_status_fields

__all__ = [
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
