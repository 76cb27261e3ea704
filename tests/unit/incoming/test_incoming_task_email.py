"""The 收文 step email's text part keeps each fact on its own line (the 签章 line, the 办理期限 apart)."""

from __future__ import annotations

from typing import Any

import pytest

from oa_core.platform.rendering import render

CONTEXT: dict[str, Any] = {
    "org_name": "示例市人民政府办公室",
    "name": "王芳",
    "step_name": "签收",
    "action": "请签收来文",
    "sender": "示例市教育局",
    "sender_number": "示教发〔2026〕12号",
    "number": "",
    "title": "关于报送统计数据的通知",
    "proposal": "",
    "instruction": "",
    "pinned_mismatch": False,
    "due_at": "2026-12-03 09:00",
    "link": "https://oa.example/incoming/I1",
    "one_click": False,
    "extension_until": "",
    "extension_from": "",
    "extension_reason": "",
}


@pytest.mark.parametrize("seal_valid", [True, False])
@pytest.mark.parametrize("proposal", ["", "拟请政策法规科主办。"])
def test_the_seal_line_and_the_deadline_line_stay_apart(seal_valid: bool, proposal: str) -> None:
    text = render("email/incoming_task.txt", **{**CONTEXT, "seal_valid": seal_valid, "proposal": proposal})
    lines = text.splitlines()
    seal = next(line for line in lines if line.startswith("电子签章："))
    assert seal in ("电子签章：有效", "电子签章：无效或缺失，请核实")
    due = lines.index("请于 2026-12-03 09:00 前办理：")
    assert lines[due - 1] == "", "a blank line before the 办理期限"
