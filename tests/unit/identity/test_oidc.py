"""The staff pages' sign-in with the identity provider: the parts that need no network (the provider's
documents come from a fake; the token endpoint is a stub that records what it was sent)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from oa_core.identity import oidc
from oa_core.identity.provider import ProviderUnavailable
from oa_core.platform.errors import Unauthorized
from tests.unit.identity.fake_provider import AUTHORIZE, CLIENT_ID, TOKEN, FakeProvider

SITE = "https://oa.example.gov.cn"


class TokenEndpoint:
    """Stands in for ``urllib.request.urlopen`` at the token endpoint."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.requests: list[Any] = []

    def __call__(self, request: Any, timeout: float) -> Any:
        self.requests.append(request)
        body = json.dumps(self.answer).encode()

        class Reply:
            def __enter__(self) -> Reply:
                return self

            def __exit__(self, *args: object) -> None:
                return None

            def read(self, limit: int = -1) -> bytes:
                return body

        return Reply()

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.requests[-1].data.decode()))


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[TokenEndpoint]:
    stub = TokenEndpoint({})
    monkeypatch.setattr(oidc.urllib.request, "urlopen", stub)
    yield stub


def test_begin_sends_the_browser_to_the_authorization_endpoint_with_pkce_state_and_nonce(
    fake_provider: FakeProvider,
) -> None:
    pending, url = oidc.begin(SITE, "/documents/new")
    split = urlsplit(url)
    query = dict(parse_qsl(split.query))
    assert f"{split.scheme}://{split.netloc}{split.path}" == AUTHORIZE
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code" and "openid" in query["scope"]
    assert query["redirect_uri"] == f"{SITE}/auth/callback"
    assert query["state"] == pending.state and query["nonce"] == pending.nonce
    assert query["code_challenge_method"] == "S256" and pending.verifier not in url
    assert oidc.Pending.from_cookie(pending.cookie_value()) == pending


def test_only_a_path_on_this_site_can_be_the_page_after_sign_in() -> None:
    assert oidc.safe_next("/archive?q=1") == "/archive?q=1"
    for hostile in ("//evil.example", "https://evil.example", "/\\evil.example", "javascript:alert(1)"):
        assert oidc.safe_next(hostile) == "/"


def test_a_next_page_with_a_line_break_or_control_character_becomes_the_dashboard() -> None:
    for hostile in ("/a\r\nSet-Cookie: x=1", "/a\nb", "/a\x00b", "/a\u2028b", "/a\x1b[2J", "/" + "a" * 5000):
        assert oidc.safe_next(hostile) == "/", hostile


def test_a_tampered_state_cookie_is_ignored() -> None:
    assert oidc.Pending.from_cookie("not-base64-json") is None
    assert oidc.Pending.from_cookie(None) is None


def test_the_callback_must_carry_the_state_this_browser_started(fake_provider: FakeProvider) -> None:
    pending, _ = oidc.begin(SITE)
    with pytest.raises(Unauthorized, match="登录已失效"):
        oidc.finish(SITE, "code", "another-state", pending)
    with pytest.raises(Unauthorized, match="登录已失效"):
        oidc.finish(SITE, "code", pending.state, None)


def test_the_code_is_exchanged_and_the_id_token_verified_with_this_sign_ins_nonce(
    fake_provider: FakeProvider, endpoint: TokenEndpoint
) -> None:
    pending, _ = oidc.begin(SITE)
    endpoint.answer = {"id_token": fake_provider.token(nonce=pending.nonce), "token_type": "Bearer"}
    assert oidc.finish(SITE, "the-code", pending.state, pending) == "lina"
    request = endpoint.requests[-1]
    assert request.full_url == TOKEN and request.get_method() == "POST"
    assert endpoint.form() == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": f"{SITE}/auth/callback",
        "code_verifier": pending.verifier,
        "client_id": CLIENT_ID,  # a public client: no secret, PKCE only
    }
    assert not request.has_header("Authorization")


def test_an_id_token_of_another_sign_in_or_unsigned_is_refused(
    fake_provider: FakeProvider, endpoint: TokenEndpoint
) -> None:
    pending, _ = oidc.begin(SITE)
    endpoint.answer = {"id_token": fake_provider.token(nonce="someone-elses")}
    with pytest.raises(Unauthorized, match="登录已失效"):
        oidc.finish(SITE, "code", pending.state, pending)
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(json.dumps(fake_provider.claims(nonce=pending.nonce)).encode())
    endpoint.answer = {"id_token": f"{header}.{payload.rstrip(b'=').decode()}."}
    with pytest.raises(Unauthorized, match="签名算法"):
        oidc.finish(SITE, "code", pending.state, pending)


def test_with_a_client_secret_the_exchange_authenticates_with_http_basic(
    fake_provider: FakeProvider, endpoint: TokenEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oidc, "client_secret", lambda: "s3cr:t/+")
    pending, _ = oidc.begin(SITE)
    endpoint.answer = {"id_token": fake_provider.token(nonce=pending.nonce)}
    oidc.finish(SITE, "code", pending.state, pending)
    request = endpoint.requests[-1]
    # RFC 6749 2.3.1: form-encoded id and secret, joined by a colon, base64.
    expected = base64.b64encode(f"{CLIENT_ID}:s3cr%3At%2F%2B".encode()).decode()
    assert request.get_header("Authorization") == f"Basic {expected}"
    assert "client_id" not in endpoint.form()


def test_sign_out_uses_the_end_session_endpoint_when_the_provider_has_one(fake_provider: FakeProvider) -> None:
    fake_provider.discovery["end_session_endpoint"] = "https://idp.example.gov.cn/realms/oa/logout"
    url = urlsplit(oidc.logout_url(SITE))
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://idp.example.gov.cn/realms/oa/logout"
    assert dict(parse_qsl(url.query)) == {"client_id": CLIENT_ID, "post_logout_redirect_uri": f"{SITE}/login"}


def test_cognito_has_no_end_session_endpoint_so_its_hosted_ui_logout_is_used(fake_provider: FakeProvider) -> None:
    url = urlsplit(oidc.logout_url(SITE))
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://oa-test.auth.cn-north-1.amazoncognito.com/logout"
    assert dict(parse_qsl(url.query)) == {"client_id": CLIENT_ID, "logout_uri": f"{SITE}/login"}


def test_without_a_way_to_sign_out_at_the_provider_the_browser_goes_back_to_login(
    fake_provider: FakeProvider,
) -> None:
    fake_provider.discovery["authorization_endpoint"] = "https://idp.example.gov.cn/authorize"
    assert oidc.logout_url(SITE) == f"{SITE}/login"
    fake_provider.down = True
    assert oidc.logout_url(SITE) == f"{SITE}/login"


def test_the_pages_may_send_forms_on_to_the_providers_origins(fake_provider: FakeProvider) -> None:
    fake_provider.discovery["end_session_endpoint"] = "https://sso.example.gov.cn/logout"
    assert oidc.provider_origins() == [
        "https://oa-test.auth.cn-north-1.amazoncognito.com",
        "https://sso.example.gov.cn",
    ]
    fake_provider.down = True
    from oa_core.identity import provider

    provider.forget()
    assert oidc.provider_origins() == []
    with pytest.raises(ProviderUnavailable):
        oidc.begin(SITE)
