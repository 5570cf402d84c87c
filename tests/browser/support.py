"""Helpers for the browser tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from stdnum.cn import ric

from tongban.demo.data import DEMO_PASSWORD

# The impacts that fail a page; "minor" and "moderate" findings are printed only.
BLOCKING_IMPACTS = {"serious", "critical"}
ZHANGSAN_MASKED_ID = "4201**********1232"
ZHANGSAN_ID = "420102199003071232"
MASKED_ID = re.compile(r"^\d{4}\*{10}\d{3}[\dX]$")


def set_running_loop(loop: asyncio.AbstractEventLoop | None) -> None:
    asyncio._set_running_loop(loop)


@contextmanager
def db_access() -> Iterator[None]:
    """Let a browser test body use the Django ORM between two browser calls.

    Playwright's sync API marks its event loop as running in the main thread, and Django
    refuses ORM calls while a loop runs in the calling thread.
    """
    loop = asyncio._get_running_loop()
    set_running_loop(None)
    try:
        yield
    finally:
        set_running_loop(loop)


def login(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form (works with or without JavaScript)."""
    page.goto("/accounts/login/")
    page.locator("#f-username").fill(username)
    page.locator("#f-password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def resident_id(first17: str) -> str:
    """Complete 17 digits with their GB 11643 check digit (ISO 7064 MOD 11-2)."""
    assert len(first17) == 17 and first17.isdigit()
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(first17))
    check = "10X98765432"[total % 11]
    # python-stdnum agrees; its calc_check_digit() wants a placeholder for the check digit.
    assert ric.calc_check_digit(first17 + "?") == check
    return first17 + check


def axe_check(page: Any) -> dict[str, Any]:
    """Run axe-core on the page; fail on serious or critical violations, listing them all."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    response = results.response
    assert response["testEngine"]["name"] == "axe-core"
    assert response["passes"], "axe-core checked nothing: the page did not load?"
    blocking = [v for v in response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    for violation in response["violations"]:
        if violation not in blocking:  # shown with -s or when the test fails
            print(f"axe-core on {page.url}: {violation['impact']} {violation['id']}")
    assert not blocking, f"axe-core on {page.url}:\n" + "\n".join(
        results.generate_report(v["id"]) for v in blocking
    )
    return response
