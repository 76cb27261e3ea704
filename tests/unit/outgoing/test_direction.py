"""行文方向: 上行文 by 文种 or by the relation of the 主送机关; 下级机关 by the organisation file or by name;
the 主送机关 a DraftSubmission needs, per 文种."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from oa_core.outgoing import direction
from oa_core.outgoing.models import DraftSubmission

RELATIONS = {"示例市人民政府": "superior", "示例市东城区人民政府": "subordinate"}


@pytest.mark.parametrize(
    ("doc_type", "main", "upward"),
    [
        ("请示", ["示例市财政局"], True),
        ("报告", [], True),
        ("意见", ["示例市人民政府"], True),
        ("函", ["示例市财政局", "示例市人民政府"], True),
        ("意见", ["各区县人民政府"], False),
        ("通知", ["示例市东城区人民政府"], False),
        ("函", ["示例市财政局"], False),
    ],
)
def test_upward_is_decided_by_the_type_or_by_a_superior_main_recipient(
    doc_type: str, main: list[str], upward: bool
) -> None:
    assert direction.is_upward(doc_type, main, RELATIONS) is upward


def test_the_organisation_file_decides_before_a_name_does() -> None:
    known, guessed = direction.subordinates(["示例市东城区人民政府", "各乡镇", "示例市财政局"], RELATIONS)
    assert (known, guessed) == (["示例市东城区人民政府"], ["各乡镇"])
    assert direction.subordinates(["各区县人民政府"], {"各区县人民政府": "superior"}) == ([], [])


def submission(**overrides: Any) -> dict[str, Any]:
    return {
        "doc_type": "公告",
        "title": "示例市人民政府公告",
        "body": "现将有关事项公告如下。",
        "main_recipients": [],
        "reviewer": "wangfang",
        "signer": "zhaolei",
        **overrides,
    }


@pytest.mark.parametrize("doc_type", ["公告", "通告", "命令", "纪要"])
def test_a_submission_of_these_types_may_have_no_main_recipient(doc_type: str) -> None:
    assert DraftSubmission.model_validate(submission(doc_type=doc_type)).main_recipients == []


def test_a_notice_without_a_main_recipient_is_refused_with_a_chinese_message() -> None:
    with pytest.raises(ValidationError, match="请填写主送机关"):
        DraftSubmission.model_validate(submission(doc_type="通知", title="关于值班的通知"))
