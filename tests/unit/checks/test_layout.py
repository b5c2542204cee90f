"""The layout rules that keep a check id leading to its folder (docs/design.md):

- a check id's first segment names the package under `awsobs/checks/` that defines it
  (`lambda_` for `lambda.*`, since `lambda` is a Python keyword);
- no module under `awsobs/checks/` imports a module that registers checks, or an area
  package (whose attributes are its checks): what two areas share lives in a readers
  module or `_shared.py`, so data flows from readers to checks and never sideways.
"""

from __future__ import annotations

import ast
import keyword
from pathlib import Path

from helpers import REPO

from awsobs.registry import BUILTIN_MODULES, REGISTRY

CHECKS = REPO / "awsobs" / "checks"


def _package_of(check_id: str) -> str:
    area = check_id.split(".", 1)[0]
    return area + "_" if keyword.iskeyword(area) else area


def test_a_check_id_leads_to_its_package() -> None:
    wrong = [
        (c.id, c.__module__)
        for c in REGISTRY.all()
        if c.__module__.startswith("awsobs.")
        and not c.__module__.startswith(f"awsobs.checks.{_package_of(c.id)}.")
    ]
    assert wrong == []
    # and every built-in module registers checks of its own package only
    assert all(m.split(".")[2] in {p.name for p in CHECKS.iterdir()} for m in BUILTIN_MODULES)


def _module_name(path: Path) -> str:
    rel = path.relative_to(CHECKS.parent.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the modules `path` imports (`from a.b import c` gives a.b and
    a.b.c, since c may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_module_imports_checks_sideways() -> None:
    registering = {c.__module__ for c in REGISTRY.all() if c.__module__.startswith("awsobs.")}
    areas = {f"awsobs.checks.{p.name}" for p in CHECKS.iterdir() if (p / "__init__.py").exists()}
    assert registering and areas
    edges = []
    for path in sorted(CHECKS.rglob("*.py")):
        me = _module_name(path)
        if path.name == "__init__.py":
            continue
        for target in _imports(path):
            if target != me and (target in registering or target in areas):
                edges.append(f"{me} imports {target}")
    assert edges == [], "move what both need into a readers module or _shared.py"


def test_a_check_is_importable_from_its_area_package() -> None:
    """The README's `from awsobs.checks.cloudtrail import multi_region`, found lazily."""
    from awsobs.checks.cloudtrail import multi_region
    from awsobs.checks.lambda_ import xray_active

    assert multi_region.id == "cloudtrail.multi_region"
    assert xray_active.id == "lambda.xray_active"


def test_a_new_module_in_an_area_package_is_registered_after_the_listed_ones() -> None:
    from awsobs.registry import builtin_modules

    found = builtin_modules()
    assert found[: len(BUILTIN_MODULES)] == BUILTIN_MODULES
    assert "awsobs.checks.cloudtrail.readers" in found  # every module of a package is loaded
