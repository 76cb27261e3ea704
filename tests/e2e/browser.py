"""Browser tests: Playwright for Python driving Debian's Chromium (``/usr/bin/chromium``).

Playwright cannot download its own browser here, so it drives the system one; ``make
browser-deps`` (a prerequisite of ``make test``) installs ``chromium`` and ``fonts-noto-cjk``
when missing. The fixtures are registered for tests/e2e by its conftest:

- ``browser`` (session): one headless Chromium for the whole run (``launch``).
- ``page``: a fresh context (own cookies and storage, ``zh-CN``) and page per test.
- ``screenshots`` (session): ``test-artifacts/screenshots/`` at the repository root (ignored by git).

A test uses them with the e2e server's ``base_url``::

    def test_sign_in_page(base_url: str, page: Page, screenshots: Path) -> None:
        page.goto(f"{base_url}/_local/cognito/oauth2/authorize?...")
        page.screenshot(path=screenshots / "sign-in.png", full_page=True)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_MS = 15_000


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium with a fresh temporary profile.

    ``chromium.launch`` gives every launch its own new ``--user-data-dir`` (a temporary
    directory Playwright deletes when the browser closes), so nothing carries over.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (installs chromium, fonts-noto-cjk)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        running = launch(playwright)
        try:
            yield running
        finally:
            running.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
