"""What a person reads in an error is Chinese only: the English hint stays for logs, never in ``message``."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from oa_core.outgoing.models import DraftSubmission
from oa_core.platform.errors import Conflict, DomainError, InvalidInput
from oa_core.platform.fields import time_problem
from oa_core.platform.http import humanize
from oa_core.platform.wording import for_people


def test_the_english_hint_is_kept_for_logs_but_not_in_the_message() -> None:
    error = Conflict("该申请刚刚已被其他调度员处理 (handled by someone else just now)")
    assert error.message == "该申请刚刚已被其他调度员处理"
    assert error.hint == "该申请刚刚已被其他调度员处理 (handled by someone else just now)"
    assert error.as_body() == {"error": {"code": "conflict", "message": "该申请刚刚已被其他调度员处理"}}


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("请先登录 (sign in first)", "请先登录"),
        ("链接已失效（已使用）(this link was already used)", "链接已失效（已使用）"),
        ("会议 (no longer awaiting approval)，请刷新", "会议，请刷新"),
        ("按 GB/T 9704 (PDF) 排版", "按 GB/T 9704 (PDF) 排版"),
        ("签章算法 (SM2) 已启用", "签章算法 (SM2) 已启用"),
    ],
)
def test_only_latin_sentences_in_brackets_are_dropped(written: str, shown: str) -> None:
    assert for_people(written) == shown


def test_a_message_without_any_chinese_is_kept_whole_rather_than_emptied() -> None:
    assert DomainError("(internal)").message == "(internal)"


def _errors(**overrides: Any) -> str:
    data: dict[str, Any] = {
        "doc_type": "通知",
        "title": "关于做好年终工作的通知",
        "body": "各处室：\n请按时完成。",
        "main_recipients": ["各处室"],
        "reviewer": "li.na",
        "signer": "zhao.lei",
        **overrides,
    }
    with pytest.raises(ValidationError) as caught:
        DraftSubmission.model_validate(data)
    return humanize(caught.value.errors())


def test_validation_messages_name_the_field_in_chinese_only() -> None:
    assert _errors(title="长" * 201) == "“标题”不能超过 200 个字"
    assert "(title)" not in _errors(title="长" * 201)
    assert "main_recipients" not in _errors(main_recipients="各处室")


def test_a_humanized_message_carries_no_english_hint_even_when_a_validator_wrote_one() -> None:
    said = humanize([{"type": "value_error", "loc": ("body",), "msg": "Value error, 标题有误 (bad title)"}])
    assert said == "标题有误"


def test_a_bad_time_says_what_to_type_not_iso_8601() -> None:
    problem = time_problem("明天上午")
    assert problem is not None
    assert "ISO" not in problem and "请按 2026-12-02 09:00 的格式填写" in problem
    assert "ISO" not in InvalidInput(problem).message
