"""The gateway's Cognito hosted-UI stand-in: authorization code with PKCE, as the web function uses it."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from werkzeug.datastructures import Headers

from infra.local.cognito import CODE_TTL_SECONDS, CognitoStandIn, jwt_claims
from infra.local.gateway import Gateway
from infra.local.messages import Directory, HttpRequest, HttpResponse

BASE = "http://127.0.0.1:3999"
CLIENT = "test-client"
REDIRECT = f"{BASE}/auth/callback"
USERS: dict[str, dict[str, Any]] = {
    "zhangwei": {
        "user_id": "zhangwei",
        "name": "张伟",
        "email": "zhangwei@example.gov.cn",
        "department": "bgs",
        "roles": ["drafter"],
    },
    "evil": {
        "user_id": "evil",
        "name": "<script>x</script>",
        "email": "evil@example.gov.cn",
        "department": "zhk",
        "roles": ["reviewer", "signer"],
    },
}


def directory() -> Directory:
    return Directory(
        list_users=lambda: list(USERS.values()),
        get_user=USERS.get,
        list_departments=lambda: [
            {"department_id": "bgs", "name": "办公室"},
            {"department_id": "zhk", "name": "综合科"},
        ],
        role_names={"drafter": "拟稿人", "reviewer": "核稿人", "signer": "签发人"},
    )


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_CLIENT_ID", CLIENT)
    monkeypatch.setenv("PUBLIC_BASE_URL", BASE)


@pytest.fixture
def gateway() -> Gateway:
    return Gateway(routes=[], functions={}, directory=directory, outbox=list)


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_params(challenge: str, **overrides: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": CLIENT,
        "redirect_uri": REDIRECT,
        "state": "st&ate=1",
        "scope": "openid email profile",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return params


def get(gw: Gateway | CognitoStandIn, path: str, params: dict[str, str]) -> HttpResponse:
    request = HttpRequest(method="GET", path=path, query=list(params.items()), headers=Headers(), body=b"")
    answer = gw.handle(request)
    assert answer is not None
    return answer


def post_form(gw: Gateway | CognitoStandIn, path: str, fields: dict[str, str]) -> HttpResponse:
    request = HttpRequest(
        method="POST",
        path=path,
        query=[],
        headers=Headers([("Content-Type", "application/x-www-form-urlencoded")]),
        body=urlencode(fields).encode(),
    )
    answer = gw.handle(request)
    assert answer is not None
    return answer


def sign_in(gw: Gateway | CognitoStandIn, challenge: str, user_id: str = "zhangwei") -> str:
    """Choose ``user_id`` on the authorize page; the code the callback receives."""
    reply = post_form(gw, "/_local/cognito/oauth2/authorize", {**authorize_params(challenge), "user_id": user_id})
    assert reply.status == 302, reply.text
    location = urlsplit(reply.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["st&ate=1"]
    return query["code"][0]


def exchange(gw: Gateway | CognitoStandIn, the_code: str, verifier: str, **overrides: str) -> HttpResponse:
    fields = {
        "grant_type": "authorization_code",
        "client_id": CLIENT,
        "code": the_code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    fields.update(overrides)
    return post_form(gw, "/_local/cognito/oauth2/token", fields)


def test_authorize_page_lists_users_by_department_with_role_names_and_escapes_them(gateway: Gateway) -> None:
    _, challenge = pkce()
    page = get(gateway, "/_local/cognito/oauth2/authorize", authorize_params(challenge))
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    text = page.text
    assert "<title>选择演示用户登录 - 本地登录</title>" in text
    assert text.index("办公室") < text.index("张伟") < text.index("综合科") < text.index("&lt;script&gt;")
    assert "<script>x</script>" not in text
    assert "拟稿人" in text and "核稿人、签发人" in text
    assert '<button type="submit" name="user_id" value="zhangwei">' in text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text))
    assert hidden["state"] == "st&amp;ate=1"
    assert hidden["code_challenge"] == challenge
    assert hidden["redirect_uri"] == REDIRECT


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"response_type": "token"}, "response_type 必须为 code"),
        ({"client_id": "someone-else"}, "client_id 与本系统的应用客户端不符"),
        ({"redirect_uri": "https://evil.example/auth/callback"}, "redirect_uri 必须是本系统地址"),
        ({"redirect_uri": f"{BASE}9/auth/callback"}, "redirect_uri 必须是本系统地址"),
        ({"code_challenge_method": "plain"}, "code_challenge_method 必须为 S256"),
        ({"code_challenge": ""}, "code_challenge"),
    ],
)
def test_authorize_refuses_a_bad_request_with_a_chinese_error_page(
    gateway: Gateway, override: dict[str, str], message: str
) -> None:
    _, challenge = pkce()
    params = authorize_params(challenge, **override)
    page = get(gateway, "/_local/cognito/oauth2/authorize", params)
    assert page.status == 400
    assert "登录请求有误" in page.text and message in page.text
    chosen = post_form(gateway, "/_local/cognito/oauth2/authorize", {**params, "user_id": "zhangwei"})
    assert chosen.status == 400
    assert message in chosen.text


def test_choosing_an_unknown_user_is_refused(gateway: Gateway) -> None:
    _, challenge = pkce()
    reply = post_form(gateway, "/_local/cognito/oauth2/authorize", {**authorize_params(challenge), "user_id": "nobody"})
    assert reply.status == 400
    assert "用户不存在：nobody" in reply.text


def test_code_exchange_with_the_right_verifier_gives_an_id_token_for_the_chosen_user(gateway: Gateway) -> None:
    verifier, challenge = pkce()
    code = sign_in(gateway, challenge)
    reply = exchange(gateway, code, verifier)
    assert reply.status == 200, reply.text
    assert reply.headers["Cache-Control"] == "no-store"
    tokens = reply.json()
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    header, _payload, signature = tokens["id_token"].split(".")
    assert signature == ""
    assert base64.urlsafe_b64decode(header + "==") == b'{"alg":"none","typ":"JWT"}'
    claims = jwt_claims(tokens["id_token"])
    assert claims["cognito:username"] == "zhangwei"
    assert claims["sub"] == "zhangwei"
    assert claims["aud"] == CLIENT
    assert claims["token_use"] == "id"
    assert claims["email"] == "zhangwei@example.gov.cn"
    assert claims["name"] == "张伟"
    assert claims["iss"].startswith("https://cognito-idp.")
    assert time.time() < claims["exp"] <= time.time() + 3601
    assert claims["iat"] <= claims["exp"] and claims["auth_time"] <= claims["iat"]
    assert jwt_claims(tokens["access_token"])["token_use"] == "access"


def test_a_code_works_once(gateway: Gateway) -> None:
    verifier, challenge = pkce()
    code = sign_in(gateway, challenge)
    assert exchange(gateway, code, verifier).status == 200
    again = exchange(gateway, code, verifier)
    assert again.status == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_wrong_verifier_is_refused_and_burns_the_code(gateway: Gateway) -> None:
    verifier, challenge = pkce()
    code = sign_in(gateway, challenge)
    wrong = exchange(gateway, code, pkce()[0])
    assert wrong.status == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert "code_verifier" in wrong.json()["error_description"]
    assert exchange(gateway, code, verifier).json()["error"] == "invalid_grant"


def test_a_redirect_uri_other_than_the_authorized_one_is_refused(gateway: Gateway) -> None:
    verifier, challenge = pkce()
    code = sign_in(gateway, challenge)
    reply = exchange(gateway, code, verifier, redirect_uri=f"{BASE}/elsewhere")
    assert reply.status == 400
    assert reply.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"client_id": "someone-else"}, "invalid_client"),
        ({"grant_type": ""}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"code_verifier": ""}, "invalid_request"),
        ({"code": "never-issued"}, "invalid_grant"),
    ],
)
def test_token_request_errors_are_oauth_json(gateway: Gateway, override: dict[str, str], error: str) -> None:
    verifier, challenge = pkce()
    code = sign_in(gateway, challenge)
    reply = exchange(gateway, code, verifier, **override)
    assert reply.status == 400
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json()["error"] == error
    assert reply.json()["error_description"]


def test_a_code_expires_after_five_minutes() -> None:
    now = [1_000_000.0]
    cognito = CognitoStandIn(directory, clock=lambda: now[0])
    verifier, challenge = pkce()
    fresh = sign_in(cognito, challenge)
    stale = sign_in(cognito, challenge)
    now[0] += CODE_TTL_SECONDS - 1
    assert exchange(cognito, fresh, verifier).status == 200
    now[0] += 2
    expired = exchange(cognito, stale, verifier)
    assert expired.status == 400
    assert expired.json() == {"error": "invalid_grant", "error_description": "code has expired"}


def test_the_client_id_and_base_url_are_read_at_each_request(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    _, challenge = pkce()
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:4567")
    monkeypatch.delenv("AUTH_CLIENT_ID")
    moved = authorize_params(challenge, client_id="UserPoolClient", redirect_uri="http://127.0.0.1:4567/auth/callback")
    assert get(gateway, "/_local/cognito/oauth2/authorize", moved).status == 200
    assert get(gateway, "/_local/cognito/oauth2/authorize", authorize_params(challenge)).status == 400


def test_logout_redirects_to_a_logout_uri_of_this_system_only(gateway: Gateway) -> None:
    out = get(gateway, "/_local/cognito/logout", {"client_id": CLIENT, "logout_uri": f"{BASE}/login"})
    assert out.status == 302
    assert out.headers["Location"] == f"{BASE}/login"
    foreign = get(gateway, "/_local/cognito/logout", {"client_id": CLIENT, "logout_uri": "https://evil.example/"})
    assert foreign.status == 400
    assert "logout_uri" in foreign.text
    other_client = get(gateway, "/_local/cognito/logout", {"client_id": "x", "logout_uri": f"{BASE}/login"})
    assert other_client.status == 400


def test_other_local_routes_are_unchanged(gateway: Gateway) -> None:
    assert get(gateway, "/_local/users", {}).json() == list(USERS.values())
    assert get(gateway, "/_local/cognito/nowhere", {}).status == 404
