"""The registry: complete metadata, declared permissions, plugins, and docs/checks.md."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from helpers import REPO, check_args
from seed_all import SCAN_KW, seed_every_read

import awsobs.cli as cli
from awsobs import REGISTRY, Status, scan
from awsobs.aws.gateway import RequestHook
from awsobs.aws.iam import iam_action
from awsobs.aws.session import ENGINE_PERMISSIONS
from awsobs.model import Severity, Signal
from awsobs.registry import Registry, check, validate_meta
from awsobs.report.catalog import render_catalog
from awsobs.resources import SCOPE_TYPES


def test_every_check_has_complete_metadata() -> None:
    checks = REGISTRY.all()
    assert len(checks) >= 12
    assert len({c.id for c in checks}) == len(checks)
    for c in checks:
        assert validate_meta(c.meta) == [], c.id
        assert c.meta.severity in Severity
        assert c.meta.docs.count(" ") > 10, f"{c.id}: docs say too little"


def test_every_builtin_check_says_which_signal_it_judges() -> None:
    """The resource map has a column per signal; a built-in check off the map is a bug
    (plugins may leave it out: their findings are then listed, not mapped)."""
    missing = [c.id for c in REGISTRY.all() if c.meta.signal is None]
    assert missing == []
    by_signal = {s: [c.id for c in REGISTRY.all() if c.meta.signal is s] for s in Signal}
    assert all(by_signal.values()), "a signal no check judges"
    assert "cloudtrail.trail_logging" in by_signal[Signal.AUDIT]
    assert "lambda.xray_active" in by_signal[Signal.TRACES]


def test_a_signal_or_resource_type_that_is_not_one_is_refused() -> None:
    kwargs = check_args()
    with pytest.raises(ValueError, match="signal"):
        check(**kwargs, signal="telemetry")(lambda ctx: iter(()))
    with pytest.raises(ValueError, match="resource_types"):
        check(**kwargs, signal="logs", resource_types=["S3 bucket"])(lambda ctx: iter(()))


def test_builtin_checks_are_importable_by_a_predictable_name() -> None:
    """`apigw.rest.access_logging` is `rest_access_logging` in its awsobs.checks module."""
    for c in REGISTRY.all():
        if not c.__module__.startswith("awsobs.checks."):
            continue
        expected = c.id.split(".", 1)[1].replace(".", "_")
        assert c.__name__ == expected, c.id
        module = importlib.import_module(c.__module__)
        assert getattr(module, expected) is c


def _define(reg: Registry, title: str = "t") -> Any:
    """The same check definition each call, as a notebook cell re-run makes it."""

    @check(
        id="x.dup",
        title=title,
        severity="low",
        permissions=["s3:ListAllMyBuckets"],
        remediation="r",
        docs="d",
        registry=reg,
    )
    def dup(ctx: Any) -> Iterator[Any]:
        return iter(())

    return dup


def test_running_the_same_definition_again_replaces_it() -> None:
    reg = Registry()
    first = _define(reg)
    second = _define(reg, title="edited in the notebook")  # the cell, edited and re-run
    assert first.func is not second.func
    assert reg._checks["x.dup"] is second
    assert reg._checks["x.dup"].meta.title == "edited in the notebook"


def test_a_different_function_under_a_taken_id_is_refused() -> None:
    reg = Registry()
    _define(reg)

    def other() -> Any:
        @check(**{**check_args(), "id": "x.dup", "registry": reg})
        def dup(ctx: Any) -> Iterator[Any]:
            return iter(())

        return dup

    with pytest.raises(ValueError, match=r"already registered by .*_define\.<locals>\.dup"):
        other()
    assert reg._checks["x.dup"].func.__qualname__.startswith("_define.")


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("id", "CloudTrail.Bad", "dotted lower case"),
        ("permissions", [], "no IAM permissions"),
        ("permissions", ["cloudtrail DescribeTrails"], "malformed permissions"),
        ("remediation", " ", "remediation is empty"),
    ],
)
def test_incomplete_metadata_is_refused(field: str, value: Any, problem: str) -> None:
    kwargs = check_args()
    kwargs[field] = value
    with pytest.raises(ValueError, match=problem):
        check(**kwargs)(lambda ctx: iter(()))


def _recorder(used: set[str]) -> RequestHook:
    return lambda service, op, region, params: used.add(iam_action(service, op))


def test_each_check_uses_only_the_permissions_it_declares(
    aws: boto3.Session, ssm: None, alarm_ext: None
) -> None:
    """Run every check alone on an account that exercises its reads; record each request."""
    seed_every_read(aws)
    for c in REGISTRY.all():
        used: set[str] = set()
        report = scan(
            aws,
            checks=[c],
            **SCAN_KW,
            on_request=_recorder(used),
        )
        assert all(f.status is not Status.UNKNOWN for f in report.findings), c.id
        undeclared = used - set(c.meta.permissions) - set(ENGINE_PERMISSIONS)
        assert not undeclared, f"{c.id} used {undeclared} without declaring them"
        unused = set(c.meta.permissions) - used
        assert not unused, f"{c.id} declares {unused} but never used them"
        # The map puts a finding in its resource's row, or, when it is about a scope (an
        # account, a region), in the rows of the kinds the check declares: so every
        # resource a check reports on must be of a kind it declares.
        stray = {f.resource_type for f in report.findings} - set(c.meta.resource_types)
        assert stray - SCOPE_TYPES == set(), f"{c.id} reports on undeclared kinds"


def test_docs_checks_md_is_generated_from_the_registry() -> None:
    current = (REPO / "docs" / "checks.md").read_text(encoding="utf-8")
    assert current == render_catalog(REGISTRY.all(), "markdown"), (
        "docs/checks.md is stale: run `awsobs checks --format markdown > docs/checks.md`"
    )


# -- third-party checks from the awsobs.checks entry-point group --------------------------


def _install_plugin(root: Path, name: str, module_source: str) -> None:
    """A minimal installed distribution on sys.path: a module and its entry point."""
    (root / f"{name}.py").write_text(textwrap.dedent(module_source))
    info = root / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[awsobs.checks]\n{name} = {name}\n")


@pytest.fixture
def plugin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Plugins under tmp_path; the global registry is restored afterwards."""
    REGISTRY.load()  # the built-in checks first, whichever test runs first
    saved = (dict(REGISTRY._checks), REGISTRY._loaded, list(REGISTRY.plugin_errors))
    monkeypatch.syspath_prepend(str(tmp_path))
    REGISTRY._loaded = False
    yield tmp_path
    REGISTRY._checks, REGISTRY._loaded, REGISTRY.plugin_errors = saved
    for name in [m for m in sys.modules if m.startswith("awsobs_plugin_")]:
        del sys.modules[name]


def test_plugin_checks_load_and_run(plugin_dir: Path, aws: boto3.Session) -> None:
    _install_plugin(
        plugin_dir,
        "awsobs_plugin_good",
        """
        from awsobs import check

        @check(id="acme.always", title="Always passes", severity="info",
               permissions=["sts:GetCallerIdentity"], remediation="nothing",
               docs="A third-party check.", scope="account")
        def always(ctx):
            yield ctx.passed(*ctx.account_resource(), "fine")
        """,
    )
    report = scan(aws, regions=["us-east-1"], checks=["acme.*"])
    assert [(f.check_id, f.status) for f in report.findings] == [("acme.always", Status.PASS)]
    assert report.exit_code() == 0


def test_broken_plugin_is_reported_not_dropped(plugin_dir: Path, aws: boto3.Session) -> None:
    _install_plugin(plugin_dir, "awsobs_plugin_bad", "raise ImportError('missing dependency')\n")
    report = scan(aws, regions=["us-east-1"], checks=["cloudtrail.kms_encryption"])
    assert any("awsobs_plugin_bad" in e and "missing dependency" in e for e in report.errors)
    assert report.exit_code() == 3  # built-in checks ran, but the scan is incomplete


def test_awsobs_checks_lists_a_broken_plugin_with_its_error(
    plugin_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _install_plugin(plugin_dir, "awsobs_plugin_bad", "raise ImportError('missing dependency')\n")
    assert cli.main(["checks"]) == 3  # the list is incomplete, as a scan would be
    out = capsys.readouterr().out
    tail = out.split("\n\nPlugins that failed to load (1): their checks are missing\n", 1)[1]
    assert tail.startswith("  could not load checks from plugin 'awsobs_plugin_bad'")
    assert "ImportError: missing dependency" in tail
    assert "cloudtrail.trail_logging" in out  # the built-in checks are still listed

    # JSON on stdout stays the catalogue alone (a list of checks); the error goes to stderr.
    assert cli.main(["checks", "--format", "json"]) == 3
    captured = capsys.readouterr()
    assert all("id" in c for c in json.loads(captured.out))
    assert captured.err.startswith("awsobs: could not load checks from plugin 'awsobs_plugin_bad'")


def test_awsobs_checks_without_broken_plugins_exits_0(
    plugin_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["checks"]) == 0
    assert "failed to load" not in capsys.readouterr().out


NOTEBOOK_CELL = """
from awsobs import REGISTRY, Finding, check

@check(id="nb.topics", title=TITLE, severity="low", permissions=["sns:ListTopics"],
       remediation="r", docs="d")
def topics(ctx):
    yield from ()

print(REGISTRY.get("nb.topics").meta.title)
"""


def test_a_notebook_cell_run_twice_registers_its_check_once() -> None:
    # A notebook runs cells in __main__: the second run used to raise "already registered".
    script = (
        f"cell = {NOTEBOOK_CELL!r}\n"
        "exec(cell, {'__name__': '__main__', 'TITLE': 'first'})\n"
        "exec(cell, {'__name__': '__main__', 'TITLE': 'second'})\n"
        "from awsobs import REGISTRY\n"
        "print(sum(c.id == 'nb.topics' for c in REGISTRY.all()))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["first", "second", "1"]
