"""我的待办 in the JSON API: the caller's pending decisions, and deciding one (a document's or a meeting's)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayRouter

from oa_core.identity.caller import caller
from oa_core.workflow.models import DecisionResult, TaskView
from oa_core.worklist import decisions
from oa_core.worklist.decisions import TaskDecision

router = APIGatewayRouter()


@router.get("/api/tasks")
def list_tasks() -> list[TaskView]:
    """我的待办: the caller's pending decisions."""
    return decisions.my_tasks(caller(router.current_event.raw_event)["user_id"])


@router.post("/api/tasks/<task_id>/decision")
def decide(task_id: str, decision: TaskDecision) -> DecisionResult:
    """Decide a task: approve (同意), return (退回修改) or reject (不同意); 收文's 登记 carries ``registration``."""
    user = caller(router.current_event.raw_event)
    return decisions.decide(task_id, user["user_id"], decision, via="api")
