"""AWS Security Finding Format (ASFF) for `aws securityhub batch-import-findings`.

awsobs only writes the file; it never calls Security Hub itself, because it stays read-only.
The output is a JSON array with one finding for each FAIL, PASS and UNKNOWN. NOT_APPLICABLE
findings are left out, because Security Hub reports nothing for resources a control does
not apply to. A finding's `Id` is `awsobs/<check>/<sarif fingerprint>`, which hashes the
check, account, region and resource. So a later scan updates the same Security Hub finding
and does not add a copy. Security Hub matches on `Id` and `ProductArn`, and it takes an
update only when its `UpdatedAt` is later than the stored one, so importing the same
report twice changes nothing. The file goes through the custom-integration product ARN
(`product/<account>/default`). Each account imports its own findings (`AwsAccountId` must
be the caller's) and sends each Region's findings to that Region's endpoint (the one
their `ProductArn` names), at most 100 per call. For `global` (account-wide) findings that
Region is the partition's global region.

- UNKNOWN ("could not be read, or could not be decided") becomes `Compliance.Status`
  WARNING. The Security Hub CSPM user guide (controls-overall-status.html) says WARNING
  means it "can't determine whether the resource is in a PASSED or FAILED state", and its
  CONFIG_ACCESS_DENIED reason is WARNING too (securityhub-standards-results.html).
  NOT_AVAILABLE means a server failed, the
  resource was deleted or Config said NOT_APPLICABLE, and Security Hub auto-archives some
  of those. `StatusReasons` carries the code `AWSOBS_UNKNOWN` and the message. The API
  types `ReasonCode` as a free non-empty string (not an enum), and the Compliance
  reference says finding providers may add custom content.
- `RelatedRequirements` is written the way Security Hub's own control findings write it:
  one `"<framework name>/<requirement>"` per id (`"CIS AWS Foundations Benchmark
  v3.0.0/3.1"`). Security Hub control ids are not requirements there, so the first one is
  `SecurityControlId` and all of them go in `ProductFields["awsobs/aws-securityhub-controls"]`.
  Config rule names go in `ProductFields["awsobs/aws-config-rules"]`.
- A suppressed finding starts as `Workflow.Status` SUPPRESSED. BatchImportFindings cannot
  update `Workflow` (or `Note`, `UserDefinedFields`, `VerificationState`) once a finding
  exists, so later changes of that state are made in Security Hub.
- awsobs keeps no history, so `CreatedAt` and `First`/`LastObservedAt` are this scan's end.

Differences from Prowler's ASFF: Prowler uses its partner product ARN
(`product/prowler/prowler`); here the custom-integration ARN is used, so no integration has
to be enabled. Prowler sends a muted finding as WARNING; here a suppressed finding keeps
its verdict and is SUPPRESSED in the workflow. Prowler skips MANUAL findings and maps any
other non-PASS/FAIL status to NOT_AVAILABLE; awsobs sends UNKNOWN as WARNING. Prowler
writes one `"<framework> <ids…>"` entry per framework, cut at 64 characters; here there is
one entry per requirement, in Security Hub's own form. Prowler writes timestamps to the
second and cuts Description at 1000 characters plus "..."; here timestamps have
milliseconds, and text is cut with "…" at ASFF's limits, counted in UTF-16 units.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from awsobs.aws.session import global_region
from awsobs.compliance import FRAMEWORKS, mappings_of
from awsobs.model import GLOBAL_REGION, Finding, Report, Severity, Status
from awsobs.report.sarif import _no_lone_surrogates, _utc, fingerprint
from awsobs.resources import registry_meta

SCHEMA_VERSION = "2018-10-08"
TYPE_OBSERVABILITY = "Software and Configuration Checks/AWS Security Best Practices/Observability"
TYPE_CIS = (
    "Software and Configuration Checks/Industry and Regulatory Standards/"
    "CIS AWS Foundations Benchmark"
)
UNKNOWN_REASON = "AWSOBS_UNKNOWN"
LIMITS = {"Title": 256, "Description": 1024, "Remediation": 512, "ProductField": 2048}
MAX_REQUIREMENTS = 32  # Compliance.RelatedRequirements
MAX_PRODUCT_FIELDS = 50
PARTITIONS = frozenset({"aws", "aws-cn", "aws-us-gov", "aws-us-iso", "aws-us-iso-b"})
"""The `Resources[].Partition` enum of the service model (bar AzureCloud)."""

LABELS = {
    Severity.CRITICAL: "CRITICAL",
    Severity.HIGH: "HIGH",
    Severity.MEDIUM: "MEDIUM",
    Severity.LOW: "LOW",
    Severity.INFO: "INFORMATIONAL",
}
COMPLIANCE = {Status.PASS: "PASSED", Status.FAIL: "FAILED", Status.UNKNOWN: "WARNING"}

# CloudFormation kind -> ASFF resource type. This covers the kinds awsobs judges that ASFF
# has a type for. The mechanical "Aws" + service + resource is wrong for several of them
# (AwsRdsDbInstance, AwsElbv2LoadBalancer, AwsStepFunctionStateMachine). Any other kind is
# "Other", as ASFF asks.
RESOURCE_TYPES = {
    "AWS::::Account": "AwsAccount",  # what Security Hub's own account-level findings use
    "AWS::ApiGateway::RestApi": "AwsApiGatewayRestApi",
    "AWS::ApiGateway::Stage": "AwsApiGatewayStage",
    "AWS::ApiGatewayV2::Api": "AwsApiGatewayV2Api",
    "AWS::ApiGatewayV2::Stage": "AwsApiGatewayV2Stage",
    "AWS::CloudFront::Distribution": "AwsCloudFrontDistribution",
    "AWS::CloudTrail::Trail": "AwsCloudTrailTrail",
    "AWS::CloudWatch::Alarm": "AwsCloudWatchAlarm",
    "AWS::DynamoDB::Table": "AwsDynamoDbTable",
    "AWS::EC2::Instance": "AwsEc2Instance",
    "AWS::EC2::VPC": "AwsEc2Vpc",
    "AWS::ECS::Cluster": "AwsEcsCluster",
    "AWS::ECS::Service": "AwsEcsService",
    "AWS::ECS::TaskDefinition": "AwsEcsTaskDefinition",
    "AWS::EKS::Cluster": "AwsEksCluster",
    "AWS::ElasticLoadBalancing::LoadBalancer": "AwsElbLoadBalancer",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "AwsElbv2LoadBalancer",
    "AWS::IAM::Group": "AwsIamGroup",
    "AWS::IAM::Policy": "AwsIamPolicy",
    "AWS::IAM::Role": "AwsIamRole",
    "AWS::IAM::User": "AwsIamUser",
    "AWS::KMS::Key": "AwsKmsKey",
    "AWS::Lambda::Function": "AwsLambdaFunction",
    "AWS::RDS::DBCluster": "AwsRdsDbCluster",
    "AWS::RDS::DBInstance": "AwsRdsDbInstance",
    "AWS::Route53::HostedZone": "AwsRoute53HostedZone",
    "AWS::S3::Bucket": "AwsS3Bucket",
    "AWS::S3::Object": "AwsS3Object",
    "AWS::SNS::Topic": "AwsSnsTopic",
    "AWS::SQS::Queue": "AwsSqsQueue",
    "AWS::StepFunctions::StateMachine": "AwsStepFunctionStateMachine",
    "AWS::WAFv2::WebACL": "AwsWafv2WebAcl",
}


def resource_type(kind: str) -> str:
    """The ASFF `Resources[].Type` for a CloudFormation kind, "Other" for unknown kinds."""
    return RESOURCE_TYPES.get(kind, "Other")


def partition_of(resource_id: str) -> str:
    """The partition an ARN names; "aws" for anything that is not an ARN."""
    parts = resource_id.split(":", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "arn" and parts[1] else "aws"


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` UTF-16 code units (AWS's length), ending in "…" when cut."""
    widths = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    if sum(widths) <= limit:
        return text
    used, end = 0, 0
    while used + widths[end] <= limit - 1:
        used += widths[end]
        end += 1
    return text[:end] + "…"


def _requirements(mapping: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Security Hub's form, `"CIS AWS Foundations Benchmark v3.0.0/3.1"`; controls and
    Config rules are not requirements."""
    found = [
        f"{FRAMEWORKS[fw].name if fw in FRAMEWORKS else fw}/{i}"
        for fw, ids in mapping.items()
        if fw not in ("aws-securityhub", "aws-config")
        for i in ids
    ]
    return list(dict.fromkeys(found))[:MAX_REQUIREMENTS]


def _product_fields(
    f: Finding, mapping: Mapping[str, tuple[str, ...]], note: str
) -> dict[str, str]:
    fields = {
        "awsobs/check_id": f.check_id,
        "awsobs/status": f.status.value,
        "awsobs/resource_type": f.resource_type,
        "awsobs/suppressed": "true" if f.suppressed else "false",
        "awsobs/suppression_reason": f.suppression_reason or "",
        "awsobs/aws-securityhub-controls": " ".join(mapping.get("aws-securityhub", ())),
        "awsobs/aws-config-rules": " ".join(mapping.get("aws-config", ())),
        "awsobs/compliance_note": note,
    }
    error = f.evidence.get("error")
    if isinstance(error, Mapping):
        for key in ("action", "code"):
            fields[f"awsobs/error_{key}"] = str(error.get(key) or "")
    # ASFF strings must hold a non-space character: empty values are left out.
    kept = {k: clip(v, LIMITS["ProductField"]) for k, v in fields.items() if v.strip()}
    return dict(list(kept.items())[:MAX_PRODUCT_FIELDS])


def _finding(f: Finding, when: str) -> dict[str, Any]:
    meta = registry_meta(f.check_id)
    mapping = mappings_of(f.check_id)
    partition = partition_of(f.resource_id)
    region = global_region(partition) if f.region == GLOBAL_REGION else f.region
    title = clip((meta.title if meta else "") or f.title or f.check_id, LIMITS["Title"])
    label = "INFORMATIONAL" if f.status is Status.PASS else LABELS[f.severity]
    severity = {"Label": label, "Original": f.severity.value}
    types = [TYPE_OBSERVABILITY]
    if any(fw.startswith("cis-aws-") for fw in mapping):
        types.append(TYPE_CIS)
    compliance: dict[str, Any] = {"Status": COMPLIANCE[f.status]}
    requirements = _requirements(mapping)
    if requirements:
        compliance["RelatedRequirements"] = requirements
    controls = mapping.get("aws-securityhub", ())
    if controls:
        compliance["SecurityControlId"] = controls[0]
    if f.status is Status.UNKNOWN:
        reason = {"ReasonCode": UNKNOWN_REASON}
        if f.message.strip():
            reason["Description"] = clip(f.message, LIMITS["Description"])
        compliance["StatusReasons"] = [reason]
    resource_id = f.resource_id if f.resource_id.strip() else f"AWS::::Account:{f.account_id}"
    resource: dict[str, Any] = {"Type": resource_type(f.resource_type), "Id": resource_id}
    if partition in PARTITIONS:
        resource["Partition"] = partition
    resource["Region"] = region
    out: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": f"awsobs/{f.check_id}/{fingerprint(f)}",
        "ProductArn": (
            f"arn:{partition}:securityhub:{region}:{f.account_id}:product/{f.account_id}/default"
        ),
        "ProductName": "awsobs",
        "CompanyName": "awsobs",
        "GeneratorId": f"awsobs/{f.check_id}",
        "AwsAccountId": f.account_id,
        "Region": region,
        "Types": types,
        "FirstObservedAt": when,
        "LastObservedAt": when,
        "CreatedAt": when,
        "UpdatedAt": when,
        "Severity": severity,
        "Title": title,
        "Description": clip(f.message if f.message.strip() else title, LIMITS["Description"]),
        "Resources": [resource],
        "Compliance": compliance,
        "FindingProviderFields": {"Severity": dict(severity), "Types": list(types)},
        "ProductFields": _product_fields(f, mapping, meta.compliance_note if meta else ""),
        "RecordState": "ACTIVE",
        "Workflow": {"Status": "SUPPRESSED" if f.suppressed else "NEW"},
    }
    remediation = (f.remediation or (meta.remediation if meta else "")).strip()
    if remediation:
        text = clip(remediation, LIMITS["Remediation"])
        out["Remediation"] = {"Recommendation": {"Text": text}}
    return out


def to_asff(report: Report) -> list[dict[str, Any]]:
    """The report's FAIL, PASS and UNKNOWN findings as ASFF, with lone surrogates replaced
    so the list is valid JSON and serializes as it is."""
    when = _utc(report.finished_at)
    batch = [_finding(f, when) for f in report.findings if f.status is not Status.NOT_APPLICABLE]
    cleaned: list[dict[str, Any]] = _no_lone_surrogates(batch)
    return cleaned


def render(report: Report) -> str:
    """The ASFF findings as an indented JSON array with one trailing newline."""
    return json.dumps(to_asff(report), indent=2) + "\n"
