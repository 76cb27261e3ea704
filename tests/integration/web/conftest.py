"""One served local stack per module: the sign-in exchanges its code over HTTP, as deployed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.stack import LocalStack


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        running.serve(port=0)
        yield running
