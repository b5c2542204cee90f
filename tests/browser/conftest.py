"""Fixtures of the browser tests: Debian's Chromium driven by Playwright, one browser per
session, and pages that record every console error, script error, CSP violation and
request, so each test can hold the page to "nothing went wrong and nothing left the file".

Playwright never downloads a browser here: the tests use the system's Chromium
(`AWSOBS_CHROMIUM`, else `chromium` on PATH, else /usr/bin/chromium). Without one they skip
locally and fail under CI (`CI` set), so CI never passes by skipping them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from awsobs import Report
from awsobs.report import render

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

VIEWPORT = {"width": 1400, "height": 1000}
# Every CSP violation, including one the console would not show.
_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}")
    pytest.skip(reason)


def chromium_path() -> Path | None:
    """The Chromium to drive: AWSOBS_CHROMIUM, else `chromium` on PATH, else Debian's."""
    configured = os.environ.get("AWSOBS_CHROMIUM")
    if configured:
        return Path(configured)
    found = shutil.which("chromium")
    return Path(found) if found else Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    path = chromium_path()
    if path is None or not (path.is_file() and os.access(path, os.X_OK)):
        _missing(f"no Chromium at {path} (set AWSOBS_CHROMIUM, or apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(path), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Opened:
    """A page opened from a file, and what went wrong while it was open."""

    page: Page
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def check_clean(self) -> None:
        """No console error, script error or CSP violation; no request but the file."""
        violations = self.page.evaluate("window.__cspViolations")
        assert self.errors == [], self.errors
        assert violations == [], violations
        assert self.requests == [self.url], self.requests


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[Path], Opened]]:
    """`open_page(path)`: a fresh page on `path`; at teardown it must have been clean."""
    opened: list[Opened] = []
    contexts: list[Any] = []

    def _open(path: Path) -> Opened:
        context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        result = Opened(page, path.as_uri())
        page.on("console", lambda m: m.type == "error" and result.errors.append(m.text))
        page.on("pageerror", lambda e: result.errors.append(f"pageerror: {e}"))
        page.on("request", lambda r: result.requests.append(r.url))
        page.add_init_script(_WATCH_CSP)
        page.goto(result.url)
        opened.append(result)
        return result

    yield _open
    try:
        for result in opened:
            result.check_clean()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(scope="session")
def demo_html(demo_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's HTML report, as `awsobs demo --format html` writes it (`demo_report`: the
    session's demo scan, from tests/conftest.py)."""
    path = tmp_path_factory.mktemp("html") / "demo.html"
    path.write_text(render(demo_report, "html"), encoding="utf-8")
    return path
