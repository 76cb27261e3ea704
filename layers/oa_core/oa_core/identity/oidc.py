"""Sign-in of the staff pages with the identity provider: OpenID Connect authorization code with PKCE.

Where to go comes from the provider's discovery document (``provider``): the browser is sent to its
``authorization_endpoint`` with state, nonce and an S256 code challenge (RFC 7636); the provider sends
it back to ``/auth/callback`` with a code, which this module exchanges server to server at the
``token_endpoint`` (with the client secret as HTTP Basic, ``client_secret_basic``, when the stack has
one; PKCE always). The ID token it returns is verified like any bearer token of the API (``tokens``:
signature, issuer, audience, expiry, token use) and carries this sign-in's nonce.

Signing out goes to the provider's ``end_session_endpoint`` (OpenID Connect RP-Initiated Logout) with
``post_logout_redirect_uri``. Cognito's discovery document has none: its hosted UI signs out at
``/logout`` beside ``/oauth2/authorize``, with ``logout_uri`` (Cognito's documented LOGOUT endpoint).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from oa_core.identity import provider as providers
from oa_core.identity.provider import Provider, ProviderUnavailable
from oa_core.platform.config import settings
from oa_core.platform.errors import Unauthorized
from oa_core.platform.fields import refused_character

STATE_COOKIE = "oa_signin"
"""Carries state, nonce and the PKCE verifier between /auth/start and /auth/callback (10 minutes)."""
STATE_MAX_AGE = 600
SCOPE = "openid email profile"
COGNITO_AUTHORIZE_PATH = "/oauth2/authorize"
COGNITO_LOGOUT_PATH = "/logout"
TOKEN_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Pending:
    """A sign-in on its way: the state and nonce to expect back and the PKCE verifier."""

    state: str
    verifier: str
    next_path: str
    nonce: str

    def cookie_value(self) -> str:
        raw = json.dumps([self.state, self.verifier, self.next_path, self.nonce], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def from_cookie(cls, value: str | None) -> Pending | None:
        if not value:
            return None
        try:
            state, verifier, next_path, nonce = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        except (ValueError, TypeError):
            return None
        return cls(str(state), str(verifier), safe_next(str(next_path)), str(nonce))


def safe_next(path: str) -> str:
    """Only a path on this site (never //host or a scheme) may be the page after sign-in; one that holds a
    line break or another control character, or is longer than any page's, could break the Location
    header it ends in, and is replaced by the 工作台 too."""
    on_site = path.startswith("/") and not path.startswith("//") and "\\" not in path
    return path if on_site and len(path) <= 1000 and refused_character(path, allow_newline=False) is None else "/"


def callback_url(base: str) -> str:
    return f"{base}/auth/callback"


def _with_query(url: str, params: dict[str, str]) -> str:
    return f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"


def begin(base: str, next_path: str = "/") -> tuple[Pending, str]:
    """A new sign-in: what to remember in the state cookie, and where to send the browser."""
    provider = providers.current()
    authorize = providers.endpoint(provider, "authorization_endpoint")
    if authorize is None:
        raise ProviderUnavailable("身份提供方未公布登录地址 (no authorization_endpoint)")
    pending = Pending(
        state=secrets.token_urlsafe(24),
        verifier=secrets.token_urlsafe(48),
        next_path=safe_next(next_path),
        nonce=secrets.token_urlsafe(24),
    )
    challenge = base64.urlsafe_b64encode(hashlib.sha256(pending.verifier.encode()).digest()).decode().rstrip("=")
    query = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": callback_url(base),
        "scope": SCOPE,
        "state": pending.state,
        "nonce": pending.nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return pending, _with_query(authorize, query)


def finish(base: str, code: str, state: str, pending: Pending | None) -> str:
    """Exchange the code for tokens; returns the signed-in user name from the verified ID token."""
    if pending is None or not state or not secrets.compare_digest(state, pending.state):
        raise Unauthorized("登录已失效，请重新登录 (the sign-in expired or did not start here)")
    if not code:
        raise Unauthorized("登录未完成，请重新登录 (no authorization code)")
    provider = providers.current()
    tokens_answer = _exchange(provider, base, code, pending.verifier)
    from oa_core.identity import tokens  # joserfc: only the functions that verify tokens carry it

    return tokens.verify(str(tokens_answer.get("id_token") or ""), provider=provider, nonce=pending.nonce).username


def _exchange(provider: Provider, base: str, code: str, verifier: str) -> dict[str, Any]:
    """The token endpoint's answer to the authorization code (RFC 6749 4.1.3, with PKCE)."""
    token_endpoint = providers.endpoint(provider, "token_endpoint")
    if token_endpoint is None:
        raise ProviderUnavailable("身份提供方未公布令牌地址 (no token_endpoint)")
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": callback_url(base),
        "code_verifier": verifier,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    secret = client_secret()
    if secret:
        # client_secret_basic (RFC 6749 2.3.1): id and secret form-encoded, then Basic.
        pair = f"{quote(provider.client_id, safe='')}:{quote(secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        fields["client_id"] = provider.client_id
    request = urllib.request.Request(  # noqa: S310 (endpoint() allows https, or loopback http)
        token_endpoint, data=urlencode(fields).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=TOKEN_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = json.loads(response.read(providers.MAX_DOCUMENT_BYTES))
    except urllib.error.HTTPError as exc:
        raise Unauthorized(
            f"登录未完成，请重新登录 (the token endpoint refused the code: {_oauth_error(exc)})"
        ) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ProviderUnavailable(f"身份认证服务暂时无法访问，请稍后再试 ({exc})") from exc
    except ValueError as exc:
        raise ProviderUnavailable("身份提供方的应答无法识别 (the token endpoint did not answer JSON)") from exc
    if not isinstance(answer, dict):
        raise ProviderUnavailable("身份提供方的应答无法识别 (the token endpoint did not answer an object)")
    return answer


def _oauth_error(exc: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(exc.read(4096))
    except (ValueError, OSError):
        return f"HTTP {exc.code}"
    return str(body.get("error", f"HTTP {exc.code}")) if isinstance(body, dict) else f"HTTP {exc.code}"


def client_secret() -> str:
    """The client secret for the token endpoint, or "" for a public client (no secret name, or the
    template's secret still empty: a Secrets Manager secret without a value)."""
    name = settings().auth_client_secret_name
    if not name:
        return ""
    from aws_lambda_powertools.utilities.parameters import get_secret
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        return str(get_secret(name, max_age=300) or "")
    except GetParameterError as exc:
        # Powertools raises it while handling the SDK's error, which stays its __context__.
        sdk_error = exc.__cause__ or exc.__context__
        if getattr(sdk_error, "response", {}).get("Error", {}).get("Code") == "ResourceNotFoundException":
            return ""  # the secret exists but holds no value yet
        raise ProviderUnavailable(f"身份认证配置无法读取 (the client secret {name} cannot be read)") from exc


def logout_url(base: str) -> str:
    """Where the browser goes to end its session with the provider, then back to ``/login``."""
    back = f"{base}/login"
    try:
        provider = providers.current()
        end_session = providers.endpoint(provider, "end_session_endpoint")
        if end_session:
            return _with_query(end_session, {"client_id": provider.client_id, "post_logout_redirect_uri": back})
        cognito = cognito_logout_endpoint(providers.endpoint(provider, "authorization_endpoint"))
    except ProviderUnavailable:
        return back  # the session here is over already; the provider's is not ours to end now
    if cognito is None:
        return back
    return _with_query(cognito, {"client_id": provider.client_id, "logout_uri": back})


def cognito_logout_endpoint(authorization_endpoint: str | None) -> str | None:
    """Cognito's hosted UI signs out at ``/logout`` beside ``/oauth2/authorize``."""
    if not authorization_endpoint:
        return None
    split = urlsplit(authorization_endpoint)
    if not split.path.endswith(COGNITO_AUTHORIZE_PATH):
        return None
    path = split.path.removesuffix(COGNITO_AUTHORIZE_PATH) + COGNITO_LOGOUT_PATH
    return split._replace(path=path, query="").geturl()


def provider_origins() -> list[str]:
    """The origins the pages' forms may lead to (sign-out redirects to the provider): for the CSP's
    form-action. Empty where no provider is configured, or while it cannot be reached."""
    if not providers.configured():
        return []
    try:
        provider = providers.current()
        urls = [
            providers.endpoint(provider, "authorization_endpoint"),
            providers.endpoint(provider, "end_session_endpoint"),
        ]
    except ProviderUnavailable:
        return []
    origins = [f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" for url in urls if url]
    return list(dict.fromkeys(origins))
