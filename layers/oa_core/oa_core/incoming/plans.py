"""The plan of a 收文's handling: who 批办s, which departments 承办 (one 主办, any 协办) and who 阅s.

拟办 proposes it, 批办 may change it, 改派 moves the 主办. It is checked against the organisation here
(an unknown person or department is 422, with a Chinese message) and stored on the 收文 as JSON
(``IncomingItem.plan``): the Map of 承办/传阅 carries only each item's step and index, and the step
reads the department or reader from the plan in force, so a 改派 needs no change to the execution.

Who does what (decision 85): 拟办 is the 办公室's reviewer (its 负责人, who 核稿s 发文 too); 批办 a
leader with the 签发 role; a department's 承办 goes to its 文书 (clerk), or without one to its
负责人 (reviewer, then the countersigner who 会签s for it).
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from oa_core.identity import directory
from oa_core.incoming.models import IncomingPlan
from oa_core.platform import clock
from oa_core.platform.config import settings
from oa_core.platform.errors import InvalidInput

HANDLER_ROLES = ("clerk", "reviewer", "countersigner")
"""Whom a department's 承办 goes to, in this order of preference."""
DEFAULT_HANDLE_DAYS = 7
"""承办 without any 办理时限: a week."""


def _first_with(members: list[dict[str, Any]], role: str) -> dict[str, Any] | None:
    found = sorted((u for u in members if role in u["roles"]), key=lambda u: str(u["user_id"]))
    return found[0] if found else None


def office_head() -> dict[str, Any]:
    """The 办公室 负责人 who 拟办s: the office's reviewer."""
    head = _first_with(directory.department_members(settings().office_department), "reviewer")
    if head is None:
        raise InvalidInput("办公室没有设置负责人（核稿人），无法拟办，请联系管理员")
    return head


def handler_of(department: str) -> dict[str, Any]:
    """Who 承办s for a department: its 文书, else its 负责人."""
    members = directory.department_members(department)
    for role in HANDLER_ROLES:
        person = _first_with(members, role)
        if person is not None:
            return person
    raise InvalidInput(f"“{department_name(department)}”没有文书或负责人，无法承办，请另选部门")


def departments() -> dict[str, str]:
    return {str(d["department_id"]): str(d["name"]) for d in directory.list_departments()}


def department_name(department: str) -> str:
    return departments().get(department, department)


def check(plan: IncomingPlan, *, deadline: str, leader: str = "") -> dict[str, Any]:
    """The plan as stored, once every person and department in it exists (InvalidInput: 422)."""
    known = departments()
    chosen_leader = plan.leader or leader
    if not chosen_leader:
        raise InvalidInput("请选择批办领导")
    person = directory.get_user(chosen_leader)
    if person is None or "signer" not in person["roles"]:
        raise InvalidInput("批办领导须是本单位的领导（签发人）")
    handlers = [plan.lead, *plan.assist]
    seen: set[str] = set()
    for handler in handlers:
        if handler.department not in known:
            raise InvalidInput(f"没有“{handler.department}”这个部门，请从本单位部门中选择")
        if handler.department in seen:
            raise InvalidInput(f"“{known[handler.department]}”重复：主办和协办部门各只能出现一次")
        seen.add(handler.department)
        handler_of(handler.department)
    readers = list(dict.fromkeys(plan.readers))
    people = directory.get_users(readers) if readers else {}
    missing = [r for r in readers if r not in people]
    if missing:
        raise InvalidInput(f"传阅人员中有 {len(missing)} 人不是本单位人员，请重新选择")
    return {
        "leader": chosen_leader,
        "handlers": [
            {"department": h.department, "role": "lead" if i == 0 else "assist", "deadline": h.deadline or deadline}
            for i, h in enumerate(handlers)
        ],
        "readers": readers,
    }


def dump(plan: dict[str, Any]) -> str:
    return json.dumps(plan, ensure_ascii=False, sort_keys=True)


def load(text: str) -> dict[str, Any]:
    plan = json.loads(text) if text else {}
    return plan if isinstance(plan, dict) else {}


def flow_items(plan: dict[str, Any]) -> dict[str, Any]:
    """What the Map iterates: one item per 承办 department, then one per reader (step and index only)."""
    items = [{"step": "handle", "index": i} for i in range(len(plan.get("handlers", [])))]
    items += [{"step": "read", "index": i} for i in range(len(plan.get("readers", [])))]
    return {"items": items}


def due_by(deadline: str) -> datetime:
    """A 办理时限 date as the end of that day (local time); none: a week from now."""
    if not deadline:
        return clock.now() + timedelta(days=DEFAULT_HANDLE_DAYS)
    day = datetime.strptime(deadline, "%Y-%m-%d").date()
    return datetime.combine(day, time(23, 59, 59), tzinfo=clock.local_zone())
