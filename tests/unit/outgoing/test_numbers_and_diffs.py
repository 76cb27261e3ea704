"""Pure pieces of 发文: 发文字号 and version diffs."""

from __future__ import annotations

from oa_core.outgoing import diffing
from oa_core.outgoing.steps import format_number


def test_document_number_has_full_year_brackets_and_no_leading_zeros() -> None:
    assert format_number("国办发", 2012, 14) == "国办发〔2012〕14号"
    assert format_number("示例办发", 2026, 7) == "示例办发〔2026〕7号"


def test_diff_marks_inserted_and_deleted_lines() -> None:
    before = {
        "title": "关于A的通知",
        "body": "第一段。\n第二段。",
        "main_recipients": ["各处室"],
        "cc": [],
        "urgency": "",
    }
    after = {**before, "body": "第一段。\n第二段（修改）。"}
    text = diffing.diff(before, after, 1, 2)
    assert "-第二段。" in text and "+第二段（修改）。" in text
    assert "第1稿" in text and "第2稿" in text
