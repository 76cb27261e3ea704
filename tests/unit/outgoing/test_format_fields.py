"""The draft's 版式 fields (信函, 联合行文, 不加盖印章, 附注, 命令's 签发人职务, 纪要's 出席/请假/列席): accepted where
the format has them, refused in Chinese elsewhere, and carried to the typesetter's 版式."""

from __future__ import annotations

import pytest

from oa_core.outgoing.models import DraftSubmission
from oa_core.outgoing.printing import _format, order_number
from oa_core.outgoing.storage import DocumentItem
from tests.unit.outgoing.test_models import errors_of, submission


def test_a_draft_carries_letter_format_co_issuers_unsealed_and_remarks() -> None:
    draft = DraftSubmission.model_validate(
        submission(letter_format=True, co_issuers=["市财政局"], sealed=False, remarks="联系人：王明")
    )
    assert (draft.letter_format, draft.co_issuers, draft.sealed, draft.remarks) == (
        True,
        ["市财政局"],
        False,
        "联系人：王明",
    )


def test_an_order_takes_a_signer_title_and_minutes_take_attendance_lists() -> None:
    order = DraftSubmission.model_validate(submission(doc_type="命令", signer_title="市长"))
    minutes = DraftSubmission.model_validate(
        submission(doc_type="纪要", attendees=["市财政局张华"], on_leave=["市公安局周涛"], observers=["刘洋"])
    )
    assert order.signer_title == "市长" and minutes.attendees == ["市财政局张华"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"signer_title": "市长"}, "签发人职务只用于命令"),
        ({"attendees": ["张华"]}, "只用于纪要"),
        ({"doc_type": "纪要", "letter_format": True}, "不能按信函格式印制"),
        ({"co_issuers": ["市财政局", "市财政局"]}, "联合发文机关有重复项"),
        ({"co_issuers": [f"单位{i}" for i in range(6)]}, "最多 5 项"),
    ],
)
def test_format_fields_out_of_place_are_refused_in_chinese(overrides: dict[str, object], message: str) -> None:
    assert message in errors_of(**overrides)


@pytest.mark.parametrize(
    ("doc_type", "letter", "expected"),
    [("函", None, ""), ("通知", True, "信函"), ("函", False, "文件"), ("命令", True, ""), ("纪要", None, "")],
)
def test_the_printed_format_follows_the_draft_or_the_doc_type(
    doc_type: str, letter: bool | None, expected: str
) -> None:
    assert _format(DocumentItem(doc_type=doc_type, letter_format=letter)) == expected


def test_an_order_number_is_the_sequence_of_its_issue_number() -> None:
    assert order_number("示例府令〔2026〕12号") == "第12号"
    assert order_number("示例办发〔2026〕007号") == "第7号"
