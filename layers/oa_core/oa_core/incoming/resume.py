"""重新执行 of a 收文: continue a failed 收文 from the step where it failed, keeping everything it had (its
收文编号, 拟办意见, 批示, each department's 办理结果).

As 发文 does it (outgoing.resume, decision 15): IncomingFlow's MarkFailed recorded the failed step as the
收文's ``current_step``; the office's 文书 or the 系统管理员 starts a new execution,
``<id>-resume-<n>``, that enters at that step (the ASL's Entry → Resume → ResumeAt). Decisions saved but
never heard by Step Functions are delivered again first. One of two resumes at once wins: the status
moves from failed by a condition on the resume count, the other is 409.

A 承办 that failed because a 办理时限 stored before dates were checked is no day (2026-02-30) takes the
收文's own 办理时限 (or, without one, a week) instead, and the history says so: resuming as it was would
fail the same way.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError

from oa_core.incoming import flow, plans
from oa_core.incoming.models import is_day
from oa_core.incoming.storage import IncomingItem, load_incoming, status_actions
from oa_core.platform import audit, clock
from oa_core.platform.errors import Conflict, Forbidden
from oa_core.workflow.decisions import redeliver
from oa_core.workflow.tasks import history_item

RESUME_STATUS = {
    "receive": "receiving",
    "register": "registering",
    "propose": "proposing",
    "instruct": "instructing",
    "handle": "handling",
    "check": "checking",
    "conclude": "concluding",
    "draw_sheet": "checking",
    "archive": "checking",
}
"""Where a failed 收文 can continue (the ASL's ResumeAt), and the status it continues with."""
STEP_NAMES = {"draw_sheet": "收文处理笺", "archive": "归档"}


def may_resume(user: dict[str, Any]) -> bool:
    """The office's 文书 (who 签收s and 登记s 收文) or the 系统管理员."""
    from oa_core.identity import directory

    return directory.is_office_clerk(user) or "sysadmin" in (user.get("roles") or [])


def _repaired_plan(item: IncomingItem) -> tuple[str, list[str]]:
    """The plan with every 办理时限 that is no day replaced (see the module's docstring), and what changed."""
    plan = plans.load(item.plan)
    fallback = item.deadline if item.deadline and is_day(item.deadline) else ""
    changed = []
    for handler in plan.get("handlers", []):
        deadline = str(handler.get("deadline") or "")
        if deadline and not is_day(deadline):
            handler["deadline"] = fallback
            changed.append(f"“{plans.department_name(str(handler['department']))}”的办理时限 {deadline} 无效")
    return (plans.dump(plan) if changed else item.plan or ""), changed


def resume_failed(incoming_id: str, user: dict[str, Any]) -> dict[str, str]:
    """Continue a failed 收文 from its failed step (409 when it is not failed, or another resume won)."""
    actor = str(user["user_id"])
    if not may_resume(user):
        audit.record(actor, "resume", incoming_id, "denied", document_id=incoming_id)
        raise Forbidden("只有办公室文书或系统管理员可以让处理失败的收文继续办理")
    item = load_incoming(incoming_id)
    delivered = redeliver(incoming_id, flow_name=flow.FLOW)
    if delivered:
        audit.record(actor, "resume", incoming_id, "ok", f"redelivered {delivered}", document_id=incoming_id)
        return {"incoming_id": incoming_id, "resume_at": "", "redelivered": ",".join(delivered)}
    step = item.current_step or ""
    if item.status != "failed" or step not in RESUME_STATUS:
        raise Conflict("这份收文不处于可继续办理的失败状态，请刷新")
    plan, repaired = _repaired_plan(item) if step == "handle" else (item.plan or "", [])
    attempt = int(item.resume_count or 0) + 1
    count = IncomingItem.resume_count
    unchanged = count == item.resume_count if item.resume_count else count.does_not_exist()
    try:
        item.update(
            actions=[
                *status_actions(item, RESUME_STATUS[step], step, clock.now_iso()),
                IncomingItem.resume_count.set(attempt),
                *([IncomingItem.plan.set(plan)] if repaired else []),
            ],
            condition=(IncomingItem.status == "failed") & unchanged,
        )
    except UpdateError as exc:
        if "ConditionalCheckFailed" in repr(exc):
            raise Conflict("这份收文已在继续办理中，请刷新") from exc
        raise
    words = "；".join(repaired)
    detail = f"从“{_step_name(step)}”继续办理" + (f"（{words}，改按收文的办理时限）" if repaired else "")
    history_item(incoming_id, "resume", actor, "resumed", detail).save()
    arn = flow.start(incoming_id, resume_at=step, attempt=attempt)
    audit.record(actor, "resume", incoming_id, "ok", f"{step} attempt {attempt}", document_id=incoming_id)
    return {"incoming_id": incoming_id, "resume_at": step, "execution_arn": arn}


def _step_name(step: str) -> str:
    from oa_core.incoming.steps import STEPS

    return STEPS.get(step) or STEP_NAMES.get(step, step)


def entered(incoming_id: str, resume_at: str) -> dict[str, Any]:
    """IncomingFlow's Resume state: what the step it enters at needs (承办's Map: the plan's items)."""
    item = load_incoming(incoming_id)
    audit.record("system", "resume", incoming_id, "ok", resume_at, document_id=incoming_id)
    return plans.flow_items(plans.load(item.plan))
