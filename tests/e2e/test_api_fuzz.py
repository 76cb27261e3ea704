"""Schemathesis against the local stack's ``/openapi.json``, over HTTP: for a signed-in staff member and
for an administrator, no generated request gets a 5xx, and every answer conforms to the schema the
document declares for its status. Bounded (``FUZZ_EXAMPLES`` an operation) and deterministic
(hypothesis ``derandomize``), so a failure repeats."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from infra.local.polling import REQUEST_SECONDS, scaled
from infra.local.stack import LocalStack

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
"""Examples an operation (about 1,300 requests, 45-60 s on a busy two-core machine)."""
USERS = ("zhangwei", "admin")
"""A 拟稿人 (staff member) and an administrator."""


@pytest.fixture(scope="module")
def fuzzed_stack() -> Iterator[LocalStack]:
    """A stack of its own: what the fuzzer adds (resources, bookings) reaches no other test."""
    with LocalStack() as running:
        running.serve(port=0)
        yield running


@pytest.fixture(scope="module")
def tokens(fuzzed_stack: LocalStack) -> dict[str, str]:
    return {user: fuzzed_stack.login(user) for user in USERS}


@pytest.fixture(scope="module")
def api_schema(fuzzed_stack: LocalStack, tokens: dict[str, str]) -> Any:
    url = f"{fuzzed_stack.url}/openapi.json"
    headers = {"Authorization": f"Bearer {tokens['zhangwei']}"}
    assert requests.get(url, headers=headers, timeout=scaled(REQUEST_SECONDS)).status_code == 200
    return schemathesis.openapi.from_url(url, headers=headers, timeout=scaled(REQUEST_SECONDS))


def _fuzz(operation: Any, stack: LocalStack, tokens: dict[str, str], statuses: list[int]) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=FUZZ_EXAMPLES,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk (time)
    )
    def run(case: Any) -> None:
        for user in USERS:
            response = case.call_and_validate(
                base_url=stack.url,
                headers={"Authorization": f"Bearer {tokens[user]}"},
                checks=[not_a_server_error, response_schema_conformance],
                timeout=scaled(REQUEST_SECONDS),
            )
            statuses.append(response.status_code)

    run()


def test_no_generated_request_gets_a_5xx_or_an_undeclared_answer(
    api_schema: Any, fuzzed_stack: LocalStack, tokens: dict[str, str]
) -> None:
    """Every operation of the document (schemathesis's pytest plugin does not run on pytest 9: the
    operations are walked here, each a hypothesis test of its own)."""
    failures: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20, [o.label for o in operations]
    for operation in operations:
        try:
            _fuzz(operation, fuzzed_stack, tokens, statuses)
        except Exception as failure:
            failures.append(f"{operation.label}: {str(failure)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert len(statuses) >= len(operations) * len(USERS), f"only {len(statuses)} requests were made"
    print(f"{len(statuses)} requests:", {code: statuses.count(code) for code in sorted(set(statuses))})
