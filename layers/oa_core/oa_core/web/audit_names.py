"""审计记录 in words: the Chinese name of each recorded action and outcome, for the 安全审计员's page.

The record keeps its codes (``view_archived``, ``decide:review``, ``ok``), which the search and the
exports use; the page shows the Chinese name with the code after it, so the auditor reads 「查看归档文件」
and can still search for what they see. A code with no name here is shown as it is.
"""

from __future__ import annotations

from oa_core.outgoing.names import STEP_NAMES

ACTIONS = {
    "apply_meeting": "申请会议",
    "audit_export": "导出审计记录",
    "audit_search": "查询审计记录",
    "book": "预订会议室",
    "cancel_booking": "取消预订",
    "cancel_task": "撤销待办",
    "copies_failed": "打印文件生成失败",
    "copies_printed": "生成打印文件",
    "decide": "办理决定",
    "delete_draft": "删除草稿",
    "deliver": "补发决定",
    "deliver_external": "对外发送",
    "dispatch": "派车",
    "distribute": "分发",
    "download": "下载档案包",
    "download_copies": "下载打印文件",
    "download_incoming": "查看来文",
    "download_pdf": "下载正式文件",
    "escalate": "督办",
    "print_copies": "打印份数",
    "receipt": "签收",
    "reject": "不同意",
    "remind": "催办",
    "repeat_submission": "重复提交",
    "request_vehicle": "申请用车",
    "resume": "恢复办理",
    "revise": "提交修改稿",
    "role_grant": "授予角色",
    "role_revoke": "撤销角色",
    "roles_list": "查看角色",
    "save_draft": "保存草稿",
    "save_resource": "保存资源",
    "seal": "加盖电子签章",
    "sign_in": "登录",
    "sign_out": "退出",
    "step": "流程环节",
    "typeset": "印制",
    "verify": "校验档案包",
    "view": "查看文件",
    "view_archived": "查看归档文件",
    "view_report": "查看四性检测报告",
}
STEPS = {**STEP_NAMES, "link": "邮件链接"}
OUTCOMES = {
    "ok": "成功",
    "denied": "拒绝",
    "conflict": "冲突",
    "error": "出错",
    "failed": "失败",
    "refused": "被拒收",
    "rejected": "未通过",
    "sent": "已发送",
    "cancelled": "已取消",
    "timed_out": "超时",
    "assist_returned": "协办退回",
}


def action_name(code: str) -> str:
    """「查看归档文件（view_archived）」, 「办理决定·核稿（decide:review）」; an unknown code as it is."""
    verb, _, step = code.partition(":")
    name = ACTIONS.get(verb)
    if name is None:
        return code
    return f"{name}·{STEPS.get(step, step)}（{code}）" if step else f"{name}（{code}）"


def outcome_name(code: str) -> str:
    return OUTCOMES.get(code, code)
