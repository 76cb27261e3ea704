"""The words people see for 发文's steps, decisions and statuses (pages and emails)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oa_core.platform import clock

if TYPE_CHECKING:
    pass


STEP_NAMES = {
    "draft": "拟稿",
    "review": "核稿",
    "countersign": "会签",
    "sign": "签发",
    "number": "编号",
    "typeset": "印制",
    "distribute": "分发",
    "archive": "归档",
    "revise": "修改",
    "meeting": "会议室审批",
}


DECISION_NAMES = {
    "approve": "同意",
    "return": "退回修改",
    "reject": "不同意",
    "submit": "提交",
    "revise": "提交修改稿",
    "numbered": "编号",
    "typeset": "已印制",
    "distributed": "已分发",
    "archived": "已归档",
    "failed": "失败",
    "timed_out": "办理超时",
    "cancelled": "已撤销",
}


STATUS_NAMES = {
    "in_review": "核稿中",
    "returned": "已退回修改",
    "countersigning": "会签中",
    "signing": "待签发",
    "numbering": "编号中",
    "distributing": "分发中",
    "archived": "已归档",
    "rejected": "未通过",
    "failed": "处理失败",
}


def concluded_words(number: str, concluded_at: str) -> str:
    """「已办结（对方收文编号 收〔2026〕3号，2026年12月2日）」: the words the document page shows."""
    if not number:
        return ""
    date = f"，{clock.chinese_date(clock.parse(concluded_at))}" if concluded_at else ""
    return f"已办结（对方收文编号 {number}{date}）"
