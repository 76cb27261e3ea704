"""Step Functions adapter for human steps: answer the execution that waits for a task's decision.

A decision is answered with SendTaskSuccess (同意, 修改稿) or SendTaskFailure with an error name the
flow's ASL catches: ``<Flow>.Returned`` for 退回 and ``<Flow>.Rejected`` for 不同意 (e.g.
Document.Returned in DocumentFlow, Meeting.Rejected in MeetingFlow), so the happy path needs no
Choice state after each human step. Starting a flow is the domain's (outgoing.flow, bookings.meetings).

A standard execution ends after one year whatever it is doing, uncaught; a flow whose human steps
can loop (退回 → 修改 → 核稿 …) therefore opens a step only while that step's whole wait still ends
well inside the year (``ensure_time_left``), and otherwise fails in the open, where a resume starts
a new execution.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from oa_core.platform import clock
from oa_core.platform.config import client
from oa_core.platform.errors import Conflict

EXECUTION_LIMIT = timedelta(days=365)
"""Step Functions' hard quota: a standard execution runs at most one year."""
EXECUTION_MARGIN = timedelta(days=7)
"""Kept free after a human step's longest wait, for what follows it: the automated steps take
minutes (each Lambda at most 5 min, a few retries of seconds), so a week is far more than enough."""


class ExecutionNearLimit(Exception):
    """A human step would wait past the execution's year (less the margin); the flow's catch fails it."""


def ensure_time_left(started_at: datetime | None, wait_seconds: int | None) -> None:
    """Open a human step only if its whole wait ends ``EXECUTION_MARGIN`` before the execution's
    one-year limit. ``started_at`` is ``$$.Execution.StartTime``, ``wait_seconds`` the step's timeout."""
    if started_at is None or wait_seconds is None:
        return
    ends = clock.now() + timedelta(seconds=wait_seconds) + EXECUTION_MARGIN
    if ends > started_at + EXECUTION_LIMIT:
        raise ExecutionNearLimit(
            "本次流程已运行接近一年的执行上限，不再开启新的办理环节；文书可在该文件上“继续处理”，"
            f"从本环节重新开始 (the execution started {clock.iso(started_at)} would outlive its one-year limit)"
        )


def returned_error(flow_name: str) -> str:
    """The error a flow's Catch takes for 退回 (return for revision)."""
    return f"{flow_name}.Returned"


def rejected_error(flow_name: str) -> str:
    """The error a flow's Catch takes for 不同意 (rejection)."""
    return f"{flow_name}.Rejected"


@cache
def stepfunctions() -> Any:
    """One Step Functions client per process (the flows of every domain share it)."""
    return client("stepfunctions")


def answer(task_token: str, decision: str, result: dict[str, Any], *, flow_name: str) -> None:
    """Resume the waiting execution with the decision. Raises Conflict if the flow no longer waits."""
    try:
        if decision in ("approve", "revise"):
            stepfunctions().send_task_success(taskToken=task_token, output=json.dumps(result, ensure_ascii=False))
        else:
            error = returned_error(flow_name) if decision == "return" else rejected_error(flow_name)
            stepfunctions().send_task_failure(
                taskToken=task_token,
                error=error,
                cause=json.dumps(result, ensure_ascii=False)[:32000],
            )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("TaskDoesNotExist", "TaskTimedOut", "InvalidToken"):
            raise Conflict(
                "流程已不再等待该事项（可能已被撤销或超时） (the flow no longer waits for this task)"
            ) from exc
        raise
