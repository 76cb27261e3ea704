"""Validation of a drafter's submission: the rules of 《党政机关公文处理工作条例》 at the edge."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from oa_core.outgoing.doctypes import DOC_TYPES, word_count
from oa_core.outgoing.models import DraftSubmission
from oa_core.platform.http import humanize
from oa_core.workflow.models import DecisionRequest


def submission(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "doc_type": "通知",
        "title": "关于做好年终工作的通知",
        "body": "各处室：\n请按时完成。",
        "main_recipients": ["各处室"],
        "reviewer": "li.na",
        "signer": "wang.qiang",
    }
    return {**base, **overrides}


def errors_of(**overrides: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        DraftSubmission.model_validate(submission(**overrides))
    return humanize(caught.value.errors())


def test_all_fifteen_document_types_are_accepted() -> None:
    assert len(DOC_TYPES) == 15
    for doc_type in DOC_TYPES:
        recipients = ["市政府"] if doc_type == "请示" else ["各处室"]
        assert (
            DraftSubmission.model_validate(submission(doc_type=doc_type, main_recipients=recipients)).doc_type
            == doc_type
        )


def test_unknown_document_type_is_refused_naming_the_field() -> None:
    message = errors_of(doc_type="便条")
    assert "文种" in message and "doc_type" not in message and " or " not in message


@pytest.mark.parametrize("classification", ["秘密", "机密", "绝密", "内部"])
def test_classified_documents_are_refused_with_the_rule(classification: str) -> None:
    assert "涉密公文不得在本系统处理" in errors_of(classification=classification)


@pytest.mark.parametrize("classification", ["", "非密", " 非密 "])
def test_non_classified_marks_are_accepted(classification: str) -> None:
    DraftSubmission.model_validate(submission(classification=classification))


def test_a_request_for_instructions_has_exactly_one_main_recipient() -> None:
    assert "只能有一个主送机关" in errors_of(doc_type="请示", main_recipients=["市政府", "市财政局"])


@pytest.mark.parametrize("field", ["title", "body", "main_recipients", "reviewer", "signer", "doc_type"])
def test_missing_required_fields_are_named(field: str) -> None:
    data = submission()
    del data[field]
    with pytest.raises(ValidationError) as caught:
        DraftSubmission.model_validate(data)
    assert "缺少必填项" in humanize(caught.value.errors())


def test_too_long_title_and_wrong_types_are_explained() -> None:
    assert "不能超过 200 个字" in errors_of(title="长" * 201)
    assert "类型错误" in errors_of(main_recipients="各处室")
    assert "不认识的字段" in errors_of(secret_field=1)
    assert "重复" in errors_of(countersigners=["a.b", "a.b"])


def test_return_and_reject_need_an_opinion_and_edits_need_approval() -> None:
    with pytest.raises(ValidationError):
        DecisionRequest.model_validate({"decision": "return", "opinion": ""})
    with pytest.raises(ValidationError):
        DecisionRequest.model_validate({"decision": "reject", "opinion": "不同意", "edits": {"title": "新标题"}})
    assert DecisionRequest.model_validate({"decision": "approve"}).opinion == ""


def test_word_count_counts_characters_without_white_space() -> None:
    assert word_count("关于 通知", "一二三\n四") == 8
