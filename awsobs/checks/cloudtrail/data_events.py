"""CloudTrail data events: object-, item- and invocation-level activity (controls.md §1).

Management events say who changed a bucket, table or function; data events say who read
or wrote *inside* it. They are off by default and billed per event, so trails often
record them for a few resources only: an ARN-narrowed selector covers only those.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from awsobs.aws.errors import AwsError
from awsobs.checks._shared import region_listing
from awsobs.checks.cloudtrail.readers import (
    TrailDetails,
    all_trails,
    foreign_note,
    trail_details,
    trails_in,
    undecided,
)
from awsobs.checks.cloudtrail.selectors import (
    DYNAMODB_TABLE,
    LAMBDA_FUNCTION,
    READ,
    S3_OBJECT,
    WRITE,
    data_coverage,
    selector_evidence,
)
from awsobs.context import Context, error_evidence
from awsobs.model import Finding, Scope, Severity, Signal
from awsobs.registry import check

_PERMISSIONS = [
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
]


def _selector_fix(name: str, resource_type: str, extra: str = "") -> str:
    return (
        f"aws cloudtrail put-event-selectors --trail-name <trail> --advanced-event-selectors "
        f'\'[{{"Name":"{name}","FieldSelectors":[{{"Field":"eventCategory","Equals":["Data"]}},'
        f'{{"Field":"resources.type","Equals":["{resource_type}"]}}{extra}]}}]\' '
        "(add the trail's other selectors to the same call: it replaces them)"
    )


_S3_WORDS = {READ: "read (GetObject)", WRITE: "write (PutObject, DeleteObject)"}


def _s3_data_events(ctx: Context, direction: str) -> Iterator[Finding]:
    rtype, rid = ctx.account_resource()
    what = f"S3 object-level {_S3_WORDS[direction]} events"
    listing = all_trails(ctx)
    unread = listing.unread(ctx)
    if unread is not None:
        yield unread
        return
    details = trail_details(ctx, listing.trails)
    evidence: dict[str, Any] = {"trails": [], "direction": direction}
    problems: list[str] = []
    for d in details:
        entry = d.evidence()
        evidence["trails"].append(entry)
        if d.error is not None or d.selectors is None or d.selectors.value is None:
            continue
        cov = data_coverage(d.selectors.value, S3_OBJECT, ctx.partition)
        entry["s3_data_read"], entry["s3_data_write"] = cov.read, cov.write
        t = d.trail
        if cov.has(direction) and t.multi_region and d.logging:
            yield ctx.passed(
                rtype,
                rid,
                f"{t.label} records {what} for every bucket in every region",
                evidence={**evidence, **selector_evidence(d.selectors.value)},
            )
            return
        if cov.has(direction) and not d.logging:
            problems.append(f"{t.label} is set up for them but is not logging")
        elif cov.has(direction):
            problems.append(f"{t.label} records them only in {t.home_region} (not multi-region)")
        elif cov.notes_for(direction):
            notes = "; ".join(cov.notes_for(direction))
            problems.append(f"{t.label} records them only partially: {notes}")
        elif cov.read or cov.write:
            other = "read" if cov.read else "write"
            problems.append(f"{t.label} records only S3 {other} data events")
    foreign, unreadable = undecided(details)
    foreign = [d for d in foreign if d.trail.multi_region]
    if foreign:
        yield ctx.unknown(
            rtype,
            rid,
            f"{what} may be recorded by {foreign_note(foreign[0].trail)}",
            evidence=evidence,
        )
    elif unreadable:
        d = unreadable[0]
        assert d.error is not None
        yield ctx.unknown_from(
            d.error, rtype, rid, f"could not read {d.trail.label}", evidence=evidence
        )
    else:
        reason = "; ".join(problems) if problems else "no trail selects them"
        yield ctx.failed(
            rtype, rid, f"{what} are not recorded for all buckets: {reason}", evidence=evidence
        )


@check(
    id="cloudtrail.s3_data_events_read",
    title="S3 object-level read events are recorded for all buckets",
    severity=Severity.LOW,
    signal=Signal.AUDIT,
    resource_types=("AWS::S3::Bucket",),
    scope=Scope.ACCOUNT,
    permissions=_PERMISSIONS,
    remediation=_selector_fix("S3 data events", S3_OBJECT),
)
def s3_data_events_read(ctx: Context) -> Iterator[Finding]:
    """One finding per account (CIS v1.4 3.11, v3.0/v5.0 3.9). PASS when a multi-region, logging
    trail records read data events (`GetObject`, ...) on every S3 object: a classic
    `AWS::S3::Object` data resource of `arn:aws:s3` (or `arn:aws:s3:::`) with `ReadWriteType`
    ReadOnly or All, or an advanced selector on `eventCategory=Data`,
    `resources.type=AWS::S3::Object` with no `readOnly=false`, `eventName` or bucket-narrowing
    `resources.ARN` condition. A selector listing some buckets covers only those, and the message
    names them.
    """
    yield from _s3_data_events(ctx, READ)


@check(
    id="cloudtrail.s3_data_events_write",
    title="S3 object-level write events are recorded for all buckets",
    severity=Severity.MEDIUM,
    signal=Signal.AUDIT,
    resource_types=("AWS::S3::Bucket",),
    scope=Scope.ACCOUNT,
    permissions=_PERMISSIONS,
    remediation=_selector_fix("S3 data events", S3_OBJECT),
)
def s3_data_events_write(ctx: Context) -> Iterator[Finding]:
    """One finding per account (CIS v1.4 3.10, v3.0/v5.0 3.8). Like
    `cloudtrail.s3_data_events_read`, for write events (`PutObject`, `DeleteObject`, ...): the
    record of who changed or deleted an object. `ReadWriteType` WriteOnly or All; advanced: no
    `readOnly=true` condition.
    """
    yield from _s3_data_events(ctx, WRITE)


def _per_resource(
    ctx: Context,
    resources: list[tuple[str, str]],
    resource_type: str,
    directions: Mapping[str, str],
    noun: str,
) -> Iterator[Finding]:
    """One finding per (arn, name): is its data activity recorded in each direction?

    `directions` maps each required direction to the words for it ("reads", "invocations").
    """
    region = ctx.region
    try:
        trails = [t for t in trails_in(ctx, region) if t.covers(region)]
    except AwsError as err:
        for arn, name in resources:
            yield ctx.unknown_from(
                err, resource_type, arn, f"{noun} '{name}': could not list trails"
            )
        return
    details = trail_details(ctx, trails)
    for arn, name in resources:
        covered: dict[str, list[str]] = {d: [] for d in directions}
        stopped: list[str] = []
        notes: list[str] = []
        unknown: list[TrailDetails] = []
        for d in details:
            selectors = d.selectors.value if d.selectors else None
            if selectors is None:  # selectors unreadable: this trail might cover it
                if d.undecided:
                    unknown.append(d)
                continue
            cov = data_coverage(selectors, resource_type, ctx.partition, arn)
            if not any(cov.has(x) for x in directions):
                notes.extend(f"{d.trail.label}: {n}" for x in directions for n in cov.notes_for(x))
                continue
            if d.stopped:
                stopped.append(d.trail.label)
                continue
            if not d.logging:  # selects it, but its status could not be read
                unknown.append(d)
                continue
            for x in directions:
                if cov.has(x):
                    covered[x].append(d.trail.label)
        evidence = {
            "trails": [d.evidence() for d in details],
            **{f"{x}_recorded_by": covered[x] for x in directions},
        }
        missing = [x for x in directions if not covered[x]]
        if not missing:
            by = ", ".join(dict.fromkeys(label for x in directions for label in covered[x]))
            yield ctx.passed(
                resource_type,
                arn,
                f"{noun} '{name}' activity is recorded by {by}",
                evidence=evidence,
            )
            continue
        if unknown:
            d = unknown[0]
            assert d.error is not None
            if d.foreign:
                evidence["error"] = error_evidence(d.error)
                text = f"{noun} '{name}': {foreign_note(d.trail)}"
                yield ctx.unknown(resource_type, arn, text, evidence=evidence)
            else:
                text = f"{noun} '{name}': could not read {d.trail.label}, which may record it"
                yield ctx.unknown_from(d.error, resource_type, arn, text, evidence=evidence)
            continue
        words = " and ".join(directions[x] for x in missing)
        reason = "no logging trail in this region selects them"
        if stopped:
            reason = f"{', '.join(stopped)} would record them but is not logging"
        elif notes:
            reason = "; ".join(notes)
        elif any(covered.values()):
            reason = "; ".join(
                f"{directions[x]} are, by {', '.join(covered[x])}" for x in directions if covered[x]
            )
        yield ctx.failed(
            resource_type,
            arn,
            f"{noun} '{name}': {words} are not recorded ({reason})",
            evidence=evidence,
        )


@check(
    id="cloudtrail.dynamodb_data_events",
    title="DynamoDB item-level activity is recorded for each table",
    severity=Severity.LOW,
    signal=Signal.AUDIT,
    resource_types=("AWS::DynamoDB::Table",),
    scope=Scope.REGION,
    permissions=[*_PERMISSIONS, "dynamodb:ListTables"],
    remediation=_selector_fix("DynamoDB data events", DYNAMODB_TABLE),
)
def dynamodb_data_events(ctx: Context) -> Iterator[Finding]:
    """One finding per table. PASS when a logging trail that covers the table's region
    records its item-level reads and writes (`GetItem`, `PutItem`, `Query`, ...): a classic
    `AWS::DynamoDB::Table` data resource of `arn:aws:dynamodb` or the table's ARN, or an
    advanced selector on `resources.type=AWS::DynamoDB::Table` whose conditions match the
    table. A selector narrowed to other tables does not cover this one. NOT_APPLICABLE in a
    region with no tables.
    """
    region = ctx.region
    names, gap = region_listing(ctx, "dynamodb", "ListTables", "TableNames", "DynamoDB tables")
    if gap is not None:
        yield gap
        return
    arns = [(f"arn:{ctx.partition}:dynamodb:{region}:{ctx.account_id}:table/{n}", n) for n in names]
    yield from _per_resource(ctx, arns, DYNAMODB_TABLE, {READ: "reads", WRITE: "writes"}, "table")


@check(
    id="cloudtrail.lambda_data_events",
    title="Lambda invocations are recorded for each function",
    severity=Severity.LOW,
    signal=Signal.AUDIT,
    resource_types=("AWS::Lambda::Function",),
    scope=Scope.REGION,
    permissions=[*_PERMISSIONS, "lambda:ListFunctions"],
    remediation=_selector_fix("Lambda data events", LAMBDA_FUNCTION),
)
def lambda_data_events(ctx: Context) -> Iterator[Finding]:
    """One finding per function. PASS when a logging trail that covers the function's region
    records its `Invoke` data events: a classic `AWS::Lambda::Function` data resource of
    `arn:aws:lambda` or the function's exact ARN, or an advanced selector on
    `resources.type=AWS::Lambda::Function` whose conditions match it. `Invoke` is recorded
    as a write event (`readOnly: false`), so a read-only selector records no invocations.
    NOT_APPLICABLE in a region with no functions. awsobs drops the functions' environment
    variables from the `ListFunctions` response as it arrives; they are never kept or shown.
    """
    functions, gap = region_listing(ctx, "lambda", "ListFunctions", "Functions", "Lambda functions")
    if gap is not None:
        yield gap
        return
    arns = [(str(f["FunctionArn"]), str(f["FunctionName"])) for f in functions]
    yield from _per_resource(ctx, arns, LAMBDA_FUNCTION, {WRITE: "invocations"}, "function")
