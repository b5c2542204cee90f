"""Table-driven tests of `awsobs.checks.cloudtrail.selectors` (pure: no AWS calls).

Inputs are GetEventSelectors responses shaped exactly as CloudTrail returns them (classic
`EventSelectors` or `AdvancedEventSelectors`). Covered, for both shapes:

- management-event coverage: ReadWriteType All/ReadOnly/WriteOnly, IncludeManagementEvents
  false, ExcludeManagementEventSources (KMS, RDS Data API), advanced `readOnly` constraints,
  `eventSource` exclusions, combined read + write selectors, selector `Name` being ignored,
  data-only selectors and the empty response with and without custom selectors;
- S3 data events on every bucket: all-bucket tokens, bucket-specific values, ARN prefixes,
  `eventName` / `NotStartsWith` narrowing and other partitions;
- data events on one DynamoDB table or Lambda function (exact ARNs, prefixes, type mismatch);
- `describe_coverage` wording, `selector_set` precedence and `selector_evidence`.

Expected results follow the CloudTrail documentation and controls.md section 1.0; a narrowed
result must also name what narrows it in `notes` and in `describe_coverage`.
"""

from __future__ import annotations

from typing import Any

import pytest

from awsobs.checks.cloudtrail.selectors import (
    DYNAMODB_TABLE,
    LAMBDA_FUNCTION,
    S3_OBJECT,
    Coverage,
    data_coverage,
    describe_coverage,
    management_coverage,
    selector_evidence,
    selector_set,
)

P = pytest.param
TRAIL = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
OTHER_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/invoices"
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:checkout"
OTHER_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:checkout2"
KMS, RDSDATA = "kms.amazonaws.com", "rdsdata.amazonaws.com"

FULL, READ_ONLY, WRITE_ONLY, NONE = (True, True), (True, False), (False, True), (False, False)


def classic(
    rw: str = "All", mgmt: bool = True, exclude: tuple[str, ...] = (), **data: list[str]
) -> dict[str, Any]:
    """One classic selector as GetEventSelectors returns it; `data` keys: s3, ddb, fn."""
    types = {"s3": S3_OBJECT, "ddb": DYNAMODB_TABLE, "fn": LAMBDA_FUNCTION}
    return {
        "ReadWriteType": rw,
        "IncludeManagementEvents": mgmt,
        "DataResources": [{"Type": types[k], "Values": v} for k, v in data.items()],
        "ExcludeManagementEventSources": list(exclude),
    }


def c_resp(*selectors: dict[str, Any]) -> dict[str, Any]:
    return {"TrailARN": TRAIL, "EventSelectors": list(selectors)}


def f(field: str, *values: str, op: str = "Equals") -> dict[str, Any]:
    """One advanced field selector."""
    return {"Field": field, op: list(values)}


def a_resp(*selectors: list[dict[str, Any]], name: str = "selector") -> dict[str, Any]:
    """Each positional argument is one advanced selector's FieldSelectors."""
    adv = [{"Name": name, "FieldSelectors": fields} for fields in selectors]
    return {"TrailARN": TRAIL, "AdvancedEventSelectors": adv}


def arn(op: str, *values: str) -> dict[str, Any]:
    return f("resources.ARN", *values, op=op)


MGMT = f("eventCategory", "Management")
DATA = f("eventCategory", "Data")
S3 = [DATA, f("resources.type", S3_OBJECT)]
DDB = [DATA, f("resources.type", DYNAMODB_TABLE)]
FN = [DATA, f("resources.type", LAMBDA_FUNCTION)]
RO_TRUE, RO_FALSE = f("readOnly", "true"), f("readOnly", "false")


def check_notes(cov: Coverage, what: str, note: str | None) -> None:
    """No notes when nothing narrows; otherwise `note` appears in notes and description."""
    if note is None:
        assert cov.notes == ()
        return
    assert any(note in n for n in cov.notes), cov.notes
    assert note in describe_coverage(cov, what)


# --- management events ---------------------------------------------------------------------

MANAGEMENT_CASES = [
    P(c_resp(classic("All")), FULL, None, id="classic-all"),
    P(c_resp(classic("ReadOnly")), READ_ONLY, None, id="classic-readonly"),
    P(c_resp(classic("WriteOnly")), WRITE_ONLY, None, id="classic-writeonly"),
    P(c_resp(classic("All", mgmt=False)), NONE, None, id="classic-include-mgmt-false"),
    P(c_resp(classic(exclude=(KMS,))), NONE, KMS, id="classic-exclude-kms"),
    P(c_resp(classic(exclude=(RDSDATA,))), NONE, RDSDATA, id="classic-exclude-rdsdata"),
    P(c_resp(classic(exclude=(KMS, RDSDATA))), NONE, RDSDATA, id="classic-exclude-both"),
    P(c_resp(classic("ReadOnly", exclude=(KMS,))), NONE, KMS, id="classic-ro-exclude-kms"),
    P(c_resp(classic("ReadOnly"), classic("WriteOnly")), FULL, None, id="classic-ro-plus-wo"),
    P(c_resp(classic(mgmt=False, s3=["arn:aws:s3"])), NONE, None, id="classic-data-only"),
    P(a_resp([MGMT]), FULL, None, id="adv-mgmt-no-readonly"),
    P(a_resp([MGMT, RO_TRUE]), READ_ONLY, None, id="adv-readonly-equals-true"),
    P(a_resp([MGMT, RO_FALSE]), WRITE_ONLY, None, id="adv-readonly-equals-false"),
    P(
        a_resp([MGMT, f("readOnly", "true", op="NotEquals")]),
        WRITE_ONLY,
        None,
        id="adv-readonly-notequals-true",
    ),
    P(
        a_resp([MGMT, f("readOnly", "t", op="StartsWith")]),
        READ_ONLY,
        None,
        id="adv-readonly-startswith-t",
    ),
    P(
        a_resp([MGMT, f("eventSource", KMS, op="NotEquals")]),
        NONE,
        "eventSource",
        id="adv-eventsource-notequals-kms",
    ),
    P(
        a_resp([MGMT, f("eventSource", KMS, RDSDATA, op="NotEquals")]),
        NONE,
        RDSDATA,
        id="adv-eventsource-notequals-kms-rdsdata",
    ),
    P(
        a_resp([MGMT, f("eventSource", "kms.", op="NotStartsWith")]),
        NONE,
        "eventSource",
        id="adv-eventsource-notstartswith-kms",
    ),
    P(a_resp([MGMT, RO_TRUE], [MGMT, RO_FALSE]), FULL, None, id="adv-ro-true-plus-ro-false"),
    P(
        a_resp(S3, name="Management events selector"),
        NONE,
        None,
        id="adv-name-says-management-but-selects-data",
    ),
    P(a_resp(DDB), NONE, None, id="adv-data-only"),
]


@pytest.mark.parametrize(("response", "expected", "note"), MANAGEMENT_CASES)
def test_management_coverage(
    response: dict[str, Any], expected: tuple[bool, bool], note: str | None
) -> None:
    cov = management_coverage(selector_set(response, has_custom_selectors=True))
    assert (cov.read, cov.write) == expected
    check_notes(cov, "management events", note)


@pytest.mark.parametrize(
    ("has_custom", "kind", "expected"),
    [
        P(False, "default", FULL, id="no-custom-selectors-is-cloudtrail-default"),
        P(True, "none", NONE, id="custom-selectors-but-none-returned"),
    ],
)
def test_empty_response(has_custom: bool, kind: str, expected: tuple[bool, bool]) -> None:
    response = {"TrailARN": TRAIL, "EventSelectors": [], "AdvancedEventSelectors": []}
    sels = selector_set(response, has_custom_selectors=has_custom)
    assert sels.kind == kind
    assert selector_evidence(sels)["selector_type"] == kind
    mgmt = management_coverage(sels)
    assert (mgmt.read, mgmt.write) == expected
    s3 = data_coverage(sels, S3_OBJECT, "aws")
    assert (s3.read, s3.write) == NONE
    # The evidence never shows a selector CloudTrail did not return.
    assert "event_selectors" not in selector_evidence(sels)


# --- S3 data events on every bucket (arn=None) ----------------------------------------------

S3_ALL_CASES = [
    P(c_resp(classic(s3=["arn:aws:s3"])), "aws", FULL, None, id="classic-arn:aws:s3"),
    P(c_resp(classic(s3=["arn:aws:s3:::"])), "aws", FULL, None, id="classic-arn:aws:s3:::"),
    P(
        c_resp(classic(s3=["arn:aws:s3:::my-bucket/"])),
        "aws",
        NONE,
        "arn:aws:s3:::my-bucket/",
        id="classic-one-bucket",
    ),
    P(c_resp(classic(s3=["arn:aws:"])), "aws", NONE, "arn:aws:", id="classic-no-service"),
    P(c_resp(classic(s3=["arn:aws:s"])), "aws", NONE, "arn:aws:s", id="classic-cut-service"),
    P(c_resp(classic("ReadOnly", s3=["arn:aws:s3"])), "aws", READ_ONLY, None, id="classic-ro"),
    P(c_resp(classic("WriteOnly", s3=["arn:aws:s3"])), "aws", WRITE_ONLY, None, id="classic-wo"),
    P(
        c_resp(classic(mgmt=False, s3=["arn:aws:s3"])),
        "aws",
        FULL,
        None,
        id="classic-no-mgmt-still-records-data",
    ),
    P(c_resp(classic(fn=["arn:aws:lambda"])), "aws", NONE, None, id="classic-lambda-type-only"),
    P(c_resp(classic(s3=["arn:aws-cn:s3"])), "aws-cn", FULL, None, id="classic-aws-cn-in-aws-cn"),
    P(
        c_resp(classic(s3=["arn:aws:s3"])),
        "aws-cn",
        NONE,
        "arn:aws:s3",
        id="classic-aws-token-in-aws-cn",
    ),
    P(a_resp(S3), "aws", FULL, None, id="adv-s3-object"),
    P(a_resp([*S3, RO_TRUE]), "aws", READ_ONLY, None, id="adv-readonly-true"),
    P(a_resp([*S3, RO_FALSE]), "aws", WRITE_ONLY, None, id="adv-readonly-false"),
    P(a_resp([*S3, RO_TRUE], [*S3, RO_FALSE]), "aws", FULL, None, id="adv-ro-plus-wo"),
    P(
        a_resp([*S3, arn("StartsWith", "arn:aws:s3:::")]),
        "aws",
        FULL,
        None,
        id="adv-arn-startswith-all-buckets",
    ),
    P(
        a_resp([*S3, arn("StartsWith", "arn:aws:s3:::one-bucket/")]),
        "aws",
        NONE,
        "arn:aws:s3:::one-bucket/",
        id="adv-arn-startswith-one-bucket",
    ),
    P(
        a_resp([*S3, f("eventName", "PutObject")]),
        "aws",
        NONE,
        "PutObject",
        id="adv-eventname-putobject",
    ),
    P(
        a_resp([*S3, arn("NotStartsWith", "arn:aws:s3:::noisy/")]),
        "aws",
        NONE,
        "arn:aws:s3:::noisy/",
        id="adv-arn-notstartswith-bucket",
    ),
    P(
        a_resp([*S3, f("eventSource", "s3.amazonaws.com")]),
        "aws",
        FULL,
        None,
        id="adv-eventsource-s3-does-not-narrow",
    ),
    P(a_resp(DDB), "aws", NONE, None, id="adv-dynamodb-type-only"),
    P(a_resp([MGMT]), "aws", NONE, None, id="adv-management-only"),
    P(a_resp(S3), "aws-cn", FULL, None, id="adv-s3-object-in-aws-cn"),
    P(
        a_resp([*S3, arn("StartsWith", "arn:aws-cn:s3:::")]),
        "aws-cn",
        FULL,
        None,
        id="adv-aws-cn-prefix-in-aws-cn",
    ),
    P(
        a_resp([*S3, arn("StartsWith", "arn:aws:s3:::")]),
        "aws-cn",
        NONE,
        "arn:aws:s3:::",
        id="adv-aws-prefix-in-aws-cn",
    ),
]


@pytest.mark.parametrize(("response", "partition", "expected", "note"), S3_ALL_CASES)
def test_s3_all_buckets_coverage(
    response: dict[str, Any], partition: str, expected: tuple[bool, bool], note: str | None
) -> None:
    cov = data_coverage(selector_set(response, True), S3_OBJECT, partition)
    assert (cov.read, cov.write) == expected
    check_notes(cov, "S3 data events", note)


# --- data events on one DynamoDB table or Lambda function -----------------------------------

DDB_PREFIX = "arn:aws:dynamodb:us-east-1:123456789012:table/ord"
RESOURCE_CASES = [
    P(c_resp(classic(ddb=["arn:aws:dynamodb"])), TABLE, True, id="classic-ddb-all-tables"),
    P(c_resp(classic(ddb=[TABLE])), TABLE, True, id="classic-ddb-exact-arn"),
    P(c_resp(classic(ddb=[OTHER_TABLE])), TABLE, False, id="classic-ddb-other-table"),
    P(c_resp(classic(fn=["arn:aws:lambda"])), FUNCTION, True, id="classic-fn-all-functions"),
    P(c_resp(classic(fn=[FUNCTION])), FUNCTION, True, id="classic-fn-exact-arn"),
    P(c_resp(classic(fn=[FUNCTION])), OTHER_FUNCTION, False, id="classic-fn-arn-not-prefix"),
    P(c_resp(classic(fn=["arn:aws:lambda"])), TABLE, False, id="classic-fn-not-ddb"),
    P(c_resp(classic(ddb=["arn:aws:dynamodb"])), FUNCTION, False, id="classic-ddb-not-fn"),
    P(c_resp(classic(s3=["arn:aws:s3"])), TABLE, False, id="classic-s3-not-ddb"),
    P(a_resp(DDB), TABLE, True, id="adv-ddb-all-tables"),
    P(a_resp([*DDB, arn("Equals", TABLE)]), TABLE, True, id="adv-ddb-arn-equals"),
    P(a_resp([*DDB, arn("Equals", OTHER_TABLE)]), TABLE, False, id="adv-ddb-equals-other"),
    P(a_resp([*DDB, arn("NotEquals", TABLE)]), TABLE, False, id="adv-ddb-arn-notequals"),
    P(a_resp([*DDB, arn("StartsWith", DDB_PREFIX)]), TABLE, True, id="adv-ddb-startswith"),
    P(a_resp(FN), FUNCTION, True, id="adv-fn-all-functions"),
    P(a_resp([*FN, arn("Equals", FUNCTION)]), FUNCTION, True, id="adv-fn-arn-equals"),
    P(a_resp([*FN, arn("Equals", FUNCTION)]), OTHER_FUNCTION, False, id="adv-fn-equals-other"),
    P(a_resp(FN), TABLE, False, id="adv-fn-not-ddb"),
    P(a_resp(DDB), FUNCTION, False, id="adv-ddb-not-fn"),
    P(a_resp(S3), TABLE, False, id="adv-s3-not-ddb"),
]


@pytest.mark.parametrize(("response", "resource_arn", "covered"), RESOURCE_CASES)
def test_resource_coverage(response: dict[str, Any], resource_arn: str, covered: bool) -> None:
    resource_type = DYNAMODB_TABLE if ":dynamodb:" in resource_arn else LAMBDA_FUNCTION
    cov = data_coverage(selector_set(response, True), resource_type, "aws", arn=resource_arn)
    assert (cov.read, cov.write) == (covered, covered)


# --- wording, precedence, evidence ----------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        P(c_resp(classic("All")), "records all read and write management events", id="c-full"),
        P(a_resp([MGMT]), "records all read and write management events", id="a-full"),
        P(c_resp(classic("ReadOnly")), "only read-only management events", id="c-read-only"),
        P(a_resp([MGMT, RO_TRUE]), "only read-only management events", id="a-read-only"),
        P(c_resp(classic("WriteOnly")), "only write management events", id="c-write-only"),
        P(a_resp([MGMT, RO_FALSE]), "only write management events", id="a-write-only"),
        P(c_resp(classic(mgmt=False)), "records no management events", id="c-nothing"),
        P(a_resp(S3), "records no management events", id="a-nothing"),
        P(c_resp(classic(exclude=(KMS,))), "does not record all management events", id="c-kms"),
    ],
)
def test_describe_coverage(response: dict[str, Any], expected: str) -> None:
    cov = management_coverage(selector_set(response, True))
    assert expected in describe_coverage(cov, "management events")


def test_selector_set_prefers_advanced_when_both_present() -> None:
    response = {"TrailARN": TRAIL, "EventSelectors": [classic("All")]}
    response |= a_resp(S3)
    sels = selector_set(response, has_custom_selectors=True)
    assert sels.kind == "advanced"
    assert sels.classic == ()
    mgmt = management_coverage(sels)
    assert (mgmt.read, mgmt.write) == NONE  # the classic selector is not consulted
    assert data_coverage(sels, S3_OBJECT, "aws").full
    evidence = selector_evidence(sels)
    assert evidence["selector_type"] == "advanced"
    assert "event_selectors" not in evidence
    assert list(evidence["advanced_event_selectors"]) == response["AdvancedEventSelectors"]


def test_selector_evidence_classic() -> None:
    response = c_resp(classic("ReadOnly"))
    evidence = selector_evidence(selector_set(response, True))
    assert evidence["selector_type"] == "classic"
    assert list(evidence["event_selectors"]) == response["EventSelectors"]
    assert "advanced_event_selectors" not in evidence


def test_notes_are_kept_per_direction() -> None:
    write_on_one_bucket = a_resp(
        [
            f("eventCategory", "Data"),
            f("resources.type", S3_OBJECT),
            f("readOnly", "false"),
            arn("StartsWith", "arn:aws:s3:::payments/"),
        ]
    )
    cov = data_coverage(selector_set(write_on_one_bucket, True), S3_OBJECT, "aws")
    assert (cov.read, cov.write) == (False, False)
    assert cov.notes_for("read") == ()
    assert cov.notes_for("write") == (
        "filtered on resources.ARN StartsWith arn:aws:s3:::payments/",
    )
