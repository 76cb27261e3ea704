"""The local stand-in for the Cognito hosted UI: OAuth 2.0 authorization code with PKCE.

The deployed web function signs staff in through Cognito's hosted UI; locally the same
redirects and the same token exchange go to the gateway under ``/_local/cognito``:

- ``GET  /_local/cognito/oauth2/authorize``: a page (Simplified Chinese) listing the demo
  users by department, each a button; no password.
- ``POST /_local/cognito/oauth2/authorize``: the chosen ``user_id`` plus the original
  parameters; answers 302 to ``redirect_uri?code=…&state=…``.
- ``POST /_local/cognito/oauth2/token``: ``grant_type=authorization_code`` with ``client_id``,
  ``code``, ``redirect_uri`` and ``code_verifier``; answers ``{"id_token", "access_token",
  "token_type": "Bearer", "expires_in": 3600}`` or an OAuth error ``{"error",
  "error_description"}`` with 400.
- ``GET  /_local/cognito/logout``: 302 to ``logout_uri``.

The tokens are unsigned JWTs (``alg: none``): the web function reads the id_token it got
straight from the token endpoint and checks ``aud``, ``token_use`` and ``exp``, as it does
with Cognito's. The client id (``AUTH_CLIENT_ID``, else the SSM parameter named by
``AUTH_CLIENT_ID_PARAMETER``, else ``UserPoolClient``, what ``!Ref UserPoolClient`` gives
locally) and the stack's address (``PUBLIC_BASE_URL``) are read from the environment at each request, so
they follow ``LocalStack.serve`` choosing a port. Codes are single-use, live five minutes
and are kept in memory.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from werkzeug.datastructures import Headers

from infra.local.messages import Directory, HttpRequest, HttpResponse, json_response

PREFIX = "/_local/cognito"
DEFAULT_CLIENT_ID = "UserPoolClient"  # what ``!Ref UserPoolClient`` resolves to locally
CODE_TTL_SECONDS = 300
TOKEN_TTL_SECONDS = 3600
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
)
_CHALLENGE_RE = re.compile(r"[A-Za-z0-9_-]{43}")  # base64url(sha256) without padding
_VERIFIER_RE = re.compile(r"[A-Za-z0-9._~-]{43,128}")  # RFC 7636 section 4.1


@dataclass(frozen=True)
class _Grant:
    user_id: str
    client_id: str
    redirect_uri: str
    code_challenge: str
    scope: str
    auth_time: int
    expires_at: float


def client_id() -> str:
    """``AUTH_CLIENT_ID``; else the SSM parameter ``AUTH_CLIENT_ID_PARAMETER`` names; else the local default."""
    if os.environ.get("AUTH_CLIENT_ID"):
        return os.environ["AUTH_CLIENT_ID"]
    parameter = os.environ.get("AUTH_CLIENT_ID_PARAMETER")
    if parameter:
        import boto3
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return str(boto3.client("ssm").get_parameter(Name=parameter)["Parameter"]["Value"])
        except (BotoCoreError, ClientError):
            pass
    return DEFAULT_CLIENT_ID


def public_base_url() -> str:
    return (os.environ.get("PUBLIC_BASE_URL") or "http://127.0.0.1:3000").rstrip("/")


def pkce_challenge(code_verifier: str) -> str:
    """S256: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def unsigned_jwt(claims: Mapping[str, Any]) -> str:
    """``header.payload.`` with ``{"alg": "none"}``: no signature."""

    def part(value: Mapping[str, Any]) -> str:
        raw = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, unverified (for tests and tools)."""
    payload = token.split(".")[1]
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    if not isinstance(decoded, dict):
        raise ValueError("JWT payload is not an object")
    return decoded


class CognitoStandIn:
    """Serves ``/_local/cognito/*`` for the gateway."""

    def __init__(
        self,
        directory: Callable[[], Directory],
        *,
        issuer: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._directory = directory
        self._issuer = issuer
        self._clock = clock
        self._lock = threading.Lock()
        self._grants: dict[str, _Grant] = {}

    @property
    def issuer(self) -> str:
        if self._issuer:
            return self._issuer
        region = os.environ.get("AWS_REGION") or "us-east-1"
        return f"https://cognito-idp.{region}.amazonaws.com/{region}_UserPool"

    # ------------------------------------------------------------------ dispatch
    def handle(self, request: HttpRequest) -> HttpResponse | None:
        """The answer for a ``/_local/cognito`` request, or None when no route matches."""
        match request.method, request.path.rstrip("/"):
            case "GET", "/_local/cognito/oauth2/authorize":
                return self._authorize_page(dict(request.query))
            case "POST", "/_local/cognito/oauth2/authorize":
                return self._authorize(_form(request))
            case "POST", "/_local/cognito/oauth2/token":
                return self._token(_form(request))
            case "GET", "/_local/cognito/logout":
                return self._logout(dict(request.query))
        return None

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
        if params.get("code_challenge_method") != "S256":
            problems.append("code_challenge_method 必须为 S256")
        if not _CHALLENGE_RE.fullmatch(params.get("code_challenge", "")):
            problems.append("缺少有效的 code_challenge（须使用 PKCE，S256）")
        return problems

    def _authorize_page(self, params: Mapping[str, str]) -> HttpResponse:
        problems = self._authorize_problems(params)
        if problems:
            return _error_page(problems)
        directory = self._directory()
        users = directory.list_users()
        department_names = {d["department_id"]: d["name"] for d in directory.list_departments()}
        by_department: dict[str, list[dict[str, Any]]] = {d: [] for d in department_names}
        for user in users:
            by_department.setdefault(str(user.get("department") or ""), []).append(user)

        hidden = "".join(
            f'<input type="hidden" name="{_esc(name)}" value="{_esc(params[name])}">'
            for name in AUTHORIZE_PARAMS
            if name in params
        )
        sections = []
        for department_id, members in by_department.items():
            if not members:
                continue
            buttons = "".join(
                '<li><button type="submit" name="user_id" value="{}">'
                '<span class="name">{}</span> <span class="roles">{}</span></button></li>'.format(
                    _esc(user["user_id"]),
                    _esc(user.get("name") or user["user_id"]),
                    _esc("、".join(directory.role_names.get(r, r) for r in user.get("roles") or [])),
                )
                for user in members
            )
            title = department_names.get(department_id) or department_id or "未分配部门"
            sections.append(f"<section><h2>{_esc(title)}</h2><ul>{buttons}</ul></section>")
        if not sections:
            sections.append("<p>目录中还没有用户。</p>")
        org = os.environ.get("ORG_NAME", "")
        body = (
            "<h1>选择演示用户登录</h1>"
            f"<p>{_esc(org)} 本地登录：本地运行时代替 Cognito 托管登录页，点击用户即以其身份登录，无需密码。</p>"
            f'<form method="post" action="authorize">{hidden}{"".join(sections)}</form>'
        )
        return _page(200, "选择演示用户登录 - 本地登录", body)

    def _authorize(self, params: Mapping[str, str]) -> HttpResponse:
        problems = self._authorize_problems(params)
        user_id = params.get("user_id", "")
        if not problems and (not user_id or self._directory().get_user(user_id) is None):
            problems.append(f"用户不存在：{user_id}" if user_id else "请选择一个用户")
        if problems:
            return _error_page(problems)
        code = secrets.token_urlsafe(24)
        now = self._clock()
        grant = _Grant(
            user_id=user_id,
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            code_challenge=params["code_challenge"],
            scope=params.get("scope", ""),
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
    def _token(self, form: Mapping[str, str]) -> HttpResponse:
        grant_type = form.get("grant_type", "")
        if not grant_type:
            return _oauth_error("invalid_request", "grant_type is required")
        if grant_type != "authorization_code":
            return _oauth_error("unsupported_grant_type", f"grant_type {grant_type} is not supported")
        for name in ("client_id", "code", "redirect_uri", "code_verifier"):
            if not form.get(name):
                return _oauth_error("invalid_request", f"{name} is required")
        if form["client_id"] != client_id():
            return _oauth_error("invalid_client", "unknown client_id")
        now = self._clock()
        with self._lock:
            grant = self._grants.pop(form["code"], None)  # single use, whatever follows
        if grant is None:
            return _oauth_error("invalid_grant", "code is unknown or was already used")
        if grant.expires_at <= now:
            return _oauth_error("invalid_grant", "code has expired")
        if grant.client_id != form["client_id"]:
            return _oauth_error("invalid_grant", "code was issued to another client")
        if grant.redirect_uri != form["redirect_uri"]:
            return _oauth_error("invalid_grant", "redirect_uri differs from the authorization request")
        verifier = form["code_verifier"]
        if not _VERIFIER_RE.fullmatch(verifier) or not secrets.compare_digest(
            pkce_challenge(verifier), grant.code_challenge
        ):
            return _oauth_error("invalid_grant", "code_verifier does not match code_challenge")
        user = self._directory().get_user(grant.user_id) or {}
        issued = int(now)
        common = {
            "sub": grant.user_id,
            "iss": self.issuer,
            "auth_time": grant.auth_time,
            "iat": issued,
            "exp": issued + TOKEN_TTL_SECONDS,
        }
        id_token = unsigned_jwt(
            {
                **common,
                "aud": grant.client_id,
                "token_use": "id",
                "cognito:username": grant.user_id,
                "email": str(user.get("email", "")),
                "name": str(user.get("name", "")),
            }
        )
        access_token = unsigned_jwt(
            {
                **common,
                "client_id": grant.client_id,
                "token_use": "access",
                "username": grant.user_id,
                "scope": grant.scope,
                "jti": secrets.token_hex(16),
            }
        )
        return json_response(
            200,
            {
                "id_token": id_token,
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": TOKEN_TTL_SECONDS,
            },
            Headers([("Cache-Control", "no-store"), ("Pragma", "no-cache")]),
        )

    # ------------------------------------------------------------------ logout
    @staticmethod
    def _logout(params: Mapping[str, str]) -> HttpResponse:
        problems = []
        if params.get("client_id") != client_id():
            problems.append("client_id 与本系统的应用客户端不符")
        if not _under_base(params.get("logout_uri", "")):
            problems.append(f"logout_uri 必须是本系统地址 {public_base_url()} 下的地址")
        if problems:
            return _error_page(problems)
        return _redirect(params["logout_uri"])


# ---------------------------------------------------------------------- helpers
def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


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


def _oauth_error(error: str, description: str) -> HttpResponse:
    return json_response(
        400,
        {"error": error, "error_description": description},
        Headers([("Cache-Control", "no-store"), ("Pragma", "no-cache")]),
    )


_STYLE = (
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;max-width:56em;margin:2em auto;"
    "padding:0 1em;color:#222}h2{font-size:1.1em;border-bottom:1px solid #ccc;padding-bottom:.2em}"
    "ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5em}"
    "button{font:inherit;padding:.5em 1em;cursor:pointer;border:1px solid #888;border-radius:4px;background:#f6f6f6}"
    ".roles{color:#666;font-size:.9em}ul.error{display:block;list-style:disc;padding-left:1.5em;color:#a00}"
)


def _page(status: int, title: str, body: str) -> HttpResponse:
    page = (
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )
    headers = Headers([("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")])
    return HttpResponse(status, headers, page.encode("utf-8"))


def _error_page(problems: list[str]) -> HttpResponse:
    items = "".join(f"<li>{_esc(p)}</li>" for p in problems)
    return _page(400, "登录请求有误 - 本地登录", f'<h1>登录请求有误</h1><ul class="error">{items}</ul>')
