"""Headless Chromium for the web tests, driven by Playwright for Python.

Playwright drives the system's /usr/bin/chromium (installed by .ci/run); it never
downloads a browser of its own. axe-core comes inside the `axe-playwright-python` wheel
(the test extra): its axe.min.js is evaluated in the page through the DevTools protocol,
so the pages' Content-Security-Policy (scripts only from the server) does not stand in
the way and nothing is fetched from a network at test time.

Skipped, saying why, only when Chromium or Playwright is missing outside CI; in CI
(`CI` set) a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
# Nothing but the pages under test: no updates, sync, first-run pages or GPU.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SERIOUS = {"serious", "critical"}


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; .ci/run installs it")
    pytest.skip(f"{what} is missing")


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium (Playwright's Browser) for the length of the block."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python (pip install -e '.[test]')")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        _missing("Chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if os.path.exists(CHROMIUM)
                                    else shutil.which("chromium"), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Any, **context: Any) -> Any:
    """A page in a browser context of its own (its own cookies: another device)."""
    page = browser.new_context(**context).new_page()
    page.set_default_timeout(20_000)
    return page


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is, in plain words."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{page.url}: {v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def scrolls_sideways(page: Any) -> bool:
    """Whether the page is wider than its window (a horizontal scroll bar)."""
    return bool(page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"))
