"""One local stack per test module: modules stay independent (numbering starts at 1 in each)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.stack import LocalStack
from tests.integration.kit import Api


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


@pytest.fixture
def api(stack: LocalStack) -> Api:
    return Api(stack)
