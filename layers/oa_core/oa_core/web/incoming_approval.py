"""The approval link page of a 收文: 批办 (the leader's 批示, or 退回拟办), 传阅 (已阅 and a 阅示) and
延期审批 (同意 / 不同意), beside the 发文 and meeting views of web.approvals.

It shows the 收文 as the 收文处理笺 does: 来文单位, 来文字号, 收文编号, the seal check, the 拟办意见 and the
plan (主办, 协办, 传阅), and for a 延期 the request; 查看来文 opens the received file and each reported 办理结果's
附件 through worklist.link_files (links no longer-lived than the page's own). Changing the plan at 批办 is
signed in (the API).
"""

from __future__ import annotations

from typing import Any

from oa_core.identity import directory
from oa_core.incoming import queries
from oa_core.incoming.extensions import listed
from oa_core.incoming.storage import load_incoming
from oa_core.worklist import link_files

STEP_NAMES = {"instruct": "批办", "read": "传阅", "extend": "延期审批"}
BUTTONS = {
    "instruct": [("approve", "批示（同意）", "approve"), ("return", "退回拟办", "reject")],
    "read": [("approve", "已阅", "approve")],
    "extend": [("approve", "同意延期", "approve"), ("reject", "不同意", "reject")],
}
PLACEHOLDER = {
    "instruct": "请填写批示；退回拟办时请写明理由",
    "read": "阅示（可不填）",
    "extend": "同意时可不填；不同意时请写明理由",
}
NEXT_STEP = {
    ("instruct", "approve"): "承办部门和传阅人员将收到通知。",
    ("instruct", "return"): "来文已退回办公室重新拟办。",
    ("read", "approve"): "已记录您的阅知时间。",
    ("extend", "approve"): "承办部门的办理时限已延长。",
    ("extend", "reject"): "承办部门将按原办理时限办理。",
}


def context(link: Any, task: Any, *, error: str, opinion: str, link_id: str = "") -> dict[str, Any]:
    """What pages/incoming_approval.html shows for a pending 收文 task reached by its link."""
    item = load_incoming(link.document_id)
    handling = queries.handling(item)
    decider = directory.get_user(link.decider) or {"name": ""}
    pending = [e for e in listed(item.incoming_id) if e["status"] == "pending"] if link.step == "extend" else []
    return {
        "item": item,
        "seal": queries.seal_of(item),
        "handling": handling,
        "task": task,
        "step_name": STEP_NAMES.get(link.step, ""),
        "buttons": BUTTONS.get(link.step, []),
        "placeholder": PLACEHOLDER.get(link.step, ""),
        "extension": pending[0] if pending else None,
        "error": error,
        "opinion": opinion,
        "decider_name": decider["name"],
        "files": link_files.offered(item, handling),
        "file_href": f"{link_id}/attachments/" if link_id else "",  # relative: the page is /approvals/<link_id>
    }


def done(incoming_id: str, step: str, decision: str) -> dict[str, Any]:
    """What the page after a decision says: the title, the decision in this step's words, what follows."""
    word = next((label for value, label, _ in BUTTONS.get(step, []) if value == decision), "已办理")
    return {
        "title": load_incoming(incoming_id).title,
        "decision_names": {decision: word},
        "next_step": NEXT_STEP.get((step, decision), "已办理。"),
    }
