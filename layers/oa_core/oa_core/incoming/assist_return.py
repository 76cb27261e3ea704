"""协办退回: a 协办 department's 退回 (不属于本单位职责) ends only its own part of the 承办.

Its task is closed as 退回 with the reason (shown in the 承办 table and the 收文处理笺), its item of the
Map is answered as ended (the flow goes on with the 主办 and the other 协办), and the office's 文书 and the
主办 are told by email. The 主办's 退回 keeps its meaning: back to 拟办 (incoming.handling).
"""

from __future__ import annotations

from oa_core.identity import directory
from oa_core.incoming import plans
from oa_core.incoming.steps import office_clerk
from oa_core.incoming.storage import IncomingItem, load_incoming
from oa_core.platform import mail
from oa_core.platform.config import settings
from oa_core.workflow.storage import TaskItem

ACTION = "协办部门退回了承办任务（不属于本单位职责）"


def told(item: IncomingItem, task: TaskItem, reason: str) -> list[str]:
    """Email the office's 文书 and the 主办's assignee that one 协办 returned its part; who was told."""
    fresh = load_incoming(item.incoming_id)
    plan = plans.load(fresh.plan)
    index = int(task.task_id.rsplit(".", 1)[1])
    handlers = plan.get("handlers", [])
    department = str(handlers[index]["department"]) if index < len(handlers) else ""
    lead = plans.handler_of(str(handlers[0]["department"])) if handlers else None
    returner = directory.get_user(task.assignee)
    people = [office_clerk()] + ([lead] if lead else [])
    seen: set[str] = set()
    for person in people:
        if str(person["user_id"]) in seen or str(person["user_id"]) == task.assignee:
            continue
        seen.add(str(person["user_id"]))
        mail.send(
            [str(person["email"])],
            mail.subject_line(fresh.title, fresh.urgency or "", ACTION),
            "assist_returned",
            {
                "name": person["name"],
                "department_name": plans.department_name(department) if department else "",
                "returner": returner["name"] if returner else "",
                "reason": reason,
                "sender": fresh.sender,
                "sender_number": fresh.sender_number,
                "number": fresh.number or "",
                "title": fresh.title,
                "link": f"{settings().public_base_url}/incoming/{fresh.incoming_id}",
            },
        )
    return sorted(seen)
