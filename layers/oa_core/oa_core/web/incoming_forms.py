"""The forms of a 收文's steps on its page, after 签收 and 登记: 拟办 (the plan and 拟办意见, or 退回登记), 批办
(the 批示, keeping or changing the plan, or 退回拟办), 承办 (办理结果, 申请延期, 退回), 传阅 (已阅 and 阅示),
办结审核 (同意办结 or 退回承办), 办结 and a 延期's 同意 / 不同意; beside them 改派主办 for the office's 文书.

Each form posts what ``/api/tasks/{id}/decision`` (or the 延期 and 改派 routes) takes and goes through the
same code: this module only reads the form into those models and says what each step's page offers.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from oa_core.identity import directory
from oa_core.incoming.extensions import listed
from oa_core.incoming.models import ExtensionRequest, IncomingPlan, IncomingView, Reassignment
from oa_core.incoming.queries import HISTORY_NAMES
from oa_core.incoming.resume import RESUME_STATUS, may_resume
from oa_core.platform.config import settings
from oa_core.platform.errors import InvalidInput
from oa_core.web.meetings import people_groups
from oa_core.web.pages import form_value
from oa_core.workflow.storage import TaskItem

PLAN_STEPS = ("propose", "instruct")
DONE = {
    "receive": {"approve": "已签收，请登记", "reject": "已拒收"},
    "register": {"approve": "已登记"},
    "propose": {"approve": "已拟办，送领导批办", "return": "已退回登记"},
    "instruct": {"approve": "已批示，送承办部门办理", "return": "已退回拟办"},
    "handle": {"approve": "已报送办理结果", "return": "已退回办公室重新拟办"},
    "read": {"approve": "已阅"},
    "check": {"approve": "已同意办结，即将归档", "return": "已退回主办部门"},
    "conclude": {"approve": "已办结，送办结审核"},
    "extend": {"approve": "已同意延期", "reject": "已不同意延期"},
}
RESUMED = "已从失败的环节继续办理"


def _current_plan(view: IncomingView) -> dict[str, Any]:
    """The plan in force as the form's fields: 批办 starts from 拟办's, 拟办 again from the last one."""
    handling = view.handling
    handlers = handling.handlers if handling else []
    return {
        "leader": handling.leader if handling else "",
        "lead": handlers[0].department if handlers else "",
        "lead_deadline": (handlers[0].deadline if handlers else "") or view.deadline,
        "assist": {h.department: h.deadline for h in handlers[1:]},
        "readers": [r.user_id for r in handling.readers] if handling else [],
    }


def choices(user: dict[str, Any], view: IncomingView, task: TaskItem | None) -> dict[str, Any]:
    """What the 收文 page's forms offer the signed-in person (nothing without a task of theirs, but
    改派主办 for the office's 文书 while the 收文 is with its 承办 departments)."""
    step = task.step if task else ""
    offered: dict[str, Any] = {
        "can_reassign": view.status == "handling" and directory.is_office_clerk(user),
        "can_resume": view.status == "failed" and view.current_step in RESUME_STATUS and may_resume(user),
        "failed_step_name": HISTORY_NAMES.get(view.current_step, "该"),
        "departments": directory.list_departments(),
        "lead_department": view.handling.handlers[0].department if view.handling and view.handling.handlers else "",
        "is_lead": bool(task and step in ("handle", "conclude") and task.task_id.rsplit(".", 1)[1] == "0"),
        "can_reply": bool(task and step in ("handle", "conclude") and "drafter" in user["roles"]),
        "extension": None,
        "asked_extension": False,
    }
    if step in PLAN_STEPS:
        plan = _current_plan(view)
        offered.update(
            plan=plan,
            leaders=[p for p in directory.list_users() if "signer" in p["roles"]],
            people_groups=people_groups(""),
            chosen=plan["readers"],
            picker_name="readers",
            picker_legend="传阅人员",
        )
    if step == "extend" and task is not None:
        offered["extension"] = next((e for e in listed(view.incoming_id) if e["task_id"] == task.task_id), None)
    if step == "handle":
        offered["asked_extension"] = any(e["status"] == "pending" for e in listed(view.incoming_id))
        offered["result_max_count"] = settings().attachment_max_count
        offered["result_max_mb"] = f"{settings().attachment_max_bytes / (1024 * 1024):g}"
    return offered


def plan_of(form: dict[str, list[str]], *, with_leader: bool) -> IncomingPlan:
    """拟办's plan (and 批办's change of it) from the form: 批办领导, 主办 with its 办理时限, each 协办 with its
    own (a date field per department, empty: the 收文's 办理时限), 传阅人员. The dates are checked by
    IncomingPlan itself (a day of the calendar), as the JSON API checks them."""
    one = partial(form_value, form, strip=True)
    lead = one("lead")
    if not lead:
        raise InvalidInput("请选择主办部门")
    assist = [d.strip() for d in form.get("assist", []) if d.strip() and d.strip() != lead]
    return IncomingPlan.model_validate(
        {
            "leader": (one("leader") or None) if with_leader else None,
            "lead": {"department": lead, "deadline": one("lead_deadline") or None},
            "assist": [{"department": d, "deadline": one(f"deadline_{d}") or None} for d in dict.fromkeys(assist)],
            "readers": [r.strip() for r in form.get("readers", []) if r.strip()],
        }
    )


def extension_of(form: dict[str, list[str]]) -> ExtensionRequest:
    return ExtensionRequest.model_validate(
        {"until": form_value(form, "until", strip=True), "reason": form_value(form, "reason", strip=True)}
    )


def reassignment_of(form: dict[str, list[str]]) -> Reassignment:
    return Reassignment.model_validate(
        {"department": form_value(form, "department", strip=True), "reason": form_value(form, "reason", strip=True)}
    )
