"""Step Functions adapter for human steps: answer the execution that waits for a task's decision.

A decision is answered with SendTaskSuccess (同意, 修改稿) or SendTaskFailure with an error name the
flow's ASL catches: ``<Flow>.Returned`` for 退回 and ``<Flow>.Rejected`` for 不同意 (e.g.
Document.Returned in DocumentFlow, Meeting.Rejected in MeetingFlow), so the happy path needs no
Choice state after each human step. Starting a flow is the domain's (outgoing.flow, bookings.meetings).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from oa_core.platform.config import client
from oa_core.platform.errors import Conflict


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
