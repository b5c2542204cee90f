"""`awsobs demo`: the API Gateway client-error alarms, asynchronous Lambda failure handling
and TreatMissingData cases of awsobs/demo/alarms_misc.py show a PASS and a FAIL of each
check, and no UNKNOWN.
"""

from __future__ import annotations

import pytest

from awsobs import Report, Status

CHECKS = (
    "apigw.rest.client_error_alarms",
    "apigw.v2.client_error_alarms",
    "lambda.async_failure_destination",
    "cloudwatch.alarm_missing_data",
)
FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:{}"
ALARM = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:{}"
Got = dict[tuple[str, str], tuple[Status, str]]


@pytest.fixture(scope="module")
def got(demo_report: Report) -> Got:
    return {
        (f.check_id, f.resource_id): (f.status, f.message)
        for f in demo_report.findings
        if f.check_id in CHECKS
    }


def stage(got: Got, check: str, name: str) -> tuple[Status, str]:
    """The finding of `check` on the us-east-1 stage called `name`."""
    (found,) = [v for (c, r), v in got.items() if c == check and r.endswith(f"/stages/{name}")]
    return found


def test_no_finding_of_these_checks_is_unknown(got: Got) -> None:
    assert [m for s, m in got.values() if s is Status.UNKNOWN] == []


def test_rest_client_error_alarms(got: Got) -> None:
    check = "apigw.rest.client_error_alarms"
    assert stage(got, check, "prod")[0] is Status.PASS
    status, message = stage(got, check, "dev")
    assert status is Status.FAIL and "no alarm on 4XXError" in message


def test_http_client_error_alarms(got: Got) -> None:
    check = "apigw.v2.client_error_alarms"
    assert stage(got, check, "live")[0] is Status.PASS
    status, message = stage(got, check, "beta")
    assert status is Status.FAIL
    assert "alarm 'storefront-beta-4xx' watches AWS/ApiGateway 4xx (ApiName=storefront" in message


def test_async_failure_destination(got: Got) -> None:
    check = "lambda.async_failure_destination"

    def status(name: str) -> Status:
        return got[(check, FUNCTION.format(name))][0]

    assert status("resize-images") is Status.FAIL
    assert status("order-events") is Status.PASS  # on-failure destination
    assert status("mail-bounces") is Status.PASS  # dead-letter queue
    assert status("report-api") is Status.NOT_APPLICABLE  # API Gateway: synchronous
    assert "invoked asynchronously by S3" in got[(check, FUNCTION.format("resize-images"))][1]


def test_alarm_missing_data(got: Got) -> None:
    check = "cloudwatch.alarm_missing_data"

    def finding(name: str) -> tuple[Status, str]:
        return got[(check, ALARM.format(name))]

    status, message = finding("web-1-memory")
    assert status is Status.FAIL and "TreatMissingData=notBreaching" in message
    assert finding("web-1-disk")[0] is Status.PASS
    assert finding("web-1-status")[0] is Status.PASS  # the default: missing
    status, message = finding("resize-images-errors")
    assert status is Status.PASS and "fires whenever nothing happens" in message
