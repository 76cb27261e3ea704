"""The identity tests' fake provider, configured in place of the network (fake_provider.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from oa_core.identity import provider
from oa_core.platform.config import settings
from tests.unit.identity.fake_provider import CLIENT_ID, ISSUER, FakeProvider


@pytest.fixture
def fake_provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeProvider]:
    fake = FakeProvider()
    monkeypatch.setenv("AUTH_ISSUER", ISSUER)
    monkeypatch.setenv("AUTH_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AUTH_USERNAME_CLAIM", "cognito:username")
    monkeypatch.delenv("AUTH_ISSUER_PARAMETER", raising=False)
    monkeypatch.delenv("AUTH_CLIENT_SECRET_NAME", raising=False)
    monkeypatch.setattr(provider, "fetch_json", fake.fetch_json)
    settings.cache_clear()
    provider.forget()
    yield fake
    provider.forget()
    settings.cache_clear()
