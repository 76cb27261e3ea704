"""待办: a human step's task in its subject's partition: made, read, listed, cancelled; and the 意见 given.

A subject is what a flow decides (a 发文, a meeting application); its id names its partition
(platform.storage.subject_pk) and starts every task id, so a task is found from its id alone. Each
domain opens its own tasks with ``new_task`` (the domain knows the title, the due time and whom to
tell); deciding them is in workflow.decisions. The step Lambdas load this module and not the
decisions, which keeps their cold start small.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from pynamodb.expressions.condition import Condition

from oa_core.platform import audit, clock
from oa_core.platform.errors import NotFound
from oa_core.platform.storage import RecordItem, subject_pk
from oa_core.workflow.storage import HistoryItem, TaskItem, task_closed_actions


def task_id_for(subject_id: str, step: str, round_no: int, index: int = 0) -> str:
    """Deterministic per subject, step, round and person, so a retried step reuses its task."""
    return f"{subject_id}.{step}.{round_no}.{index}"


def subject_of(task_id: str) -> str:
    """The id of the document or meeting a task belongs to."""
    return task_id.split(".", 1)[0]


def new_task(
    subject_id: str,
    task_id: str,
    *,
    title: str,
    step: str,
    assignee: str,
    round_no: int,
    task_token: str,
    due: datetime,
    doc_type: str = "",
    facts: dict[str, str] | None = None,
) -> TaskItem:
    """A pending task, indexed for its assignee's list (GSI1) and for the overdue scan (GSI2 OPEN#<step>)."""
    due_at = clock.iso(due)
    return TaskItem(
        subject_pk(subject_id),
        f"TASK#{task_id}",
        task_id=task_id,
        document_id=subject_id,
        title=title,
        doc_type=doc_type,
        step=step,
        assignee=assignee,
        round=round_no,
        status="pending",
        task_token=task_token,
        created_at=clock.now_iso(),
        due_at=due_at,
        facts=json.dumps(facts, ensure_ascii=False) if facts else None,
        GSI1PK=f"ASSIGNEE#{assignee}",
        GSI1SK=f"{due_at}#{task_id}",
        GSI2PK=f"OPEN#{step}",
        GSI2SK=f"{due_at}#{task_id}",
    )


def reopen_condition() -> Condition:
    """Saving a task: a retried invocation replaces the token of its own still-pending task, a resumed
    flow reopens the task its failure or timeout cancelled (same step, same person); a decided task stays."""
    condition: Condition = TaskItem.PK.does_not_exist() | TaskItem.status.is_in("pending", "cancelled")
    return condition


def load_task(task_id: str) -> TaskItem:
    try:
        return TaskItem.get(subject_pk(subject_of(task_id)), f"TASK#{task_id}", consistent_read=True)
    except TaskItem.DoesNotExist:
        raise NotFound("这项待办不存在，可能已被处理 (no such task)") from None


def tasks_of(subject_id: str) -> list[TaskItem]:
    """Every task of a subject, decided or not (one Query on its partition)."""
    return [
        item
        for item in RecordItem.query(subject_pk(subject_id), RecordItem.SK.startswith("TASK#"), consistent_read=True)
        if isinstance(item, TaskItem)
    ]


def open_tasks(subject_id: str) -> list[TaskItem]:
    return [task for task in tasks_of(subject_id) if task.status == "pending"]


def cancel_open_tasks(subject_id: str, reason: str) -> int:
    """Close every still-pending task of a subject (e.g. the other countersigners after a return)."""
    cancelled = 0
    for task in open_tasks(subject_id):
        try:
            task.update(
                actions=task_closed_actions("cancelled", clock.now_iso()),
                condition=TaskItem.status == "pending",
            )
            cancelled += 1
            audit.record("system", "cancel_task", task.task_id, "cancelled", reason, document_id=subject_id)
        except Exception as exc:
            if "ConditionalCheckFailed" not in repr(exc):
                raise
    return cancelled


def history_of(subject_id: str) -> list[HistoryItem]:
    return [
        item
        for item in RecordItem.query(subject_pk(subject_id), RecordItem.SK.startswith("HIST#"), consistent_read=True)
        if isinstance(item, HistoryItem)
    ]


def history_item(
    subject_id: str,
    step: str,
    actor: str,
    decision: str,
    opinion: str = "",
    annotations: list[dict[str, str]] | None = None,
) -> HistoryItem:
    """意见: one step's outcome, to be saved in the transaction that records it."""
    at = clock.now_iso()
    return HistoryItem(
        subject_pk(subject_id),
        f"HIST#{clock.sort_key()}#{secrets.token_hex(3)}",
        document_id=subject_id,
        step=step,
        actor=actor,
        decision=decision,
        opinion=opinion,
        at=at,
        annotations=annotations or [],
    )
