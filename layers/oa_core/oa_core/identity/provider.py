"""身份提供方: the OpenID Connect issuer this stack trusts, and what it publishes.

The issuer is the stack's Cognito user pool (``IdentityProvider=cognito``) or any OpenID Connect
provider the unit runs (``oidc``: a 统一身份认证平台, Keycloak, Authing…). Either way the functions
learn it the same way: the issuer URL and the client id from SSM parameters the template writes
(``AUTH_ISSUER_PARAMETER``, ``AUTH_CLIENT_ID_PARAMETER``; ``AUTH_ISSUER`` and ``AUTH_CLIENT_ID``
override them), the claim that names the user from ``AUTH_USERNAME_CLAIM``.

What the issuer publishes is read from its discovery document
(``{issuer}/.well-known/openid-configuration``, OpenID Connect Discovery 1.0) and the JWKS it names,
each fetched once and cached; a failed fetch is remembered for a short while, so that an unreachable
provider costs each request no more than one timeout every ``FAILURE_BACKOFF_SECONDS``. Everything
is fetched over HTTPS; plain HTTP only from the loopback interface (a provider on this machine).
No JOSE here: verifying tokens is ``tokens``'s.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from oa_core.platform.config import settings
from oa_core.platform.errors import DomainError

DISCOVERY_TTL_SECONDS = 3600
JWKS_TTL_SECONDS = 3600
JWKS_REFETCH_SECONDS = 60
"""An unknown key id refetches the JWKS at most this often: a token with a made-up ``kid`` cannot
make every request fetch it."""
FAILURE_BACKOFF_SECONDS = 30
FETCH_TIMEOUT_SECONDS = 5
MAX_DOCUMENT_BYTES = 1_000_000
PARAMETER_MAX_AGE_SECONDS = 300


class ProviderUnavailable(DomainError):
    """The identity provider (its configuration, discovery document or keys) cannot be reached."""

    status = 503
    code = "identity_provider_unavailable"


@dataclass(frozen=True)
class Provider:
    """Who issues the tokens this stack accepts, and for which client."""

    issuer: str
    client_id: str
    username_claim: str

    @property
    def discovery_url(self) -> str:
        # OpenID Connect Discovery 1.0, 4.1: the issuer without a trailing slash, then the well-known path.
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


def configured() -> bool:
    """Whether this function is told about an identity provider at all (the web and authorizer functions are)."""
    config = settings()
    return bool(config.auth_issuer or config.auth_issuer_parameter)


def current() -> Provider:
    """The configured provider (SSM parameters cached for a few minutes by Powertools)."""
    config = settings()
    issuer = config.auth_issuer or _parameter(config.auth_issuer_parameter, "issuer")
    client_id = config.auth_client_id or _parameter(config.auth_client_id_parameter, "client id")
    if not issuer or not client_id:
        raise ProviderUnavailable("身份认证未配置 (no issuer or client id configured)")
    return Provider(issuer=issuer, client_id=client_id, username_claim=config.auth_username_claim)


def _parameter(name: str, what: str) -> str:
    if not name:
        return ""
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        return str(parameters.get_parameter(name, max_age=PARAMETER_MAX_AGE_SECONDS))
    except GetParameterError as exc:
        raise ProviderUnavailable(f"身份认证配置无法读取 (the {what} parameter {name} cannot be read)") from exc


def allowed_url(url: str) -> bool:
    """HTTPS, or plain HTTP to the loopback interface only (a provider on this very machine)."""
    split = urlsplit(url)
    if split.scheme == "https" and split.hostname:
        return True
    if split.scheme != "http" or not split.hostname:
        return False
    if split.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(split.hostname).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------- cached documents

_lock = threading.Lock()
_documents: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
"""(kind, url) -> (fetched at, document)."""
_failures: dict[tuple[str, str], tuple[float, str]] = {}
"""(kind, url) -> (failed at, why)."""


def forget() -> None:
    """Drop every cached document and failure (a provider that changed, or tests)."""
    with _lock:
        _documents.clear()
        _failures.clear()


def discovery(provider: Provider) -> dict[str, Any]:
    """The provider's discovery document, checked to be its own (its ``issuer`` is the configured one)."""
    document = _cached("discovery", provider.discovery_url, DISCOVERY_TTL_SECONDS)
    if document.get("issuer") != provider.issuer:
        raise ProviderUnavailable(
            "身份提供方的发现文档与配置的签发者不符 "
            f"(the discovery document names issuer {document.get('issuer')!r}, not {provider.issuer!r})"
        )
    return document


def endpoint(provider: Provider, name: str) -> str | None:
    """An endpoint the discovery document names (``authorization_endpoint``, ``token_endpoint``,
    ``end_session_endpoint``…), or None when it names none; refused unless HTTPS (or loopback)."""
    value = discovery(provider).get(name)
    if not value:
        return None
    if not isinstance(value, str) or not allowed_url(value):
        raise ProviderUnavailable(f"身份提供方的地址不安全 ({name} {value!r} is not https)")
    return value


def jwks(provider: Provider, *, refresh: bool = False) -> dict[str, Any]:
    """The provider's JSON Web Key Set. ``refresh`` (an unknown key id) refetches it, at most once
    every ``JWKS_REFETCH_SECONDS``."""
    uri = endpoint(provider, "jwks_uri")
    if uri is None:
        raise ProviderUnavailable("身份提供方未公布签名公钥 (the discovery document has no jwks_uri)")
    return _cached("jwks", uri, JWKS_TTL_SECONDS, refresh_after=JWKS_REFETCH_SECONDS if refresh else None)


def _cached(kind: str, url: str, ttl: float, *, refresh_after: float | None = None) -> dict[str, Any]:
    key = (kind, url)
    now = time.monotonic()
    with _lock:
        held = _documents.get(key)
        failed = _failures.get(key)
    if held is not None:
        age = now - held[0]
        if age < (ttl if refresh_after is None else min(ttl, refresh_after)):
            return held[1]
    if failed is not None and now - failed[0] < FAILURE_BACKOFF_SECONDS:
        if held is not None:
            return held[1]
        raise ProviderUnavailable(f"身份认证服务暂时无法访问，请稍后再试 ({failed[1]})")
    try:
        document = fetch_json(url)
    except ProviderUnavailable as exc:
        with _lock:
            _failures[key] = (now, exc.message)
        if held is not None:
            return held[1]
        raise
    with _lock:
        _documents[key] = (now, document)
        _failures.pop(key, None)
    return document


def fetch_json(url: str, opener: Callable[..., Any] = urllib.request.urlopen) -> dict[str, Any]:
    """GET a JSON object over HTTPS (or loopback HTTP), within a timeout and a size limit."""
    if not allowed_url(url):
        raise ProviderUnavailable(f"身份提供方的地址不安全 ({url} is not https)")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (checked above)
    try:
        with opener(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            raw = response.read(MAX_DOCUMENT_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise ProviderUnavailable(f"身份认证服务暂时无法访问，请稍后再试 ({url}: {exc})") from exc
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise ProviderUnavailable(f"身份提供方的文档过大 ({url})")
    try:
        document = json.loads(raw)
    except ValueError as exc:
        raise ProviderUnavailable(f"身份提供方的文档无法识别 ({url} is not JSON)") from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable(f"身份提供方的文档无法识别 ({url} is not a JSON object)")
    return document
