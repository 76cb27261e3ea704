"""我的待办 across every flow (my_tasks), and deciding any task by its id: the assignee's check, then the
domain that owns the task decides."""

from __future__ import annotations

from oa_core.bookings import meetings
from oa_core.outgoing import decisions as outgoing_decisions
from oa_core.outgoing.models import DocumentDecision
from oa_core.workflow.decisions import ensure_assignee, ensure_pending, my_tasks
from oa_core.workflow.models import DecisionRequest, DecisionResult
from oa_core.workflow.storage import LinkItem
from oa_core.workflow.tasks import load_task


def decide(
    task_id: str,
    actor: str,
    request: DecisionRequest,
    *,
    via: str = "api",
    link: LinkItem | None = None,
) -> DecisionResult:
    """Decide a pending task once: 同意 (approve), 退回修改 (return) or 不同意 (reject)."""
    task = load_task(task_id)
    ensure_assignee(task, actor)
    if task.step == meetings.STEP:
        ensure_pending(task, actor)
        return meetings.decide(task, actor, request, via=via, link=link)
    document_request = (
        request if isinstance(request, DocumentDecision) else DocumentDecision.model_validate(request.model_dump())
    )
    return outgoing_decisions.decide(task, actor, document_request, via=via, link=link)


__all__ = ["decide", "my_tasks"]
