"""moto patch for the edge checks (CloudFront, WAF, Route 53), in process.

moto 5 serves every read of cloudfront.access_logs and route53.query_logging, and all of
wafv2.logging's but one: its ListLoggingConfigurations filters by scope wrongly (a
CLOUDFRONT web ACL's ARN holds `:global/`, moto looks for `:global:`, so CloudFront-scope
configurations are never listed; REGIONAL lists the CloudFront ones too) and ignores
`LogScope`. The patch answers it from moto's own logging configurations: by ARN scope
(`/global/` or `/regional/`, and the region for REGIONAL), CUSTOMER ones for
LogScope=CUSTOMER; for SECURITY_LAKE (moto has no Security Lake) those registered with
`security_lake_logging`. One page, no NextMarker.
"""

from __future__ import annotations

import json
from typing import Any

_SECURITY_LAKE: dict[str, list[str]] = {}  # web ACL ARN -> destinations


def security_lake_logging(acl_arn: str, destination: str) -> None:
    """Make `acl_arn` logged by a configuration Amazon Security Lake manages."""
    _SECURITY_LAKE[acl_arn] = [destination]


def reset_security_lake() -> None:
    _SECURITY_LAKE.clear()


def _list_logging_configurations(self: Any) -> str:
    body = json.loads(self.body or "{}")
    scope = body.get("Scope")
    lake = body.get("LogScope", "CUSTOMER") == "SECURITY_LAKE"
    if scope == "CLOUDFRONT":
        wanted = ":global/webacl/"
    else:
        wanted = f":{self.region}:{self.current_account}:regional/webacl/"
    if lake:
        found = [
            {"ResourceArn": arn, "LogDestinationConfigs": dests, "LogScope": "SECURITY_LAKE"}
            for arn, dests in _SECURITY_LAKE.items()
            if wanted in arn
        ]
    else:
        found = [
            {k: v for k, v in config.to_dict().items() if v is not None}
            for arn, config in self.wafv2_backend.logging_configurations.items()
            if wanted in arn
        ]
    return json.dumps({"LoggingConfigurations": found})


def install_edge_extension() -> None:
    """Serve WAF's ListLoggingConfigurations by scope (in process and ThreadedMotoServer);
    idempotent."""
    from moto.wafv2.responses import WAFV2Response

    WAFV2Response.list_logging_configurations = _list_logging_configurations  # type: ignore[method-assign]
