"""The check registry: `@check(...)` declares a check beside its function.

Built-in checks register when their module in `awsobs.checks` is imported; third-party
checks register when their package's `awsobs.checks` entry point is loaded. A plugin that
fails to load is recorded (and reported by the scan), never silently dropped.
"""

from __future__ import annotations

import fnmatch
import functools
import importlib
import inspect
import pkgutil
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from awsobs.aws.readpolicy import is_sendable_action
from awsobs.compliance import compliance_problems
from awsobs.errors import UsageError
from awsobs.model import CheckMeta, Finding, Scope, Severity, Signal

if TYPE_CHECKING:
    from awsobs.context import Context

CheckFunction = Callable[["Context"], Iterable[Finding]]

ENTRY_POINT_GROUP = "awsobs.checks"
BUILTIN_MODULES = (
    "awsobs.checks.cloudtrail.trails",
    "awsobs.checks.cloudtrail.delivery",
    "awsobs.checks.cloudtrail.bucket",
    "awsobs.checks.cloudtrail.data_events",
    "awsobs.checks.apigw.account",
    "awsobs.checks.apigw.rest",
    "awsobs.checks.apigw.v2",
    "awsobs.checks.ec2.agent",
    "awsobs.checks.ec2.ssm",
    "awsobs.checks.ec2.monitoring",
    "awsobs.checks.apigw.alarms",
    "awsobs.checks.dynamodb.alarms",
    "awsobs.checks.lambda_.alarms",
    "awsobs.checks.ec2.alarms",
    "awsobs.checks.cloudwatch.hygiene",
    "awsobs.checks.s3.metrics",
    "awsobs.checks.cwalarm.chain",
    "awsobs.checks.logs.retention",
    "awsobs.checks.lambda_.log_retention",
    "awsobs.checks.s3.access_logging",
    "awsobs.checks.vpc.flow_logs",
    "awsobs.checks.config.recorder",
    "awsobs.checks.lambda_.tracing",
)


@functools.cache
def builtin_modules() -> tuple[str, ...]:
    """BUILTIN_MODULES, then any other module of an area package under awsobs/checks/
    (sorted): a new check module is picked up where it is written, and the order of the
    existing ones, which is the catalogue's and the reports', stays as listed. Walked once
    per process."""
    import awsobs.checks

    found = [
        info.name
        for info in pkgutil.walk_packages(awsobs.checks.__path__, "awsobs.checks.")
        if not info.ispkg and info.name.count(".") == 3
    ]
    return (*BUILTIN_MODULES, *sorted(set(found) - set(BUILTIN_MODULES)))


_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_RESOURCE_TYPE = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]*::[A-Za-z0-9]+$")
_PERMISSION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9*]+$")


class Check:
    """A registered check: its metadata plus the function that evaluates it.

    Calling it with a `Context` runs the function, so each checker stays usable on its own.
    """

    def __init__(self, meta: CheckMeta, func: CheckFunction) -> None:
        self.meta = meta
        self.func = func
        self.__doc__ = func.__doc__
        self.__name__ = func.__name__
        self.__module__ = func.__module__
        self.__wrapped__ = func

    @property
    def id(self) -> str:
        return self.meta.id

    def __call__(self, ctx: Context) -> Iterable[Finding]:
        return self.func(ctx)

    def __repr__(self) -> str:
        return f"<Check {self.meta.id}>"


class Registry:
    """Checks by id; `all()` lists them in a stable order."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}
        self._lock = threading.RLock()
        self._loaded = False
        self.plugin_errors: list[str] = []

    def add(self, chk: Check) -> None:
        """Register `chk`. The same function defined again (same module and qualified
        name: a notebook cell or a module re-run, `importlib.reload`) replaces the old
        one; a different function under an id already taken is refused."""
        with self._lock:
            existing = self._checks.get(chk.id)
            if existing is not None and not _same_definition(existing.func, chk.func):
                where = f"{existing.func.__module__}.{existing.func.__qualname__}"
                raise ValueError(f"check id {chk.id!r} is already registered by {where}")
            self._checks[chk.id] = chk

    def load(self) -> None:
        """Import built-in check modules and entry-point plugins, once."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            for module in builtin_modules():
                importlib.import_module(module)
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                try:
                    ep.load()
                except Exception as exc:  # a broken plugin must not stop the built-in checks
                    self.plugin_errors.append(
                        f"could not load checks from plugin '{ep.name}' ({ep.value}): "
                        f"{type(exc).__name__}: {exc}"
                    )

    def get(self, check_id: str) -> Check | None:
        """The check with this id (built-in or plugin), None when there is none."""
        self.load()
        with self._lock:
            return self._checks.get(check_id)

    def all(self) -> list[Check]:
        """Built-in checks in `builtin_modules()` order, then plugins in registration order:
        the same order however the modules happened to be imported."""
        self.load()
        rank = {module: i for i, module in enumerate(builtin_modules())}
        with self._lock:
            checks = list(self._checks.values())
        return sorted(checks, key=lambda c: rank.get(c.__module__, len(rank)))

    def select(
        self,
        include: Iterable[str | Check] | None = None,
        exclude: Iterable[str] | None = None,
    ) -> list[Check]:
        """Checks matching any of `include` (ids, globs or Check objects) and none of `exclude`.

        A pattern that matches nothing is a usage error, so a typo never means "no checks".
        Only `include=None` means every check: an empty `include` (`[]`), or one whose
        strings hold no pattern (`[""]`, `[",,"]`), is a `UsageError` too, since a scan of
        no check would pass every gate. `exclude=None` or `[]` excludes nothing, but an
        `exclude` whose strings hold no pattern is an error, like the same `include`.
        """
        available = self.all()
        chosen: dict[str, Check] = {}
        if include is not None:
            include = list(include)
            if not include:
                raise UsageError("checks is empty: no check to run (pass None to run every check)")
        if exclude is not None:
            exclude = list(exclude)
        for name, given in (("checks", include), ("exclude_checks", exclude)):
            if given and not any(True for _ in _expand(given)):
                shown = [g if isinstance(g, str) else g.id for g in given]
                raise UsageError(
                    f"{name} {shown!r} names no check id or glob (see `awsobs checks`)"
                )
        for pattern in _expand(include) if include is not None else ["*"]:
            if isinstance(pattern, Check):
                chosen.setdefault(pattern.id, pattern)
                continue
            matched = [c for c in available if fnmatch.fnmatchcase(c.id, pattern)]
            if not matched:
                raise UsageError(f"no check matches '{pattern}' (see `awsobs checks`)")
            for c in matched:
                chosen.setdefault(c.id, c)
        for pattern in _expand(exclude or []):
            if not isinstance(pattern, str):
                raise UsageError("exclude patterns must be check ids or globs")
            if not any(fnmatch.fnmatchcase(c.id, pattern) for c in available):
                raise UsageError(f"no check matches '{pattern}' (see `awsobs checks`)")
            chosen = {k: v for k, v in chosen.items() if not fnmatch.fnmatchcase(k, pattern)}
        order = {c.id: i for i, c in enumerate(available)}
        return sorted(chosen.values(), key=lambda c: (order.get(c.id, len(order)), c.id))


def _expand(patterns: Iterable[str | Check]) -> Iterator[str | Check]:
    """Accept both repeated flags and comma-separated lists."""
    for p in patterns:
        if isinstance(p, str):
            yield from (part.strip() for part in p.split(",") if part.strip())
        else:
            yield p


REGISTRY = Registry()


def _same_definition(old: CheckFunction, new: CheckFunction) -> bool:
    """Is `new` the same source definition as `old`, run again?"""
    return old is new or (
        getattr(old, "__module__", None) == getattr(new, "__module__", None)
        and getattr(old, "__qualname__", None) == getattr(new, "__qualname__", None)
    )


def check(
    *,
    id: str,
    title: str,
    severity: Severity,
    permissions: Iterable[str],
    remediation: str,
    scope: Scope | str = Scope.REGION,
    docs: str | None = None,
    options: Mapping[str, Any] | None = None,
    signal: Signal | str | None = None,
    resource_types: Iterable[str] = (),
    compliance: Mapping[str, Iterable[str]] | None = None,
    compliance_note: str | None = None,
    registry: Registry | None = None,
) -> Callable[[CheckFunction], Check]:
    """Register a check. `docs` defaults to the function's docstring.

    `signal` (audit, logs, metrics, alarms, traces, config) is the column of the resource
    map its findings fill, and `resource_types` the kinds of resource it judges (`*`: every
    kind); a check without a signal is listed in reports but not on the map.
    `compliance` maps framework ids (awsobs.compliance.FRAMEWORKS) to the requirement or
    control ids the check tests, `compliance_note` says where it is stricter or looser;
    a built-in check takes both from awsobs/compliance/mappings.py.

    `scope="region"` runs the function once per scanned region (`ctx.region` is set);
    `scope="account"` runs it once per account (`ctx.regions` lists the scanned regions).
    `options` declares tunable values and their defaults (`ctx.option(name)`).
    """

    def decorate(func: CheckFunction) -> Check:
        text = docs if docs is not None else inspect.getdoc(func) or ""
        mapped, note = _compliance(id, compliance, compliance_note)
        meta = CheckMeta(
            id=id,
            title=title,
            severity=Severity(severity),
            permissions=tuple(permissions),
            remediation=remediation,
            docs=text,
            scope=Scope(scope),
            options=dict(options or {}),
            signal=_signal(id, signal),
            resource_types=tuple(resource_types),
            compliance=mapped,
            compliance_note=note,
        )
        problems = validate_meta(meta)
        if problems:
            raise ValueError(f"check {id!r}: " + "; ".join(problems))
        chk = Check(meta, func)
        (registry or REGISTRY).add(chk)
        return chk

    return decorate


def _compliance(
    check_id: str, given: Mapping[str, Iterable[str]] | None, note: str | None
) -> tuple[dict[str, tuple[str, ...]], str]:
    """The mappings given to @check, else the built-in table's (none for a plugin)."""
    if given is not None:
        return {k: tuple(v) for k, v in given.items()}, note or ""
    from awsobs.compliance import builtin_mapping

    found = builtin_mapping(check_id)
    if found is None:
        return {}, note or ""
    return found[0], note if note is not None else found[1]


def _signal(check_id: str, signal: Signal | str | None) -> Signal | None:
    if signal is None:
        return None
    try:
        return Signal(signal)
    except ValueError:
        names = ", ".join(s.value for s in Signal)
        raise ValueError(f"check {check_id!r}: signal {signal!r} is not one of {names}") from None


def validate_meta(meta: CheckMeta) -> list[str]:
    """What is wrong with a check's metadata (empty when complete)."""
    problems = []
    if not _ID.match(meta.id):
        problems.append("id must be dotted lower case, like 'area.control'")
    if not meta.title.strip():
        problems.append("title is empty")
    if not meta.remediation.strip():
        problems.append("remediation is empty")
    if not meta.docs.strip():
        problems.append("docs are empty (give the function a docstring)")
    if not meta.permissions:
        problems.append("no IAM permissions declared")
    bad = [p for p in meta.permissions if not _PERMISSION.match(p)]
    if bad:
        problems.append(f"malformed permissions {bad}")
    problems += compliance_problems(meta.compliance)
    kinds = [t for t in meta.resource_types if t != "*" and not _RESOURCE_TYPE.match(t)]
    if kinds:
        problems.append(f"resource_types {kinds} are not CloudFormation type names or '*'")
    never = [p for p in meta.permissions if p not in bad and not is_sendable_action(p)]
    if never:
        problems.append(
            f"permissions {never} are never sent: awsobs sends only reads, and no read of "
            "secrets or content"
        )
    return problems
