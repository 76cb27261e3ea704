"""A provider for unit tests: its documents are served to oa_core.identity.provider without a network.

``FakeProvider`` holds a key pair (RSA, or EC for ES256), builds the discovery document and the JWKS,
signs tokens with any header and claims (good ones by default), and counts what the core fetched.
The ``fake_provider`` fixture (conftest.py) configures the core for it (AUTH_ISSUER, AUTH_CLIENT_ID,
the username claim) and puts it in place of ``provider.fetch_json``.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from oa_core.identity import provider

ISSUER = "https://cognito-idp.cn-north-1.amazonaws.com/cn-north-1_Example"
CLIENT_ID = "client-1"
AUTHORIZE = "https://oa-test.auth.cn-north-1.amazoncognito.com/oauth2/authorize"
TOKEN = "https://oa-test.auth.cn-north-1.amazoncognito.com/oauth2/token"
JWKS = f"{ISSUER}/.well-known/jwks.json"


def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"}, private=True, auto_kid=True)


def b64(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class FakeProvider:
    def __init__(self) -> None:
        self.key: RSAKey | ECKey = rsa_key()
        self.published: list[RSAKey | ECKey] = [self.key]
        self.discovery: dict[str, Any] = {
            "issuer": ISSUER,
            "authorization_endpoint": AUTHORIZE,
            "token_endpoint": TOKEN,
            "jwks_uri": JWKS,
        }
        self.fetched: list[str] = []
        self.down = False

    def fetch_json(self, url: str) -> dict[str, Any]:
        self.fetched.append(url)
        if self.down:
            raise provider.ProviderUnavailable(f"身份认证服务暂时无法访问 ({url}: down)")
        if url == f"{ISSUER}/.well-known/openid-configuration":
            return dict(self.discovery)
        if url == self.discovery.get("jwks_uri"):
            return {"keys": [key.as_dict(private=False) for key in self.published]}
        raise provider.ProviderUnavailable(f"no such document {url}")

    def claims(self, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "7d1c-lina",
            "token_use": "id",
            "cognito:username": "lina",
            "email": "lina@example.gov.cn",
            "iat": now,
            "exp": now + 3600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def token(self, *, key: RSAKey | ECKey | None = None, header: dict[str, Any] | None = None, **claims: Any) -> str:
        signer = key or self.key
        alg = "ES256" if isinstance(signer, ECKey) else "RS256"
        return jwt.encode({"alg": alg, "kid": signer.kid, **(header or {})}, self.claims(**claims), signer)
