"""The local identity provider: a real OpenID Connect issuer, with RS256-signed ID tokens.

It stands in for whichever provider the template's ``IdentityProvider`` names, so that the local
stack verifies tokens exactly as AWS does (the real authorizer function, the web sign-in through the
discovery document, signatures checked against a JWKS):

- ``cognito``: it plays the stack's user pool. Issuer ``<origin>/<region>_UserPool``, Cognito's
  discovery document (no ``end_session_endpoint``), JWKS at ``<issuer>/.well-known/jwks.json``, the
  hosted UI's ``/oauth2/authorize``, ``/oauth2/token`` and ``/logout`` (``client_id``, ``logout_uri``),
  Cognito-shaped claims (``token_use``, ``cognito:username``).
- ``oidc``: a generic provider (统一身份认证平台, Keycloak…). Issuer ``<origin>``, discovery with
  ``end_session_endpoint``, ``/jwks``, ``/authorize``, ``/token``, ``/logout``
  (``post_logout_redirect_uri``), claims ``preferred_username`` (and the configured username claim).

It serves its own origin (``serve``: 127.0.0.1, a port the system picks), as a real provider is
another host; ``handle`` answers a request in-process too. The key pair is generated at start. The
authorize page lists the demo users (no password); the token endpoint takes an authorization code with
PKCE (S256) and, when the stack has a client secret (``AUTH_CLIENT_SECRET_NAME`` in Secrets Manager,
with a value), HTTP Basic client authentication (``client_secret_basic``). Codes are single-use, live
five minutes and are kept in memory. The client id (``AUTH_CLIENT_ID``, else the SSM parameter named by
``AUTH_CLIENT_ID_PARAMETER``) and the stack's address (``PUBLIC_BASE_URL``, where redirects may go)
are read at each request, so they follow ``LocalStack.serve`` choosing a port. ``token_for`` mints an
ID token for ``POST /_local/login``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from werkzeug.datastructures import Headers
from werkzeug.serving import BaseWSGIServer, make_server

from infra.local import signin_page
from infra.local.messages import (
    AccessLog,
    Directory,
    HttpRequest,
    HttpResponse,
    error_response,
    json_response,
    serve_wsgi,
)

MODES = ("cognito", "oidc")
DEFAULT_CLIENT_ID = "UserPoolClient"  # what ``!Ref UserPoolClient`` resolves to locally
CODE_TTL_SECONDS = 300
TOKEN_TTL_SECONDS = 1800
"""Tokens live as long as the idle limit (SessionIdleMinutes, 30 by default), as the template pins Cognito's."""
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "nonce",
    "code_challenge",
    "code_challenge_method",
)
_CHALLENGE_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url(sha256) without padding
_VERIFIER_RE = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636 section 4.1
_NO_STORE = (("Cache-Control", "no-store"), ("Pragma", "no-cache"))


@dataclass(frozen=True)
class _Grant:
    user_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    scope: str
    nonce: str
    auth_time: int
    expires_at: float


def client_id() -> str:
    """``AUTH_CLIENT_ID``; else the SSM parameter ``AUTH_CLIENT_ID_PARAMETER`` names; else the local default."""
    if os.environ.get("AUTH_CLIENT_ID"):
        return os.environ["AUTH_CLIENT_ID"]
    return _aws_value("ssm", os.environ.get("AUTH_CLIENT_ID_PARAMETER", "")) or DEFAULT_CLIENT_ID


def client_secret() -> str:
    """The stack's client secret (``AUTH_CLIENT_SECRET_NAME``), or "" while the secret has no value."""
    return _aws_value("secretsmanager", os.environ.get("AUTH_CLIENT_SECRET_NAME", ""))


def _aws_value(service: str, name: str) -> str:
    if not name:
        return ""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        if service == "ssm":
            return str(boto3.client("ssm").get_parameter(Name=name)["Parameter"]["Value"])
        return str(boto3.client("secretsmanager").get_secret_value(SecretId=name).get("SecretString") or "")
    except (BotoCoreError, ClientError):
        return ""


def public_base_url() -> str:
    return (os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:3000").rstrip("/")


def pkce_challenge(code_verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (for tests and tools)."""
    payload = token.split(".")[1]
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if not isinstance(decoded, dict):
        raise ValueError("JWT payload is not an object")
    return decoded


class LocalIssuer:
    """The stand-in provider: its keys, documents, pages and token endpoint."""

    def __init__(
        self,
        directory: Callable[[], Directory],
        *,
        mode: str = "cognito",
        region: str = "us-east-1",
        username_claim: str = "preferred_username",
        origin: str = "http://127.0.0.1:0",
        clock: Callable[[], float] = time.time,
        token_ttl_seconds: int = TOKEN_TTL_SECONDS,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"identity provider mode {mode!r} is not one of {MODES}")
        self.mode = mode
        self.origin = origin.rstrip("/")
        self._directory = directory
        self._region = region
        self._username_claim = username_claim
        self._clock = clock
        self.token_ttl_seconds = token_ttl_seconds
        self._lock = threading.Lock()
        self._grants: dict[str, _Grant] = {}
        self.key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"}, private=True, auto_kid=True)
        self._server: tuple[BaseWSGIServer, threading.Thread] | None = None

    # ------------------------------------------------------------------ where things are
    @property
    def issuer(self) -> str:
        return f"{self.origin}/{self._region}_UserPool" if self.mode == "cognito" else self.origin

    def _paths(self) -> dict[str, str]:
        """Path of each route on this origin, by name."""
        if self.mode == "cognito":
            pool = urlsplit(self.issuer).path
            return {
                "discovery": f"{pool}/.well-known/openid-configuration",
                "jwks": f"{pool}/.well-known/jwks.json",
                "authorize": "/oauth2/authorize",
                "token": "/oauth2/token",
                "logout": "/logout",
            }
        return {
            "discovery": "/.well-known/openid-configuration",
            "jwks": "/jwks",
            "authorize": "/authorize",
            "token": "/token",
            "logout": "/logout",
        }

    def url(self, name: str) -> str:
        return f"{self.origin}{self._paths()[name]}"

    def discovery_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": self.url("authorize"),
            "token_endpoint": self.url("token"),
            "jwks_uri": self.url("jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
        }
        if self.mode == "oidc":
            document["end_session_endpoint"] = self.url("logout")
            document["claims_supported"] = ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "name"]
        return document

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}

    # ------------------------------------------------------------------ tokens
    def token_for(self, user_id: str, *, audience: str | None = None, nonce: str = "") -> str:
        """A signed ID token for ``user_id`` (``POST /_local/login``, tests)."""
        now = int(self._clock())
        return self.sign(self.id_claims(user_id, audience or client_id(), nonce=nonce, issued=now, auth_time=now))

    def sign(self, claims: Mapping[str, Any], *, key: RSAKey | None = None) -> str:
        signer = key or self.key
        return jwt.encode({"alg": "RS256", "kid": signer.kid}, dict(claims), signer, algorithms=["RS256"])

    def id_claims(self, user_id: str, audience: str, *, nonce: str, issued: int, auth_time: int) -> dict[str, Any]:
        user = self._directory().get_user(user_id) or {}
        claims: dict[str, Any] = {
            "sub": user_id,
            "iss": self.issuer,
            "aud": audience,
            "auth_time": auth_time,
            "iat": issued,
            "exp": issued + self.token_ttl_seconds,
            "email": str(user.get("email", "")),
            "name": str(user.get("name", "")),
        }
        if self.mode == "cognito":
            claims.update({"token_use": "id", "cognito:username": user_id, "email_verified": True})
        else:
            claims.update({"azp": audience, "preferred_username": user_id, self._username_claim: user_id})
        if nonce:
            claims["nonce"] = nonce
        return claims

    # ------------------------------------------------------------------ serving
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host`` (a port the system picks by default) in a background thread; the origin."""
        server = make_server(host, port, self.wsgi_app, threaded=True, request_handler=AccessLog)
        thread = threading.Thread(target=server.serve_forever, name="oa-local-issuer", daemon=True)
        thread.start()
        self._server = (server, thread)
        self.origin = f"http://{host}:{server.server_port}"
        return self.origin

    def stop(self) -> None:
        if self._server is not None:
            server, thread = self._server
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
            self._server = None

    def wsgi_app(self, environ: dict[str, Any], start_response: Any) -> Any:
        return serve_wsgi(self.handle, environ, start_response)

    def handle(self, request: HttpRequest) -> HttpResponse:
        paths = self._paths()
        match request.method, request.path.rstrip("/") or "/":
            case "GET", path if path == paths["discovery"]:
                return json_response(200, self.discovery_document())
            case "GET", path if path == paths["jwks"]:
                return json_response(200, self.jwks())
            case "GET", path if path == paths["authorize"]:
                return self._authorize_page(dict(request.query))
            case "POST", path if path == paths["authorize"]:
                return self._authorize(_form(request))
            case "POST", path if path == paths["token"]:
                return self._token(request)
            case "GET", path if path == paths["logout"]:
                return self._logout(dict(request.query))
        return error_response(
            404, "not_found", f"本地身份提供方没有这个地址 (no route {request.method} {request.path})"
        )

    # ------------------------------------------------------------------ authorize
    @staticmethod
    def _authorize_problems(params: Mapping[str, str]) -> list[str]:
        problems = []
        if params.get("response_type") != "code":
            problems.append("response_type 必须为 code（授权码模式）")
        if params.get("client_id") != client_id():
            problems.append("client_id 与本系统的应用客户端不符")
        if not _under_base(params.get("redirect_uri", "")):
            problems.append(f"redirect_uri 必须是本系统地址 {public_base_url()} 下的地址")
        if "openid" not in params.get("scope", "").split():
            problems.append("scope 必须包含 openid")
        if params.get("code_challenge_method") != "S256":
            problems.append("code_challenge_method 必须为 S256")
        if not _CHALLENGE_RE.fullmatch(params.get("code_challenge", "")):
            problems.append("缺少有效的 code_challenge（须使用 PKCE，S256）")
        return problems

    def _authorize_page(self, params: Mapping[str, str]) -> HttpResponse:
        problems = self._authorize_problems(params)
        if problems:
            return signin_page.error_page(problems)
        return signin_page.picker(self._directory(), self._paths()["authorize"], params, AUTHORIZE_PARAMS)

    def _authorize(self, params: Mapping[str, str]) -> HttpResponse:
        problems = self._authorize_problems(params)
        user_id = params.get("user_id", "")
        if not problems and (not user_id or self._directory().get_user(user_id) is None):
            problems.append(f"用户不存在：{user_id}" if user_id else "请选择一个用户")
        if problems:
            return signin_page.error_page(problems)
        code = secrets.token_urlsafe(24)
        now = self._clock()
        grant = _Grant(
            user_id=user_id,
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            scope=params.get("scope", ""),
            nonce=params.get("nonce", ""),
            auth_time=int(now),
            expires_at=now + CODE_TTL_SECONDS,
        )
        with self._lock:
            for stale in [c for c, g in self._grants.items() if g.expires_at <= now]:
                del self._grants[stale]
            self._grants[code] = grant
        answer = {"code": code}
        if params.get("state"):
            answer["state"] = params["state"]
        return _redirect(_with_query(params["redirect_uri"], answer))

    # ------------------------------------------------------------------ token
    def _token(self, request: HttpRequest) -> HttpResponse:
        form = _form(request)
        grant_type = form.get("grant_type", "")
        if not grant_type:
            return _oauth_error("invalid_request", "grant_type is required")
        if grant_type != "authorization_code":
            return _oauth_error("unsupported_grant_type", f"grant_type {grant_type} is not supported")
        client, problem = self._client(request, form)
        if problem:
            return _oauth_error("invalid_client", problem, status=401)
        for name in ("code", "redirect_uri", "code_verifier"):
            if not form.get(name):
                return _oauth_error("invalid_request", f"{name} is required")
        now = self._clock()
        with self._lock:
            grant = self._grants.pop(form["code"], None)  # single use, whatever follows
        if grant is None:
            return _oauth_error("invalid_grant", "code is unknown or was already used")
        if grant.expires_at <= now:
            return _oauth_error("invalid_grant", "code has expired")
        if grant.client_id != client:
            return _oauth_error("invalid_grant", "code was issued to another client")
        if grant.redirect_uri != form["redirect_uri"]:
            return _oauth_error("invalid_grant", "redirect_uri differs from the authorization request")
        verifier = form["code_verifier"]
        if not _VERIFIER_RE.fullmatch(verifier) or not secrets.compare_digest(
            pkce_challenge(verifier), grant.code_challenge
        ):
            return _oauth_error("invalid_grant", "code_verifier does not match code_challenge")
        issued = int(now)
        id_token = self.sign(
            self.id_claims(grant.user_id, client, nonce=grant.nonce, issued=issued, auth_time=grant.auth_time)
        )
        access: dict[str, Any] = {
            "sub": grant.user_id,
            "iss": self.issuer,
            "client_id": client,
            "scope": grant.scope,
            "iat": issued,
            "exp": issued + self.token_ttl_seconds,
            "jti": secrets.token_hex(16),
        }
        if self.mode == "cognito":
            access.update({"token_use": "access", "username": grant.user_id})
        body = {
            "id_token": id_token,
            "access_token": self.sign(access),
            "token_type": "Bearer",
            "expires_in": self.token_ttl_seconds,
        }
        return json_response(200, body, Headers(list(_NO_STORE)))

    @staticmethod
    def _client(request: HttpRequest, form: Mapping[str, str]) -> tuple[str, str]:
        """(the client, "") once it is authenticated as configured, or ("", why not)."""
        expected_id, secret = client_id(), client_secret()
        scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
        basic_id = basic_secret = ""
        if scheme.lower() == "basic" and credentials:
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                return "", "malformed Basic credentials"
            raw_id, _, raw_secret = decoded.partition(":")
            basic_id, basic_secret = unquote(raw_id), unquote(raw_secret)
        client = basic_id or form.get("client_id", "")
        if not client:
            return "", "client_id is required"
        if client != expected_id or (form.get("client_id") and form["client_id"] != client):
            return "", "unknown client_id"
        if secret and not (basic_id and secrets.compare_digest(basic_secret.encode(), secret.encode())):
            return "", "this client authenticates with client_secret_basic"
        return client, ""

    # ------------------------------------------------------------------ logout
    def _logout(self, params: Mapping[str, str]) -> HttpResponse:
        target_name = "logout_uri" if self.mode == "cognito" else "post_logout_redirect_uri"
        problems = []
        if params.get("client_id") != client_id() and not self._ours(params.get("id_token_hint", "")):
            problems.append("client_id 与本系统的应用客户端不符")
        if not _under_base(params.get(target_name, "")):
            problems.append(f"{target_name} 必须是本系统地址 {public_base_url()} 下的地址")
        if problems:
            return signin_page.error_page(problems)
        target = params[target_name]
        if self.mode == "oidc" and params.get("state"):
            target = _with_query(target, {"state": params["state"]})
        return _redirect(target)

    def _ours(self, token: str) -> bool:
        if not token:
            return False
        try:
            jwt.decode(token, KeySet([self.key]), algorithms=["RS256"])
        except (JoseError, ValueError):
            return False
        return True


# ---------------------------------------------------------------------- helpers
def _form(request: HttpRequest) -> dict[str, str]:
    """The urlencoded body (the query string fills in what the body lacks)."""
    fields = dict(request.query)
    fields.update(parse_qsl(request.body.decode("utf-8", errors="replace"), keep_blank_values=True))
    return fields


def _under_base(uri: str) -> bool:
    base = public_base_url()
    if uri != base and not uri.startswith(f"{base}/"):
        return False
    return not urlsplit(uri).fragment


def _with_query(uri: str, extra: Mapping[str, str]) -> str:
    split = urlsplit(uri)
    query = f"{split.query}&{urlencode(extra)}" if split.query else urlencode(extra)
    return urlunsplit(split._replace(query=query))


def _redirect(location: str) -> HttpResponse:
    headers = Headers([("Location", location), ("Cache-Control", "no-store")])
    return HttpResponse(302, headers, b"")


def _oauth_error(error: str, description: str, *, status: int = 400) -> HttpResponse:
    headers = Headers(list(_NO_STORE))
    if status == 401:
        headers.add("WWW-Authenticate", 'Basic realm="oa-local"')
    return json_response(status, {"error": error, "error_description": description}, headers)
