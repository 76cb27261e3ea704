"""附件说明 at the edge: a note written with its own 「附件：」 or a lone number comes out of the typesetter as
GB/T 9704 §7.3.4 wants it, 「附件：」 once and one attachment unnumbered."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from oa_core.outgoing.attachments import normalise_note
from oa_core.outgoing.models import DraftSubmission
from tests.unit.publishing.samples import NOTICE, laid_out


def submitted_note(note: str) -> str:
    fields: dict[str, Any] = {
        "doc_type": "通知",
        "title": "关于做好年终工作的通知",
        "body": "请按时完成。",
        "main_recipients": ["各处室"],
        "reviewer": "li.na",
        "signer": "wang.qiang",
        "attachment_note": note,
    }
    return DraftSubmission.model_validate(fields).attachment_note


def printed_lines(note: str) -> list[str]:
    placed = laid_out(replace(NOTICE, body="请按时完成。", attachment_note=note))
    lines = ["".join(ch.text for ch in item.chars) for item in placed.texts]
    return [line for line in lines if line.startswith("附件") or line[:2] in {"1．", "2．"}]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("附件：1. 2026年工作要点", "2026年工作要点"),  # the old hint, copied as it stood
        ("附件:2026年工作要点", "2026年工作要点"),
        ("附 件 ：\n安全检查表\n整改台账", "安全检查表\n整改台账"),
        ("附件：1．安全检查表\n2．整改台账", "1．安全检查表\n2．整改台账"),
        ("1、安全检查表", "安全检查表"),
        ("  安全检查表  \n\n  整改台账 ", "安全检查表\n整改台账"),
        ("1.5米以上登高作业安全规范", "1.5米以上登高作业安全规范"),  # a decimal is no number of the list
        ("附件说明表", "附件说明表"),  # a name that starts with the word, without the colon
        ("", ""),
    ],
)
def test_the_note_loses_its_own_label_and_a_lone_number(written: str, kept: str) -> None:
    assert normalise_note(written) == kept
    assert submitted_note(written) == kept


def test_a_note_written_with_its_label_prints_the_label_once() -> None:
    note = submitted_note("附件：1. 2026年工作要点")
    assert printed_lines(note) == ["附件：2026年工作要点"]
    assert printed_lines(submitted_note("附件：安全检查表\n整改台账")) == ["附件：1．安全检查表", "2．整改台账"]


def test_a_note_that_reaches_the_typesetter_with_its_label_still_prints_it_once() -> None:
    """Defence in depth: a stored note from before the edge stripped the label prints 「附件：」 once too."""
    assert printed_lines("附件：2026年工作要点") == ["附件：2026年工作要点"]
