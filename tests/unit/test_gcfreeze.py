"""The scan keeps the garbage collector off its long-lived objects (awsobs/gcfreeze.py),
and gives them back when it ends; a process that froze objects itself is left alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import boto3
import pytest
from helpers import run

from awsobs import gcfreeze
from awsobs.aws.gateway import Gateway


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_scan_freezes_its_clients_and_unfreezes_at_the_end(
    aws: boto3.Session, unfrozen: None
) -> None:
    during: list[int] = []
    with gcfreeze.scanning():
        Gateway(aws).call("dynamodb", "ListTables", "us-east-1")  # makes a client: settle()
        during.append(gc.get_freeze_count())
    assert during[0] > 10_000  # botocore's models and handlers, frozen
    assert gc.get_freeze_count() == 0  # given back to the collector


def test_nested_scans_unfreeze_only_when_the_outermost_ends(unfrozen: None) -> None:
    with gcfreeze.scanning():
        with gcfreeze.scanning():
            gcfreeze.settle()
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_objects_the_process_froze_itself_stay_frozen_and_nothing_more_is(
    aws: boto3.Session, unfrozen: None
) -> None:
    gc.freeze()
    mine = gc.get_freeze_count()
    report = run(aws, ["cloudtrail.multi_region"])
    assert report.findings
    # Reference counting still frees some of the process's frozen objects, so the count
    # may fall; it must neither grow (awsobs froze its clients) nor drop to 0 (unfroze).
    assert 0 < gc.get_freeze_count() <= mine


def test_outside_a_scan_nothing_is_frozen(aws: boto3.Session, unfrozen: None) -> None:
    Gateway(aws).call("dynamodb", "ListTables", "us-east-1")
    gcfreeze.settle()
    assert gc.get_freeze_count() == 0


def test_scan_leaves_nothing_frozen(aws: boto3.Session, unfrozen: None) -> None:
    run(
        aws,
        ["cloudtrail.multi_region", "logs.retention_defined"],
        regions=["us-east-1", "eu-west-1"],
    )
    assert gc.get_freeze_count() == 0
