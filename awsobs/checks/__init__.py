"""Built-in checks: one package per AWS area, named by the first segment of its check ids
(`cloudtrail.*` in `cloudtrail/`, `lambda.*` in `lambda_/`). In each package, the modules
that register checks sit beside a `readers` module holding the area's AWS reads; what
several areas share is in `_shared.py`. A module that registers checks never imports
another one that does (tests/unit/checks/test_layout.py holds both rules).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, modules: tuple[str, ...]) -> Callable[[str], Any]:
    """A module `__getattr__` for an area package: `from awsobs.checks.cloudtrail import
    multi_region` finds the check in the package's check modules, imported on first use
    (so importing an area's readers does not load its checks)."""

    def __getattr__(name: str) -> Any:
        for module in modules:
            found = importlib.import_module(f"{package}.{module}")
            if hasattr(found, name):
                return getattr(found, name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
