"""The browser prerequisites work: Debian's Chromium, driven by Playwright, shows the local sign-in page."""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

# What ``!Ref UserPoolClient`` (AUTH_CLIENT_ID) resolves to in the local stack.
CLIENT_ID = "UserPoolClient"


def test_chromium_shows_the_local_sign_in_page_and_returns_a_code(base_url: str, page: Page, screenshots: Path) -> None:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": f"{base_url}/auth/callback",
        "state": "smoke-state",
        "scope": "openid email profile",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page.goto(f"{base_url}/_local/cognito/oauth2/authorize?{urlencode(query)}")
    assert page.title() == "选择演示用户登录 - 本地登录"
    zhangwei = page.get_by_role("button", name="张伟")
    assert zhangwei.is_visible()
    assert page.get_by_role("heading", name="办公室").is_visible()
    page.screenshot(path=screenshots / "local-cognito-authorize.png", full_page=True)

    # The callback is the web function's business; here only the redirect it receives matters.
    callback = f"{base_url}/auth/callback?"
    with page.expect_request(lambda request: request.url.startswith(callback)) as redirected:
        zhangwei.click()
    received = parse_qs(urlsplit(redirected.value.url).query)
    assert received["state"] == ["smoke-state"]
    assert received["code"][0]
