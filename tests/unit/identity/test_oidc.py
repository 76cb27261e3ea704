"""Hosted-UI sign-in: the parts that need no network (state cookie, redirects, ID token checks)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from oa_core.identity import oidc
from oa_core.platform.config import settings
from oa_core.platform.errors import Unauthorized


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AUTH_BASE_URL", "https://oa-test.auth.cn-north-1.amazoncognito.com")
    monkeypatch.setenv("AUTH_CLIENT_ID", "client-1")
    settings.cache_clear()
    yield
    settings.cache_clear()


def token(**claims: Any) -> str:
    payload = {"aud": "client-1", "token_use": "id", "exp": time.time() + 60, "cognito:username": "lina", **claims}
    encoded = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJub25lIn0.{encoded}."


def test_begin_sends_the_browser_to_the_hosted_ui_with_pkce_and_state() -> None:
    pending, url = oidc.begin("https://oa.example.gov.cn", "/documents/new")
    split = urlsplit(url)
    query = dict(parse_qsl(split.query))
    assert (
        f"{split.scheme}://{split.netloc}{split.path}"
        == "https://oa-test.auth.cn-north-1.amazoncognito.com/oauth2/authorize"
    )
    assert query["redirect_uri"] == "https://oa.example.gov.cn/auth/callback"
    assert query["state"] == pending.state
    assert query["code_challenge_method"] == "S256" and pending.verifier not in url
    assert oidc.Pending.from_cookie(pending.cookie_value()) == pending


def test_only_a_path_on_this_site_can_be_the_page_after_sign_in() -> None:
    assert oidc.safe_next("/archive?q=1") == "/archive?q=1"
    for hostile in ("//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"):
        assert oidc.safe_next(hostile) == "/"


def test_a_tampered_state_cookie_is_ignored() -> None:
    assert oidc.Pending.from_cookie("not-base64-json") is None
    assert oidc.Pending.from_cookie(None) is None


def test_the_callback_must_carry_the_state_this_browser_started() -> None:
    pending, _ = oidc.begin("https://oa.example.gov.cn")
    with pytest.raises(Unauthorized, match="登录已失效"):
        oidc.finish("https://oa.example.gov.cn", "code", "another-state", pending)
    with pytest.raises(Unauthorized, match="登录已失效"):
        oidc.finish("https://oa.example.gov.cn", "code", pending.state, None)


def test_an_id_token_names_the_user_when_it_is_for_us_and_fresh() -> None:
    assert oidc.user_of(token()) == "lina"
    with pytest.raises(Unauthorized, match="不属于本系统"):
        oidc.user_of(token(aud="another-client"))
    with pytest.raises(Unauthorized, match="不属于本系统"):
        oidc.user_of(token(token_use="access"))
    with pytest.raises(Unauthorized, match="已过期"):
        oidc.user_of(token(exp=time.time() - 1))
    with pytest.raises(Unauthorized, match="无法识别"):
        oidc.user_of("garbage")
