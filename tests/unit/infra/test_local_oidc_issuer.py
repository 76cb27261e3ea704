"""The local identity provider: a real OpenID Connect issuer (signed ID tokens, discovery, JWKS, code
with PKCE, client_secret_basic, sign-out), playing the Cognito user pool or a generic provider.

Requests go to ``LocalIssuer.handle`` in-process; the tokens are checked with joserfc against the
issuer's own JWKS, as the authorizer checks them.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from werkzeug.datastructures import Headers

from infra.local import oidc_issuer
from infra.local.messages import Directory, HttpRequest, HttpResponse
from infra.local.oidc_issuer import CODE_TTL_SECONDS, LocalIssuer, jwt_claims

BASE = "http://127.0.0.1:3999"
ORIGIN = "http://127.0.0.1:4100"
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
    monkeypatch.setattr(oidc_issuer, "client_secret", lambda: "")


@pytest.fixture(params=["cognito", "oidc"])
def issuer(request: pytest.FixtureRequest) -> LocalIssuer:
    return LocalIssuer(directory, mode=request.param, origin=ORIGIN, username_claim="employee_no")


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
        "nonce": "n-0S6_WzA2Mj",
        "scope": "openid email profile",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    return params


def path(issuer: LocalIssuer, name: str) -> str:
    return urlsplit(issuer.url(name)).path


def get(issuer: LocalIssuer, name: str, params: dict[str, str]) -> HttpResponse:
    return issuer.handle(
        HttpRequest(method="GET", path=path(issuer, name), query=list(params.items()), headers=Headers(), body=b"")
    )


def post_form(issuer: LocalIssuer, name: str, fields: dict[str, str], headers: Headers | None = None) -> HttpResponse:
    all_headers = Headers([("Content-Type", "application/x-www-form-urlencoded"), *(headers or Headers()).items()])
    return issuer.handle(
        HttpRequest(
            method="POST", path=path(issuer, name), query=[], headers=all_headers, body=urlencode(fields).encode()
        )
    )


def sign_in(issuer: LocalIssuer, challenge: str, user_id: str = "zhangwei") -> str:
    """Choose ``user_id`` on the authorize page; the code the callback receives."""
    reply = post_form(issuer, "authorize", {**authorize_params(challenge), "user_id": user_id})
    assert reply.status == 302, reply.text
    location = urlsplit(reply.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["st&ate=1"]
    return query["code"][0]


def exchange(
    issuer: LocalIssuer, the_code: str, verifier: str, headers: Headers | None = None, **overrides: str | None
) -> HttpResponse:
    fields: dict[str, str | None] = {
        "grant_type": "authorization_code",
        "client_id": CLIENT,
        "code": the_code,
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    fields.update(overrides)
    return post_form(issuer, "token", {k: v for k, v in fields.items() if v is not None}, headers)


def verified(issuer: LocalIssuer, token: str) -> dict[str, Any]:
    """The claims, once the signature verifies with the issuer's published JWKS (RS256 only)."""
    keys = KeySet.import_key_set(get(issuer, "jwks", {}).json())
    return dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)


def test_the_discovery_document_is_the_providers_own_and_cognito_shaped_in_cognito_mode(issuer: LocalIssuer) -> None:
    document = get(issuer, "discovery", {}).json()
    assert document["issuer"] == issuer.issuer
    assert document["authorization_endpoint"] == issuer.url("authorize")
    assert document["token_endpoint"] == issuer.url("token")
    assert document["jwks_uri"] == issuer.url("jwks")
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    if issuer.mode == "cognito":
        assert issuer.issuer == f"{ORIGIN}/us-east-1_UserPool"
        assert document["jwks_uri"] == f"{issuer.issuer}/.well-known/jwks.json"
        assert document["authorization_endpoint"].endswith("/oauth2/authorize")
        assert "end_session_endpoint" not in document, "Cognito's discovery has none"
    else:
        assert issuer.issuer == ORIGIN
        assert document["end_session_endpoint"] == f"{ORIGIN}/logout"
    (key,) = get(issuer, "jwks", {}).json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["kid"] and "d" not in key


def test_authorize_page_lists_users_by_department_with_role_names_and_escapes_them(issuer: LocalIssuer) -> None:
    _, challenge = pkce()
    page = get(issuer, "authorize", authorize_params(challenge))
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    text = page.text
    assert "<title>选择演示用户登录 - 本地登录</title>" in text
    assert text.index("办公室") < text.index("张伟") < text.index("综合科") < text.index("&lt;script&gt;")
    assert "<script>x</script>" not in text
    assert "拟稿人" in text and "核稿人、签发人" in text
    assert '<button type="submit" name="user_id" value="zhangwei">' in text
    assert f'action="{path(issuer, "authorize")}"' in text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', text))
    assert hidden["state"] == "st&amp;ate=1"
    assert hidden["code_challenge"] == challenge
    assert hidden["redirect_uri"] == REDIRECT
    assert hidden["nonce"] == "n-0S6_WzA2Mj"


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"response_type": "token"}, "response_type 必须为 code"),
        ({"client_id": "someone-else"}, "client_id 与本系统的应用客户端不符"),
        ({"redirect_uri": "https://evil.example/auth/callback"}, "redirect_uri 必须是本系统地址"),
        ({"redirect_uri": f"{BASE}9/auth/callback"}, "redirect_uri 必须是本系统地址"),
        ({"scope": "email"}, "scope 必须包含 openid"),
        ({"code_challenge_method": "plain"}, "code_challenge_method 必须为 S256"),
        ({"code_challenge": ""}, "code_challenge"),
    ],
)
def test_authorize_refuses_a_bad_request_with_a_chinese_error_page(
    issuer: LocalIssuer, override: dict[str, str], message: str
) -> None:
    _, challenge = pkce()
    params = authorize_params(challenge, **override)
    page = get(issuer, "authorize", params)
    assert page.status == 400
    assert "登录请求有误" in page.text and message in page.text
    chosen = post_form(issuer, "authorize", {**params, "user_id": "zhangwei"})
    assert chosen.status == 400
    assert message in chosen.text


def test_choosing_an_unknown_user_is_refused(issuer: LocalIssuer) -> None:
    _, challenge = pkce()
    reply = post_form(issuer, "authorize", {**authorize_params(challenge), "user_id": "nobody"})
    assert reply.status == 400
    assert "用户不存在：nobody" in reply.text


def test_the_code_gives_an_rs256_signed_id_token_for_the_chosen_user(issuer: LocalIssuer) -> None:
    verifier, challenge = pkce()
    reply = exchange(issuer, sign_in(issuer, challenge), verifier)
    assert reply.status == 200, reply.text
    assert reply.headers["Cache-Control"] == "no-store"
    answer = reply.json()
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == 1800, "as long as the idle limit"
    claims = verified(issuer, answer["id_token"])
    assert (claims["sub"], claims["aud"], claims["iss"]) == ("zhangwei", CLIENT, issuer.issuer)
    assert claims["nonce"] == "n-0S6_WzA2Mj"
    assert (claims["email"], claims["name"]) == ("zhangwei@example.gov.cn", "张伟")
    assert time.time() < claims["exp"] <= time.time() + 3601
    assert claims["iat"] <= claims["exp"] and claims["auth_time"] <= claims["iat"]
    access = verified(issuer, answer["access_token"])
    if issuer.mode == "cognito":
        assert claims["token_use"] == "id" and claims["cognito:username"] == "zhangwei"
        assert access["token_use"] == "access" and "aud" not in access
    else:
        assert "token_use" not in claims and claims["preferred_username"] == "zhangwei"
        assert claims["employee_no"] == "zhangwei", "the configured username claim"
        assert claims["azp"] == CLIENT and "aud" not in access


def test_no_token_is_unsigned(issuer: LocalIssuer) -> None:
    for token in (issuer.token_for("zhangwei"), issuer.token_for("evil", nonce="x")):
        header = jwt_claims(f"x.{token.split('.')[0]}.x")  # the header, decoded like a payload
        assert header["alg"] == "RS256" and header["kid"] == issuer.key.kid
        assert verified(issuer, token)["sub"] in USERS


def test_a_code_works_once(issuer: LocalIssuer) -> None:
    verifier, challenge = pkce()
    code = sign_in(issuer, challenge)
    assert exchange(issuer, code, verifier).status == 200
    again = exchange(issuer, code, verifier)
    assert again.status == 400
    assert again.json()["error"] == "invalid_grant"


def test_a_wrong_verifier_is_refused_and_burns_the_code(issuer: LocalIssuer) -> None:
    verifier, challenge = pkce()
    code = sign_in(issuer, challenge)
    wrong = exchange(issuer, code, pkce()[0])
    assert wrong.status == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert "code_verifier" in wrong.json()["error_description"]
    assert exchange(issuer, code, verifier).json()["error"] == "invalid_grant"


def test_a_redirect_uri_other_than_the_authorized_one_is_refused(issuer: LocalIssuer) -> None:
    verifier, challenge = pkce()
    reply = exchange(issuer, sign_in(issuer, challenge), verifier, redirect_uri=f"{BASE}/elsewhere")
    assert reply.status == 400
    assert reply.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    ("override", "status", "error"),
    [
        ({"client_id": "someone-else"}, 401, "invalid_client"),
        ({"client_id": None}, 401, "invalid_client"),
        ({"grant_type": ""}, 400, "invalid_request"),
        ({"grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        ({"code_verifier": ""}, 400, "invalid_request"),
        ({"code": "never-issued"}, 400, "invalid_grant"),
    ],
)
def test_token_request_errors_are_oauth_json(
    issuer: LocalIssuer, override: dict[str, str | None], status: int, error: str
) -> None:
    verifier, challenge = pkce()
    reply = exchange(issuer, sign_in(issuer, challenge), verifier, None, **override)
    assert reply.status == status
    assert reply.headers["Content-Type"].startswith("application/json")
    assert reply.json()["error"] == error
    assert reply.json()["error_description"]


def basic(client: str, secret: str) -> Headers:
    return Headers([("Authorization", "Basic " + base64.b64encode(f"{client}:{secret}".encode()).decode())])


def test_with_a_client_secret_the_token_endpoint_wants_client_secret_basic(
    issuer: LocalIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(oidc_issuer, "client_secret", lambda: "s3cr:t")
    verifier, challenge = pkce()
    public = exchange(issuer, sign_in(issuer, challenge), verifier)
    assert public.status == 401 and public.json()["error"] == "invalid_client"
    assert public.headers["WWW-Authenticate"].startswith("Basic")
    wrong = exchange(issuer, sign_in(issuer, challenge), verifier, basic(CLIENT, "guess"), client_id=None)
    assert wrong.status == 401
    right = exchange(issuer, sign_in(issuer, challenge), verifier, basic(CLIENT, "s3cr%3At"), client_id=None)
    assert right.status == 200, right.text


def test_a_code_expires_after_five_minutes() -> None:
    now = [1_000_000.0]
    issuer = LocalIssuer(directory, origin=ORIGIN, clock=lambda: now[0])
    verifier, challenge = pkce()
    fresh = sign_in(issuer, challenge)
    stale = sign_in(issuer, challenge)
    now[0] += CODE_TTL_SECONDS - 1
    assert exchange(issuer, fresh, verifier).status == 200
    now[0] += 2
    expired = exchange(issuer, stale, verifier)
    assert expired.status == 400
    assert expired.json() == {"error": "invalid_grant", "error_description": "code has expired"}


def test_the_client_id_and_base_url_are_read_at_each_request(
    issuer: LocalIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, challenge = pkce()
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:4567")
    monkeypatch.delenv("AUTH_CLIENT_ID")
    moved = authorize_params(challenge, client_id="UserPoolClient", redirect_uri="http://127.0.0.1:4567/auth/callback")
    assert get(issuer, "authorize", moved).status == 200
    assert get(issuer, "authorize", authorize_params(challenge)).status == 400


def test_sign_out_redirects_to_an_address_of_this_system_only(issuer: LocalIssuer) -> None:
    target = "logout_uri" if issuer.mode == "cognito" else "post_logout_redirect_uri"
    out = get(issuer, "logout", {"client_id": CLIENT, target: f"{BASE}/login"})
    assert out.status == 302
    assert out.headers["Location"] == f"{BASE}/login"
    foreign = get(issuer, "logout", {"client_id": CLIENT, target: "https://evil.example/"})
    assert foreign.status == 400
    assert target in foreign.text
    other_client = get(issuer, "logout", {"client_id": "x", target: f"{BASE}/login"})
    assert other_client.status == 400


def test_oidc_sign_out_takes_an_id_token_hint_and_passes_the_state_back() -> None:
    issuer = LocalIssuer(directory, mode="oidc", origin=ORIGIN)
    hint = issuer.token_for("zhangwei")
    out = get(issuer, "logout", {"id_token_hint": hint, "post_logout_redirect_uri": f"{BASE}/login", "state": "s"})
    assert out.status == 302 and out.headers["Location"] == f"{BASE}/login?state=s"
    forged = LocalIssuer(directory, mode="oidc", origin=ORIGIN).token_for("zhangwei")
    assert get(issuer, "logout", {"id_token_hint": forged, "post_logout_redirect_uri": f"{BASE}/login"}).status == 400


def test_an_unknown_path_is_a_json_404(issuer: LocalIssuer) -> None:
    reply = issuer.handle(HttpRequest(method="GET", path="/nowhere", query=[], headers=Headers(), body=b""))
    assert reply.status == 404 and reply.json()["error"]["code"] == "not_found"
