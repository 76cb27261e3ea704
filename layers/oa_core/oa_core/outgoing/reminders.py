"""催办 and 督办 for 发文: overdue 核稿, 会签, 签发 and 修改 tasks, run on a schedule.

The overdue scan and the once-per-period claims are workflow's (workflow.reminders). This module
says what is sent: the assignee gets a reminder with a fresh one-click link (deciders; the first
email's link stays valid until its own expiry), and after ``reminder_escalate_after`` reminders the
document's signer (签发人) is told once (督办).
"""

from __future__ import annotations

from datetime import datetime

from oa_core.identity import directory
from oa_core.outgoing import notify
from oa_core.outgoing.human_steps import DECISION_STEPS
from oa_core.outgoing.storage import DocumentItem, load_document
from oa_core.platform import audit, clock, metrics
from oa_core.platform.config import settings
from oa_core.workflow import links, reminders
from oa_core.workflow.reminders import RunSummary, overdue_for, should_escalate
from oa_core.workflow.storage import TaskItem

REMINDED_STEPS = ("review", "countersign", "sign", "revise")
"""Human steps whose pending tasks are reminded: 核稿, 会签, 签发 and the drafter's 修改."""


def run(now: datetime | None = None) -> dict[str, int]:
    """One scheduled run over every reminded step."""
    return reminders.run(REMINDED_STEPS, remind, now)


def remind(task: TaskItem, now: datetime, summary: RunSummary) -> None:
    """Remind one overdue task's assignee if this period's reminder is still unsent; maybe escalate."""
    now_iso = clock.iso(now)
    previous = task.last_reminded_at
    if not reminders.claim_reminder(task, now):
        summary.skipped += 1
        return
    doc = load_document(task.document_id)
    count = int(task.reminders_sent)
    try:
        user = directory.get_user(task.assignee)
        if user is None:
            raise LookupError(f"unknown user {task.assignee}")
        link_url = ""
        if task.step in DECISION_STEPS:  # deciders get a fresh one-click link
            link_id, link_item = links.new_link(task.task_id, task.document_id, task.assignee, task.step)
            link_item.save()
            link_url = links.url(doc.base_url or settings().public_base_url, link_id)
        notify.task_overdue(doc, user, task.step, link_url, task.due_at, overdue_for(task.due_at, now), count)
    except Exception as exc:
        reminders.release_reminder(task, now_iso, previous)
        audit.record("system", f"remind:{task.step}", task.task_id, "failed", repr(exc), document_id=task.document_id)
        raise
    audit.record(
        "system",
        f"remind:{task.step}",
        task.task_id,
        "sent",
        f"第 {count} 次催办 {task.assignee}",
        document_id=task.document_id,
    )
    metrics.count("Reminders", step=task.step)
    summary.reminded += 1
    if should_escalate(count, settings().reminder_escalate_after, task.escalated_at) and escalate(task, doc, now):
        summary.escalated += 1


def escalate(task: TaskItem, doc: DocumentItem, now: datetime) -> bool:
    """督办: tell the document's signer (签发人) that a task is long overdue, once per task."""
    if doc.signer == task.assignee:
        # The overdue person is the signer: the reminder already reached them.
        return False
    now_iso = clock.iso(now)
    if not reminders.claim_escalation(task, now_iso):
        return False
    try:
        signer = directory.get_user(doc.signer)
        overdue_user = directory.get_user(task.assignee)
        if signer is None:
            raise LookupError(f"unknown signer {doc.signer}")
        overdue_name = overdue_user["name"] if overdue_user else task.assignee
        notify.task_escalated(
            doc, signer, overdue_name, task.step, task.due_at, overdue_for(task.due_at, now), int(task.reminders_sent)
        )
    except Exception as exc:
        reminders.release_escalation(task, now_iso)
        audit.record("system", f"escalate:{task.step}", task.task_id, "failed", repr(exc), document_id=task.document_id)
        raise
    audit.record(
        "system",
        f"escalate:{task.step}",
        task.task_id,
        "sent",
        f"签发人 {doc.signer}；超时 {task.assignee}，已催办 {int(task.reminders_sent)} 次",
        document_id=task.document_id,
    )
    metrics.count("ReminderEscalations", step=task.step)
    return True
