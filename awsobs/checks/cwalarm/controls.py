"""The CIS monitoring controls as data: which CloudTrail events each one's filter must match.

A metric filter satisfies a control when it matches every event the control is about and
none of the everyday events (an ordinary read, a routine write, a throttled call, and a
read on the control's own service). A filter broader than that would keep its alarm in
ALARM, and an alarm already in ALARM never notifies again for the event that matters.
Event names: controls.md §2.1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from awsobs.checks.cwalarm.filter_pattern import PatternError, matches, parse

ORDINARY = {
    "eventVersion": "1.09",
    "userIdentity": {
        "type": "IAMUser",
        "userName": "alice",
        "arn": "arn:aws:iam::123456789012:user/alice",
    },
    "eventSource": "ec2.amazonaws.com",
    "eventName": "DescribeInstances",
    "eventType": "AwsApiCall",
    "sourceIPAddress": "203.0.113.10",
    "readOnly": True,
    "awsRegion": "us-east-1",
}


def _event(**fields: Any) -> dict[str, Any]:
    return {**ORDINARY, "readOnly": False, **fields}


def _named(source: str, *names: str) -> tuple[dict[str, Any], ...]:
    return tuple(_event(eventSource=source, eventName=n) for n in names)


def _any_of(names: tuple[str, ...], source: str | None = None) -> str:
    """The CIS spelling: `{ ($.eventSource = S) && (($.eventName = A) || ...) }`."""
    ors = " || ".join(f'($.eventName = "{n}")' for n in names)
    return f'{{ ($.eventSource = "{source}") && ({ors}) }}' if source else f"{{ {ors} }}"


def _read(source: str, name: str) -> dict[str, Any]:
    return {**ORDINARY, "eventSource": source, "eventName": name}


# Events no control is about. A filter that matches one of them fires on everyday
# traffic: its alarm sits in ALARM and never notifies again for the event that matters.
EVERYDAY = (
    ORDINARY,
    _event(eventName="RunInstances"),
    {**ORDINARY, "errorCode": "ThrottlingException", "errorMessage": "Rate exceeded"},
)


@dataclass(frozen=True)
class Control:
    """One CIS monitoring control: the events its filter must (and must not) match."""

    id: str
    title: str
    cis: str
    must_match: tuple[Mapping[str, Any], ...]
    must_not_match: tuple[Mapping[str, Any], ...] = field(default=())
    pattern: str = ""  # the CIS text (shown in the remediation; accepted by `accepts`)

    def accepts(self, pattern: str) -> tuple[bool, str]:
        """(ok, why not) for one filter pattern."""
        try:
            node = parse(pattern)
        except PatternError as err:
            return False, f"pattern not understood ({err})"
        missed = [e for e in self.must_match if not matches(node, e)]
        if missed:
            return False, f"does not match {_describe(missed[0])}"
        for e in (*EVERYDAY, *self.must_not_match):
            if matches(node, e):
                return False, (
                    f"also matches {_describe(e)} from {e['eventSource']}, "
                    "so it cannot single the event out"
                )
        return True, ""

    def attempts(self, pattern: str) -> bool:
        """Does the pattern catch at least one of this control's events (a near miss worth
        naming), rather than being another control's filter?"""
        try:
            node = parse(pattern)
        except PatternError:
            return False
        return any(matches(node, e) for e in self.must_match)


def _describe(event: Mapping[str, Any]) -> str:
    if event is ORDINARY:
        return "an ordinary DescribeInstances call"
    if event.get("readOnly") is True and "errorCode" not in event:
        return f"an ordinary read ({event['eventName']})"
    keys = ("eventName", "errorCode", "errorMessage")
    parts = [f"{k}={event[k]}" for k in keys if k in event]
    who = event.get("userIdentity", {}).get("type")
    mfa = event.get("additionalEventData", {}).get("MFAUsed")
    return " ".join(
        parts
        + ([f"userIdentity.type={who}"] if who != "IAMUser" else [])
        + ([f"MFAUsed={mfa}"] if mfa else [])
    )


def _changes(
    cid: str,
    title: str,
    cis: str,
    source: str,
    names: str,
    *decoys: Mapping[str, Any],
    source_in_pattern: bool = False,
) -> Control:
    """A control on a set of event names from one service (`names` space-separated)."""
    listed = tuple(names.split())
    pattern = _any_of(listed, source if source_in_pattern else None)
    return Control(cid, title, cis, _named(source, *listed), decoys, pattern)


_LOGIN = {
    "eventName": "ConsoleLogin",
    "eventSource": "signin.amazonaws.com",
    "eventType": "AwsConsoleSignIn",
}
_ROOT = {"type": "Root", "arn": "arn:aws:iam::123456789012:root"}
EC2, IAM = "ec2.amazonaws.com", "iam.amazonaws.com"

CONTROLS = (
    Control(
        "unauthorized_api_calls",
        "Alarm on unauthorized API calls",
        "4.1",
        (
            _event(errorCode="Client.UnauthorizedOperation", eventName="RunInstances"),
            _event(
                errorCode="AccessDenied",
                eventName="GetBucketPolicy",
                eventSource="s3.amazonaws.com",
            ),
            _event(
                errorCode="AccessDeniedException",
                eventName="ListKeys",
                eventSource="kms.amazonaws.com",
            ),
        ),
        pattern='{ (($.errorCode = "*UnauthorizedOperation") || '
        '($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") '
        '&& ($.eventName != "HeadBucket") }',
    ),
    Control(
        "console_signin_no_mfa",
        "Alarm on console sign-in without MFA",
        "4.2",
        (
            _event(
                **_LOGIN,
                additionalEventData={"MFAUsed": "No"},
                responseElements={"ConsoleLogin": "Success"},
            ),
        ),
        (
            _event(
                **_LOGIN,
                additionalEventData={"MFAUsed": "Yes"},
                responseElements={"ConsoleLogin": "Success"},
            ),
            _event(
                eventSource="signin.amazonaws.com",
                eventName="SwitchRole",
                eventType="AwsConsoleSignIn",
                responseElements={"SwitchRole": "Success"},
            ),
        ),
        pattern='{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    ),
    Control(
        "root_usage",
        "Alarm on root account usage",
        "4.3",
        (_event(userIdentity=_ROOT, eventName="CreateAccessKey", eventSource=IAM),),
        (
            _event(
                userIdentity={**_ROOT, "invokedBy": "support.amazonaws.com"},
                eventName="DescribeTrustedAdvisorChecks",
                eventSource="support.amazonaws.com",
            ),
            _event(
                userIdentity=_ROOT,
                eventType="AwsServiceEvent",
                eventName="CredentialChallenge",
                eventSource="signin.amazonaws.com",
            ),
        ),
        pattern='{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS '
        '&& $.eventType != "AwsServiceEvent" }',
    ),
    _changes(
        "iam_policy_changes",
        "Alarm on IAM policy changes",
        "4.4",
        IAM,
        """DeleteGroupPolicy DeleteRolePolicy DeleteUserPolicy PutGroupPolicy PutRolePolicy
        PutUserPolicy CreatePolicy DeletePolicy CreatePolicyVersion DeletePolicyVersion
        AttachRolePolicy DetachRolePolicy AttachUserPolicy DetachUserPolicy AttachGroupPolicy
        DetachGroupPolicy""",
        _read(IAM, "GetPolicy"),
    ),
    _changes(
        "cloudtrail_config_changes",
        "Alarm on CloudTrail configuration changes",
        "4.5",
        "cloudtrail.amazonaws.com",
        "CreateTrail UpdateTrail DeleteTrail StartLogging StopLogging",
        _read("cloudtrail.amazonaws.com", "DescribeTrails"),
    ),
    Control(
        "console_auth_failures",
        "Alarm on console authentication failures",
        "4.6",
        (
            _event(
                **_LOGIN,
                errorMessage="Failed authentication",
                responseElements={"ConsoleLogin": "Failure"},
            ),
        ),
        (_event(**_LOGIN, responseElements={"ConsoleLogin": "Success"}),),
        pattern='{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    ),
    _changes(
        "cmk_disable_or_deletion",
        "Alarm on disabling or deleting customer-managed keys",
        "4.7",
        "kms.amazonaws.com",
        "DisableKey ScheduleKeyDeletion",
        _read("kms.amazonaws.com", "DescribeKey"),
        _event(eventSource="kms.amazonaws.com", eventName="CreateGrant"),
        source_in_pattern=True,
    ),
    _changes(
        "s3_bucket_policy_changes",
        "Alarm on S3 bucket policy changes",
        "4.8",
        "s3.amazonaws.com",
        """PutBucketAcl PutBucketPolicy PutBucketCors PutBucketLifecycle PutBucketReplication
        DeleteBucketPolicy DeleteBucketCors DeleteBucketLifecycle DeleteBucketReplication""",
        _read("s3.amazonaws.com", "GetBucketPolicy"),
        source_in_pattern=True,
    ),
    _changes(
        "config_changes",
        "Alarm on AWS Config configuration changes",
        "4.9",
        "config.amazonaws.com",
        """StopConfigurationRecorder DeleteDeliveryChannel PutDeliveryChannel
        PutConfigurationRecorder""",
        _read("config.amazonaws.com", "DescribeConfigRules"),
        source_in_pattern=True,
    ),
    _changes(
        "security_group_changes",
        "Alarm on security group changes",
        "4.10",
        EC2,
        """AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress
        RevokeSecurityGroupEgress CreateSecurityGroup DeleteSecurityGroup""",
        _read(EC2, "DescribeSecurityGroups"),
    ),
    _changes(
        "nacl_changes",
        "Alarm on network ACL changes",
        "4.11",
        EC2,
        """CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry
        ReplaceNetworkAclEntry ReplaceNetworkAclAssociation""",
        _read(EC2, "DescribeNetworkAcls"),
    ),
    _changes(
        "network_gateway_changes",
        "Alarm on network gateway changes",
        "4.12",
        EC2,
        """CreateCustomerGateway DeleteCustomerGateway AttachInternetGateway
        CreateInternetGateway DeleteInternetGateway DetachInternetGateway""",
        _read(EC2, "DescribeInternetGateways"),
    ),
    _changes(
        "route_table_changes",
        "Alarm on route table changes",
        "4.13",
        EC2,
        """CreateRoute CreateRouteTable ReplaceRoute ReplaceRouteTableAssociation
        DeleteRouteTable DeleteRoute DisassociateRouteTable""",
        _read(EC2, "DescribeRouteTables"),
        source_in_pattern=True,
    ),
    _changes(
        "vpc_changes",
        "Alarm on VPC changes",
        "4.14",
        EC2,
        """CreateVpc DeleteVpc ModifyVpcAttribute AcceptVpcPeeringConnection
        CreateVpcPeeringConnection DeleteVpcPeeringConnection RejectVpcPeeringConnection
        AttachClassicLinkVpc DetachClassicLinkVpc DisableVpcClassicLink EnableVpcClassicLink""",
        _read(EC2, "DescribeVpcs"),
    ),
    _changes(
        "organizations_changes",
        "Alarm on AWS Organizations changes",
        "4.15",
        "organizations.amazonaws.com",
        """AcceptHandshake AttachPolicy CreateAccount CreateOrganizationalUnit CreatePolicy
        DeclineHandshake DeleteOrganization DeleteOrganizationalUnit DeletePolicy DetachPolicy
        DisablePolicyType EnablePolicyType InviteAccountToOrganization LeaveOrganization
        MoveAccount RemoveAccountFromOrganization UpdatePolicy UpdateOrganizationalUnit""",
        _event(eventSource=IAM, eventName="CreatePolicy"),
        _read("organizations.amazonaws.com", "DescribeOrganization"),
        source_in_pattern=True,
    ),
)
