"""AWS WAF (v2) reads: web ACLs and their logging configurations, by scope.

A web ACL is `REGIONAL` (load balancers, API Gateway, AppSync, Cognito... in its region)
or `CLOUDFRONT` (global; its API calls go to us-east-1, AWS WAF API reference). Neither
listing has a botocore paginator, so pages are followed here by `NextMarker` (Limit 100,
the documented maximum).

- ListWebACLs(Scope) per region (REGIONAL) and once in the global region (CLOUDFRONT).
- ListLoggingConfigurations(Scope, LogScope) as the listing of which web ACL logs: one
  request per 100 configurations instead of a GetLoggingConfiguration per web ACL.
  `LogScope` CUSTOMER (the default) lists the configurations the customer manages;
  SECURITY_LAKE those Amazon Security Lake manages, read only when some web ACL has no
  CUSTOMER configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from awsobs.context import Context

WEB_ACL = "AWS::WAFv2::WebACL"

LIST_WEB_ACLS = "wafv2:ListWebACLs"
LIST_LOGGING = "wafv2:ListLoggingConfigurations"

REGIONAL = "REGIONAL"
CLOUDFRONT = "CLOUDFRONT"
CUSTOMER = "CUSTOMER"
SECURITY_LAKE = "SECURITY_LAKE"
_PAGE = 100


@dataclass(frozen=True)
class WebAcl:
    """One web ACL of one scope."""

    name: str
    id: str
    arn: str
    scope: str
    region: str  # where its API is called

    @property
    def label(self) -> str:
        kind = "CloudFront web ACL" if self.scope == CLOUDFRONT else "web ACL"
        return f"{kind} '{self.name}'"

    def evidence(self) -> dict[str, Any]:
        return {"web_acl_name": self.name, "web_acl_id": self.id, "scope": self.scope}


def _pages(read: Callable[[dict[str, Any]], Mapping[str, Any]], key: str) -> list[Any]:
    """Every item under `key`, following `NextMarker` (stops on a repeated marker)."""
    items: list[Any] = []
    marker: str | None = None
    seen: set[str] = set()
    while True:
        params: dict[str, Any] = {"Limit": _PAGE}
        if marker:
            params["NextMarker"] = marker
        page = read(params)
        items.extend(page.get(key) or ())
        marker = page.get("NextMarker") or None
        if not marker or marker in seen:
            return items
        seen.add(marker)


def web_acls(ctx: Context, region: str, scope: str) -> tuple[WebAcl, ...]:
    """The web ACLs of `scope` read in `region`, sorted by name (raises `AwsError`)."""
    listed = _pages(lambda p: ctx.call("wafv2", "ListWebACLs", region, Scope=scope, **p), "WebACLs")
    found = [
        WebAcl(str(a.get("Name") or ""), str(a.get("Id") or ""), str(a["ARN"]), scope, region)
        for a in listed
    ]
    return tuple(sorted(found, key=lambda a: (a.name, a.arn)))


def logging_destinations(
    ctx: Context, region: str, scope: str, log_scope: str = CUSTOMER
) -> Mapping[str, tuple[str, ...]]:
    """Web ACL ARN -> its log destinations, for the logging configurations of `scope`
    and `log_scope` read in `region` (raises `AwsError`)."""
    listed = _pages(
        lambda p: ctx.call(
            "wafv2", "ListLoggingConfigurations", region, Scope=scope, LogScope=log_scope, **p
        ),
        "LoggingConfigurations",
    )
    return {
        str(c.get("ResourceArn")): tuple(str(d) for d in c.get("LogDestinationConfigs") or ())
        for c in listed
        if c.get("ResourceArn")
    }
