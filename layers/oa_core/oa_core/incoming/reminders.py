"""催办 for 收文: overdue 拟办, 批办, 承办, 传阅 (not yet read), 办结审核 and 办结 tasks, and 延期 requests.

The overdue scan and the once-per-period claims are workflow's (workflow.reminders), as for 发文;
the RemindersFunction runs this beside outgoing.reminders. A leader's reminder (批办, 传阅, 延期)
carries a fresh one-click link; everyone else's links to the 收文's page.
"""

from __future__ import annotations

from datetime import datetime

from oa_core.identity import directory
from oa_core.incoming import steps
from oa_core.incoming.storage import load_incoming
from oa_core.platform import audit, clock, metrics
from oa_core.platform.config import settings
from oa_core.workflow import links, reminders
from oa_core.workflow.reminders import RunSummary, overdue_for
from oa_core.workflow.storage import TaskItem

REMINDED_STEPS = ("propose", "instruct", "handle", "read", "check", "conclude", "extend")


def run(now: datetime | None = None) -> dict[str, int]:
    """One scheduled run over every reminded 收文 step."""
    return reminders.run(REMINDED_STEPS, remind, now)


def remind(task: TaskItem, now: datetime, summary: RunSummary) -> None:
    """催办 one overdue 收文 task's assignee once per period (claimed first; a failed send gives it back)."""
    previous = task.last_reminded_at
    if not reminders.claim_reminder(task, now):
        summary.skipped += 1
        return
    try:
        item = load_incoming(task.document_id)
        person = directory.get_user(task.assignee)
        if person is None:
            raise LookupError(f"unknown user {task.assignee}")
        link_url = ""
        if task.step in steps.LINK_STEPS:
            link_id, link_item = links.new_link(task.task_id, task.document_id, task.assignee, task.step)
            link_item.save()
            link_url = links.url(settings().public_base_url, link_id)
        steps.tell(
            item,
            person,
            task.step,
            clock.parse(task.due_at),
            link_url,
            action=f"催办：{steps.ACTION[task.step]}（已超过办理时限{overdue_for(task.due_at, now)}）",
        )
    except Exception as exc:
        reminders.release_reminder(task, clock.iso(now), previous)
        audit.record("system", f"remind:{task.step}", task.task_id, "failed", repr(exc), document_id=task.document_id)
        raise
    count = int(task.reminders_sent) + 1
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
