"""Sign-in through the Cognito hosted UI: OAuth 2.0 authorization code with PKCE (RFC 7636).

The browser is sent to ``/oauth2/authorize``; Cognito sends it back to ``/auth/callback`` with a
code, which this module exchanges server to server at ``/oauth2/token``. The ID token comes
straight from the token endpoint over TLS, so (OpenID Connect Core 3.1.3.7) its issuer is
established by the connection and its signature need not be checked; its audience, use and
expiry are.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from oa_core.platform.config import settings
from oa_core.platform.errors import Unauthorized

STATE_COOKIE = "oa_signin"
"""Carries state and PKCE verifier between /login and /auth/callback (10 minutes)."""
STATE_MAX_AGE = 600


@dataclass(frozen=True)
class Pending:
    """A sign-in on its way: the state to expect back and the PKCE verifier."""

    state: str
    verifier: str
    next_path: str

    def cookie_value(self) -> str:
        raw = json.dumps([self.state, self.verifier, self.next_path], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def from_cookie(cls, value: str | None) -> Pending | None:
        if not value:
            return None
        try:
            state, verifier, next_path = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        except (ValueError, TypeError):
            return None
        return cls(str(state), str(verifier), safe_next(str(next_path)))


def safe_next(path: str) -> str:
    """Only a path on this site (never //host or a scheme) may be the page after sign-in."""
    return path if path.startswith("/") and not path.startswith("//") and "\\" not in path else "/"


def client_id() -> str:
    """The app client id: AUTH_CLIENT_ID, or the SSM parameter the template writes it to.

    (The template cannot hand the id to the function directly: the client's callback URL names the
    API, the API names the function, so a reference would close a cycle.)
    """
    if settings().auth_client_id:
        return settings().auth_client_id
    from aws_lambda_powertools.utilities import parameters

    return str(parameters.get_parameter(settings().auth_client_id_parameter, max_age=3600))


def callback_url(base: str) -> str:
    return f"{base}/auth/callback"


def begin(base: str, next_path: str = "/") -> tuple[Pending, str]:
    """A new sign-in: what to remember in the state cookie, and where to send the browser."""
    pending = Pending(secrets.token_urlsafe(24), secrets.token_urlsafe(48), safe_next(next_path))
    challenge = base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).decode().rstrip("=")
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id(),
            "redirect_uri": callback_url(base),
            "scope": "openid email profile",
            "state": pending.state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return pending, f"{settings().auth_base_url}/oauth2/authorize?{query}"


def logout_url(base: str) -> str:
    query = urlencode({"client_id": client_id(), "logout_uri": f"{base}/login"})
    return f"{settings().auth_base_url}/logout?{query}"


def finish(base: str, code: str, state: str, pending: Pending | None) -> str:
    """Exchange the code for tokens; returns the signed-in user name (``cognito:username``)."""
    if pending is None or not state or not secrets.compare_digest(state, pending.state):
        raise Unauthorized("登录已失效，请重新登录 (the sign-in expired or did not start here)")
    if not code:
        raise Unauthorized("登录未完成，请重新登录 (no authorization code)")
    body = urlencode(
        {
            "grant_type": "authorization_code",
            "client_id": client_id(),
            "code": code,
            "redirect_uri": callback_url(base),
            "code_verifier": pending.verifier,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (the configured hosted-UI URL)
        f"{settings().auth_base_url}/oauth2/token",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            tokens = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise Unauthorized("登录未完成，请重新登录 (the sign-in code was refused)") from exc
    return user_of(str(tokens.get("id_token", "")))


def user_of(id_token: str) -> str:
    """The user name in an ID token taken from the token endpoint, after checking what applies to it."""
    claims = _payload(id_token)
    if claims.get("aud") != client_id() or claims.get("token_use") != "id":
        raise Unauthorized("登录凭证不属于本系统 (the ID token is not for this application)")
    if float(claims.get("exp", 0)) <= time.time():
        raise Unauthorized("登录凭证已过期，请重新登录 (the ID token has expired)")
    user = claims.get("cognito:username") or claims.get("username")
    if not user:
        raise Unauthorized("登录凭证缺少用户名 (no user name in the ID token)")
    return str(user)


def _payload(token: str) -> dict[str, Any]:
    try:
        part = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError) as exc:
        raise Unauthorized("登录凭证无法识别 (malformed ID token)") from exc
    if not isinstance(claims, dict):
        raise Unauthorized("登录凭证无法识别 (malformed ID token)")
    return claims
