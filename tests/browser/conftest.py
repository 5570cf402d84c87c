"""Browser fixtures: one headless Chromium per session, a fresh context per test, and the
demo province served by pytest-django's live server.

The tests use Debian's chromium (never a downloaded browser). Without it they are skipped,
unless ``TONGBAN_REQUIRE_BROWSER=1`` says that a missing browser is a failure (CI).
``TONGBAN_CHROMIUM`` names another Chromium binary.

Playwright's sync API keeps its asyncio loop marked as *running* in the main thread between
calls, and Django refuses ORM calls while a loop runs there (``SynchronousOnlyOperation``).
So the loop is marked running only while a browser test body runs: the demo loading, the
database flush after each test and every test outside this package see no loop. A test body
that queries the database wraps the query in ``support.db_access()``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.support import set_running_loop
from tongban.demo.loader import load_demo

CHROMIUM = Path(os.environ.get("TONGBAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class Browser:
    """The session's Chromium and the event loop that Playwright's sync API runs on."""

    chromium: Any
    loop: asyncio.AbstractEventLoop | None


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the whole session (skipped, or failed, when it is missing)."""
    reason = ""
    if not CHROMIUM.exists():
        reason = (
            f"Chromium not found at {CHROMIUM}: install Debian's chromium and fonts-noto-cjk "
            "(apt-get install chromium fonts-noto-cjk) to run the browser tests"
        )
    elif importlib.util.find_spec("playwright") is None:
        reason = "playwright is not installed: pip install -e '.[dev]'"
    if reason:
        if os.environ.get("TONGBAN_REQUIRE_BROWSER", "") == "1":
            pytest.fail(f"{reason} (TONGBAN_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    loop = asyncio._get_running_loop()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
    except BaseException:
        playwright.stop()
        set_running_loop(None)
        raise
    set_running_loop(None)
    try:
        yield Browser(chromium=chromium, loop=loop)
    finally:
        set_running_loop(loop)
        try:
            chromium.close()
        finally:
            playwright.stop()
            set_running_loop(None)


@pytest.fixture
def site(request: pytest.FixtureRequest, live_server: Any) -> str:
    """The demo province served by the live server (fresh for every test); its base URL.
    Tests marked ``interaction_data`` also get the publications, drafts, surveys, FAQs and
    appeals (the others do not pay the seconds they take to load)."""
    load_demo(
        progress=lambda _line: None,
        sample_cases=False,
        exchange=False,
        interaction=request.node.get_closest_marker("interaction_data") is not None,
        opendata=request.node.get_closest_marker("opendata") is not None,
        analytics=request.node.get_closest_marker("analytics") is not None,
        # The office pages' tests make the documents they open (test_office_pages.py).
        office=False,
    )
    return live_server.url


@pytest.fixture
def new_page(browser: Browser, site: str) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context (own cookies). Keyword arguments go to
    ``new_context``, e.g. ``java_script_enabled=False`` or ``locale="en-US"``."""
    contexts: list[Any] = []

    def _open(**options: Any) -> Any:
        options.setdefault("base_url", site)
        options.setdefault("locale", "zh-CN")
        context = browser.chromium.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    set_running_loop(browser.loop)
    try:
        yield _open
        for context in contexts:
            context.close()
    finally:
        set_running_loop(None)


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A page in a Chinese browser with JavaScript on."""
    return new_page()
