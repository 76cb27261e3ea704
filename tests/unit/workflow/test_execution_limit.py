"""A human step opens only while its whole wait ends inside the execution's year (less a margin),
and a failed step's reason says 办理超时 when nobody decided in time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oa_core.outgoing.steps import TIMED_OUT, failure_reason
from oa_core.platform import clock
from oa_core.platform.config import hours_as_seconds
from oa_core.workflow.flow import EXECUTION_LIMIT, EXECUTION_MARGIN, ExecutionNearLimit, ensure_time_left

THIRTY_DAYS = 30 * 24 * 3600


def test_a_step_of_a_young_execution_opens() -> None:
    ensure_time_left(clock.now() - timedelta(days=200), THIRTY_DAYS)


def test_a_step_whose_wait_would_outlive_the_execution_is_refused() -> None:
    started = clock.now() - (EXECUTION_LIMIT - EXECUTION_MARGIN - timedelta(days=29))
    with pytest.raises(ExecutionNearLimit, match="继续处理"):
        ensure_time_left(started, THIRTY_DAYS)


def test_a_step_without_its_clock_opens_as_before() -> None:
    ensure_time_left(None, THIRTY_DAYS)
    ensure_time_left(clock.now() - timedelta(days=400), None)


def test_hours_become_whole_seconds_and_never_zero() -> None:
    assert hours_as_seconds("720") == THIRTY_DAYS
    assert hours_as_seconds("0.001") == 4
    assert hours_as_seconds("0") == 1


def test_a_timeout_reads_as_banli_chaoshi_and_a_lambda_error_as_its_message() -> None:
    assert failure_reason({"Error": "States.Timeout", "Cause": ""}).startswith(TIMED_OUT)
    cause = '{"errorMessage": "编号失败", "errorType": "Boom", "stackTrace": []}'
    assert failure_reason({"Error": "Boom", "Cause": cause}) == "Boom: 编号失败"
    assert failure_reason({"Error": "Lambda.Unknown", "Cause": "not json"}) == "Lambda.Unknown: not json"
