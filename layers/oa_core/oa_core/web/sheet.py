"""发文稿纸: everything a decider's signature covers, in the order the paper form shows it.

Shared by the approval page behind an emailed link and the staff document page (pages/_sheet.html):
标题, 文种, 紧急程度, 主送, 抄送, 拟稿人/单位, 核稿意见 with 批注, 会签 and its progress, 附件说明,
分发 (our own departments), 对外发送 (external units), 正文 with 痕迹 (the diff of the last two versions).
"""

from __future__ import annotations

from typing import Any

from oa_core.identity import directory
from oa_core.outgoing.diffing import inline
from oa_core.outgoing.models import DocumentView

COUNTERSIGN_STATES = {
    "waiting": "未开始",
    "pending": "待会签",
    "approved": "同意",
    "returned": "退回",
    "rejected": "不同意",
    "cancelled": "已撤销",
}
DIFF_FIELDS = ("title", "body", "main_recipients", "cc", "urgency", "attachments")


def version_diff(doc: DocumentView, number: int) -> dict[str, Any] | None:
    """痕迹: what version ``number`` changed against the one before (None for the first)."""
    by_number = {v.version: v for v in doc.versions}
    if number not in by_number or number - 1 not in by_number:
        return None
    before = by_number[number - 1].model_dump(include=set(DIFF_FIELDS))
    after = by_number[number].model_dump(include=set(DIFF_FIELDS))
    return {"version": by_number[number], "runs": inline(before, after)}


def sheet(doc: DocumentView) -> dict[str, Any]:
    """The 稿纸's parts as names people read (never user, department or unit ids)."""
    departments = {d["department_id"]: d["name"] for d in directory.list_departments()}
    units = {u["unit_id"]: u["name"] for u in directory.list_external_units()}
    drafter = directory.get_user(doc.drafter) or {}
    latest = max((v.version for v in doc.versions), default=1)
    return {
        "drafter_name": drafter.get("name", ""),
        "drafter_department": departments.get(doc.drafter_department, ""),
        "reviews": [h for h in doc.history if h.step == "review"],
        "internal": [departments[r] for r in doc.distribute_to if r in departments],
        "external": [units.get(r, r) for r in doc.distribute_to if r not in departments],
        "trace": version_diff(doc, latest),
        "countersign_states": COUNTERSIGN_STATES,
    }


def attendees(organizer: str, participants: list[str]) -> list[dict[str, str]]:
    """参会人员 as the approver reads them: the 召集人 first, each once, with their department."""
    ids = list(dict.fromkeys([organizer, *participants]))
    people = directory.get_users(ids)
    departments = {d["department_id"]: d["name"] for d in directory.list_departments()}
    return [
        {
            "name": people[p]["name"],
            "department": departments.get(people[p].get("department", ""), ""),
            "role": "召集人" if p == organizer else "",
        }
        for p in ids
        if p in people
    ]
