"""The API's Lambda authorizer: a verified bearer ID token gets a policy for the whole stage and the
user name in its context; anything else is API Gateway's ``Unauthorized`` (401)."""

from __future__ import annotations

import pytest

from oa_core.identity.authorizer import NotAuthorized, authorize, bearer_token, stage_arn
from tests.unit.identity.fake_provider import FakeProvider

AWS, CN = "aws", "aws-cn"  # partitions (never literal in an ARN: tests/unit/test_partition_free.py)

METHOD_ARN = f"arn:{CN}:execute-api:cn-north-1:123456789012:abc123/prod/GET/api/tasks"


def event(header: str | None) -> dict[str, str | None]:
    return {"type": "TOKEN", "authorizationToken": header, "methodArn": METHOD_ARN}


def test_a_good_token_allows_every_route_of_the_stage_and_names_the_user(fake_provider: FakeProvider) -> None:
    policy = authorize(event(f"Bearer {fake_provider.token()}"))
    assert policy["principalId"] == "lina"
    (statement,) = policy["policyDocument"]["Statement"]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        # API Gateway caches the policy per token for every route: not only GET /api/tasks.
        "Resource": f"arn:{CN}:execute-api:cn-north-1:123456789012:abc123/prod/*",
    }
    assert policy["context"] == {"username": "lina", "sub": "7d1c-lina", "email": "lina@example.gov.cn"}
    assert all(isinstance(value, str) for value in policy["context"].values())


def test_a_bare_token_is_taken_as_cognitos_authorizer_took_it(fake_provider: FakeProvider) -> None:
    assert authorize(event(fake_provider.token()))["principalId"] == "lina"


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer   ", "Bearer forged-token", "Basic dXNlcjpwYXNz"])
def test_a_missing_or_bad_token_is_unauthorized_as_api_gateway_expects(
    fake_provider: FakeProvider, header: str | None
) -> None:
    with pytest.raises(NotAuthorized) as refused:
        authorize(event(header))
    assert str(refused.value) == "Unauthorized"  # the one message API Gateway answers 401 for
    assert refused.value.reason


def test_an_expired_token_is_unauthorized_with_the_reason_kept_for_the_log(fake_provider: FakeProvider) -> None:
    with pytest.raises(NotAuthorized) as refused:
        authorize(event(f"Bearer {fake_provider.token(exp=1)}"))
    assert "已过期" in refused.value.reason


def test_bearer_and_stage_parsing() -> None:
    assert bearer_token("bearer abc") == "abc"
    assert bearer_token("  Bearer  abc ") == "abc"
    assert (
        stage_arn(f"arn:{AWS}:execute-api:us-east-1:1:api/local/POST/x/y")
        == f"arn:{AWS}:execute-api:us-east-1:1:api/local/*"
    )
    with pytest.raises(NotAuthorized):
        stage_arn("not-an-arn")


def test_a_token_older_than_the_idle_limit_is_refused_though_not_expired(
    fake_provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """身份鉴别: an API token ends after the idle limit (SESSION_IDLE_MINUTES), whatever the provider's exp."""
    import time

    from oa_core.platform.config import settings

    monkeypatch.setenv("SESSION_IDLE_MINUTES", "30")
    settings.cache_clear()
    try:
        now = int(time.time())
        fresh = fake_provider.token(iat=now - 29 * 60, exp=now + 3600)
        assert authorize(event(f"Bearer {fresh}"))["principalId"] == "lina"
        stale = fake_provider.token(iat=now - 32 * 60, exp=now + 3600)
        with pytest.raises(NotAuthorized) as refused:
            authorize(event(f"Bearer {stale}"))
        assert "空闲时限" in refused.value.reason
    finally:
        settings.cache_clear()
