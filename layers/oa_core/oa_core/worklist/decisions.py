"""我的待办 across every flow (my_tasks), and deciding any task by its id: the assignee's check, then the
domain that owns the task decides (发文, 收文 or a meeting). ``TaskDecision`` is the body of
``/api/tasks/{id}/decision``: a 发文 decision, and for 收文's 登记 the registration's fields."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from oa_core.incoming.models import IncomingPlan, IncomingRegistration
from oa_core.outgoing.models import DocumentDecision
from oa_core.platform.errors import InvalidInput
from oa_core.workflow.decisions import ensure_assignee, ensure_pending, my_tasks
from oa_core.workflow.models import DecisionRequest, DecisionResult
from oa_core.workflow.storage import LinkItem
from oa_core.workflow.tasks import load_task, subject_of

INCOMING_PREFIX = "I"
"""收文 ids start with I (incoming.exchange.incoming_id_for); their tasks are incoming's to decide."""
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
    registration = getattr(request, "registration", None)
    files = list(getattr(request, "files", None) or [])
    if subject_of(task_id).startswith(INCOMING_PREFIX):
        from oa_core.worklist import results

        plain = DecisionRequest(decision=request.decision, opinion=request.opinion)
        plan = getattr(request, "plan", None)
        return results.decide(task, actor, plain, files, registration, plan=plan, via=via, link=link)
    if registration is not None or getattr(request, "plan", None) is not None or files:
        raise InvalidInput("登记信息、拟办方案和办理结果附件只用于收文")
    # The domains are imported when a task of theirs is decided: a cold start pays for neither.
    if task.step == MEETING_STEP:
        from oa_core.bookings import meetings

        ensure_pending(task, actor)
        return meetings.decide(task, actor, request, via=via, link=link)
    from oa_core.outgoing import decisions

    fields = request.model_dump(exclude={"registration", "plan", "files"})
    document_request = request if type(request) is DocumentDecision else DocumentDecision.model_validate(fields)
    return decisions.decide(task, actor, document_request, via=via, link=link)


class TaskDecision(DocumentDecision):
    """A decision on any task: a 发文's (with its edits and 批注), or 收文's 登记 with ``registration``."""

    registration: IncomingRegistration | None = None
    plan: IncomingPlan | None = None
    """收文's 拟办 (required) and 批办 (to change 主办/协办/readers)."""
    files: list[Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]] = Field(default=[], max_length=100)
    """收文's 承办: the uploads (``POST /api/tasks/{id}/uploads``) reported as the 办理结果's 附件."""


__all__ = ["TaskDecision", "decide", "my_tasks"]
