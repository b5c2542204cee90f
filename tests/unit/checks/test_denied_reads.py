"""Every check, with each of its reads denied in turn: a verdict never rests on a read
that failed.

One real scan of an account seeded so that every check makes every read it declares
(tests/seeds/seed_all.py) is recorded; then each check runs alone, replayed from the
recording (tests/replay.py), once as is and once per read it made with that read
denied (that one request: one region, one bucket, one trail), and once per declared
action with the action denied everywhere. Against the check's own undenied run:

- a finding keeps its status or becomes UNKNOWN; PASS never turns FAIL, FAIL never
  PASS, and nothing becomes NOT_APPLICABLE (a scope or exemption that could not be read
  is not "out of scope");
- a finding that changed, appeared or stands in for vanished ones is UNKNOWN and its
  evidence names the denied IAM action (`evidence.error.action`);
- a finding that vanished is stood in for by such an UNKNOWN of the same check;
- no finding is an internal error.

Alone and undenied, each check sends exactly the IAM actions it declares.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import boto3
import pytest
from alarm_seed import log_group
from helpers import MGMT_ALL, bucket, isolate_aws_env, new_session, trail
from logging_seed import access_logs
from moto import mock_aws
from replay import Key, Recording, action_of, recording, replaying
from seed_all import SCAN_KW, seed_every_read

from awsobs import REGISTRY, Finding, Report, Status, scan
from awsobs.demo.moto_ext import (
    install_alarm_extensions,
    install_ssm_extension,
    reset_alarm_extensions,
    reset_ssm,
    uninstall_ssm_extension,
)

FindingKey = tuple[str, str, str, str]
OPTION_SETS: dict[str, dict[str, Any]] = {
    "bucket_tag": SCAN_KW,  # buckets chosen by tag: the tag reads decide scope
    "defaults": {**SCAN_KW, "options": {}},  # every bucket but log targets is in scope
}


def seed_pitfalls(session: boto3.Session) -> None:
    """Where one read decides a verdict: buckets whose only exemption is one read (a
    target of server access logs and nothing else; a tagged bucket that is also a log
    target), and a second multi-region trail whose CIS chain breaks early, so that an
    unreadable first trail (whose chain is whole) must not make the account FAIL."""
    group = log_group(session, "second-trail-group")
    trail(session, "second", multi_region=True, advanced=MGMT_ALL, CloudWatchLogsLogGroupArn=group)
    for name in ("plain-src", "plain-logs", "web-logs"):
        bucket(session, name)
    access_logs(session, "plain-src", "plain-logs")
    session.client("s3").put_bucket_tagging(
        Bucket="web-logs", Tagging={"TagSet": [{"Key": "traffic", "Value": "logs"}]}
    )
    access_logs(session, "web", "web-logs")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[boto3.Session, Recording]]:
    """The seeded moto account and the recording of one full scan of it."""
    with pytest.MonkeyPatch.context() as mp:
        isolate_aws_env(mp, tmp_path_factory.mktemp("aws"))
        with mock_aws():
            install_ssm_extension()
            reset_ssm()
            install_alarm_extensions()
            reset_alarm_extensions()
            try:
                session = new_session(region_name="us-east-1")
                seed_every_read(session)
                seed_pitfalls(session)
                with recording(mp) as rec:
                    for kw in OPTION_SETS.values():
                        report = scan(session, **kw)
                        unknown = [f for f in report.findings if f.status is Status.UNKNOWN]
                        assert not unknown, [f.message for f in unknown]
                yield session, rec
            finally:
                reset_alarm_extensions()
                reset_ssm()
                uninstall_ssm_extension()


def _key(f: Finding) -> FindingKey:
    return (f.check_id, f.account_id, f.region, f.resource_id)


def _names(f: Finding, action: str) -> bool:
    """Does the finding's evidence name `action` as a failed read?"""

    def walk(value: Any) -> bool:
        if isinstance(value, Mapping):
            if value.get("action") == action and value.get("kind"):
                return True
            return any(walk(v) for v in value.values())
        if isinstance(value, list | tuple):
            return any(walk(v) for v in value)
        return False

    return walk(f.evidence)


def _problems(base: Report, now: Report, action: str) -> list[str]:
    """What is wrong with `now` (a read of `action` denied) against `base` (nothing denied)."""
    before = {_key(f): f for f in base.findings}
    after = {_key(f): f for f in now.findings}
    out: list[str] = []
    for f in now.findings:
        if f.message.startswith("internal error"):
            out.append(f"internal error: {f.message}")
    standing_in = [f for k, f in after.items() if f.status is Status.UNKNOWN and _names(f, action)]
    for k, f in after.items():
        old = before.get(k)
        if old is not None and old.status is f.status:
            continue
        was = old.status.value if old else "absent"
        if f.status is not Status.UNKNOWN:
            out.append(f"{k}: {was} -> {f.status.value} ({f.message})")
        elif not _names(f, action):
            out.append(f"{k}: {was} -> UNKNOWN without naming {action} ({f.message})")
    for k, old in before.items():
        if k not in after and not any(f.check_id == old.check_id for f in standing_in):
            out.append(f"{k}: {old.status.value} vanished, and no UNKNOWN names {action}")
    return out


def _check_ids() -> list[str]:
    return [c.id for c in REGISTRY.all()]


@pytest.mark.parametrize("options", list(OPTION_SETS))
@pytest.mark.parametrize("check_id", _check_ids())
def test_each_read_denied_in_turn(
    world: tuple[boto3.Session, Recording],
    check_id: str,
    options: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session, rec = world
    kw = OPTION_SETS[options]

    def _scan(session: boto3.Session, check_id: str) -> Report:
        return scan(session, checks=[check_id], **kw)

    with replaying(monkeypatch, rec) as free:
        base = _scan(session, check_id)
    assert not [f for f in base.findings if f.status is Status.UNKNOWN], [
        f.message for f in base.findings if f.status is Status.UNKNOWN
    ]
    engine = {"sts:GetCallerIdentity", "ec2:DescribeRegions"}
    reads: list[Key] = [k for k in dict.fromkeys(free.sent) if action_of(k) not in engine]
    sent_actions = {action_of(k) for k in free.sent} - engine
    declared = set(REGISTRY.select([check_id])[0].meta.permissions)
    if kw is SCAN_KW:  # the options under which every declared read is needed
        assert sent_actions == declared - engine, "alone, a check sends exactly what it declares"
    assert sent_actions <= declared, "a check sent an action it does not declare"

    problems: list[str] = []
    for denied_key in reads:
        with replaying(monkeypatch, rec, deny=lambda k, d=denied_key: k == d):
            now = _scan(session, check_id)
        problems += [f"deny {denied_key}: {p}" for p in _problems(base, now, action_of(denied_key))]
    for action in sorted(declared - engine):
        with replaying(monkeypatch, rec, deny=lambda k, a=action: action_of(k) == a):
            now = _scan(session, check_id)
        problems += [f"deny {action} everywhere: {p}" for p in _problems(base, now, action)]
    assert not problems, "\n".join(problems)
