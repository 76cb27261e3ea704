"""我的待办 across every flow (my_tasks), and deciding any task by its id: the assignee's check, then the
domain that owns the task decides."""

from __future__ import annotations

from oa_core.workflow.decisions import ensure_assignee, ensure_pending, my_tasks
from oa_core.workflow.models import DecisionRequest, DecisionResult
from oa_core.workflow.storage import LinkItem
from oa_core.workflow.tasks import load_task

MEETING_STEP = "meeting"
"""The step of a meeting application's approval (bookings.meetings.STEP)."""


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
    # The domains are imported when a task of theirs is decided: a cold start pays for neither.
    if task.step == MEETING_STEP:
        from oa_core.bookings import meetings

        ensure_pending(task, actor)
        return meetings.decide(task, actor, request, via=via, link=link)
    from oa_core.outgoing import decisions
    from oa_core.outgoing.models import DocumentDecision

    document_request = (
        request if isinstance(request, DocumentDecision) else DocumentDecision.model_validate(request.model_dump())
    )
    return decisions.decide(task, actor, document_request, via=via, link=link)


__all__ = ["decide", "my_tasks"]
