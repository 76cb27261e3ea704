"""Sign-in in both identity modes, through the local stack's HTTP front: the real template, the real
authorizer function and web sign-in, and the local OpenID Connect issuer playing the stack's Cognito
user pool (``IdentityProvider=cognito``) or the unit's own provider (``oidc``).

The API takes a signed ID token of the stack's provider and nothing else: forged, expired,
wrong-audience, wrong-issuer, ``alg: none``, HS256-with-the-public-key, access, garbage and missing
tokens each get 401 with the contract's JSON error in Chinese, never a 5xx. The staff pages sign in on
the provider's page and sign out there, the way each provider does it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
import requests
from joserfc.jwk import RSAKey

from infra.local.oidc_issuer import LocalIssuer, jwt_claims
from infra.local.polling import REQUEST_SECONDS, scaled
from infra.local.stack import LOCAL_OIDC_CLIENT_ID, LocalStack
from tests.integration.kit import Api, users_with
from tests.integration.web.webkit import Browser

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=["cognito", "oidc"])
def stack(request: pytest.FixtureRequest) -> Iterator[LocalStack]:
    with LocalStack(parameter_overrides={"IdentityProvider": request.param}) as running:
        running.serve(port=0)
        yield running


def issuer_of(stack: LocalStack) -> LocalIssuer:
    assert stack.issuer is not None
    return stack.issuer


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(stack: LocalStack, **changes: Any) -> dict[str, Any]:
    issuer = issuer_of(stack)
    audience = "UserPoolClient" if issuer.mode == "cognito" else LOCAL_OIDC_CLIENT_ID
    now = int(time.time())
    good = issuer.id_claims(users_with("drafter")[0], audience, nonce="", issued=now, auth_time=now)
    good.update(changes)
    return {k: v for k, v in good.items() if v is not None}


def forged_same_kid(stack: LocalStack) -> str:
    kid = issuer_of(stack).key.kid
    assert kid is not None
    forger = RSAKey.generate_key(2048, parameters={"alg": "RS256", "kid": kid}, private=True)
    assert forger.kid == kid
    return issuer_of(stack).sign(claims(stack), key=forger)


def forged_own_kid(stack: LocalStack) -> str:
    forger = RSAKey.generate_key(2048, parameters={"alg": "RS256"}, private=True, auto_kid=True)
    return issuer_of(stack).sign(claims(stack), key=forger)


def alg_none(stack: LocalStack) -> str:
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims(stack))}."


def hs256_with_the_public_key(stack: LocalStack) -> str:
    issuer = issuer_of(stack)
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': issuer.key.kid})}.{b64(claims(stack))}"
    mac = hmac.new(issuer.key.as_pem(private=False), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def access_token(stack: LocalStack) -> str:
    """What the token endpoint also hands out: an access token is not an ID token."""
    issuer = issuer_of(stack)
    user = users_with("drafter")[0]
    now = int(time.time())
    access = {"sub": user, "iss": issuer.issuer, "client_id": "UserPoolClient", "iat": now, "exp": now + 600}
    if issuer.mode == "cognito":
        access.update({"token_use": "access", "username": user, "aud": "UserPoolClient"})
    return issuer.sign(access)


BAD_TOKENS: dict[str, Callable[[LocalStack], str | None]] = {
    "forged, with the issuer's key id": forged_same_kid,
    "forged, with a key id of its own": forged_own_kid,
    "expired": lambda s: issuer_of(s).sign(claims(s, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)),
    "for another client": lambda s: issuer_of(s).sign(claims(s, aud="someone-else", azp=None)),
    "from another issuer": lambda s: issuer_of(s).sign(claims(s, iss="https://evil.example/realms/oa")),
    "not valid yet": lambda s: issuer_of(s).sign(claims(s, nbf=int(time.time()) + 3600)),
    "alg none": alg_none,
    "HS256 with the public key": hs256_with_the_public_key,
    "an access token": access_token,
    "garbage": lambda s: "garbage",
    "three dots of garbage": lambda s: "a.b.c",
    "empty": lambda s: "",
    "missing": lambda s: None,
}


def test_the_api_takes_a_signed_id_token_of_the_stacks_provider(stack: LocalStack) -> None:
    assert stack.url is not None
    guard = scaled(REQUEST_SECONDS)
    drafter = users_with("drafter")[0]
    login = requests.post(f"{stack.url}/_local/login", json={"user_id": drafter}, timeout=guard)
    assert login.status_code == 200, login.text
    token = login.json()["token"]
    token_claims = jwt_claims(token)
    assert token_claims["iss"] == issuer_of(stack).issuer
    if issuer_of(stack).mode == "cognito":
        assert (token_claims["token_use"], token_claims["cognito:username"]) == ("id", drafter)
    else:
        assert token_claims["preferred_username"] == drafter and "token_use" not in token_claims
    tasks = requests.get(f"{stack.url}/api/tasks", headers={"Authorization": f"Bearer {token}"}, timeout=guard)
    assert tasks.status_code == 200, tasks.text
    assert isinstance(tasks.json(), list)


@pytest.mark.parametrize("kind", list(BAD_TOKENS))
def test_every_bad_token_gets_401_with_a_chinese_json_error_never_5xx(stack: LocalStack, kind: str) -> None:
    token = BAD_TOKENS[kind](stack)
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    for method, path in (("GET", "/api/tasks"), ("POST", "/api/documents"), ("GET", "/openapi.json")):
        reply = stack.invoke_http(method, path, headers=headers, body={} if method == "POST" else None)
        assert reply.status == 401, f"{kind}, {method} {path}: {reply.status} {reply.text}"
        error = reply.json()["error"]
        assert error["code"] == "unauthorized"
        assert "请先登录" in error["message"]
        assert reply.headers["WWW-Authenticate"] == "Bearer"


def test_the_stack_learns_its_provider_from_the_issuer_parameter(stack: LocalStack) -> None:
    issuer = issuer_of(stack)
    ssm = boto3.client("ssm", region_name="us-east-1")
    assert ssm.get_parameter(Name="/oa-local/auth/issuer")["Parameter"]["Value"] == issuer.issuer
    client = ssm.get_parameter(Name="/oa-local/auth/client-id")["Parameter"]["Value"]
    discovery = requests.get(f"{issuer.issuer}/.well-known/openid-configuration", timeout=scaled(REQUEST_SECONDS))
    document = discovery.json()
    assert document["issuer"] == issuer.issuer
    if issuer.mode == "cognito":
        assert client == "UserPoolClient" and stack.env["AUTH_USERNAME_CLAIM"] == "cognito:username"
        assert "end_session_endpoint" not in document
        assert stack.env["AUTH_CLIENT_SECRET_NAME"] == ""
    else:
        assert client == LOCAL_OIDC_CLIENT_ID and stack.env["AUTH_USERNAME_CLAIM"] == "preferred_username"
        assert document["end_session_endpoint"] == issuer.url("logout")
        assert stack.env["AUTH_CLIENT_SECRET_NAME"] == "oa-local/oidc-client"


def test_staff_pages_sign_in_on_the_providers_page_and_sign_out_there(stack: LocalStack) -> None:
    issuer = issuer_of(stack)
    browser = Browser(stack)
    start = browser.get("/auth/start?next=/")
    assert start.headers["Location"].startswith(f"{issuer.url('authorize')}?")
    authorize = dict(parse_qsl(urlsplit(start.headers["Location"]).query))
    assert authorize["nonce"] and authorize["code_challenge_method"] == "S256"
    picker = browser.get(start.headers["Location"])
    assert picker.status == 200 and "选择演示用户登录" in picker.text

    drafter = users_with("drafter")[0]
    browser.sign_in(drafter)
    home = browser.get("/")
    assert home.status == 200
    assert f"form-action 'self' {issuer.origin}" in home.headers["Content-Security-Policy"]
    out = browser.post("/logout", {"csrf": browser.csrf(home)})
    assert out.status == 303
    location = urlsplit(out.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == issuer.url("logout")
    back = "logout_uri" if issuer.mode == "cognito" else "post_logout_redirect_uri"
    assert dict(parse_qsl(location.query))[back] == f"{stack.url}/login"
    assert browser.get(out.headers["Location"]).headers["Location"] == f"{stack.url}/login"
    assert browser.get("/").status == 303, "signed out"


def test_a_document_is_drafted_and_decided_by_users_of_either_provider(stack: LocalStack) -> None:
    api = Api(stack)
    drafter, reviewer = users_with("drafter")[0], users_with("reviewer")[0]
    status, body = api.call(
        "POST",
        "/api/documents",
        drafter,
        {
            "doc_type": "通知",
            "title": "关于身份认证方式的通知",
            "body": "请各处室知悉。",
            "main_recipients": ["各处室"],
            "cc": [],
            "urgency": "",
            "classification": "非密",
            "reviewer": reviewer,
            "countersigners": [],
            "countersign_mode": "parallel",
            "signer": users_with("signer")[0],
            "distribute_to": [],
        },
    )
    assert status == 201, body
    document = api.document(body["document_id"], drafter)
    assert document["history"][0]["actor"] == drafter


def test_a_client_secret_once_put_is_sent_as_client_secret_basic(stack: LocalStack) -> None:
    """Only an OIDC provider has one (the stack's Cognito app client is public: GenerateSecret false);
    the template creates the secret without a value, which the sign-in above took as a public client."""
    issuer = issuer_of(stack)
    secrets = boto3.client("secretsmanager", region_name="us-east-1")
    names = [secret["Name"] for secret in secrets.list_secrets()["SecretList"]]
    assert ("oa-local/oidc-client" in names) is (issuer.mode == "oidc")
    if issuer.mode != "oidc":
        return
    secrets.put_secret_value(SecretId="oa-local/oidc-client", SecretString="local-client-secret")
    public = requests.post(
        issuer.url("token"),
        data={"grant_type": "authorization_code", "client_id": LOCAL_OIDC_CLIENT_ID, "code": "x"},
        timeout=scaled(REQUEST_SECONDS),
    )
    assert (public.status_code, public.json()["error"]) == (401, "invalid_client"), "the provider wants the secret"
    browser = Browser(stack)
    browser.sign_in(users_with("reviewer")[0])  # the web function sends it as HTTP Basic
    assert browser.get("/").status == 200
