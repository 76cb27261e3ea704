"""催办: reminders for overdue pending decisions (对超时待办进行提醒), run on a schedule.

Overdue tasks are found with one Query per human step on GSI2 (``OPEN#<step>``, sorted by
``<due_at>#<task_id>``), paged, never a Scan. Sending is claimed first by a conditional
UpdateItem on the task (still pending, not reminded within the period), so repeated or
concurrent runs send one reminder per task and period. After ``reminder_escalate_after``
reminders the document's signer (签发人) is told once (督办), claimed the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from oa_core import audit, clock, directory, links, metrics, notify
from oa_core.config import settings
from oa_core.lambda_support import logger
from oa_core.storage import DocumentItem, RecordItem, TaskItem, doc_pk
from oa_core.tasks import DECISION_STEPS

REMINDED_STEPS = ("review", "countersign", "sign", "revise")
"""Human steps whose pending tasks are reminded: 核稿, 会签, 签发 and the drafter's 修改."""
PAGE_SIZE = 100


@dataclass
class RunSummary:
    """What one scheduled run did (the Lambda's result, also logged)."""

    overdue: int = 0
    reminded: int = 0
    escalated: int = 0
    skipped: int = 0
    failed: int = 0


def overdue_for(due_at: str, now: datetime) -> str:
    """How long a task is overdue, in words: 约 3 小时, 约 2 天 5 小时 (at least 1 hour)."""
    hours = max(1, int((now - clock.parse(due_at)).total_seconds() // 3600))
    days, rest = divmod(hours, 24)
    if days == 0:
        return f"约 {hours} 小时"
    return f"约 {days} 天" + (f" {rest} 小时" if rest else "")


def should_escalate(reminders_sent: int, escalate_after: int, escalated_at: str | None) -> bool:
    """督办 is due once, when a task has had ``escalate_after`` reminders (0 turns it off)."""
    return escalate_after > 0 and reminders_sent >= escalate_after and not escalated_at


def overdue_tasks(step: str, now_iso: str) -> Iterator[TaskItem]:
    """Pending tasks of one step due before now: a Query on GSI2, paged by pynamodb."""
    due_before = RecordItem.GSI2SK < now_iso  # noqa: SIM300 (a pynamodb condition, not a comparison)
    for item in RecordItem.gsi2.query(f"OPEN#{step}", due_before, page_size=PAGE_SIZE):
        if isinstance(item, TaskItem) and item.status == "pending":
            yield item


def run(now: datetime | None = None) -> dict[str, int]:
    """One scheduled run over every reminded step."""
    moment = now or clock.now()
    summary = RunSummary()
    for step in REMINDED_STEPS:
        for task in overdue_tasks(step, clock.iso(moment)):
            summary.overdue += 1
            try:
                remind(task, moment, summary)
            except Exception:
                # One task's trouble must not starve the others; the next run tries it again.
                summary.failed += 1
                logger().exception("reminder failed", extra={"task_id": task.task_id})
    result = asdict(summary)
    logger().info("reminders run", extra=result)
    return result


def remind(task: TaskItem, now: datetime, summary: RunSummary) -> None:
    """Remind one overdue task's assignee if this period's reminder is still unsent; maybe escalate."""
    now_iso = clock.iso(now)
    previous = task.last_reminded_at
    if not _claim_reminder(task, now):
        summary.skipped += 1
        return
    doc = DocumentItem.get(doc_pk(task.document_id), "META")
    count = int(task.reminders_sent)
    try:
        user = directory.get_user(task.assignee)
        if user is None:
            raise LookupError(f"unknown user {task.assignee}")
        link_url = ""
        if task.step in DECISION_STEPS:  # deciders get a fresh one-click link
            # A fresh link; the one from the first email stays valid until its own expiry.
            link_id, link_item = links.new_link(task.task_id, task.document_id, task.assignee, task.step)
            link_item.save()
            link_url = links.url(doc.base_url or settings().public_base_url, link_id)
        notify.task_overdue(doc, user, task.step, link_url, task.due_at, overdue_for(task.due_at, now), count)
    except Exception as exc:
        _release_reminder(task, now_iso, previous)
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
    if not _claim(task, [TaskItem.escalated_at.set(now_iso)], TaskItem.escalated_at.does_not_exist()):
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
        _claim(task, [TaskItem.escalated_at.remove()], TaskItem.escalated_at == now_iso)
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


def _claim_reminder(task: TaskItem, now: datetime) -> bool:
    """This period's reminder is ours: pending, and not reminded since now − period."""
    cutoff = clock.iso(now - timedelta(hours=settings().reminder_period_hours))
    return _claim(
        task,
        [TaskItem.last_reminded_at.set(clock.iso(now)), TaskItem.reminders_sent.add(1)],
        TaskItem.last_reminded_at.does_not_exist() | (TaskItem.last_reminded_at <= cutoff),
    )


def _release_reminder(task: TaskItem, claimed_at: str, previous: str | None) -> None:
    """Undo our claim after a failed send, so the next run tries again (only if still ours)."""
    restore: Any = TaskItem.last_reminded_at.set(previous) if previous else TaskItem.last_reminded_at.remove()
    try:
        _claim(task, [restore, TaskItem.reminders_sent.add(-1)], TaskItem.last_reminded_at == claimed_at)
    except Exception:
        logger().exception("could not release a reminder claim", extra={"task_id": task.task_id})


def _claim(task: TaskItem, actions: list[Any], condition: Any) -> bool:
    """A conditional UpdateItem on a still-pending task; False when the condition does not hold."""
    try:
        task.update(actions=actions, condition=(TaskItem.status == "pending") & condition)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
