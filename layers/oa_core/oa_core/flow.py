"""Step Functions adapter: start the 发文 flow and answer its waiting tasks.

A decision is answered with SendTaskSuccess (同意) or SendTaskFailure with an error name the ASL
catches (退回 → Document.Returned, 不同意 → Document.Rejected), so the happy path needs no Choice
state after each human step.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from botocore.exceptions import ClientError

from oa_core.config import client, settings
from oa_core.errors import FLOW_ERROR_REJECTED, FLOW_ERROR_RETURNED, Conflict


@cache
def _sfn() -> Any:
    return client("stepfunctions")


def start(document_id: str, *, resume_at: str | None = None, attempt: int = 0) -> str:
    """Start the flow for a document; the execution name makes a repeated start idempotent."""
    payload: dict[str, Any] = {"document_id": document_id, "resume_at": resume_at or ""}
    name = f"{document_id}-resume-{attempt}" if resume_at else document_id
    response = _sfn().start_execution(
        stateMachineArn=settings().document_flow_arn,
        name=name,
        input=json.dumps(payload),
    )
    return str(response["executionArn"])


def answer(
    task_token: str, decision: str, result: dict[str, Any], *, rejected_error: str = FLOW_ERROR_REJECTED
) -> None:
    """Resume the waiting execution with the decision. Raises Conflict if the flow no longer waits."""
    try:
        if decision in ("approve", "revise"):
            _sfn().send_task_success(taskToken=task_token, output=json.dumps(result, ensure_ascii=False))
        else:
            error = FLOW_ERROR_RETURNED if decision == "return" else rejected_error
            _sfn().send_task_failure(
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
