"""发文's human steps (核稿, 会签, 签发, 修改): opening a waiting task for a document and telling the person.

The task itself is workflow's (workflow.tasks.new_task); this module decides what a 发文 task is:
its title, its due time per step (DUE_HOURS_*), the document's status while it waits, and the email
with a one-click approval link for deciders (the drafter revises signed in, without a link).
A step opens only while its document still flows (a late invocation after the flow timed out or
failed asks nobody) and while its wait fits the execution's year (workflow.flow.ensure_time_left).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.outgoing import duties, notify
from oa_core.outgoing.names import STEP_NAMES
from oa_core.outgoing.storage import DocumentItem, document_status_actions, load_document
from oa_core.platform import audit, clock
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, InvalidInput
from oa_core.platform.storage import connection, lost_on_condition
from oa_core.workflow import flow, links
from oa_core.workflow.tasks import history_of, new_task, reopen_condition, task_id_for

DECISION_STEPS = ("review", "countersign", "sign")
STEP_STATUS = {
    "review": "in_review",
    "countersign": "countersigning",
    "sign": "signing",
    "revise": "returned",
}
ENDED = ("failed", "rejected", "archived")
"""Statuses in which no human step of the document may open: its flow has ended."""


def open_task(
    document_id: str,
    step: str,
    assignee: str,
    task_token: str,
    index: int = 0,
    *,
    started_at: datetime | None = None,
    wait_seconds: int | None = None,
) -> dict[str, Any]:
    """Record a waiting human step with its task token, then email the person a link.

    The token is stored only in the task item; what leaves this function is the task id.
    ``started_at`` and ``wait_seconds`` (the execution's start, the step's timeout) refuse a step
    whose wait would outlive the execution.
    """
    flow.ensure_time_left(started_at, wait_seconds)
    doc = load_document(document_id)
    duties.ensure_not_drafter(doc.drafter, assignee, step)
    user = directory.get_user(assignee)
    if user is None:
        raise InvalidInput(f"用户 {assignee} 不在组织机构中 (unknown user)")
    task_id = task_id_for(document_id, step, int(doc.round), index)
    due = clock.now() + timedelta(hours=settings().due_hours[step])
    # A decider gets a one-click approval link; the drafter revises the text itself, signed in.
    link_id, link_item = links.new_link(task_id, document_id, assignee, step) if step in DECISION_STEPS else ("", None)
    task = new_task(
        document_id,
        task_id,
        title=doc.title,
        doc_type=doc.doc_type,
        step=step,
        assignee=assignee,
        round_no=int(doc.round),
        task_token=task_token,
        due=due,
    )
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(task, condition=reopen_condition())
            if link_item is not None:
                tx.save(link_item)
            tx.update(
                doc,
                actions=document_status_actions(STEP_STATUS[step], step, clock.now_iso()),
                condition=~DocumentItem.status.is_in(*ENDED),
            )
            tx.save(audit.audit_item("system", f"open_task:{step}", task_id, "ok", assignee, document_id=document_id))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict(f"这份文件的流程已不在“{STEP_NAMES.get(step, step)}”环节等待，可能已被他人处理，请刷新") from exc
    opinion = ""
    if step == "revise":
        returned = [h for h in history_of(document_id) if h.decision == "return"]
        opinion = returned[-1].opinion if returned else ""
    link_url = links.url(doc.base_url, link_id) if link_id else ""
    notify.task_assigned(doc, user, step, link_url, clock.iso(due), opinion)
    return {"task_id": task_id, "assignee": assignee, "due_at": clock.iso(due)}
