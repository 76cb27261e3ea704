"""收文's human steps as IncomingFlow opens them (签收, 登记), and marking a 收文 failed.

签收 and 登记 are the office's 文书's: the first 文书 (clerk) of the 办公室 (Settings.office_department),
as meeting approvals and 用车 dispatch choose them. A step opens only while the 收文 waits for it (a
late invocation after a failure or 拒收 asks nobody), in one transaction with its task, and the
文书 is told by email with a link to the 收文's page (decided signed in, like every staff step).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.incoming.storage import STATUS_NAMES, IncomingItem, load_incoming, status_actions
from oa_core.platform import audit, clock, mail
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, InvalidInput
from oa_core.platform.storage import connection, lost_on_condition
from oa_core.workflow import flow
from oa_core.workflow.tasks import cancel_open_tasks, history_item, new_task, reopen_condition, task_id_for

STEPS = {"receive": "签收", "register": "登记"}
"""收文's human steps so far, by the name their tasks carry (and the Chinese one)."""
STEP_STATUS = {"receive": "receiving", "register": "registering"}
DUE_HOURS = {"receive": 24, "register": 24}
ENDED = ("refused", "failed")


def office_clerk() -> dict[str, Any]:
    """The office's 文书 who signs for and registers 收文."""
    clerks = sorted(
        (u for u in directory.department_members(settings().office_department) if "clerk" in u["roles"]),
        key=lambda u: str(u["user_id"]),
    )
    if not clerks:
        raise InvalidInput("办公室没有设置文书，无法签收来文，请联系管理员")
    return clerks[0]


def open_task(
    incoming_id: str,
    step: str,
    task_token: str,
    *,
    started_at: datetime | None = None,
    wait_seconds: int | None = None,
) -> dict[str, Any]:
    """Record the waiting step with its token (kept only in the task), then tell the 文书."""
    if step not in STEPS:
        raise InvalidInput(f"收文没有“{step}”环节")
    flow.ensure_time_left(started_at, wait_seconds)
    item = load_incoming(incoming_id)
    clerk = office_clerk()
    task_id = task_id_for(incoming_id, step, 1)
    due = clock.now() + timedelta(hours=DUE_HOURS[step])
    task = new_task(
        incoming_id,
        task_id,
        title=f"{STEPS[step]}：{item.title}",
        doc_type=item.doc_type,
        step=step,
        assignee=str(clerk["user_id"]),
        round_no=1,
        task_token=task_token,
        due=due,
    )
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(task, condition=reopen_condition())
            tx.update(
                item,
                actions=status_actions(item, STEP_STATUS[step], step, now),
                condition=~IncomingItem.status.is_in(*ENDED),
            )
            tx.save(audit.audit_item("system", f"open_task:{step}", task_id, "ok", str(clerk["user_id"])))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict(f"这份收文已不在“{STEPS[step]}”环节等待") from exc
    mail.send(
        [str(clerk["email"])],
        mail.subject_line(item.title, item.urgency or "", f"请{STEPS[step]}来文"),
        "incoming_task",
        {
            "name": clerk["name"],
            "step_name": STEPS[step],
            "sender": item.sender,
            "sender_number": item.sender_number,
            "title": item.title,
            "seal_valid": bool(item.seal_valid),
            "pinned_mismatch": item.seal_pinned == "mismatch",
            "due_at": clock.to_minute(clock.iso(due)),
            "link": f"{settings().public_base_url}/incoming/{incoming_id}",
        },
    )
    return {"task_id": task_id, "assignee": clerk["user_id"], "due_at": clock.iso(due)}


def mark_failed(incoming_id: str, step: str, error: dict[str, Any] | None) -> dict[str, Any]:
    """A step failed for good or timed out: keep everything, mark the 收文 failed, close its tasks."""
    item = load_incoming(incoming_id)
    cause = str((error or {}).get("Error") or "")
    timed_out = cause == "States.Timeout"
    reason = "超过办理时限无人处理" if timed_out else "处理失败，管理员已收到记录"
    now = clock.now_iso()
    item.update(actions=status_actions(item, "failed", step, now))
    cancel_open_tasks(incoming_id, f"failed at {step}")
    history_item(incoming_id, step, "system", "timed_out" if timed_out else "failed", reason).save()
    audit.record("system", f"step:{step}", incoming_id, "timed_out" if timed_out else "failed", cause[:200])
    return {"status": "failed", "failed_step": step, "status_name": STATUS_NAMES["failed"]}
