"""Human steps (核稿, 会签, 签发, 修改): opening a waiting task, reading and closing tasks.

Deciding a task is in oa_core.decisions, which only the API and the approval pages import; the
step Lambdas load this module alone, which keeps their cold start small.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from pynamodb.transactions import TransactWrite

from oa_core import audit, clock, directory, links, notify
from oa_core.config import settings
from oa_core.errors import InvalidInput, NotFound
from oa_core.storage import (
    DocumentItem,
    HistoryItem,
    RecordItem,
    TaskItem,
    connection,
    doc_pk,
    document_status_actions,
    subject_pk,
    task_closed_actions,
)

DECISION_STEPS = ("review", "countersign", "sign")
STEP_STATUS = {
    "review": "in_review",
    "countersign": "countersigning",
    "sign": "signing",
    "revise": "returned",
}


def task_id_for(document_id: str, step: str, round_no: int, index: int = 0) -> str:
    """Deterministic per document, step, round and person, so a retried step reuses its task."""
    return f"{document_id}.{step}.{round_no}.{index}"


def document_id_of(task_id: str) -> str:
    return task_id.split(".", 1)[0]


def load_document(document_id: str) -> DocumentItem:
    try:
        return DocumentItem.get(doc_pk(document_id), "META", consistent_read=True)
    except DocumentItem.DoesNotExist:
        raise NotFound(f"文件 {document_id} 不存在 (no such document)") from None


def open_task(document_id: str, step: str, assignee: str, task_token: str, index: int = 0) -> dict[str, Any]:
    """Record a waiting human step with its task token, then email the person a link.

    The token is stored only in the task item; what leaves this function is the task id.
    """
    doc = load_document(document_id)
    user = directory.get_user(assignee)
    if user is None:
        raise InvalidInput(f"用户 {assignee} 不在组织机构中 (unknown user)")
    task_id = task_id_for(document_id, step, int(doc.round), index)
    created = clock.now()
    due = created + timedelta(hours=settings().due_hours[step])
    # A decider gets a one-click approval link; the drafter revises the text itself, signed in.
    link_id, link_item = links.new_link(task_id, document_id, assignee, step) if step in DECISION_STEPS else ("", None)
    task = TaskItem(
        doc_pk(document_id),
        f"TASK#{task_id}",
        task_id=task_id,
        document_id=document_id,
        title=doc.title,
        step=step,
        assignee=assignee,
        round=int(doc.round),
        status="pending",
        task_token=task_token,
        created_at=clock.iso(created),
        due_at=clock.iso(due),
        GSI1PK=f"ASSIGNEE#{assignee}",
        GSI1SK=f"{clock.iso(due)}#{task_id}",
        GSI2PK=f"OPEN#{step}",
        GSI2SK=f"{clock.iso(due)}#{task_id}",
    )
    status = STEP_STATUS[step]
    with TransactWrite(connection=connection()) as tx:
        # A retried invocation replaces the token of its own still-pending task; a decided task stays decided.
        tx.save(task, condition=TaskItem.PK.does_not_exist() | (TaskItem.status == "pending"))
        if link_item is not None:
            tx.save(link_item)
        tx.update(
            doc,
            actions=document_status_actions(status, step, clock.now_iso()),
        )
        tx.save(audit.audit_item("system", f"open_task:{step}", task_id, "ok", assignee, document_id=document_id))
    opinion = ""
    if step == "revise":
        returned = [h for h in history_of(document_id) if h.decision == "return"]
        opinion = returned[-1].opinion if returned else ""
    link_url = links.url(doc.base_url, link_id) if link_id else ""
    notify.task_assigned(doc, user, step, link_url, clock.iso(due), opinion)
    return {"task_id": task_id, "assignee": assignee, "due_at": clock.iso(due)}


def history_of(document_id: str) -> list[HistoryItem]:
    return [
        item
        for item in RecordItem.query(doc_pk(document_id), RecordItem.SK.startswith("HIST#"), consistent_read=True)
        if isinstance(item, HistoryItem)
    ]


def history_item(
    document_id: str,
    step: str,
    actor: str,
    decision: str,
    opinion: str = "",
    annotations: list[dict[str, str]] | None = None,
) -> HistoryItem:
    at = clock.now_iso()
    return HistoryItem(
        doc_pk(document_id),
        f"HIST#{clock.sort_key()}#{secrets.token_hex(3)}",
        document_id=document_id,
        step=step,
        actor=actor,
        decision=decision,
        opinion=opinion,
        at=at,
        annotations=annotations or [],
    )


def load_task(task_id: str) -> TaskItem:
    try:
        return TaskItem.get(subject_pk(document_id_of(task_id)), f"TASK#{task_id}", consistent_read=True)
    except TaskItem.DoesNotExist:
        raise NotFound(f"待办事项 {task_id} 不存在 (no such task)") from None


def open_tasks(document_id: str) -> list[TaskItem]:
    return [
        item
        for item in RecordItem.query(subject_pk(document_id), RecordItem.SK.startswith("TASK#"), consistent_read=True)
        if isinstance(item, TaskItem) and item.status == "pending"
    ]


def cancel_open_tasks(document_id: str, reason: str) -> int:
    """Close every still-pending task of a document (e.g. the other countersigners after a return)."""
    cancelled = 0
    for task in open_tasks(document_id):
        try:
            task.update(
                actions=task_closed_actions("cancelled", clock.now_iso()),
                condition=TaskItem.status == "pending",
            )
            cancelled += 1
            audit.record("system", "cancel_task", task.task_id, "cancelled", reason, document_id=document_id)
        except Exception as exc:
            if "ConditionalCheckFailed" not in repr(exc):
                raise
    return cancelled
