"""Resource tags for suppressions by tag and `--tag KEY=VALUE`: read, never judged.

Tags come from the Resource Groups Tagging API (`tag:GetResources`), one paginated read
per scanned region, only when a suppression names tags or `--tag` is given. They decide
which findings a report shows or excuses, never a verdict: a check's PASS or FAIL is the
same with or without them. Only ARNs and tags are kept.

Not every resource type is covered by the Tagging API, and it lists only resources that
carry (or once carried) a tag: a resource it does not return counts as untagged. When a
region's read fails, no finding there is filtered or excused by tag; each one that a tag
would have decided becomes UNKNOWN and names the failed read.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import Executor, Future
from dataclasses import dataclass

from awsobs.aws.errors import AwsError, ErrorKind
from awsobs.aws.gateway import Gateway
from awsobs.errors import UsageError
from awsobs.model import Finding, Status
from awsobs.resources import SCOPE_TYPES  # an account or a region: tags never filter them

TAGGING_PERMISSION = "tag:GetResources"
_SERVICE, _OPERATION = "resourcegroupstaggingapi", "GetResources"

TagLookup = Mapping[str, str] | AwsError | None
"""A resource's tags; the error of its region's failed read; None: its region was not read."""


def tag_key(arn: str) -> str:
    """The ARN as the Tagging API writes it (log groups without the `:*` of their ARN)."""
    return arn.removesuffix(":*")


def _region_of(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[3] if len(parts) == 6 and parts[0] == "arn" else ""


@dataclass(frozen=True)
class TagIndex:
    """Tags by region and ARN, and the regions whose read failed."""

    by_region: Mapping[str, Mapping[str, Mapping[str, str]]]
    failed: Mapping[str, AwsError]

    def lookup(self, f: Finding) -> TagLookup:
        arn = tag_key(f.resource_id)
        region = _region_of(arn)
        if region:
            if region in self.failed:
                return self.failed[region]
            found = self.by_region.get(region)
            return None if found is None else found.get(arn, {})
        # No region in the ARN (S3 buckets): the Tagging API lists it in its own region.
        for tags in self.by_region.values():
            if arn in tags:
                return tags[arn]
        return next(iter(self.failed.values()), {})


def is_per_resource(f: Finding) -> bool:
    """Does `f` judge one resource (not the account or a region as a whole)?"""
    return f.resource_type not in SCOPE_TYPES and f.resource_id.startswith("arn:")


def start_reading(gateway: Gateway, regions: Iterable[str], executor: Executor) -> TagReads:
    """Start one paginated tag:GetResources per region on `executor`."""
    call = gateway.call
    return TagReads(
        {r: executor.submit(call, _SERVICE, _OPERATION, r, ResourcesPerPage=100) for r in regions}
    )


@dataclass(frozen=True)
class TagReads:
    """The reads in flight; `index()` waits for them."""

    futures: Mapping[str, Future[object]]

    def index(self, deadline: float | None = None) -> TagIndex:
        """The tags read; a region whose read failed, or had not answered by `deadline`
        (time.monotonic(), the scan's --timeout), is in `failed`."""
        by_region: dict[str, dict[str, Mapping[str, str]]] = {}
        failed: dict[str, AwsError] = {}
        for region, fut in self.futures.items():
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                page: object = fut.result(timeout=left)
            except AwsError as err:
                failed[region] = err
                continue
            except Exception as exc:  # past the deadline: not read in time (ScanTimedOut)
                why = "not read before the timeout"
                failed[region] = AwsError(
                    ErrorKind.ERROR, _SERVICE, _OPERATION, region, type(exc).__name__, why
                )
                continue
            rows = page.get("ResourceTagMappingList", ()) if isinstance(page, Mapping) else ()
            by_region[region] = {
                str(row["ResourceARN"]): {
                    str(t["Key"]): str(t.get("Value", "")) for t in row.get("Tags", ())
                }
                for row in rows
                if "ResourceARN" in row
            }
        return TagIndex(by_region, failed)


def has_tags(tags: Mapping[str, str], wanted: Mapping[str, str]) -> bool:
    """Every wanted key is there with the wanted value (an fnmatch glob)."""
    return all(k in tags and fnmatch.fnmatchcase(tags[k], v) for k, v in wanted.items())


def describe(wanted: Mapping[str, str]) -> str:
    """`env=prod, team=web`."""
    return ", ".join(f"{k}={v}" for k, v in wanted.items())


def unread(f: Finding, question: str, lookup: TagLookup) -> Finding:
    """`f` turned UNKNOWN because its tags, which `question` needed, were not read."""
    if isinstance(lookup, AwsError):
        why = lookup.describe()
        evidence = {"kind": lookup.kind.value, "action": lookup.action, "code": lookup.code}
    else:
        why = f"the tags of region {_region_of(tag_key(f.resource_id)) or f.region} were not read"
        evidence = {}
    return dataclasses.replace(
        f,
        status=Status.UNKNOWN,
        message=f"{question}: {why}",
        evidence={
            **evidence,
            "status_before": f.status.value,
            "message_before": f.message,
        },
    )


def filter_by_tags(
    findings: Iterable[Finding], wanted: Mapping[str, str], index: TagIndex
) -> list[Finding]:
    """Keep account and region findings, and per-resource findings whose resource has
    every `wanted` tag; a resource whose tags could not be read is kept, as UNKNOWN."""
    kept = []
    for f in findings:
        if not is_per_resource(f):
            kept.append(f)
            continue
        lookup = index.lookup(f)
        if isinstance(lookup, Mapping):
            if has_tags(lookup, wanted):
                kept.append(f)
            continue
        question = f"could not tell whether {f.resource_id} has the tags {describe(wanted)}"
        kept.append(unread(f, question, lookup))
    return kept


def parse_tag(text: str) -> tuple[str, str]:
    """`env=prod` -> ("env", "prod"); `KEY=` asks for an empty value. UsageError otherwise."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--tag {text!r}: expected KEY=VALUE (e.g. --tag env=prod)")
    return key.strip(), value


def check_tags(tags: Mapping[str, str] | None, what: str = "tags") -> dict[str, str]:
    """`tags` as a plain dict of non-empty keys and string values, else UsageError."""
    if tags is None:
        return {}
    if not isinstance(tags, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) for k, v in tags.items()
    ):
        raise UsageError(f'{what} must map tag keys to string values, e.g. {{env = "prod"}}')
    return dict(tags)


__all__ = [
    "TAGGING_PERMISSION",
    "TagIndex",
    "TagLookup",
    "check_tags",
    "filter_by_tags",
    "has_tags",
    "parse_tag",
    "start_reading",
]
