"""Helpers for tests: run a scan, pick findings, seed moto with trails and users."""

from __future__ import annotations

import contextlib
import http.client
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.loaders
import botocore.session
import pytest

from awsobs import Finding, Report, Status, scan

# The repository's root and the tests' data files, for every test that reads a file.
REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"

# One botocore data loader for every test session: service models are parsed once per test
# run instead of once per test (halves client creation). It holds only AWS's model files.
_LOADER = botocore.loaders.create_loader()


THROTTLED = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded"
    b"</Message></Error><RequestId>1</RequestId></ErrorResponse>"
)
"""A query-protocol (STS) throttling answer, for local servers standing in for AWS."""


@contextlib.contextmanager
def local_endpoint(
    handler: type[http.server.BaseHTTPRequestHandler], mp: pytest.MonkeyPatch
) -> Iterator[http.server.ThreadingHTTPServer]:
    """Serve `handler` on a free 127.0.0.1 port, with AWS_ENDPOINT_URL pointing at it."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    mp.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{httpd.server_port}")
    try:
        yield httpd
    finally:
        httpd.shutdown()


@contextlib.contextmanager
def proxy_to(
    endpoint: str,
    before: Callable[[http.server.BaseHTTPRequestHandler, bytes], bool],
    mp: pytest.MonkeyPatch,
) -> Iterator[str]:
    """A proxy on a free 127.0.0.1 port (AWS_ENDPOINT_URL points at it) relaying each
    request to `endpoint`, after `before(request, body)`, which may delay it or return
    False to answer nothing; yields its URL."""
    target = urlsplit(endpoint)

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if not before(self, body):
                return
            upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            upstream.close()

        do_GET = do_PUT = do_DELETE = do_HEAD = do_POST

        def log_message(self, *args: Any) -> None:
            pass

    with local_endpoint(Proxy, mp) as httpd:
        yield f"http://127.0.0.1:{httpd.server_port}"


def new_session(**kwargs: Any) -> boto3.Session:
    """A boto3 Session like `boto3.Session(**kwargs)`, sharing the parsed service models."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _LOADER)
    return boto3.Session(botocore_session=core, **kwargs)


_NO_AMIS = DATA / "no-amis.json"


def isolate_aws_env(mp: pytest.MonkeyPatch, tmp: Path) -> None:
    """Fake credentials, no profile, no config file and no endpoint of the developer's,
    so nothing can reach a real AWS endpoint; config and credentials files under `tmp`."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            mp.delenv(name)
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
    mp.setenv("AWS_CONFIG_FILE", str(tmp / "aws-config"))
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "aws-credentials"))
    # moto loads hundreds of default AMIs whenever it builds an EC2 backend (our
    # DescribeRegions does, in every test); no test uses AMIs.
    mp.setenv("MOTO_AMIS_PATH", str(_NO_AMIS))


ACCOUNT = "123456789012"
ORG_ACCOUNT = "111111111111"


def run(
    session: boto3.Session,
    checks: Iterable[str],
    regions: Iterable[str] = ("us-east-1",),
    **kw: Any,
) -> Report:
    return scan(session, checks=list(checks), regions=list(regions), **kw)


def findings(report: Report, check_id: str) -> list[Finding]:
    return [f for f in report.findings if f.check_id == check_id]


def only(report: Report, check_id: str) -> Finding:
    """The single finding of `check_id` (fails the test when there is not exactly one)."""
    found = findings(report, check_id)
    assert len(found) == 1, [f"{f.status} {f.resource_id} {f.message}" for f in found]
    return found[0]


def statuses(report: Report, check_id: str) -> dict[str, Status]:
    """resource_id -> status for one check."""
    return {f.resource_id: f.status for f in findings(report, check_id)}


def bucket(session: boto3.Session, name: str, region: str = "us-east-1") -> None:
    s3 = session.client("s3", region_name=region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=name)
    else:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def trail(
    session: boto3.Session,
    name: str,
    region: str = "us-east-1",
    *,
    multi_region: bool = False,
    logging: bool = True,
    selectors: list[dict[str, Any]] | None = None,
    advanced: list[dict[str, Any]] | None = None,
    bucket_name: str | None = None,
    **extra: Any,
) -> str:
    """Create a trail (and its bucket); returns the trail ARN."""
    bucket_name = bucket_name or f"{name}-logs"
    s3 = session.client("s3", region_name=region)
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket_name not in existing:
        bucket(session, bucket_name, region)
    ct = session.client("cloudtrail", region_name=region)
    arn: str = ct.create_trail(
        Name=name, S3BucketName=bucket_name, IsMultiRegionTrail=multi_region, **extra
    )["TrailARN"]
    if selectors is not None:
        ct.put_event_selectors(TrailName=name, EventSelectors=selectors)
    if advanced is not None:
        ct.put_event_selectors(TrailName=name, AdvancedEventSelectors=advanced)
    if logging:
        ct.start_logging(Name=name)
    return arn


MGMT_ALL = [
    {"Name": "mgmt", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
]


def assume(session: boto3.Session, account: str) -> boto3.Session:
    """A session in another moto account (moto maps assumed-role credentials to it)."""
    creds = session.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/awsobs-test", RoleSessionName="awsobs-test"
    )["Credentials"]
    return new_session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name="us-east-1",
    )


def restricted_session(session: boto3.Session, allow: list[str], deny: list[str]) -> boto3.Session:
    """Credentials of an IAM user allowed `allow` and denied `deny` actions.

    Used with moto's IAM enforcement (`set_initial_no_auth_action_count`), so AccessDenied
    comes from moto's own authorizer, as it would from AWS.
    """
    iam = session.client("iam")
    iam.create_user(UserName="scanner")
    statements = [{"Effect": "Allow", "Action": allow, "Resource": "*"}]
    if deny:
        statements.append({"Effect": "Deny", "Action": deny, "Resource": "*"})
    iam.put_user_policy(
        UserName="scanner",
        PolicyName="scan",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    key = iam.create_access_key(UserName="scanner")["AccessKey"]
    return new_session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name="us-east-1",
    )


def stub_client(
    monkeypatch: Any, service: str, script: list[tuple[str, Any]], *, region: str | None = None
) -> None:
    """Make the gateway's `service` client (in `region`, or all) answer `script` in order.

    Each entry is (boto3 method, response dict) or (method, error code). For what moto
    cannot produce: throttling, and AccessDenied on API Gateway reads (moto's signature
    check rejects API Gateway requests when its IAM enforcement is on). The stubbed
    client answers nothing else, so script every call the scan makes on it.
    """
    from botocore.stub import Stubber

    from awsobs.aws.gateway import Gateway

    original = Gateway._client
    own: dict[tuple[int, str], Any] = {}

    def client(self: Gateway, svc: str, where: str) -> Any:
        if svc == service and region == where:
            # One client serves every region of a service (awsobs/aws/clients.py): the
            # region stubbed alone gets a client of its own, made as the pool makes one.
            if (id(self), where) not in own:
                own[id(self), where] = self._pool._make(svc, where)
            made = own[id(self), where]
        else:
            made = original(self, svc, where)
        if svc == service and region in (None, where) and not hasattr(made, "_awsobs_stub"):
            stubber = Stubber(made)
            for method, answer in script:
                if isinstance(answer, str):
                    status = 400 if "Throttl" in answer else 403
                    stubber.add_client_error(method, answer, http_status_code=status)
                else:
                    stubber.add_response(method, answer)
            stubber.activate()
            made._awsobs_stub = stubber
        return made

    monkeypatch.setattr(Gateway, "_client", client)


def stub_error(
    monkeypatch: Any,
    service: str,
    method: str,
    code: str = "AccessDenied",
    *,
    region: str | None = None,
) -> None:
    """Make every `method` call of the gateway's `service` client fail with `code`."""
    stub_client(monkeypatch, service, [(method, code)] * 5, region=region)


def awsobs(
    *args: str, env: dict[str, str] | None = None, **kw: Any
) -> subprocess.CompletedProcess[str]:
    """Run the `awsobs` command (as `python -m awsobs`) in a subprocess."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "awsobs", *args],
        text=True,
        env=env if env is not None else dict(os.environ),
        timeout=120,
        **kw,
    )


def scan_json(*args: str, **kw: Any) -> tuple[int, dict[str, Any]]:
    """`awsobs scan --format json ...`: exit code and parsed report."""
    result = awsobs("scan", "--format", "json", *args, **kw)
    assert result.stdout, result.stderr
    return result.returncode, json.loads(result.stdout)


def verdicts(doc: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(check_id, resource_id) -> status of a JSON report."""
    return {(f["check_id"], f["resource_id"]): f["status"] for f in doc["findings"]}


def assert_sends_exactly_its_permissions(
    session: boto3.Session, check_id: str, regions: Iterable[str] = ("us-east-1", "eu-west-1")
) -> Report:
    """Scan `session` with `check_id` alone: it has findings, none UNKNOWN, and the IAM
    actions it sent (beside the engine's own) are exactly those it declares."""
    from awsobs import REGISTRY
    from awsobs.aws.iam import iam_action
    from awsobs.aws.session import ENGINE_PERMISSIONS

    used: set[str] = set()
    report = scan(
        session,
        checks=[check_id],
        regions=list(regions),
        on_request=lambda service, op, region, params: used.add(iam_action(service, op)),
    )
    assert report.findings
    assert [f.message for f in report.findings if f.status is Status.UNKNOWN] == []
    declared = next(c.meta.permissions for c in REGISTRY.all() if c.id == check_id)
    assert used - set(ENGINE_PERMISSIONS) == set(declared)
    return report


def check_args(**overrides: Any) -> dict[str, Any]:
    """The arguments of a check that registers, in a registry of its own (`check(**...)`)."""
    from awsobs.registry import Registry

    args: dict[str, Any] = {
        "id": "x.ok",
        "title": "t",
        "severity": "low",
        "permissions": ["s3:ListAllMyBuckets"],
        "remediation": "r",
        "docs": "d",
        "registry": Registry(),
    }
    return args | overrides
