"""What every flow's human steps store in their subject's partition: tasks (待办), approval
links (审批链接) and the opinions given (意见)."""

from __future__ import annotations

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.expressions.update import Action

from oa_core.platform.storage import RecordItem


class HistoryItem(RecordItem, discriminator="history"):
    """意见: one step's outcome with who, decision, opinion and time."""

    document_id = UnicodeAttribute()
    step = UnicodeAttribute()
    actor = UnicodeAttribute()
    decision = UnicodeAttribute()
    opinion = UnicodeAttribute(default="")
    at = UnicodeAttribute()
    annotations = ListAttribute(of=MapAttribute, default=list)
    """批注: [{"quote": text the decider marked, "note": the remark}]."""


class TaskItem(RecordItem, discriminator="task"):
    """待办: a human decision a step is waiting for. The task token never leaves this item."""

    task_id = UnicodeAttribute()
    document_id = UnicodeAttribute()
    title = UnicodeAttribute(default="")
    """The document's title when the task was opened, for lists of tasks (one Query, no lookups)."""
    doc_type = UnicodeAttribute(default="")
    """文种 of the document (empty for a meeting), so 已办 is searched by it without lookups."""
    step = UnicodeAttribute()
    assignee = UnicodeAttribute()
    round = NumberAttribute(default=1)
    status = UnicodeAttribute()
    """pending | decided | cancelled"""
    task_token = UnicodeAttribute()
    created_at = UnicodeAttribute()
    due_at = UnicodeAttribute()
    decision = UnicodeAttribute(null=True)
    opinion = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decided_via = UnicodeAttribute(null=True)
    reminders_sent = NumberAttribute(default=0)
    last_reminded_at = UnicodeAttribute(null=True)
    """催办: when the last overdue reminder was sent (one per period, claimed by a conditional update)."""
    escalated_at = UnicodeAttribute(null=True)
    """When the signer was told this task is long overdue (once per task)."""
    answer_pending = UnicodeAttribute(null=True)
    facts = UnicodeAttribute(null=True)
    """What the assignee's list row shows besides the title, as the flow knew it when the task opened (a JSON
    object of strings; 收文: 来文单位, 来文字号 or 收文编号, 紧急程度, 签章, 办理时限): 我的待办 stays one Query."""
    """Set when a saved decision could not be delivered to Step Functions: what to send again."""


class LinkItem(RecordItem, discriminator="link"):
    """审批链接: an opaque, expiring, single-use approval link. Only the link id's hash is stored."""

    task_id = UnicodeAttribute()
    document_id = UnicodeAttribute()
    decider = UnicodeAttribute()
    step = UnicodeAttribute()
    created_at = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    used_at = UnicodeAttribute(null=True)
    expires_at_epoch = NumberAttribute()
    """DynamoDB TTL: removed well after expiry, so an expired link still says why."""


def task_closed_actions(status: str, at: str) -> list[Action]:
    """Close a task (decided or cancelled): it leaves the sparse "my tasks" and "open" indexes."""
    return [
        TaskItem.status.set(status),
        TaskItem.decided_at.set(at),
        TaskItem.GSI1PK.remove(),
        TaskItem.GSI1SK.remove(),
        TaskItem.GSI2PK.remove(),
        TaskItem.GSI2SK.remove(),
    ]


def task_decided_actions(task_id: str, assignee: str, at: str) -> list[Action]:
    """Close a task as decided: it leaves "my tasks" and "open" and enters its assignee's 已办
    (GSI1 ``DECIDED#<user>``, by decision time), so what I decided is one index Query."""
    return [
        TaskItem.status.set("decided"),
        TaskItem.decided_at.set(at),
        TaskItem.GSI1PK.set(f"DECIDED#{assignee}"),
        TaskItem.GSI1SK.set(f"{at}#{task_id}"),
        TaskItem.GSI2PK.remove(),
        TaskItem.GSI2SK.remove(),
    ]
