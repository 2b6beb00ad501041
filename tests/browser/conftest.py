"""Headless Chromium (the distribution's build) driven by Playwright against the
live test server.  The browser tests fail — they are not skipped — when no
Chromium can be found, because ./scripts/test installs it."""

import os
import shutil
from pathlib import Path

import pytest


def chromium_path() -> str:
    path = os.environ.get("PRM_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is not installed; ./scripts/test installs it with apt-get.")
    return path


@pytest.fixture(scope="module")
def browser():
    """One browser per test module.  While Playwright's sync API is active it
    keeps an event loop in this thread, which Django's async-safety check would
    take for async code; the tests' own ORM calls are synchronous, so the check
    is lifted for exactly as long as the browser runs."""
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(),
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--no-first-run",
                    "--disable-sync",
                ],
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("#content button[type=submit]")


ARTEFACTS = Path(os.environ.get("PRM_TEST_ARTEFACTS", "test-artefacts")) / "screenshots"


def screenshot(page, name: str) -> Path:
    """Save what the browser shows as a test artefact (``test-artefacts/screenshots``,
    or under ``PRM_TEST_ARTEFACTS``), for people reviewing a run."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
