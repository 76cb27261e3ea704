"""登录凭证: an ID token of the configured identity provider, verified (joserfc does the JOSE).

One check for the API's authorizer and the web sign-in alike: the signature with a key of the
issuer's JWKS (RS256 or ES256 only: ``alg: none``, HS* and anything else are refused, so a token
"signed" with the public key as an HMAC secret gets nowhere), ``iss`` the configured issuer, ``aud``
the client id (and ``azp`` too when present), ``exp``/``nbf``/``iat`` with ``LEEWAY_SECONDS`` of clock
skew, ``token_use`` ``id`` when present (Cognito's access tokens are not ID tokens), the sign-in's
``nonce`` when one is expected, and a user name in the configured claim. An unknown ``kid`` refetches
the JWKS once (a rotated key). Every failure is ``Unauthorized`` with a message in Chinese; only an
unreachable provider is ``ProviderUnavailable``.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import KeySet

from oa_core.identity import provider as providers
from oa_core.identity.provider import Provider
from oa_core.platform.errors import Unauthorized

ALGORITHMS = ("RS256", "ES256")
"""What an ID token may be signed with: Cognito signs RS256; ES256 for providers that use EC keys."""
LEEWAY_SECONDS = 60
MAX_TOKEN_LENGTH = 16_384


@dataclass(frozen=True)
class Identity:
    """Who a verified ID token says the user is."""

    username: str
    subject: str
    email: str
    claims: dict[str, Any]


_CLAIM_MESSAGES = {
    "iss": "登录凭证不是本系统的身份提供方签发的 (wrong issuer)",
    "aud": "登录凭证不属于本系统 (the token is for another application)",
    "azp": "登录凭证不属于本系统 (the token was issued to another client)",
    "exp": "登录凭证已过期，请重新登录 (the token has expired)",
    "nbf": "登录凭证尚未生效 (the token is not valid yet)",
    "iat": "登录凭证的签发时间不正确 (the token was issued in the future)",
    "token_use": "请使用 ID 令牌 (not an ID token)",
}


def verify(token: str, *, provider: Provider | None = None, nonce: str | None = None) -> Identity:
    """The identity in ``token`` once every check holds; ``Unauthorized`` saying which did not."""
    provider = provider or providers.current()
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        raise Unauthorized("登录凭证无法识别，请重新登录 (malformed token)")
    claims = _verified_claims(token, provider)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise Unauthorized(_CLAIM_MESSAGES["exp"]) from exc
    except (InvalidClaimError, MissingClaimError) as exc:
        raise Unauthorized(_claim_message(exc)) from exc
    if "azp" in claims and claims["azp"] != provider.client_id:
        raise Unauthorized(_CLAIM_MESSAGES["azp"])
    if "token_use" in claims and claims["token_use"] != "id":  # noqa: S105 (a claim, not a password)
        raise Unauthorized(_CLAIM_MESSAGES["token_use"])
    if nonce is not None:
        carried = claims.get("nonce")
        if not isinstance(carried, str) or not hmac.compare_digest(carried.encode(), nonce.encode()):
            raise Unauthorized("登录已失效，请重新登录 (the ID token's nonce is not this sign-in's)")
    username = claims.get(provider.username_claim)
    if not isinstance(username, str) or not username:
        raise Unauthorized(f"登录凭证缺少用户名 (no {provider.username_claim} in the token)")
    email = claims.get("email")
    return Identity(
        username=username,
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) else "",
        claims=claims,
    )


def _verified_claims(token: str, provider: Provider) -> dict[str, Any]:
    """The payload, once its signature verifies with a key of the issuer's JWKS."""
    for refresh in (False, True):
        keys = _key_set(providers.jwks(provider, refresh=refresh))
        try:
            return dict(jwt.decode(token, keys, algorithms=ALGORITHMS).claims)
        except InvalidKeyIdError:
            if refresh:
                raise Unauthorized("登录凭证的签名密钥未知 (no key of the issuer has this kid)") from None
        except UnsupportedAlgorithmError as exc:
            raise Unauthorized("登录凭证的签名算法不被接受 (only RS256 and ES256 are accepted)") from exc
        except BadSignatureError as exc:
            raise Unauthorized("登录凭证签名无效 (the signature does not verify)") from exc
        except (JoseError, ValueError, TypeError) as exc:
            raise Unauthorized("登录凭证无法识别，请重新登录 (malformed token)") from exc
    raise AssertionError("unreachable")  # pragma: no cover


def _key_set(document: dict[str, Any]) -> KeySet:
    """The signing keys of a JWKS (keys for encryption, or of types joserfc cannot use, are left out)."""
    usable = [key for key in document.get("keys") or [] if isinstance(key, dict) and key.get("use", "sig") == "sig"]
    if not usable:
        return KeySet([])  # every kid unknown: refused, after one refetch
    try:
        return KeySet.import_key_set({"keys": usable})
    except (JoseError, ValueError, TypeError) as exc:
        raise providers.ProviderUnavailable("身份提供方的签名公钥无法识别 (the JWKS cannot be read)") from exc


def _claim_message(exc: InvalidClaimError | MissingClaimError) -> str:
    """The message for the first claim named (a missing one names them all, comma-separated)."""
    named = exc.claim.split(",")
    return next(
        (message for claim, message in _CLAIM_MESSAGES.items() if claim in named),
        f"登录凭证缺少必要信息 (claim {exc.claim} is missing or wrong)",
    )
