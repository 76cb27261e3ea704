"""催办: finding overdue pending tasks and claiming, once per period, the right to remind their assignee.

Overdue tasks are found with one Query per human step on GSI2 (``OPEN#<step>``, sorted by
``<due_at>#<task_id>``), paged, never a Scan. Sending is claimed first by a conditional UpdateItem
on the task (still pending, not reminded within the period), so repeated or concurrent runs send
one reminder per task and period; a failed send gives its claim back. 督办 (telling someone above)
is claimed the same way, once per task. What a reminder says and to whom is the domain's
(outgoing.reminders for 发文's steps), which passes its ``remind`` to ``run``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from oa_core.platform import clock
from oa_core.platform.config import settings
from oa_core.platform.lambda_support import logger
from oa_core.platform.storage import RecordItem
from oa_core.workflow.storage import TaskItem

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


def run(
    steps: Iterable[str], remind: Callable[[TaskItem, datetime, RunSummary], None], now: datetime | None = None
) -> dict[str, int]:
    """One scheduled run over every overdue task of the given steps, each handed to ``remind``."""
    moment = now or clock.now()
    summary = RunSummary()
    for step in steps:
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


def claim_reminder(task: TaskItem, now: datetime) -> bool:
    """This period's reminder is ours: pending, and not reminded since now − period."""
    cutoff = clock.iso(now - timedelta(hours=settings().reminder_period_hours))
    return claim(
        task,
        [TaskItem.last_reminded_at.set(clock.iso(now)), TaskItem.reminders_sent.add(1)],
        TaskItem.last_reminded_at.does_not_exist() | (TaskItem.last_reminded_at <= cutoff),
    )


def release_reminder(task: TaskItem, claimed_at: str, previous: str | None) -> None:
    """Undo our claim after a failed send, so the next run tries again (only if still ours)."""
    restore: Any = TaskItem.last_reminded_at.set(previous) if previous else TaskItem.last_reminded_at.remove()
    try:
        claim(task, [restore, TaskItem.reminders_sent.add(-1)], TaskItem.last_reminded_at == claimed_at)
    except Exception:
        logger().exception("could not release a reminder claim", extra={"task_id": task.task_id})


def claim_escalation(task: TaskItem, now_iso: str) -> bool:
    """督办 is ours to send: the task is still pending and nobody escalated it before."""
    return claim(task, [TaskItem.escalated_at.set(now_iso)], TaskItem.escalated_at.does_not_exist())


def release_escalation(task: TaskItem, claimed_at: str) -> None:
    """Undo our 督办 claim after a failed send (only if still ours)."""
    claim(task, [TaskItem.escalated_at.remove()], TaskItem.escalated_at == claimed_at)


def claim(task: TaskItem, actions: list[Any], condition: Any) -> bool:
    """A conditional UpdateItem on a still-pending task; False when the condition does not hold."""
    try:
        task.update(actions=actions, condition=(TaskItem.status == "pending") & condition)
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True
