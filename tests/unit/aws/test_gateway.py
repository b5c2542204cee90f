"""The AWS gateway: one request per distinct read, read-only, frozen, typed errors."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import botocore.client
import pytest
from botocore.exceptions import EndpointConnectionError, NoCredentialsError
from botocore.stub import Stubber
from helpers import restricted_session
from moto_ext import iam_enforced

from awsobs.aws.clients import retries_of
from awsobs.aws.errors import AwsError, ErrorKind, ReadOnlyViolation, classify
from awsobs.aws.gateway import Gateway, is_allowed


def test_repeated_read_is_one_request(aws: boto3.Session) -> None:
    gw = Gateway(aws)
    first = gw.call("cloudtrail", "DescribeTrails", "us-east-1", includeShadowTrails=True)
    second = gw.call("cloudtrail", "DescribeTrails", "us-east-1", includeShadowTrails=True)
    assert first is second
    assert gw.calls_by_operation() == {"cloudtrail:DescribeTrails": 1}
    # Different parameters or region are a different read.
    gw.call("cloudtrail", "DescribeTrails", "us-east-1", includeShadowTrails=False)
    gw.call("cloudtrail", "DescribeTrails", "eu-west-1", includeShadowTrails=True)
    assert gw.api_calls == 3


def test_concurrent_askers_share_one_request_in_flight(aws: boto3.Session) -> None:
    sent: list[str] = []

    def slow(service: str, operation: str, region: str, params: Any) -> None:
        sent.append(operation)
        time.sleep(0.3)  # keep the first request in flight while the others ask

    gw = Gateway(aws, on_request=slow)
    barrier = threading.Barrier(16)

    def ask(_: int) -> Any:
        barrier.wait()
        return gw.call("dynamodb", "ListTables", "us-east-1")

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(ask, range(16)))
    assert sent == ["ListTables"]
    assert gw.api_calls == 1
    assert all(r is results[0] for r in results)


def test_requests_in_flight_never_exceed_max_workers(aws: boto3.Session) -> None:
    """Checks and their concurrent reads use two pools; the gateway still caps requests."""
    regions = ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-west-2"]
    gw = Gateway(aws, max_workers=2)
    lock, now, peak = threading.Lock(), [0], [0]

    def sending(**_: Any) -> None:
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.1)
        with lock:
            now[0] -= 1

    for region in regions:
        gw._client("dynamodb", region).meta.events.register("before-call", sending)
    with ThreadPoolExecutor(len(regions)) as pool:
        list(pool.map(lambda r: gw.call("dynamodb", "ListTables", r), regions))
    assert gw.api_calls == len(regions)
    assert peak[0] == 2


def test_pagination_reads_every_page_and_counts_each(aws: boto3.Session) -> None:
    ddb = aws.client("dynamodb")
    for i in range(105):  # ListTables returns at most 100 names per page
        ddb.create_table(
            TableName=f"t{i:03d}",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    gw = Gateway(aws)
    names = gw.call("dynamodb", "ListTables", "us-east-1")["TableNames"]
    assert len(names) == 105
    assert gw.calls_by_operation() == {"dynamodb:ListTables": 2}


def test_max_items_reads_only_the_first_page(aws: boto3.Session) -> None:
    """A "newest stream" read: limit=1 is only the page size, and the gateway pages to the
    end unless the caller asks for at most N items."""
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="g")
    start = int(time.time() * 1000) - 60_000  # moto rejects events older than 14 days
    for i, name in enumerate(["a", "b", "c", "d"]):
        logs.create_log_stream(logGroupName="g", logStreamName=name)
        event = {"timestamp": start + i * 1000, "message": "x"}
        logs.put_log_events(logGroupName="g", logStreamName=name, logEvents=[event])
    newest = {"logGroupName": "g", "orderBy": "LastEventTime", "descending": True, "limit": 1}
    gw = Gateway(aws)
    every = gw.call("logs", "DescribeLogStreams", "us-east-1", **newest)
    assert [s["logStreamName"] for s in every["logStreams"]] == ["d", "c", "b", "a"]
    assert gw.calls_by_operation() == {"logs:DescribeLogStreams": 4}

    gw = Gateway(aws)
    first = gw.call("logs", "DescribeLogStreams", "us-east-1", max_items=1, **newest)
    assert [s["logStreamName"] for s in first["logStreams"]] == ["d"]
    assert "NextToken" in first  # more streams exist
    assert gw.api_calls == 1
    # max_items is part of the memo key: the same read is memoized, another N is another read
    assert gw.call("logs", "DescribeLogStreams", "us-east-1", max_items=1, **newest) is first
    assert gw.api_calls == 1
    two = gw.call("logs", "DescribeLogStreams", "us-east-1", max_items=2, **newest)
    assert [s["logStreamName"] for s in two["logStreams"]] == ["d", "c"]
    assert gw.api_calls == 3  # page size 1: two pages


def test_max_items_with_a_larger_page_is_one_request(aws: boto3.Session) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="log-bucket")
    for i in range(5):
        s3.put_object(Bucket="log-bucket", Key=f"p/{i}", Body=b"")
    gw = Gateway(aws)
    page = gw.call("s3", "ListObjectsV2", "us-east-1", max_items=3, Bucket="log-bucket", MaxKeys=3)
    assert [o["Key"] for o in page["Contents"]] == ["p/0", "p/1", "p/2"]
    assert gw.calls_by_operation() == {"s3:ListObjectsV2": 1}
    # everything fits in the first page: no NextToken
    whole = gw.call(
        "s3", "ListObjectsV2", "us-east-1", max_items=10, Bucket="log-bucket", MaxKeys=10
    )
    assert len(whole["Contents"]) == 5 and "NextToken" not in whole
    assert gw.api_calls == 2


def test_max_items_on_an_operation_that_does_not_page(aws: boto3.Session) -> None:
    aws.client("s3").create_bucket(Bucket="plain-bucket")
    gw = Gateway(aws)
    answer = gw.call("s3", "GetBucketLogging", "us-east-1", max_items=1, Bucket="plain-bucket")
    assert "LoggingEnabled" not in answer
    assert gw.api_calls == 1
    with pytest.raises(ValueError, match="max_items"):
        gw.call(
            "s3",
            "ListObjectsV2",
            "us-east-1",
            Bucket="plain-bucket",
            PaginationConfig={"MaxItems": 1},
        )
    with pytest.raises(ValueError, match="at least 1"):
        gw.call("s3", "ListObjectsV2", "us-east-1", max_items=0, Bucket="plain-bucket")
    assert gw.api_calls == 1


def test_results_are_frozen(aws: boto3.Session) -> None:
    aws.client("s3").create_bucket(Bucket="some-bucket")
    result = Gateway(aws).call("s3", "ListBuckets", "us-east-1")
    with pytest.raises(TypeError):
        result["Buckets"] = []  # type: ignore[index]
    with pytest.raises(TypeError):
        result["Buckets"][0]["Name"] = "other"  # type: ignore[index]
    assert isinstance(result["Buckets"], tuple)


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("cloudtrail", "StopLogging"),
        ("cloudtrail", "PutEventSelectors"),
        ("s3", "PutBucketLogging"),
        ("lambda", "GetFunction"),  # a read, but it returns environment variables
        ("lambda", "GetFunctionConfiguration"),
        ("s3", "GetObject"),
        ("ssm", "GetParameter"),
        ("secretsmanager", "GetSecretValue"),
        ("sts", "GetSessionToken"),
        ("ec2", "DescribeInstanceAttribute"),  # user data
    ],
)
def test_non_reads_and_secret_reads_are_refused_before_sending(
    aws: boto3.Session, service: str, operation: str
) -> None:
    gw = Gateway(aws)
    assert not is_allowed(service, operation)
    with pytest.raises(ReadOnlyViolation):
        gw.call(service, operation, "us-east-1", Name="x")
    assert gw.api_calls == 0


def test_gateway_clients_refuse_writes_even_when_called_directly(aws: boto3.Session) -> None:
    aws.client("s3").create_bucket(Bucket="b-trail")
    aws.client("cloudtrail").create_trail(Name="main", S3BucketName="b-trail")
    gw = Gateway(aws)
    client = gw._client("cloudtrail", "us-east-1")  # second line of defence
    with pytest.raises(ReadOnlyViolation):
        client.start_logging(Name="main")
    assert aws.client("cloudtrail").get_trail_status(Name="main")["IsLogging"] is False


def test_lambda_environment_is_dropped_on_receipt(aws: boto3.Session) -> None:
    import io
    import json
    import zipfile

    role = aws.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps({}))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as zf:
        zf.writestr("h.py", "")
    aws.client("lambda").create_function(
        FunctionName="f",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="h.h",
        Code={"ZipFile": code.getvalue()},
        Environment={"Variables": {"TOKEN": "s3cr3t"}},
    )
    functions = Gateway(aws).call("lambda", "ListFunctions", "us-east-1")["Functions"]
    assert functions[0]["FunctionName"] == "f"
    assert "Environment" not in functions[0]


def test_access_denied_is_typed_cached_and_names_the_action(aws: boto3.Session) -> None:
    scanner = restricted_session(aws, ["sts:GetCallerIdentity"], deny=["cloudtrail:*"])
    gw = Gateway(scanner)
    with iam_enforced():
        with pytest.raises(AwsError) as first:
            gw.call("cloudtrail", "GetEventSelectors", "us-east-1", TrailName="arn:x")
        with pytest.raises(AwsError) as second:
            gw.call("cloudtrail", "GetEventSelectors", "us-east-1", TrailName="arn:x")
    assert first.value is second.value
    assert first.value.kind is ErrorKind.ACCESS_DENIED
    assert first.value.describe() == "access denied to cloudtrail:GetEventSelectors in us-east-1"
    assert gw.api_calls == 1


def test_throttling_past_retries_is_typed(aws: boto3.Session) -> None:
    # moto never throttles: stub this one operation with botocore's Stubber.
    gw = Gateway(aws)
    stubber = Stubber(gw._client("cloudtrail", "us-east-1"))
    stubber.add_client_error("describe_trails", "ThrottlingException", http_status_code=400)
    with stubber, pytest.raises(AwsError) as err:
        gw.call("cloudtrail", "DescribeTrails", "us-east-1", includeShadowTrails=True)
    assert err.value.kind is ErrorKind.THROTTLED
    assert "cloudtrail:DescribeTrails was throttled" in err.value.describe()


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (
            EndpointConnectionError(endpoint_url="https://cloudtrail.x"),
            ErrorKind.UNREACHABLE,
        ),
        (NoCredentialsError(), ErrorKind.CREDENTIALS),
    ],
)
def test_transport_errors_are_typed(exc: Exception, kind: ErrorKind) -> None:
    assert classify(exc, "cloudtrail", "DescribeTrails", "ap-east-1").kind is kind


def test_s3_list_buckets_denied_names_the_iam_action(aws: boto3.Session) -> None:
    scanner = restricted_session(aws, ["sts:GetCallerIdentity"], deny=["s3:*"])
    with iam_enforced(), pytest.raises(AwsError) as err:
        Gateway(scanner).call("s3", "ListBuckets", "us-east-1")
    assert err.value.action == "s3:ListAllMyBuckets"


def test_listing_keys_is_authorised_as_s3_list_bucket(aws: boto3.Session) -> None:
    """ListObjectsV2 has no IAM action of its own: a policy allows it as s3:ListBucket (as
    moto's authorizer does, like AWS's)."""
    aws.client("s3").create_bucket(Bucket="key-bucket")
    allowed = restricted_session(aws, ["s3:ListBucket"], deny=[])
    with iam_enforced():
        Gateway(allowed).call("s3", "ListObjectsV2", "us-east-1", Bucket="key-bucket")


def test_listing_keys_denied_names_s3_list_bucket(aws: boto3.Session) -> None:
    aws.client("s3").create_bucket(Bucket="key-bucket")
    denied = restricted_session(aws, ["s3:*"], deny=["s3:ListBucket"])
    with iam_enforced(), pytest.raises(AwsError) as err:
        Gateway(denied).call("s3", "ListObjectsV2", "us-east-1", Bucket="key-bucket")
    assert err.value.kind is ErrorKind.ACCESS_DENIED
    assert err.value.action == "s3:ListBucket"
    assert "access denied to s3:ListBucket" in err.value.describe()


class _Always500(http.server.BaseHTTPRequestHandler):
    requests = 0

    def do_POST(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def failing_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Always500]]:
    """AWS_ENDPOINT_URL at a local server that answers every request with an HTTP 500."""
    handler = type("Handler", (_Always500,), {"requests": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_port}")
    yield handler
    server.shutdown()


def test_users_retry_settings_are_honoured(
    failing_endpoint: type[_Always500], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    with pytest.raises(AwsError) as err:
        Gateway(boto3.Session(region_name="us-east-1")).call(
            "sts", "GetCallerIdentity", "us-east-1"
        )
    assert failing_endpoint.requests == 2  # AWS_MAX_ATTEMPTS, not awsobs's default of 8
    assert err.value.kind is ErrorKind.ERROR


def test_default_retries_are_adaptive_with_eight_attempts() -> None:
    assert retries_of(boto3.Session(region_name="us-east-1")) == ("adaptive", 8)


def test_unexpected_transport_failure_is_a_typed_error(aws: boto3.Session) -> None:
    gw = Gateway(aws)

    def broken(**_: Any) -> None:
        raise RuntimeError("connection pool exploded")

    gw._client("sts", "us-east-1").meta.events.register("before-send", broken)
    with pytest.raises(AwsError) as err:
        gw.call("sts", "GetCallerIdentity", "us-east-1")
    assert err.value.kind is ErrorKind.ERROR
    assert err.value.describe() == (
        "sts:GetCallerIdentity failed in us-east-1: RuntimeError: connection pool exploded"
    )


def test_an_error_page_is_described_in_words(
    failing_endpoint: type[_Always500], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    with pytest.raises(AwsError) as err:
        Gateway(boto3.Session(region_name="us-east-1")).call(
            "ssm", "DescribeInstanceInformation", "us-east-1"
        )
    assert err.value.describe().startswith(
        "ssm:DescribeInstanceInformation failed in us-east-1: HTTP 500"
    )


def test_clients_of_a_service_share_one_class_within_a_gateway(aws: boto3.Session) -> None:
    """botocore builds a client class per client; the gateway builds it once per service,
    and only for its own clients. (S3 has a client per region; other services one.)"""
    gateway = Gateway(aws)
    east, west = gateway._client("s3", "us-east-1"), gateway._client("s3", "eu-west-1")
    assert east is not west and type(east) is type(west)
    assert east.meta.region_name == "us-east-1" and west.meta.region_name == "eu-west-1"
    assert type(gateway._client("ec2", "us-east-1")) is not type(east)
    assert type(Gateway(aws)._client("s3", "us-east-1")) is not type(east)  # per gateway
    mine = aws.client("s3", region_name="us-east-1")  # a user's own client: untouched
    assert type(mine) is not type(east)
    gateway.call("s3", "ListBuckets", "eu-west-1")  # and the shared class works
    assert _botocore_unchanged()


def _botocore_unchanged() -> bool:
    method = botocore.client.ClientCreator.__dict__["_create_client_class"]
    return bool(method.__module__ == "botocore.client")


def test_importing_awsobs_leaves_botocore_as_it_came() -> None:
    # A fresh interpreter: import everything awsobs has, then look at botocore's class.
    script = (
        "import botocore.client, awsobs, awsobs.engine, awsobs.aws.gateway, awsobs.cli\n"
        "from awsobs import REGISTRY; REGISTRY.all()\n"
        "m = botocore.client.ClientCreator.__dict__['_create_client_class']\n"
        "print(m.__module__, m.__qualname__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["botocore.client", "ClientCreator._create_client_class"]


def test_clients_made_beside_a_gateway_keep_their_own_class(aws: boto3.Session) -> None:
    # While gateways create clients on many threads, everyone else's clients are botocore's.
    gateways = [Gateway(aws) for _ in range(4)]
    regions = ["us-east-1", "eu-west-1", "us-west-2", "ap-south-1"]
    with ThreadPoolExecutor(8) as pool:
        made = list(pool.map(lambda i: gateways[i % 4]._client("ec2", regions[i // 4]), range(16)))
        mine = list(pool.map(lambda r: aws.client("ec2", region_name=r), regions))
    assert len({type(c) for c in made}) == 4  # one class per gateway, shared by its regions
    assert not {type(c) for c in mine} & {type(c) for c in made}
    assert _botocore_unchanged()


def test_an_endpoint_override_to_an_address_gets_every_request(
    moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """s3control's endpoint rules put `<account>.` in front of the host; with
    AWS_ENDPOINT_URL at 127.0.0.1 that name resolves nowhere (or elsewhere), so the
    account's Block Public Access read would fail. Every request goes to the address."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    gateway = Gateway(session)
    sent: list[str] = []
    gateway._client("s3control", "us-east-1").meta.events.register(
        "before-send", lambda request, **_: sent.append(request.url)
    )
    with pytest.raises(AwsError) as err:  # moto: no account-level block configured
        gateway.call("s3control", "GetPublicAccessBlock", "us-east-1", AccountId="123456789012")
    assert err.value.kind is ErrorKind.NOT_FOUND, err.value.describe()
    assert sent and all(url.startswith(moto_server + "/") for url in sent), sent
