"""Fixtures for the browser suite: one course Voila server and one Chromium per session, a fresh
browser context and page per test.

Playwright is driven directly (no pytest-playwright) so the launch is ours: Debian's Chromium,
never a downloaded browser. A missing Chromium is a failure with instructions, not a skip.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ._server import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, VoilaServer, start_course_server

SCREENSHOTS = ARTIFACTS / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser/ is a browser test, and gets a generous timeout."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite file the test servers use (``$DRILLBOOK_DB``), never the user's own."""
    return tmp_path_factory.mktemp("store") / "drillbook.sqlite3"


@pytest.fixture(scope="session")
def voila(store_path: Path) -> Iterator[VoilaServer]:
    """The course served exactly like ``./run serve``, shared by the whole session."""
    server = start_course_server("course", env={"DRILLBOOK_DB": str(store_path)})
    try:
        yield server
    finally:
        server.stop()
        left = server.leftovers()
        assert not left, f"Voila left processes behind after stop(): {left}"


@pytest.fixture(scope="session")
def playwright_driver():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests drive Debian's Chromium "
                    "(Playwright cannot download browsers here). Install it with `./run test` "
                    "(it runs `apt-get install chromium`) or `sudo apt-get install chromium`.",
                    pytrace=False)
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    ctx.set_default_timeout(60_000)
    yield ctx
    for pg in list(ctx.pages):
        if not pg.is_closed():
            with contextlib.suppress(Exception):  # already closing after run_before_unload
                pg.close(run_before_unload=True)
    ctx.close()


@pytest.fixture
def page(context):  # type: ignore[no-untyped-def]
    """A page that fails the test on uncaught page errors and records console errors."""
    pg = context.new_page()
    pg.page_errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.page_errors.append(str(exc)))  # type: ignore[attr-defined]
    yield pg
    if not pg.is_closed():
        with contextlib.suppress(Exception):
            pg.close(run_before_unload=True)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
