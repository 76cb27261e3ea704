"""The browser prerequisites work: Debian's Chromium, driven by Playwright, shows the local sign-in page
(the local identity provider's, on an origin of its own) and comes back to the stack with a code."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


def test_chromium_shows_the_local_sign_in_page_and_returns_a_code(base_url: str, page: Page, screenshots: Path) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_role("link", name="登录系统").click()  # /auth/start sends the browser to the provider
    page.wait_for_url(lambda url: not url.startswith(base_url))
    assert page.title() == "选择演示用户登录 - 本地登录"
    authorize = parse_qs(urlsplit(page.url).query)
    assert authorize["redirect_uri"] == [f"{base_url}/auth/callback"]
    assert authorize["code_challenge_method"] == ["S256"] and authorize["nonce"][0]
    zhangwei = page.get_by_role("button", name="张伟")
    assert zhangwei.is_visible()
    assert page.get_by_role("heading", name="办公室").is_visible()
    page.screenshot(path=screenshots / "local-sign-in.png", full_page=True)

    callback = f"{base_url}/auth/callback?"
    with page.expect_request(lambda request: request.url.startswith(callback)) as redirected:
        zhangwei.click()
    received = parse_qs(urlsplit(redirected.value.url).query)
    assert received["state"] == authorize["state"]
    assert received["code"][0]
    page.wait_for_url(f"{base_url}/")
    assert page.get_by_text("张伟").first.is_visible(), "signed in: the pages name the user"
