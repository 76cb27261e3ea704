"""What every 收文 decision answers: its result, the 409 of a lost race, and what the flow receives."""

from __future__ import annotations

from typing import Any

from oa_core.platform.errors import Conflict
from oa_core.workflow.models import DecisionResult
from oa_core.workflow.storage import TaskItem


def result(task: TaskItem, decision: str, status: str) -> DecisionResult:
    return DecisionResult(
        task_id=task.task_id, document_id=task.document_id, step=task.step, decision=decision, status=status
    )


def lost() -> Conflict:
    return Conflict("该事项刚刚已被处理，本次决定未生效，请刷新")


def answer(actor: str, step: str, decision: str, opinion: str, **more: Any) -> dict[str, Any]:
    return {"step": step, "actor": actor, "decision": decision, "opinion": opinion, **more}
