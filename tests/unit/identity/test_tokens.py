"""ID token verification (oa_core.identity.tokens): only a token the issuer signed, for us, fresh, passes.

The issuer's documents come from a fake provider (tests/unit/identity/fake_provider.py): no network.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest
from joserfc.jwk import ECKey

from oa_core.identity import provider, tokens
from oa_core.identity.provider import Provider, ProviderUnavailable
from oa_core.platform.errors import Unauthorized
from tests.unit.identity.fake_provider import ISSUER, JWKS, FakeProvider, b64, rsa_key


def refused(token: str, message: str, nonce: str | None = None) -> None:
    with pytest.raises(Unauthorized, match=message):
        tokens.verify(token, nonce=nonce)


def age_the_jwks() -> None:
    """As if the cached JWKS had been fetched longer ago than an unknown kid waits for a refetch."""
    held_since, document = provider._documents[("jwks", JWKS)]
    provider._documents[("jwks", JWKS)] = (held_since - provider.JWKS_REFETCH_SECONDS - 1, document)


def test_a_token_the_issuer_signed_for_us_names_its_user(fake_provider: FakeProvider) -> None:
    identity = tokens.verify(fake_provider.token())
    assert (identity.username, identity.subject, identity.email) == ("lina", "7d1c-lina", "lina@example.gov.cn")
    assert identity.claims["iss"] == ISSUER


def test_the_username_comes_from_the_configured_claim(fake_provider: FakeProvider) -> None:
    oidc = Provider(issuer=ISSUER, client_id="client-1", username_claim="preferred_username")
    token = fake_provider.token(token_use=None, preferred_username="wangfang")
    assert tokens.verify(token, provider=oidc).username == "wangfang"
    refused(fake_provider.token(**{"cognito:username": None}), "缺少用户名")


def test_a_token_signed_by_another_key_is_refused(fake_provider: FakeProvider) -> None:
    forger = rsa_key()
    # The forger claims the issuer's key id: the signature is checked with the issuer's key.
    refused(fake_provider.token(key=forger, header={"kid": fake_provider.key.kid}), "签名无效")
    # …or a key id of its own, which the issuer never published.
    refused(fake_provider.token(key=forger), "签名密钥未知")


def test_an_unknown_key_id_refetches_the_jwks_once_and_then_waits(fake_provider: FakeProvider) -> None:
    tokens.verify(fake_provider.token())
    assert fake_provider.fetched.count(JWKS) == 1
    forger = rsa_key()
    refused(fake_provider.token(key=forger), "签名密钥未知")
    assert fake_provider.fetched.count(JWKS) == 1, "a JWKS younger than a minute is not fetched again"
    age_the_jwks()
    refused(fake_provider.token(key=forger), "签名密钥未知")
    assert fake_provider.fetched.count(JWKS) == 2, "one refetch for an unknown kid"


def test_a_rotated_key_is_found_by_refetching_the_jwks(fake_provider: FakeProvider) -> None:
    tokens.verify(fake_provider.token())
    rotated = rsa_key()
    fake_provider.published.append(rotated)
    age_the_jwks()
    assert tokens.verify(fake_provider.token(key=rotated)).username == "lina"


def test_an_es256_key_of_the_jwks_verifies_too(fake_provider: FakeProvider) -> None:
    ec = ECKey.generate_key("P-256", parameters={"alg": "ES256", "use": "sig"}, private=True, auto_kid=True)
    fake_provider.published = [ec]
    assert tokens.verify(fake_provider.token(key=ec)).username == "lina"


def test_alg_none_hs256_with_the_public_key_and_garbage_are_refused(fake_provider: FakeProvider) -> None:
    claims = fake_provider.claims()
    refused(f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}.", "签名算法不被接受")
    # The classic confusion: the RSA public key (as published) used as an HMAC secret.
    public_pem = fake_provider.key.as_pem(private=False)
    signing_input = f"{b64({'alg': 'HS256', 'kid': fake_provider.key.kid})}.{b64(claims)}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    refused(f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}", "签名算法不被接受")
    for garbage in ("", "garbage", "a.b", "a.b.c", "a.b.c.d", "x" * 20_000, f"{b64({'alg': 'RS256'})}.e30.AAAA"):
        refused(garbage, "无法识别|签名")


def test_a_token_for_another_client_or_from_another_issuer_is_refused(fake_provider: FakeProvider) -> None:
    refused(fake_provider.token(aud="someone-else"), "不属于本系统")
    refused(fake_provider.token(aud=["someone-else", "another"]), "不属于本系统")
    assert tokens.verify(fake_provider.token(aud=["client-1", "another"], azp="client-1")).username == "lina"
    refused(fake_provider.token(aud=["client-1", "another"], azp="another"), "不属于本系统")
    refused(fake_provider.token(iss="https://evil.example/"), "签发")
    refused(fake_provider.token(aud=None), "不属于本系统")
    refused(fake_provider.token(iss=None), "签发")


def test_times_are_checked_with_a_minute_of_leeway(fake_provider: FakeProvider) -> None:
    now = int(time.time())
    assert tokens.verify(fake_provider.token(exp=now - 30)).username == "lina", "clock skew within the leeway"
    refused(fake_provider.token(exp=now - 120), "已过期")
    refused(fake_provider.token(exp=None), "已过期")
    refused(fake_provider.token(nbf=now + 600), "尚未生效")
    refused(fake_provider.token(iat=now + 600), "签发时间")
    refused(fake_provider.token(exp="tomorrow"), "已过期")


def test_an_access_token_is_not_an_id_token(fake_provider: FakeProvider) -> None:
    refused(fake_provider.token(token_use="access"), "ID 令牌")


def test_the_sign_in_nonce_must_be_carried(fake_provider: FakeProvider) -> None:
    assert tokens.verify(fake_provider.token(nonce="n-1"), nonce="n-1").username == "lina"
    refused(fake_provider.token(nonce="n-2"), "登录已失效", nonce="n-1")
    refused(fake_provider.token(), "登录已失效", nonce="n-1")


def test_a_discovery_document_of_another_issuer_is_not_trusted(fake_provider: FakeProvider) -> None:
    fake_provider.discovery["issuer"] = "https://evil.example"
    with pytest.raises(ProviderUnavailable, match="不符"):
        tokens.verify(fake_provider.token())


def test_keys_are_fetched_over_https_or_from_loopback_only(fake_provider: FakeProvider) -> None:
    fake_provider.discovery["jwks_uri"] = "http://keys.example/jwks"
    with pytest.raises(ProviderUnavailable, match="不安全"):
        tokens.verify(fake_provider.token())
    assert provider.allowed_url("http://127.0.0.1:4000/jwks") and provider.allowed_url("http://localhost/x")
    assert provider.allowed_url("https://idp.example.gov.cn/realms/oa")
    assert not provider.allowed_url("http://10.0.0.1/jwks") and not provider.allowed_url("ftp://x/y")


def test_an_unreachable_provider_is_unavailable_and_not_asked_again_at_once(fake_provider: FakeProvider) -> None:
    fake_provider.down = True
    with pytest.raises(ProviderUnavailable, match="暂时无法访问"):
        tokens.verify(fake_provider.token())
    asked = len(fake_provider.fetched)
    with pytest.raises(ProviderUnavailable, match="暂时无法访问"):
        tokens.verify(fake_provider.token())
    assert len(fake_provider.fetched) == asked, "a failure is remembered for a while"


def test_documents_are_cached(fake_provider: FakeProvider) -> None:
    for _ in range(5):
        tokens.verify(fake_provider.token())
    assert len(fake_provider.fetched) == 2  # the discovery document and the JWKS, once each
