"""Multi-account scans: account lists, shards, organizations, assumed roles, merged reports."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from helpers import assume, check_args, trail
from org_seed import ROLE, create_org, deny_assume_role

import awsobs.accounts as accounts_mod
from awsobs import Context, Finding, Status, UsageError, check, merge_reports, scan_accounts
from awsobs.accounts import (
    AccountTarget,
    assumed_session,
    list_org_accounts,
    parse_accounts,
    parse_shard,
    shard,
)

CHECK = "cloudtrail.multi_region"


def test_parse_accounts_splits_and_dedupes() -> None:
    got = parse_accounts("111111111111, 222222222222 111111111111,,333333333333")
    assert [a.account_id for a in got] == ["111111111111", "222222222222", "333333333333"]


@pytest.mark.parametrize("text", ["", " , ", "12345", "11111111111a", "111111111111,x"])
def test_parse_accounts_rejects(text: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_accounts(text)
    assert "\n" not in str(err.value) and "--accounts" in str(err.value)


def test_parse_shard() -> None:
    assert parse_shard("0/1") == (0, 1)
    assert parse_shard(" 2/3 ") == (2, 3)


@pytest.mark.parametrize("text", ["3/3", "0/0", "-1/2", "1", "a/b", "1/2/3", ""])
def test_parse_shard_rejects(text: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_shard(text)
    assert "\n" not in str(err.value) and "--shard" in str(err.value)


def _ids(n: int, start: int = 100000000000) -> list[AccountTarget]:
    return [AccountTarget(str(start + i * 7919)) for i in range(n)]


def test_shards_partition_the_accounts_stably() -> None:
    targets = _ids(50)
    parts = [shard(targets, k, 4) for k in range(4)]
    flat = [a for p in parts for a in p]
    assert sorted(flat, key=lambda a: a.account_id) == sorted(targets, key=lambda a: a.account_id)
    assert len(flat) == len(set(flat))  # no account in two shards
    assert min(len(p) for p in parts) >= 5  # roughly balanced (expected 12.5 each)
    # Membership depends on the id alone: not on order, not on the other accounts.
    assert shard(list(reversed(targets)), 1, 4) == list(reversed(parts[1]))
    grown = [*targets, *_ids(10, start=900000000000)]
    for k in range(4):
        assert set(parts[k]) <= set(shard(grown, k, 4))
    with pytest.raises(UsageError):
        shard(targets, 4, 4)


def test_list_org_accounts_active_only_sorted(aws: boto3.Session) -> None:
    members = create_org(aws, 3)
    aws.client("organizations").close_account(AccountId=members[1])  # moto: SUSPENDED
    got = list_org_accounts(aws)
    ids = [a.account_id for a in got]
    assert ids == sorted([members[0], members[2], "123456789012"])
    assert {a.name for a in got} == {"master", "member0", "member2"}


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("AWSOrganizationsNotInUseException", "not in an organization: use --accounts"),
        ("AccessDeniedException", "management account or a delegated administrator"),
    ],
)
def test_list_org_accounts_errors(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, code: str, hint: str
) -> None:
    # Stubber, not moto: this makes the error exact and needs no organization set-up.
    client = aws.client("organizations", region_name="us-east-1")
    stubber = Stubber(client)
    stubber.add_client_error("list_accounts", code, "nope", http_status_code=400)
    stubber.activate()
    monkeypatch.setattr(aws, "client", lambda *a, **k: client)
    with pytest.raises(UsageError) as err:
        list_org_accounts(aws)
    assert hint in str(err.value) and "\n" not in str(err.value)


def test_assumed_session_lands_in_the_account_and_refreshes(aws: boto3.Session) -> None:
    target = "222222222222"
    session = assumed_session(aws, target, "ops/awsobs", external_id="xyz")
    who = session.client("sts").get_caller_identity()
    assert who["Account"] == target
    assert ":assumed-role/awsobs/" in who["Arn"] or "awsobs" in who["Arn"]
    creds = session.get_credentials()
    assert creds.refresh_needed() is False  # moto hands out hours-long credentials
    before = creds.get_frozen_credentials().access_key
    creds._expiry_time = creds._expiry_time.replace(year=2000)  # pretend they expired
    assert creds.get_frozen_credentials().access_key != before  # re-assumed


@pytest.mark.filterwarnings("ignore:Exception\\(STSClientError\\)")
def test_scan_accounts_keeps_an_unassumable_account(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = create_org(aws, 3)
    trail(assume(aws, members[0]), "org-trail", multi_region=True)
    denied = deny_assume_role(monkeypatch, members[2])
    seen: Counter[str] = Counter()
    report = scan_accounts(
        aws,
        [AccountTarget(m) for m in members],
        role_name=ROLE,
        checks=[CHECK],
        regions=["us-east-1"],
        progress=lambda account, p: seen.update([account]),
    )
    assert report.accounts == tuple(sorted(members))
    by_account = {f.account_id: f for f in report.findings}
    assert by_account[members[0]].status is Status.PASS
    assert by_account[members[1]].status is Status.FAIL
    bad = by_account[members[2]]
    assert bad.status is Status.UNKNOWN
    assert bad.message.startswith(f"could not assume role {denied}: AccessDenied: ")
    assert (bad.region, bad.resource_type, bad.resource_id) == (
        "global",
        "AWS::::Account",
        members[2],
    )
    assert set(seen) == {members[0], members[1]}  # progress only from accounts that ran
    assert report.exit_code() == 1


def test_scan_accounts_rejects_bad_usage_before_any_account(aws: boto3.Session) -> None:
    targets = [AccountTarget("222222222222")]
    with pytest.raises(UsageError, match="no check matches"):
        scan_accounts(aws, targets, role_name=ROLE, checks=["nope.*"])
    with pytest.raises(UsageError, match="unknown region"):
        scan_accounts(aws, targets, role_name=ROLE, checks=[CHECK], regions=["mars-1"])


@pytest.mark.filterwarnings("ignore:Exception\\(STSClientError\\)")
def test_sharded_run_equals_single_run(aws: boto3.Session, monkeypatch: pytest.MonkeyPatch) -> None:
    members = create_org(aws, 5)
    trail(assume(aws, members[0]), "trail0", multi_region=True)
    trail(assume(aws, members[3]), "trail3", multi_region=False)
    deny_assume_role(monkeypatch, members[4])
    targets = [AccountTarget(m) for m in members]
    kw: dict[str, Any] = {"role_name": ROLE, "checks": [CHECK], "regions": ["us-east-1"]}
    single = scan_accounts(aws, targets, max_workers=4, per_account_workers=2, **kw)
    parts = [shard(targets, k, 3) for k in range(3)]
    merged = merge_reports([scan_accounts(aws, p, **kw) for p in parts if p])
    assert merged.to_dict()["findings"] == single.to_dict()["findings"]
    assert merged.summary() == single.summary()
    assert merged.accounts == single.accounts == tuple(sorted(members))
    assert single.summary() == {"PASS": 1, "FAIL": 3, "UNKNOWN": 1, "NOT_APPLICABLE": 0}


def test_scan_accounts_runs_few_accounts_at_once(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """max_workers=8, per_account=4: two accounts in flight, each scan given 4 workers."""
    lock, live, peak, given = threading.Lock(), [0], [0], []

    def fake_scan(session: boto3.Session, **kw: Any) -> Any:
        with lock:
            live[0] += 1
            peak[0] = max(peak[0], live[0])
            given.append(kw["max_workers"])
        threading.Event().wait(0.05)
        with lock:
            live[0] -= 1
        return _empty(session.client("sts").get_caller_identity()["Account"])

    monkeypatch.setattr(accounts_mod, "scan", fake_scan)
    targets = [AccountTarget(str(300000000000 + i)) for i in range(6)]
    report = scan_accounts(aws, targets, role_name=ROLE, max_workers=8, per_account_workers=4)
    assert peak[0] <= 2 and set(given) == {4}
    assert len(report.accounts) == 6


def _empty(account: str) -> Any:
    import datetime as dt

    from awsobs import Report

    now = dt.datetime.now(dt.UTC)
    return Report((), now, now, (account,), ("us-east-1",), (CHECK,), 1)


def test_an_account_whose_sts_endpoint_is_unreachable_says_so(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    # sts:AssumeRole gets no answer at all (a refused port on 127.0.0.1): the account's
    # UNKNOWN names the endpoint and the cause, not rejected credentials.
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", refused)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    report = scan_accounts(
        aws, [AccountTarget("222222222222")], role_name=ROLE, checks=[CHECK], regions=["us-east-1"]
    )
    (bad,) = report.findings
    assert bad.status is Status.UNKNOWN
    assert f"could not reach the AWS endpoint {refused}" in bad.message
    assert "for sts:AssumeRole: connection refused" in bad.message
    assert "rejected" not in bad.message


def test_one_timeout_bounds_every_account(aws: boto3.Session) -> None:
    """One account at a time: the first is scanned, the second hangs past the deadline
    (its unit is UNKNOWN), the third never starts (UNKNOWN per check, "not scanned")."""
    members = create_org(aws, 3)
    release = threading.Event()

    @check(**check_args(id="test.hangs_in_one", scope="account"))
    def hangs(ctx: Context) -> Any:
        if ctx.account_id == members[1]:
            release.wait(30)
        yield ctx.passed(*ctx.account_resource(), "read in time")

    kw: dict[str, Any] = {"role_name": ROLE, "checks": [hangs], "regions": ["us-east-1"]}
    scan_accounts(aws, [AccountTarget(members[0])], **kw)  # the service models, loaded once
    started = time.monotonic()
    try:
        report = scan_accounts(
            aws,
            [AccountTarget(m) for m in members],
            max_workers=1,
            timeout=3,
            **kw,
        )
    finally:
        release.set()
    assert time.monotonic() - started < 4.5
    got: dict[str, Finding] = {f.account_id: f for f in report.findings}
    assert got[members[0]].message == "read in time"
    assert got[members[1]].message == "not read before the timeout (3 s)"
    late = got[members[2]]
    assert (late.status, late.message, dict(late.evidence)) == (
        Status.UNKNOWN,
        "not scanned before the timeout (3 s)",
        {"timeout_s": 3},
    )
    assert late.resource_id == members[2]
    assert report.accounts == tuple(sorted(members))
    assert report.errors == (
        f"scan stopped at the 3 s timeout: 1 of 1 checks x regions unfinished "
        f"(account {members[1]})",
        f"scan stopped at the 3 s timeout: account {members[2]} not scanned",
    )
    assert report.exit_code() == 3


def test_accounts_share_the_scans_botocore_clients(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One client per service (S3: per region) for every account of the scan, not per account:
    each client costs about 12 ms of CPU, and an organization scan made thousands."""
    from awsobs.aws.clients import ClientPool

    members = create_org(aws, 3)
    trail(assume(aws, members[0]), "org-trail", multi_region=True)
    made: list[tuple[str, str]] = []
    original = ClientPool._make

    def counting(self: ClientPool, service: str, region: str) -> Any:
        made.append((service, region))
        return original(self, service, region)

    monkeypatch.setattr(ClientPool, "_make", counting)
    report = scan_accounts(
        aws,
        [AccountTarget(m) for m in members],
        role_name=ROLE,
        checks=[CHECK],
        regions=["us-east-1"],
    )
    statuses = {f.account_id: f.status for f in report.findings}
    assert statuses == {members[0]: Status.PASS, members[1]: Status.FAIL, members[2]: Status.FAIL}
    assert made and len(made) == len(set(made)), made  # each (service, region) made once
    assert {s for s, _ in made} >= {"sts", "ec2", "cloudtrail"}
