"""The package as a user installs it: licence, version in one place, typing marker, changelog.

`.ci/run` builds the sdist and wheel with `python -m build`, checks that the wheel carries
py.typed, the licence and the HTML assets and that the sdist carries every tracked file,
installs the wheel in a clean venv, type-checks tests/data/downstream_mypy.py against it
and runs `awsobs demo`. These tests hold the metadata those steps rely on.
"""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import awsobs

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]


def test_the_licence_is_apache_2_and_its_text_ships() -> None:
    assert PROJECT["license"] == "Apache-2.0"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text.splitlines()[1]
    assert "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
    # An SPDX expression and a licence classifier together are refused by setuptools.
    assert not any(c.startswith("License ::") for c in PROJECT["classifiers"])


def test_the_version_is_written_once_in_the_package() -> None:
    assert "version" not in PROJECT
    assert PROJECT["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "awsobs.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", awsobs.__version__)
    # The installed distribution's metadata says the same (it was read from there).
    assert importlib.metadata.version("awsobs") == awsobs.__version__


def test_the_typing_marker_ships_with_the_package() -> None:
    assert (ROOT / "awsobs" / "py.typed").is_file()
    assert "py.typed" in PYPROJECT["tool"]["setuptools"]["package-data"]["awsobs"]
    assert "Typing :: Typed" in PROJECT["classifiers"]


def test_classifiers_name_the_python_versions_ci_runs() -> None:
    python = [c for c in PROJECT["classifiers"] if c.startswith("Programming Language :: Python")]
    assert "Programming Language :: Python :: 3.11" in python
    assert PROJECT["requires-python"] == ">=3.11"


def test_the_changelog_has_an_entry_for_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(awsobs.__version__)}\]", changelog, re.MULTILINE)
    assert re.search(r"^## \[Unreleased\]", changelog, re.MULTILINE)


def test_the_sdist_manifest_carries_what_the_tests_read() -> None:
    manifest = (ROOT / "MANIFEST.in").read_text(encoding="utf-8").splitlines()
    for line in ("graft tests", "graft docs", "graft examples", "graft bench"):
        assert line in manifest
    for name in ("LICENSE", "CHANGELOG.md", "README.md"):
        assert any(ln.startswith("include ") and name in ln.split() for ln in manifest), name
