"""Browser tests: Playwright for Python driving Debian's Chromium (``/usr/bin/chromium``).

Playwright cannot download its own browser here, so it drives the system one; ``make
browser-deps`` (a prerequisite of ``make test``) installs ``chromium`` and ``fonts-noto-cjk``
when missing. The fixtures are registered for tests/e2e by its conftest:

- ``browser`` (session): one headless Chromium for the whole run (``launch``).
- ``page``: a fresh context (own cookies and storage, ``zh-CN``) and page per test.

Playwright's waits (actions, navigation, and ``expect`` assertions, whose own default is 5 s) are
given ``timeout_ms()``: a step's deadline (infra/local/polling.py), scaled by ``OA_TEST_TIME_SCALE``.
A wait for a flow to finish passes ``timeout_ms(FLOW_SECONDS)``.
- ``screenshots`` (session): ``test-artifacts/screenshots/`` at the repository root (ignored by git).
- ``docs_shot(page, name)``: a screenshot docs/ shows. It always goes to test-artifacts/screenshots/,
  and into the tracked docs/screenshots/ only when ``OA_DOCS_SCREENSHOTS=1`` (``make screenshots``),
  so an ordinary test run leaves the working tree as it was.

A test uses them with the e2e server's ``base_url``::

    def test_sign_in_page(base_url: str, page: Page, screenshots: Path) -> None:
        page.goto(f"{base_url}/login")
        page.screenshot(path=screenshots / "sign-in.png", full_page=True)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from infra.local.polling import STEP_SECONDS, scaled

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOT_DIR = REPO_ROOT / "docs" / "screenshots"
MAX_DOCS_SHOT_BYTES = 300_000
"""A screenshot docs/ shows stays small (the repository keeps every version)."""
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=zh-CN",
)
BROWSER_ENV = {"LANGUAGE": "zh_CN:zh", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
"""Chromium's own language: a date field shows 年/月/日 (not mm/dd/yyyy) only when the browser runs
in Chinese, which on Linux it takes from LANGUAGE (``--lang`` is ignored there) and finds in Debian's
chromium-l10n (installed by ``make browser-deps``); a context's ``locale`` alone changes
``navigator.language`` and Accept-Language, not the fields' format. The locale stays C.UTF-8, which
every machine has: a zh_CN locale that is not installed would leave Chromium ASCII-only, and a
download named 「…档案包.zip」 would be saved as 「download」."""


def timeout_ms(seconds: float = STEP_SECONDS) -> float:
    """A Playwright timeout (milliseconds) for a wait of ``seconds`` (a base figure, scaled)."""
    return scaled(seconds) * 1000


def launch(playwright: Playwright) -> Browser:
    """Headless Debian Chromium with a fresh temporary profile.

    ``chromium.launch`` gives every launch its own new ``--user-data-dir`` (a temporary
    directory Playwright deletes when the browser closes), so nothing carries over.
    """
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (installs chromium, fonts-noto-cjk)")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=list(CHROMIUM_ARGS),
        env={**os.environ, **BROWSER_ENV},
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    expect.set_options(timeout=timeout_ms())
    with sync_playwright() as playwright:
        running = launch(playwright)
        try:
            yield running
        finally:
            running.close()


def new_page(browser: Browser, **context_options: Any) -> Page:
    """A page in a fresh context (``zh-CN`` unless told) whose waits have ``timeout_ms()``.

    The context lives as long as the browser; a test opens one per person it plays.
    """
    context = browser.new_context(**{"locale": "zh-CN", **context_options})
    context.set_default_timeout(timeout_ms())
    return context.new_page()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = new_page(browser, timezone_id="Asia/Shanghai")
    try:
        yield opened
    finally:
        opened.context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


def docs_shot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """``name`` (a .png) into test-artifacts/screenshots/, and docs/screenshots/ when OA_DOCS_SCREENSHOTS=1."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOT_DIR / name
    page.screenshot(path=str(shot), full_page=full_page)
    assert shot.stat().st_size < MAX_DOCS_SHOT_BYTES, f"{name} stays under {MAX_DOCS_SHOT_BYTES} bytes for docs/"
    if os.environ.get("OA_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        (DOCS_SCREENSHOT_DIR / name).write_bytes(shot.read_bytes())
    return shot
