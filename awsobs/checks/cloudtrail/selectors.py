"""What a trail's event selectors record: one evaluator for classic and advanced selectors.

The question is always "does this trail record *every* event of class C?", where C fixes a
few fields (category, direction, resource type, maybe one resource ARN). A selector
records all of C when each of its conditions on a fixed field matches C's value and it
has no condition on any other field: a condition on any other field (`eventSource`
exclusions, `eventName`, an ARN list) narrows it, and we say how. A trail records C when
some selector does (CloudTrail ORs selectors). Selector `Name`s are free text and ignored.

Choices (documented in docs/checks.md):
- A trail's selectors are combined: a `readOnly=true` selector plus a `readOnly=false`
  selector record all events in both directions.
- When CloudTrail reports no custom selectors and returns none, the trail has CloudTrail's
  documented default: all read and write management events, no data events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

READ = "read"
WRITE = "write"
DIRECTIONS = (READ, WRITE)

MANAGEMENT = "Management"
DATA = "Data"

S3_OBJECT = "AWS::S3::Object"
DYNAMODB_TABLE = "AWS::DynamoDB::Table"
LAMBDA_FUNCTION = "AWS::Lambda::Function"

# Event source and ARN service of each data resource type we evaluate.
_DATA_TYPES = {
    S3_OBJECT: ("s3.amazonaws.com", "s3", ":::"),
    DYNAMODB_TABLE: ("dynamodb.amazonaws.com", "dynamodb", ":"),
    LAMBDA_FUNCTION: ("lambda.amazonaws.com", "lambda", ":"),
}

_DEFAULT_SELECTOR: Mapping[str, Any] = {
    "ReadWriteType": "All",
    "IncludeManagementEvents": True,
    "DataResources": (),
    "ExcludeManagementEventSources": (),
}


@dataclass(frozen=True)
class SelectorSet:
    """A trail's selectors, as GetEventSelectors returned them."""

    classic: tuple[Mapping[str, Any], ...] = ()
    advanced: tuple[Mapping[str, Any], ...] = ()
    assumed_default: bool = False

    @property
    def kind(self) -> str:
        """`advanced`, `classic`, `default` or `none` (for evidence and messages)."""
        if self.advanced:
            return "advanced"
        if self.assumed_default:
            return "default"
        return "classic" if self.classic else "none"


def selector_set(response: Mapping[str, Any], has_custom_selectors: bool) -> SelectorSet:
    """Normalise a GetEventSelectors response (see module docstring for the default)."""
    classic = tuple(response.get("EventSelectors") or ())
    advanced = tuple(response.get("AdvancedEventSelectors") or ())
    if advanced:  # CloudTrail never holds both; if an emulator does, advanced ones win
        return SelectorSet(advanced=advanced)
    if classic:
        return SelectorSet(classic=classic)
    if not has_custom_selectors:
        return SelectorSet(classic=(_DEFAULT_SELECTOR,), assumed_default=True)
    return SelectorSet()


@dataclass(frozen=True)
class EventClass:
    """Events with fixed field values; `arn=None` on a data class means every resource."""

    category: str
    direction: str
    resource_type: str | None = None
    arn: str | None = None
    partition: str = "aws"

    def fixed_fields(self) -> dict[str, str]:
        fields = {
            "eventCategory": self.category,
            "readOnly": "true" if self.direction == READ else "false",
        }
        if self.resource_type:
            fields["resources.type"] = self.resource_type
            fields["eventSource"] = _DATA_TYPES[self.resource_type][0]
        if self.arn:
            fields["resources.ARN"] = self.arn
        return fields

    @property
    def arn_token(self) -> str:
        """The prefix every ARN of this resource type starts with (`arn:aws:s3:::`)."""
        assert self.resource_type
        _, service, sep = _DATA_TYPES[self.resource_type]
        return f"arn:{self.partition}:{service}{sep}"


@dataclass(frozen=True)
class Coverage:
    """Which directions of an event class a trail records in full, and what narrows it."""

    read: bool
    write: bool
    read_notes: tuple[str, ...] = ()  # what narrows read events, when not all are recorded
    write_notes: tuple[str, ...] = ()

    @property
    def full(self) -> bool:
        return self.read and self.write

    def has(self, direction: str) -> bool:
        return self.read if direction == READ else self.write

    def notes_for(self, direction: str) -> tuple[str, ...]:
        return self.read_notes if direction == READ else self.write_notes

    @property
    def notes(self) -> tuple[str, ...]:
        """What narrows the directions not recorded in full (both, without repeats)."""
        return tuple(dict.fromkeys(self.read_notes + self.write_notes))


def management_coverage(selectors: SelectorSet) -> Coverage:
    """Does the trail record all read and all write management events?"""
    return _coverage(selectors, lambda d: EventClass(MANAGEMENT, d))


def data_coverage(
    selectors: SelectorSet, resource_type: str, partition: str, arn: str | None = None
) -> Coverage:
    """Does the trail record data events on `arn` (None: on every resource of the type)?"""
    return _coverage(
        selectors, lambda d: EventClass(DATA, d, resource_type, arn, partition=partition)
    )


def _coverage(selectors: SelectorSet, make: Callable[[str], EventClass]) -> Coverage:
    covered: dict[str, bool] = {}
    notes: dict[str, tuple[str, ...]] = {}
    for direction in DIRECTIONS:
        cls = make(direction)
        results = [_advanced_records_all(sel, cls) for sel in selectors.advanced]
        results += [_classic_records_all(sel, cls) for sel in selectors.classic]
        covered[direction] = any(ok for ok, _ in results)
        # A narrowing only matters where the direction is not recorded in full anyway.
        found = () if covered[direction] else tuple(note for _, note in results if note)
        notes[direction] = tuple(dict.fromkeys(found))
    return Coverage(covered[READ], covered[WRITE], notes[READ], notes[WRITE])


def _field_matches(fs: Mapping[str, Any], value: str) -> bool:
    """One advanced field selector on one value: operators AND together."""
    if (eq := fs.get("Equals")) and value not in eq:
        return False
    if (sw := fs.get("StartsWith")) and not any(value.startswith(p) for p in sw):
        return False
    if (ew := fs.get("EndsWith")) and not any(value.endswith(s) for s in ew):
        return False
    if (ne := fs.get("NotEquals")) and value in ne:
        return False
    if (nsw := fs.get("NotStartsWith")) and any(value.startswith(p) for p in nsw):
        return False
    return not ((new := fs.get("NotEndsWith")) and any(value.endswith(s) for s in new))


_OPERATORS = ("Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith")


def describe_field(fs: Mapping[str, Any]) -> str:
    """`eventSource NotEquals kms.amazonaws.com` for messages."""
    parts = [f"{op} {', '.join(fs[op])}" for op in _OPERATORS if fs.get(op)]
    return f"{fs.get('Field')} {' and '.join(parts)}".strip()


def _advanced_records_all(sel: Mapping[str, Any], cls: EventClass) -> tuple[bool, str | None]:
    fixed = cls.fixed_fields()
    resource_arn = fixed.pop("resources.ARN", None)
    others = []
    for fs in sel.get("FieldSelectors") or ():
        name = fs.get("Field")
        if name in fixed:
            if not _field_matches(fs, fixed[name]):
                return False, None  # the selector is about other events: no narrowing to report
        else:
            others.append(fs)
    # From here on the selector is about this kind of event; say what keeps it from all of C.
    narrowing = [
        fs
        for fs in others
        if not (
            _is_all_arns(fs, cls)
            or (
                resource_arn is not None
                and fs.get("Field") == "resources.ARN"
                and _field_matches(fs, resource_arn)
            )
        )
    ]
    if narrowing:
        return False, "filtered on " + "; ".join(describe_field(fs) for fs in narrowing)
    return True, None


def _is_all_arns(fs: Mapping[str, Any], cls: EventClass) -> bool:
    """A `resources.ARN StartsWith <arn:aws:s3>` condition that every resource passes."""
    if fs.get("Field") != "resources.ARN" or cls.resource_type is None or cls.arn is not None:
        return False
    if any(fs.get(op) for op in _OPERATORS if op != "StartsWith"):
        return False
    return any(cls.arn_token.startswith(p) for p in fs.get("StartsWith") or ())


def _classic_records_all(sel: Mapping[str, Any], cls: EventClass) -> tuple[bool, str | None]:
    rw = sel.get("ReadWriteType") or "All"
    if (rw == "ReadOnly" and cls.direction == WRITE) or (
        rw == "WriteOnly" and cls.direction == READ
    ):
        return False, None
    if cls.category == MANAGEMENT:
        if sel.get("IncludeManagementEvents", True) is False:
            return False, None
        excluded = tuple(sel.get("ExcludeManagementEventSources") or ())
        if excluded:
            return False, "excludes management events from " + ", ".join(excluded)
        return True, None
    values = [
        v
        for dr in sel.get("DataResources") or ()
        if dr.get("Type") == cls.resource_type
        for v in dr.get("Values") or ()
    ]
    if not values:
        return False, None
    if any(_classic_value_covers(v, cls) for v in values):
        return True, None
    shown = ", ".join(values[:5]) + (f" and {len(values) - 5} more" if len(values) > 5 else "")
    return False, f"limited to {shown}"


def _classic_value_covers(value: str, cls: EventClass) -> bool:
    token = cls.arn_token
    service_prefix = token.rstrip(":")  # arn:aws:s3; values may add colons, not cut the name
    if token.startswith(value) and value.startswith(service_prefix):
        return True
    if cls.arn is None:
        return False
    if cls.resource_type == S3_OBJECT:
        return cls.arn.startswith(value)
    return cls.arn == value  # Lambda and DynamoDB values are exact ARNs


def describe_coverage(cov: Coverage, what: str) -> str:
    """`records only read-only management events`, `records no S3 data events`, ..."""
    if cov.full:
        return f"records all read and write {what}"
    if cov.notes:
        missing = "" if not (cov.read or cov.write) else ("write " if cov.read else "read-only ")
        return f"does not record all {missing}{what}: {'; '.join(cov.notes)}"
    if cov.read:
        return f"records only read-only {what}"
    if cov.write:
        return f"records only write {what}"
    return f"records no {what}"


def selector_evidence(selectors: SelectorSet) -> dict[str, Any]:
    """The selectors a verdict rests on, for a finding's evidence."""
    out: dict[str, Any] = {"selector_type": selectors.kind}
    if selectors.assumed_default:
        out["selectors_note"] = (
            "CloudTrail reported no custom event selectors: all read and write management "
            "events, no data events"
        )
    elif selectors.advanced:
        out["advanced_event_selectors"] = selectors.advanced
    elif selectors.classic:
        out["event_selectors"] = selectors.classic
    return out
