"""AWS Config: recorders in every region, global IAM types in one, and delivery channels.

moto keeps recorders and channels, but never reports a recorder `Failure`, a failed
delivery or a service-linked recorder, and does not implement DescribeDeliveryChannelStatus
(config_seed serves a `Success` for it). Those answers are scripted with botocore's
Stubber (helpers.stub_client), which then answers every Config call of that region.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import boto3
import pytest
from config_seed import (
    ALL_REGIONAL,
    ROLE,
    exclusion,
    inclusion,
    install_delivery_status_extension,
    recorder,
    seed_every_config_read,
)
from helpers import ACCOUNT, findings, only, run, stub_client, stub_error

import awsobs.checks.config.recorder
import awsobs.checks.lambda_.tracing  # noqa: F401
from awsobs import REGISTRY, Finding, Report, Status, scan
from awsobs.aws.iam import iam_action
from awsobs.aws.session import ENGINE_PERMISSIONS

RECORDER = "config.recorder_all_regions"
CHANNEL = "config.delivery_channel_ok"
TWO = ["us-east-1", "eu-west-1"]
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def delivery_status() -> None:
    install_delivery_status_extension()


def by_region(report: Report) -> dict[str, Finding]:
    """Recorder findings by region; the account-wide one under 'global'."""
    return {f.region: f for f in findings(report, RECORDER)}


def recorders_answer(
    recorders: list[dict[str, Any]], statuses: list[dict[str, Any]]
) -> list[tuple[str, Any]]:
    return [
        ("describe_configuration_recorders", {"ConfigurationRecorders": recorders}),
        ("describe_configuration_recorder_status", {"ConfigurationRecordersStatus": statuses}),
    ]


def raw_recorder(name: str = "default", **group: Any) -> dict[str, Any]:
    return {
        "name": name,
        "roleARN": ROLE,
        "recordingGroup": group or {"allSupported": True, "includeGlobalResourceTypes": True},
    }


# -- config.recorder_all_regions -----------------------------------------------------------


def test_two_regions_recording_global_types_in_only_one_passes(aws: boto3.Session) -> None:
    recorder(aws, "us-east-1")
    recorder(aws, "eu-west-1", group=ALL_REGIONAL)
    got = by_region(run(aws, [RECORDER], TWO))
    assert set(got) == {"us-east-1", "eu-west-1", "global"}
    assert all(f.status is Status.PASS for f in got.values()), got
    assert "all supported resource types" in got["eu-west-1"].message
    assert got["eu-west-1"].resource_id == "eu-west-1"  # moto's lastStatus is 'PENDING'
    account = got["global"]
    assert account.resource_id == ACCOUNT
    assert account.evidence["regions_recording_global_iam_types"] == ["us-east-1"]


def test_region_without_recorder_and_no_global_types_fail(aws: boto3.Session) -> None:
    recorder(aws, "us-east-1", group=ALL_REGIONAL)
    got = by_region(run(aws, [RECORDER], TWO))
    assert got["us-east-1"].status is Status.PASS
    missing = got["eu-west-1"]
    assert missing.status is Status.FAIL
    assert "no configuration recorder in eu-west-1" in missing.message
    assert "put-configuration-recorder" in missing.remediation
    assert got["global"].status is Status.FAIL
    assert "no region records the global IAM resource types" in got["global"].message


def test_stopped_and_never_started_recorders_fail(aws: boto3.Session) -> None:
    recorder(aws, "us-east-1")
    aws.client("config").stop_configuration_recorder(ConfigurationRecorderName="default")
    recorder(aws, "eu-west-1", channel=False, start=False)
    got = by_region(run(aws, [RECORDER], TWO))
    stopped = got["us-east-1"]
    assert stopped.status is Status.FAIL
    assert "recorder 'default' is not recording (stopped" in stopped.message
    assert "start-configuration-recorder" in stopped.remediation
    assert "is not recording (never started)" in got["eu-west-1"].message
    # a stopped recorder records no IAM change either
    assert got["global"].status is Status.FAIL


def test_inclusion_list_fails_and_exclusion_strategy_passes(aws: boto3.Session) -> None:
    recorder(aws, "us-east-1", group=inclusion("AWS::EC2::Instance", "AWS::S3::Bucket"))
    recorder(aws, "eu-west-1", group=exclusion("AWS::EC2::Volume"))
    got = by_region(run(aws, [RECORDER], TWO))
    partial = got["us-east-1"]
    assert partial.status is Status.FAIL
    assert "records only 2 resource type(s) (AWS::EC2::Instance, AWS::S3::Bucket)" in (
        partial.message
    )
    broad = got["eu-west-1"]
    assert broad.status is Status.PASS
    assert "all resource types except 1 (AWS::EC2::Volume)" in broad.message
    group = broad.evidence["recorders"][0]["recordingGroup"]
    assert group["exclusionByResourceTypes"]["resourceTypes"] == ("AWS::EC2::Volume",)
    # the exclusion list spares the IAM types, so IAM is recorded in eu-west-1
    assert got["global"].status is Status.PASS
    assert got["global"].evidence["regions_recording_global_iam_types"] == ["eu-west-1"]


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        pytest.param(exclusion("AWS::IAM::Role"), Status.FAIL, id="exclusion-drops-iam"),
        pytest.param(
            inclusion("AWS::IAM::User", "AWS::IAM::Group", "AWS::IAM::Role", "AWS::IAM::Policy"),
            Status.PASS,
            id="inclusion-names-all-iam",
        ),
        pytest.param(inclusion("AWS::IAM::User"), Status.FAIL, id="inclusion-some-iam"),
    ],
)
def test_global_iam_types_with_recording_strategies(
    aws: boto3.Session, group: dict[str, Any], expected: Status
) -> None:
    recorder(aws, "us-east-1", group=group)
    assert by_region(run(aws, [RECORDER]))["global"].status is expected


def test_recording_with_last_status_failure_fails(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    status = {
        "name": "default",
        "recording": True,
        "lastStatus": "FAILURE",  # CIS writes upper case; the API says 'Failure'
        "lastErrorCode": "AccessDenied",
        "lastErrorMessage": "role cannot read s3:GetBucketAcl",
        "lastStartTime": T0,
    }
    stub_client(monkeypatch, "config", recorders_answer([raw_recorder()], [status]))
    got = by_region(run(aws, [RECORDER]))
    failing = got["us-east-1"]
    assert failing.status is Status.FAIL
    assert (
        "recorder 'default' last status is Failure (AccessDenied: role cannot read "
        "s3:GetBucketAcl)" in failing.message
    )
    assert "AWS_ConfigRole" in failing.remediation
    assert failing.evidence["recorders"][0]["lastErrorCode"] == "AccessDenied"
    assert got["global"].status is Status.FAIL  # a failing recorder records nothing


def test_service_linked_recorder_alone_does_not_count(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    linked = {
        "name": "AWSConfigurationRecorderForSecurityHub",
        "servicePrincipal": "securityhub.amazonaws.com",
        "recordingScope": "INTERNAL",
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True},
    }
    status = {"name": linked["name"], "recording": True, "lastStatus": "Success"}
    stub_client(monkeypatch, "config", recorders_answer([linked], [status]))
    got = by_region(run(aws, [RECORDER]))
    f = got["us-east-1"]
    assert f.status is Status.FAIL
    assert "service-linked AWSConfigurationRecorderForSecurityHub" in f.message
    assert f.evidence["service_linked_recorders"][0]["recordingScope"] == "INTERNAL"
    assert got["global"].status is Status.FAIL


def test_recorder_without_status_is_unknown(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    stub_client(monkeypatch, "config", recorders_answer([raw_recorder()], []))
    f = by_region(run(aws, [RECORDER]))["us-east-1"]
    assert f.status is Status.UNKNOWN and "was not reported" in f.message


def test_unreadable_region_is_unknown_and_global_types_undecided(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder(aws, "us-east-1", group=ALL_REGIONAL)
    stub_error(monkeypatch, "config", "describe_configuration_recorders", region="eu-west-1")
    got = by_region(run(aws, [RECORDER], TWO))
    assert got["us-east-1"].status is Status.PASS
    denied = got["eu-west-1"]
    assert denied.status is Status.UNKNOWN
    assert "config:DescribeConfigurationRecorders" in denied.message
    assert got["global"].status is Status.UNKNOWN
    assert got["global"].evidence["unreadable_regions"] == ["eu-west-1"]


def test_unreadable_region_does_not_hide_global_types_found_elsewhere(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder(aws, "us-east-1")
    stub_error(monkeypatch, "config", "describe_configuration_recorders", region="eu-west-1")
    got = by_region(run(aws, [RECORDER], TWO))
    assert got["eu-west-1"].status is Status.UNKNOWN
    assert got["global"].status is Status.PASS


# -- config.delivery_channel_ok -------------------------------------------------------------


def test_delivery_channel_pass_fail_and_not_applicable(aws: boto3.Session) -> None:
    recorder(aws, "us-east-1")
    recorder(aws, "eu-west-1", channel=False, start=False)
    got = {f.region: f for f in findings(run(aws, [CHANNEL], [*TWO, "ap-southeast-2"]), CHANNEL)}
    ok = got["us-east-1"]
    assert ok.status is Status.PASS
    assert "delivers to s3://config-us-east-1" in ok.message
    assert ok.evidence["channels"][0]["configSnapshotDeliveryInfo"]["lastStatus"] == "Success"
    missing = got["eu-west-1"]
    assert missing.status is Status.FAIL
    assert "recorder 'default' has no delivery channel" in missing.message
    assert "put-delivery-channel" in missing.remediation
    nothing = got["ap-southeast-2"]
    assert nothing.status is Status.NOT_APPLICABLE
    assert "no configuration recorder and no delivery channel" in nothing.message


def test_failed_snapshot_delivery_while_recording_fails(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = {"name": "default", "s3BucketName": "config-logs"}
    status = {
        "name": "default",
        "configSnapshotDeliveryInfo": {
            "lastStatus": "Failure",
            "lastErrorCode": "NoSuchBucket",
            "lastErrorMessage": "The specified bucket does not exist",
            "lastAttemptTime": T0,
        },
        "configHistoryDeliveryInfo": {"lastStatus": "Success"},
        "configStreamDeliveryInfo": {"lastStatus": "Not_Applicable"},
    }
    stub_client(
        monkeypatch,
        "config",
        [
            ("describe_delivery_channels", {"DeliveryChannels": [channel]}),
            ("describe_configuration_recorders", {"ConfigurationRecorders": [raw_recorder()]}),
            ("describe_delivery_channel_status", {"DeliveryChannelsStatus": [status]}),
        ],
    )
    f = only(run(aws, [CHANNEL]), CHANNEL)
    assert f.status is Status.FAIL
    assert f.message == (
        "channel 'default' snapshot delivery failed (NoSuchBucket: The specified bucket does "
        "not exist) while recorder 'default' exists"
    )


@pytest.mark.parametrize(
    ("script", "action"),
    [
        pytest.param(
            [("describe_delivery_channels", "AccessDeniedException")],
            "config:DescribeDeliveryChannels",
            id="channels",
        ),
        pytest.param(
            [
                ("describe_delivery_channels", {"DeliveryChannels": [{"name": "default"}]}),
                ("describe_configuration_recorders", {"ConfigurationRecorders": []}),
                ("describe_delivery_channel_status", "AccessDeniedException"),
            ],
            "config:DescribeDeliveryChannelStatus",
            id="channel-status",
        ),
        pytest.param(
            [
                ("describe_delivery_channels", {"DeliveryChannels": []}),
                ("describe_configuration_recorders", "AccessDeniedException"),
            ],
            "config:DescribeConfigurationRecorders",
            id="no-channel-recorders-unreadable",
        ),
    ],
)
def test_delivery_channel_unknown_on_read_errors(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch, script: list[tuple[str, Any]], action: str
) -> None:
    stub_client(monkeypatch, "config", script)
    f = only(run(aws, [CHANNEL]), CHANNEL)
    assert f.status is Status.UNKNOWN
    assert action in f.message


# -- declared permissions --------------------------------------------------------------------


def test_seed_makes_every_declared_read_with_no_unknown(aws: boto3.Session) -> None:
    seed_every_config_read(aws)
    for check_id in (RECORDER, CHANNEL, "lambda.xray_active"):
        c = next(c for c in REGISTRY.all() if c.id == check_id)
        used: set[str] = set()

        def record(service: str, op: str, region: str, params: Any, used: set[str] = used) -> None:
            used.add(iam_action(service, op))

        report = scan(aws, checks=[check_id], regions=TWO, on_request=record)
        assert report.findings and all(f.status is not Status.UNKNOWN for f in report.findings)
        assert used - set(ENGINE_PERMISSIONS) == set(c.meta.permissions), check_id
    statuses = {(f.region, f.status) for f in findings(run(aws, [RECORDER], TWO), RECORDER)}
    assert statuses == {(r, Status.PASS) for r in [*TWO, "global"]}
