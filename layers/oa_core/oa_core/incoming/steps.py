"""收文's human steps as IncomingFlow opens them, and marking a 收文 failed.

签收, 登记 and 办结审核 are the office's 文书's: the first 文书 (clerk) of the 办公室
(Settings.office_department), as meeting approvals and 用车 dispatch choose them. 拟办, 批办, 承办 and
传阅 follow incoming.plans. A step opens only while the 收文 is not ended (a late invocation after a
failure or 拒收 asks nobody), in one transaction with its task (and, for a leader, the one-click link),
and its assignee is told by email.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from oa_core.identity import directory
from oa_core.incoming import plans
from oa_core.incoming.flow import FLOW
from oa_core.incoming.storage import STATUS_NAMES, IncomingItem, approved_until, load_incoming, status_actions
from oa_core.platform import audit, clock, mail
from oa_core.platform.config import settings
from oa_core.platform.errors import Conflict, InvalidInput
from oa_core.platform.storage import connection, lost_on_condition
from oa_core.workflow import flow, links
from oa_core.workflow.tasks import cancel_open_tasks, history_item, new_task, reopen_condition, task_id_for, tasks_of

STEPS = {
    "receive": "签收",
    "register": "登记",
    "propose": "拟办",
    "instruct": "批办",
    "handle": "承办",
    "read": "传阅",
    "check": "办结审核",
    "conclude": "办结",
    "extend": "延期审批",
}
"""收文's human steps, by the name their tasks carry (and the Chinese one). ``extend`` is no flow step:
a 延期 request the 批办 leader decides by link (incoming.extensions)."""
STEP_STATUS = {
    "receive": "receiving",
    "register": "registering",
    "propose": "proposing",
    "instruct": "instructing",
    "handle": "handling",
    "read": "handling",
    "check": "checking",
    "conclude": "concluding",
}
DUE_HOURS = {"receive": 24, "register": 24, "propose": 24, "instruct": 48, "read": 72, "check": 24, "conclude": 72}
"""承办 is due by its department's 办理时限 (incoming.plans.due_by)."""
LINK_STEPS = ("instruct", "read", "extend")
"""Decided by a leader's emailed one-click link (the phone page) as well as signed in."""
ACTION = {
    "receive": "请签收来文",
    "register": "请登记来文",
    "propose": "请拟办来文",
    "instruct": "请批示来文",
    "handle": "请承办来文",
    "read": "请阅来文",
    "check": "请审核来文办结情况",
    "conclude": "来文办结情况被退回，请修改后重新办结",
    "extend": "承办部门申请延期，请审批",
}
ENDED = ("refused", "failed", "archived")


def office_clerk() -> dict[str, Any]:
    """The office's 文书 who signs for and registers 收文."""
    clerks = sorted(
        (u for u in directory.department_members(settings().office_department) if "clerk" in u["roles"]),
        key=lambda u: str(u["user_id"]),
    )
    if not clerks:
        raise InvalidInput("办公室没有设置文书，无法签收来文，请联系管理员")
    return clerks[0]


def assignee_for(item: IncomingItem, step: str, index: int) -> dict[str, Any]:
    """Who a step's task goes to (incoming.plans: 拟办, 批办, 承办 and 传阅 follow the plan in force)."""
    if step in ("receive", "register", "check"):
        return office_clerk()
    if step == "propose":
        return plans.office_head()
    plan = plans.load(item.plan)
    if step == "instruct":
        person = directory.get_user(str(plan.get("leader", "")))
    elif step == "read":
        person = directory.get_user(str(plan["readers"][index]))
    else:  # handle, conclude: the department's 文书 or 负责人 (conclude: the 主办's)
        return plans.handler_of(str(plan["handlers"][index if step == "handle" else 0]["department"]))
    if person is None:
        raise InvalidInput("拟办方案中的人员已不在本单位，请联系文书")
    return person


def _index_for(subject: str, step: str, round_no: int, index: int | None) -> int:
    """A Map item's own index; a step that can loop in a round (办结审核 ⇄ 办结) counts its tasks, and a
    retried invocation finds its own still-open one."""
    if index is not None:
        return index
    mine = [t for t in tasks_of(subject) if t.step == step and int(t.round) == round_no]
    reopen = [t for t in mine if t.status in ("pending", "cancelled")]
    return int(reopen[0].task_id.rsplit(".", 1)[1]) if reopen else len(mine)


def _already_decided(incoming_id: str, task_id: str) -> bool:
    return any(t.task_id == task_id and t.status == "decided" for t in tasks_of(incoming_id))


def _due(item: IncomingItem, step: str, index: int, extended: str = "") -> datetime:
    if step == "handle":
        return plans.due_by(extended or str(plans.load(item.plan)["handlers"][index].get("deadline") or ""))
    return clock.now() + timedelta(hours=DUE_HOURS[step])


def row_facts(item: IncomingItem, step: str, index: int, extended: str = "") -> dict[str, str]:
    """What the 工作台's row of this task shows (kept on the task, so 我的待办 stays one Query): 来文单位,
    来文字号, 收文编号, 紧急程度, the seal of an exchanged 收文 (valid / doubtful), and the 办理时限 (a 承办
    department's own; ``extended``, an approved 延期's date, when the task is reopened by 继续办理)."""
    deadline = item.deadline or ""
    if step == "handle":
        deadline = extended or str(plans.load(item.plan)["handlers"][index].get("deadline") or deadline)
    seal = ""
    if item.source == "exchange":
        seal = "valid" if item.seal_valid and item.seal_pinned != "mismatch" else "doubtful"
    facts = {
        "sender": item.sender,
        "sender_number": item.sender_number or "",
        "number": item.number or "",
        "urgency": item.urgency or "",
        "seal": seal,
        "deadline": deadline,
    }
    return {key: value for key, value in facts.items() if value}


def _open_condition(step: str) -> Any:
    """承办 and 传阅 open only while the 收文 is with them (not after a 退回 to 拟办); others while not ended."""
    if step in ("handle", "read"):
        return IncomingItem.status.is_in("instructing", "handling")
    return ~IncomingItem.status.is_in(*ENDED)


def open_task(
    incoming_id: str,
    step: str,
    task_token: str,
    *,
    index: int | None = None,
    started_at: datetime | None = None,
    wait_seconds: int | None = None,
) -> dict[str, Any]:
    """Record the waiting step with its token (kept only in the task), then tell its assignee (a
    leader's 批办 and 传阅 with a one-click link)."""
    if step not in STEP_STATUS:
        raise InvalidInput(f"收文没有“{step}”环节")
    flow.ensure_time_left(started_at, wait_seconds)
    item = load_incoming(incoming_id)
    round_no = int(item.round or 1)
    slot = _index_for(incoming_id, step, round_no, index)
    task_id = task_id_for(incoming_id, step, round_no, slot)
    if index is not None and _already_decided(incoming_id, task_id):
        # A resumed 承办/传阅 Map: a department's 办理结果 (a reader's 已阅) given before the failure stands.
        flow.answer(task_token, "approve", {"step": step, "decision": "approve", "kept": True}, flow_name=FLOW)
        return {"task_id": task_id, "kept": True}
    person = assignee_for(item, step, index or 0)
    # A 承办 reopened by 继续办理 under its own task id keeps the 延期 its leader approved.
    extended = approved_until(incoming_id).get(task_id, "") if step == "handle" else ""
    due = _due(item, step, index or 0, extended)
    task = new_task(
        incoming_id,
        task_id,
        title=f"{STEPS[step]}：{item.title}",
        doc_type=item.doc_type,
        step=step,
        assignee=str(person["user_id"]),
        round_no=round_no,
        task_token=task_token,
        due=due,
        facts={**row_facts(item, step, index or 0, extended), **({"extended": "yes"} if extended else {})},
    )
    link_id, link_item = ("", None)
    if step in LINK_STEPS:
        link_id, link_item = links.new_link(task_id, incoming_id, str(person["user_id"]), step)
    now = clock.now_iso()
    try:
        with TransactWrite(connection=connection()) as tx:
            tx.save(task, condition=reopen_condition())
            tx.update(
                item,
                actions=status_actions(item, STEP_STATUS[step], step, now),
                condition=_open_condition(step),
            )
            if link_item is not None:
                tx.save(link_item)
            tx.save(audit.audit_item("system", f"open_task:{step}", task_id, "ok", str(person["user_id"])))
    except TransactWriteError as exc:
        if not lost_on_condition(exc):
            raise
        raise Conflict(f"这份收文已不在“{STEPS[step]}”环节等待") from exc
    tell(item, person, step, due, links.url(settings().public_base_url, link_id) if link_id else "")
    return {"task_id": task_id, "assignee": person["user_id"], "due_at": clock.iso(due)}


def tell(
    item: IncomingItem,
    person: dict[str, Any],
    step: str,
    due: datetime,
    link_url: str = "",
    *,
    action: str = "",
    **more: Any,
) -> None:
    """The email of a 收文 step: what to do, by when, and the link (a staff page, or a one-click link)."""
    mail.send(
        [str(person["email"])],
        mail.subject_line(item.title, item.urgency or "", action or ACTION[step]),
        "incoming_task",
        {
            "name": person["name"],
            "step_name": STEPS[step],
            "action": action or ACTION[step],
            "sender": item.sender,
            "sender_number": item.sender_number,
            "number": item.number or "",
            "title": item.title,
            "proposal": item.proposal or "",
            "instruction": item.instruction or "",
            "seal_valid": bool(item.seal_valid),
            "pinned_mismatch": item.seal_pinned == "mismatch",
            "due_at": clock.to_minute(clock.iso(due)),
            "link": link_url or f"{settings().public_base_url}/incoming/{item.incoming_id}",
            "one_click": bool(link_url),
            "extension_until": "",
            "extension_from": "",
            "extension_reason": "",
            **more,
        },
    )


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
