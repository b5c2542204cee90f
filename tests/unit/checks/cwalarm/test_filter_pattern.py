"""Table-driven tests of `awsobs.checks.cwalarm.filter_pattern` and the CIS filter specs
(pure, no AWS).

Requirement under test: filter patterns are *parsed* (clauses, `&&`, `||`, parentheses,
optional quotes, free whitespace, newlines and clause order), not regex-matched as text, and
the CIS chain accepts every equivalent spelling of a control's filter while rejecting near
misses with a reason.

- Parser / evaluator: each operator on strings and numbers, `*` wildcards, quoted values,
  `%regex%`, `IS NULL/TRUE/FALSE`, `EXISTS`, `NOT EXISTS`, nested selectors and array
  indexes, `&&` binding tighter than `||`, parentheses, missing fields, and `PatternError`.
- Every one of the 15 `CONTROLS`: the canonical CIS pattern (written out from controls.md
  §2.1, event names typed here, not taken from `CONTROLS`) and respellings of it.
- Near misses, including the CIS v1.4/v3.0 erratum for 4.1 that joins the exclusions with
  `||`, and filters far broader than the required clauses of controls.md §2.1 ("all must be
  present"): they also fire on everyday calls (DescribeSecurityGroups, CreateGrant, any
  throttled call), so their alarm would sit in ALARM and never notify for the event that
  matters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from awsobs.checks.cwalarm.controls import CONTROLS, ORDINARY
from awsobs.checks.cwalarm.filter_pattern import PatternError, matches, parse

P = pytest.param
BY_ID = {c.id: c for c in CONTROLS}

# -- parser and evaluator ---------------------------------------------------------------------

EVENT: dict[str, Any] = {
    "eventName": "CreateTrail",
    "count": 5,
    "ratio": 2.5,
    "ok": True,
    "bad": False,
    "nothing": None,
    "ip": "10.0.0.1",
    "errorMessage": "Failed authentication",
    "msg": 'say "hi" now',
    "user": {"identity": {"type": "Root"}},
    "items": [{"name": "first"}, {"name": "second"}],
}


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        P("{ $.eventName = CreateTrail }", True, id="str-eq"),
        P("{ $.eventName = DeleteTrail }", False, id="str-eq-miss"),
        P("{ $.eventName = createtrail }", False, id="str-eq-case-sensitive"),
        P("{ $.eventName != DeleteTrail }", True, id="str-ne"),
        P("{ $.eventName != CreateTrail }", False, id="str-ne-miss"),
        P("{ $.eventName > 3 }", False, id="str-vs-number-gt"),
        P("{ $.count = 5 }", True, id="num-eq"),
        P("{ $.count = 5.0 }", True, id="num-eq-float"),
        P("{ $.count != 5 }", False, id="num-ne"),
        P("{ $.count < 6 }", True, id="num-lt"),
        P("{ $.count < 5 }", False, id="num-lt-equal"),
        P("{ $.count > 4 }", True, id="num-gt"),
        P("{ $.count > 5 }", False, id="num-gt-equal"),
        P("{ $.count <= 5 }", True, id="num-le"),
        P("{ $.count >= 5 }", True, id="num-ge"),
        P("{ $.count >= 6 }", False, id="num-ge-miss"),
        P("{ $.ratio < 3 }", True, id="num-lt-float"),
        P("{ $.eventName = *Trail }", True, id="wild-start"),
        P("{ $.eventName = Create* }", True, id="wild-end"),
        P("{ $.eventName = Cr*ail }", True, id="wild-middle"),
        P("{ $.eventName = Cr*x }", False, id="wild-middle-miss"),
        P("{ $.eventName = *Delete* }", False, id="wild-both-miss"),
        P('{ $.eventName = "*Trail" }', True, id="wild-quoted"),
        P("{ $.eventName = * }", True, id="wild-only"),
        P("{ $.ip = 10.0.0.1 }", True, id="dots-literal"),
        P("{ $.ip = 10x0.0.1 }", False, id="dots-not-regex"),
        P('{ $.errorMessage = "Failed authentication" }', True, id="quoted-space"),
        P('{ $.errorMessage = "Failed" }', False, id="quoted-no-substring"),
        P('{ $.msg = "say \\"hi\\" now" }', True, id="quoted-escaped-quotes"),
        P("{ $.eventName = %^Create.*Trail$% }", True, id="regex"),
        P("{ $.eventName = %^Delete% }", False, id="regex-miss"),
        P("{ $.nothing IS NULL }", True, id="is-null"),
        P("{ $.eventName IS NULL }", False, id="is-null-has-value"),
        P("{ $.nope IS NULL }", False, id="is-null-missing"),
        P("{ $.ok IS TRUE }", True, id="is-true"),
        P("{ $.bad IS TRUE }", False, id="is-true-false"),
        P("{ $.bad IS FALSE }", True, id="is-false"),
        P("{ $.eventName EXISTS }", True, id="exists"),
        P("{ $.nothing EXISTS }", True, id="exists-null"),
        P("{ $.nope EXISTS }", False, id="exists-missing"),
        P("{ $.nope NOT EXISTS }", True, id="not-exists"),
        P("{ $.eventName NOT EXISTS }", False, id="not-exists-present"),
        P("{ $.user.identity.type = Root }", True, id="nested"),
        P("{ $.user.identity.type = IAMUser }", False, id="nested-miss"),
        P("{ $.user.identity.kind NOT EXISTS }", True, id="nested-not-exists"),
        P("{ $.items[0].name = first }", True, id="array-index"),
        P("{ $.items[1].name = first }", False, id="array-index-other"),
        P("{ $.items[5].name NOT EXISTS }", True, id="array-out-of-range"),
        P("{ $.nope = x }", False, id="missing-eq"),
        P("{ $.nope != x }", True, id="missing-ne"),
        P("{ $.user.nope.deeper = x }", False, id="missing-deep-eq"),
        P("{ $.user.nope.deeper != x }", True, id="missing-deep-ne"),
        P("{ $.nope > 1 }", False, id="missing-gt"),
        # && binds tighter than ||: (F && F) || T, not F && (F || T)
        P("{ $.eventName = DeleteTrail && $.count = 9 || $.count = 5 }", True, id="and-first"),
        P("{ $.count = 5 || $.eventName = DeleteTrail && $.count = 9 }", True, id="and-first-rev"),
        P("{ ($.eventName = DeleteTrail || $.count = 5) && $.count = 9 }", False, id="parens"),
        P("{ $.eventName = DeleteTrail && ($.count = 9 || $.count = 5) }", False, id="parens-2"),
        P("{ ($.count = 9 || $.count = 5) && $.eventName = CreateTrail }", True, id="parens-3"),
        P("{ ((($.count = 5))) }", True, id="redundant-parens"),
        P("{$.count=5&&$.eventName=CreateTrail}", True, id="no-whitespace"),
        P("{\n\t$.count = 5\n\t&&\n\t$.eventName = CreateTrail\n}", True, id="newlines-tabs"),
    ],
)
def test_matches(pattern: str, expected: bool) -> None:
    assert matches(parse(pattern), EVENT) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        P("$.eventName = CreateTrail", id="no-braces"),
        P("{ $.eventName = CreateTrail", id="no-closing-brace"),
        P("$.eventName = CreateTrail }", id="no-opening-brace"),
        P("{ }", id="empty"),
        P("{ $.eventName == CreateTrail }", id="double-equals"),
        P("{ ($.eventName = CreateTrail }", id="unclosed-paren"),
        P("{ $.eventName = CreateTrail) }", id="extra-close-paren"),
        P("{ (($.a = 1) || ($.b = 2) }", id="unbalanced-nested"),
        P("{ $.eventName = CreateTrail && }", id="dangling-and"),
        P("{ && $.eventName = CreateTrail }", id="leading-and"),
        P("{ $.a = 1 || }", id="dangling-or"),
        P("{ $.eventName = }", id="no-value"),
        P("{ $.eventName = && $.a = 1 }", id="no-value-before-and"),
        P("{ $.eventName }", id="no-comparison"),
        P("{ $.eventName IS MAYBE }", id="is-maybe"),
        P("{ $.eventName NOT THERE }", id="not-without-exists"),
        P("{ eventName = CreateTrail }", id="no-dollar-selector"),
    ],
)
def test_parse_errors(pattern: str) -> None:
    with pytest.raises(PatternError):
        parse(pattern)


# -- canonical CIS patterns (controls.md §2.1) ------------------------------------------------


def _cis(names: list[str], source: str | None = None) -> str:
    """The usual CIS text: `{ ($.eventName = A) || ... }`, prefixed `($.eventSource = S) &&`."""
    ors = " || ".join(f"($.eventName = {n})" for n in names)
    return f"{{ ($.eventSource = {source}) && ({ors}) }}" if source else f"{{ {ors} }}"


def W(text: str) -> list[str]:
    return text.split()


IAM = W("""DeleteGroupPolicy DeleteRolePolicy DeleteUserPolicy PutGroupPolicy PutRolePolicy
    PutUserPolicy CreatePolicy DeletePolicy CreatePolicyVersion DeletePolicyVersion
    AttachRolePolicy DetachRolePolicy AttachUserPolicy DetachUserPolicy AttachGroupPolicy
    DetachGroupPolicy""")
TRAIL = W("CreateTrail UpdateTrail DeleteTrail StartLogging StopLogging")
CMK = W("DisableKey ScheduleKeyDeletion")
S3 = W("""PutBucketAcl PutBucketPolicy PutBucketCors PutBucketLifecycle PutBucketReplication
    DeleteBucketPolicy DeleteBucketCors DeleteBucketLifecycle DeleteBucketReplication""")
CONFIG = W("""StopConfigurationRecorder DeleteDeliveryChannel PutDeliveryChannel
    PutConfigurationRecorder""")
SG = W("""AuthorizeSecurityGroupIngress AuthorizeSecurityGroupEgress RevokeSecurityGroupIngress
    RevokeSecurityGroupEgress CreateSecurityGroup DeleteSecurityGroup""")
NACL = W("""CreateNetworkAcl CreateNetworkAclEntry DeleteNetworkAcl DeleteNetworkAclEntry
    ReplaceNetworkAclEntry ReplaceNetworkAclAssociation""")
GW = W("""CreateCustomerGateway DeleteCustomerGateway AttachInternetGateway
    CreateInternetGateway DeleteInternetGateway DetachInternetGateway""")
ROUTE = W("""CreateRoute CreateRouteTable ReplaceRoute ReplaceRouteTableAssociation
    DeleteRouteTable DeleteRoute DisassociateRouteTable""")
VPC = W("""CreateVpc DeleteVpc ModifyVpcAttribute AcceptVpcPeeringConnection
    CreateVpcPeeringConnection DeleteVpcPeeringConnection RejectVpcPeeringConnection
    AttachClassicLinkVpc DetachClassicLinkVpc DisableVpcClassicLink EnableVpcClassicLink""")
ORGS = W("""AcceptHandshake AttachPolicy CreateAccount CreateOrganizationalUnit CreatePolicy
    DeclineHandshake DeleteOrganization DeleteOrganizationalUnit DeletePolicy DetachPolicy
    DisablePolicyType EnablePolicyType InviteAccountToOrganization LeaveOrganization MoveAccount
    RemoveAccountFromOrganization UpdatePolicy UpdateOrganizationalUnit""")


def _shuffled(names: list[str]) -> list[str]:
    """A fixed non-trivial reordering: odd positions first, then even ones reversed."""
    return names[1::2] + names[0::2][::-1]


UNAUTH_V12 = '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }'
UNAUTH_V5 = (
    '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
    '(($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket")) }'
)
UNAUTH_ERRATUM = (
    '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || '
    '($.sourceIPAddress != "delivery.logs.amazonaws.com") || ($.eventName != "HeadBucket") }'
)
MFA = '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }'
MFA_SH = (
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
    '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }'
)
ROOT = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
    '$.eventType != "AwsServiceEvent" }'
)
AUTH_FAIL = '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }'

# control id -> (canonical CIS pattern, the same clauses in another order)
CANONICAL: dict[str, tuple[str, str]] = {
    "unauthorized_api_calls": (
        UNAUTH_V12,
        '{ ($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation") }',
    ),
    "console_signin_no_mfa": (
        MFA,
        '{ ($.additionalEventData.MFAUsed != "Yes") && ($.eventName = "ConsoleLogin") }',
    ),
    "root_usage": (
        ROOT,
        '{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && '
        '$.userIdentity.type = "Root" }',
    ),
    "iam_policy_changes": (_cis(IAM), _cis(_shuffled(IAM))),
    "cloudtrail_config_changes": (_cis(TRAIL), _cis(TRAIL[::-1])),
    "console_auth_failures": (
        AUTH_FAIL,
        '{ ($.errorMessage = "Failed authentication") && ($.eventName = ConsoleLogin) }',
    ),
    "cmk_disable_or_deletion": (
        _cis(CMK, "kms.amazonaws.com"),
        "{ (($.eventName = ScheduleKeyDeletion) || ($.eventName = DisableKey))"
        " && ($.eventSource = kms.amazonaws.com) }",
    ),
    "s3_bucket_policy_changes": (_cis(S3, "s3.amazonaws.com"),
                                 _cis(_shuffled(S3), "s3.amazonaws.com")),
    "config_changes": (_cis(CONFIG, "config.amazonaws.com"),
                       _cis(CONFIG[::-1], "config.amazonaws.com")),
    "security_group_changes": (_cis(SG), _cis(_shuffled(SG))),
    "nacl_changes": (_cis(NACL), _cis(NACL[::-1])),
    "network_gateway_changes": (_cis(GW), _cis(_shuffled(GW))),
    "route_table_changes": (_cis(ROUTE), _cis(ROUTE[::-1])),
    "vpc_changes": (_cis(VPC), _cis(_shuffled(VPC))),
    "organizations_changes": (_cis(ORGS, "organizations.amazonaws.com"),
                              _cis(_shuffled(ORGS), "organizations.amazonaws.com")),
}  # fmt: skip

_QUOTED = r'"(?:[^"\\]|\\.)*"'


def quote_all(p: str) -> str:
    return re.sub(r'(!=|=)(\s*)([^\s()"{}&|]+)', r'\1\2"\3"', p)


def unquote_all(p: str) -> str:
    # values with spaces ("Failed authentication") must stay quoted
    return re.sub(r'"([^"\s\\]+)"', r"\1", p)


def squeeze(p: str) -> str:
    """No whitespace at all, except the one space `NOT EXISTS` / `IS NULL` need."""

    def tight(seg: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"\s*([(){}&|=!<>])\s*", r"\1", seg)).strip()

    parts = re.split(rf"({_QUOTED})", p)
    return "".join(x if i % 2 else tight(x) for i, x in enumerate(parts))


def multiline(p: str) -> str:
    p = re.sub(r"\s*(\|\||&&)\s*", r"\n\t    \1 ", p)
    return "{\n    " + p.strip()[1:-1].strip() + "\n}\n"


def extra_parens(p: str) -> str:
    inner = re.sub(r"\(\$", "(($", p.strip()[1:-1])
    inner = re.sub(r"(\$\.[\w.]+ [^()]*?)\)", r"\1))", inner)
    return "{ ((" + inner.strip() + ")) }"


SPELLINGS: dict[str, Callable[[str], str]] = {
    "quoted": quote_all,
    "unquoted": unquote_all,
    "squeezed": squeeze,
    "multiline": multiline,
    "extra-parens": extra_parens,
    "quoted-squeezed": lambda p: squeeze(quote_all(p)),
}


def test_every_control_has_a_canonical_pattern() -> None:
    assert set(CANONICAL) == set(BY_ID)
    assert len(BY_ID) == 15
    for canonical, reordered in CANONICAL.values():
        variants = ({f(canonical) for f in SPELLINGS.values()} | {reordered}) - {canonical}
        assert len(variants) >= 5, canonical


@pytest.mark.parametrize("cid", sorted(CANONICAL))
def test_canonical_accepted(cid: str) -> None:
    assert BY_ID[cid].accepts(CANONICAL[cid][0]) == (True, "")


@pytest.mark.parametrize("cid", sorted(CANONICAL))
def test_reordered_accepted(cid: str) -> None:
    canonical, reordered = CANONICAL[cid]
    assert reordered != canonical
    assert BY_ID[cid].accepts(reordered) == (True, "")
    assert BY_ID[cid].accepts(multiline(unquote_all(reordered))) == (True, "")


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
@pytest.mark.parametrize("cid", sorted(CANONICAL))
def test_respelling_accepted(cid: str, spelling: str) -> None:
    canonical = CANONICAL[cid][0]
    pattern = SPELLINGS[spelling](canonical)
    ok, why = BY_ID[cid].accepts(pattern)
    assert ok, f"{pattern!r}: {why}"
    if spelling != "extra-parens":  # redundant parentheses nest the tree, same meaning
        assert parse(pattern) == parse(canonical), "same clauses must parse to the same tree"


def test_respellings_really_differ() -> None:
    p = CANONICAL["console_auth_failures"][0]
    assert quote_all(p).count('"') == 4
    assert unquote_all(MFA) == (
        "{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }"
    )
    assert squeeze(p) == '{($.eventName=ConsoleLogin)&&($.errorMessage="Failed authentication")}'
    assert multiline(p).count("\n") == 4
    assert extra_parens(p).startswith("{ (((($.eventName")


@pytest.mark.parametrize(
    ("cid", "pattern"),
    [
        P("unauthorized_api_calls", UNAUTH_V5, id="unauth-cis-v5-exclusions"),
        P("unauthorized_api_calls", squeeze(unquote_all(UNAUTH_V5)), id="unauth-v5-squeezed"),
        P("console_signin_no_mfa", MFA_SH, id="mfa-security-hub-4-clause"),
        P("console_signin_no_mfa", multiline(unquote_all(MFA_SH)), id="mfa-sh-multiline"),
        P("route_table_changes", _cis(ROUTE, "ec2.amazonaws.com"), id="route-cis-v3-source"),
        P("security_group_changes", _cis([*SG, "ModifySecurityGroupRules"]), id="sg-cis-v5"),
        P("organizations_changes", _cis([*ORGS, "CancelHandshake", "CreateOrganization"],
          "organizations.amazonaws.com"), id="orgs-prowler-superset"),
        P("cloudtrail_config_changes", "{ $.eventName = CreateTrail || $.eventName = UpdateTrail"
          " || $.eventName = DeleteTrail || $.eventName = StartLogging ||"
          " $.eventName = StopLogging }", id="trail-no-parens"),
    ],
)  # fmt: skip
def test_documented_variants_accepted(cid: str, pattern: str) -> None:
    assert BY_ID[cid].accepts(pattern) == (True, "")


# -- near misses ------------------------------------------------------------------------------


def _drop(names: list[str], name: str) -> list[str]:
    assert name in names
    return [n for n in names if n != name]


@pytest.mark.parametrize(
    ("cid", "pattern", "why_has"),
    [
        P("iam_policy_changes", _cis(_drop(IAM, "DetachGroupPolicy")),
          "eventName=DetachGroupPolicy", id="iam-drop-one"),
        P("cloudtrail_config_changes", _cis(_drop(TRAIL, "StopLogging")),
          "eventName=StopLogging", id="trail-drop-one"),
        P("cmk_disable_or_deletion", _cis(_drop(CMK, "ScheduleKeyDeletion"), "kms.amazonaws.com"),
          "eventName=ScheduleKeyDeletion", id="cmk-drop-one"),
        P("s3_bucket_policy_changes", _cis(_drop(S3, "PutBucketCors"), "s3.amazonaws.com"),
          "eventName=PutBucketCors", id="s3-drop-one"),
        P("vpc_changes", _cis(_drop(VPC, "EnableVpcClassicLink")),
          "eventName=EnableVpcClassicLink", id="vpc-drop-one"),
        P("organizations_changes",
          _cis(_drop(ORGS, "UpdateOrganizationalUnit"), "organizations.amazonaws.com"),
          "eventName=UpdateOrganizationalUnit", id="orgs-drop-one"),
        P("route_table_changes", _cis(_drop(ROUTE, "DisassociateRouteTable")),
          "eventName=DisassociateRouteTable", id="route-drop-one"),
        P("cloudtrail_config_changes", _cis(TRAIL).replace("$.eventName", "$.eventname"),
          "does not match eventName=CreateTrail", id="trail-field-typo"),
        P("unauthorized_api_calls", UNAUTH_V12.replace("$.errorCode", "$.errorcode"),
          "does not match", id="unauth-field-typo"),
        P("cmk_disable_or_deletion", _cis(CMK, "kms.amazonaws.co"),
          "eventName=DisableKey", id="cmk-source-typo"),
        P("console_auth_failures", AUTH_FAIL.replace("Failed auth", "failed auth"),
          "errorMessage=Failed authentication", id="auth-fail-wrong-case"),
        P("console_signin_no_mfa", MFA.replace("!=", "="), "MFAUsed=No", id="mfa-eq-not-ne"),
        P("console_signin_no_mfa", MFA.replace('"Yes"', '"yes"'), "also matches",
          id="mfa-yes-case"),
        P("console_signin_no_mfa", '{ $.eventName = "ConsoleLogin" }', "MFAUsed=Yes",
          id="mfa-clause-missing"),
        P("console_auth_failures", "{ $.eventName = ConsoleLogin }", "also matches",
          id="auth-fail-errormessage-missing"),
        P("unauthorized_api_calls", '{ $.errorCode = "AccessDenied*" }',
          "errorCode=Client.UnauthorizedOperation", id="unauth-one-clause"),
        P("root_usage", ROOT.replace('"Root"', '"root"'), "does not match", id="root-wrong-case"),
        P("security_group_changes", _cis(NACL), "eventName=AuthorizeSecurityGroupIngress",
          id="sg-gets-nacl-filter"),
        P("vpc_changes", _cis(ROUTE), "eventName=CreateVpc", id="vpc-gets-route-filter"),
        P("cloudtrail_config_changes", "{ $.eventName = * }",
          "also matches an ordinary DescribeInstances call", id="trail-eventname-star"),
        P("iam_policy_changes", "{ $.eventName = * }", "ordinary", id="iam-eventname-star"),
        P("cloudtrail_config_changes", "($.eventName = CreateTrail) || ($.eventName = UpdateTrail)",
          "not understood", id="no-braces"),
        P("nacl_changes", _cis(NACL)[:-2], "not understood", id="truncated"),
        P("console_signin_no_mfa", MFA.replace("&&", "and"), "not understood", id="word-and"),
    ],
)  # fmt: skip
def test_near_miss_rejected(cid: str, pattern: str, why_has: str) -> None:
    ok, why = BY_ID[cid].accepts(pattern)
    assert ok is False
    assert why_has in why


def test_cis_41_erratum_or_joined_exclusions_rejected() -> None:
    """CIS v1.4/v3.0 4.1 as shipped ORs the exclusions in, so it matches (nearly) every event."""
    assert matches(parse(UNAUTH_ERRATUM), ORDINARY)
    ok, why = BY_ID["unauthorized_api_calls"].accepts(UNAUTH_ERRATUM)
    assert ok is False
    assert "also matches" in why and "ordinary" in why


@pytest.mark.parametrize(
    ("cid", "pattern"),
    [
        P("unauthorized_api_calls", "{ $.errorCode = * }", id="unauth-any-error-code"),
        P("root_usage", '{ $.userIdentity.type = "Root" }', id="root-type-only"),
        P("cloudtrail_config_changes", "{ $.readOnly IS FALSE }", id="trail-every-write"),
        P("s3_bucket_policy_changes", "{ $.eventSource = s3.amazonaws.com }", id="s3-any-call"),
        P("iam_policy_changes", "{ $.eventName = *Policy* }", id="iam-any-policy-call"),
        P("organizations_changes", _cis(ORGS), id="orgs-no-source-matches-iam-createpolicy"),
        P("cmk_disable_or_deletion",
          "{ $.eventSource = kms.amazonaws.com && $.readOnly IS FALSE }", id="kms-every-write"),
        P("console_signin_no_mfa",
          '{ $.eventSource = signin.amazonaws.com && $.additionalEventData.MFAUsed != "Yes" }',
          id="mfa-any-signin-event"),
    ],
)  # fmt: skip
def test_overbroad_filter_rejected(cid: str, pattern: str) -> None:
    """A filter that fires on everyday traffic keeps its alarm in ALARM, so it never notifies."""
    ok, why = BY_ID[cid].accepts(pattern)
    assert ok is False
    assert "also matches" in why


@pytest.mark.parametrize(
    ("cid", "pattern", "everyday"),
    [
        P("security_group_changes", "{ $.eventName = *SecurityGroup* }",
          ("ec2.amazonaws.com", "DescribeSecurityGroups"), id="sg-wildcard"),
        P("cloudtrail_config_changes", "{ $.eventSource = cloudtrail.amazonaws.com }",
          ("cloudtrail.amazonaws.com", "DescribeTrails"), id="trail-any-call"),
        P("config_changes", "{ $.eventSource = config.amazonaws.com }",
          ("config.amazonaws.com", "DescribeConfigRules"), id="config-any-call"),
        P("nacl_changes", "{ $.eventName = *NetworkAcl* }",
          ("ec2.amazonaws.com", "DescribeNetworkAcls"), id="nacl-wildcard"),
        P("vpc_changes", "{ $.eventName = *Vpc* }",
          ("ec2.amazonaws.com", "DescribeVpcs"), id="vpc-wildcard"),
        P("route_table_changes", "{ $.eventName = *Route* }",
          ("ec2.amazonaws.com", "DescribeRouteTables"), id="route-wildcard"),
        P("network_gateway_changes", "{ $.eventName = *Gateway* }",
          ("ec2.amazonaws.com", "DescribeInternetGateways"), id="gateway-wildcard"),
        P("cmk_disable_or_deletion", "{ $.eventSource = kms.amazonaws.com }",
          ("kms.amazonaws.com", "DescribeKey"), id="kms-any-call"),
        P("organizations_changes", "{ $.eventSource = organizations.amazonaws.com }",
          ("organizations.amazonaws.com", "DescribeOrganization"), id="orgs-any-call"),
    ],
)  # fmt: skip
def test_read_matching_filter_rejected(cid: str, pattern: str, everyday: tuple[str, str]) -> None:
    """Broader than the control's event names: it also fires on an everyday read."""
    source, name = everyday
    assert matches(parse(pattern), {**ORDINARY, "eventSource": source, "eventName": name})
    ok, why = BY_ID[cid].accepts(pattern)
    assert ok is False
    assert "also matches" in why


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: c.id)
def test_the_pattern_shown_in_the_remediation_is_accepted(control: Any) -> None:
    assert control.pattern
    assert control.accepts(control.pattern) == (True, "")
