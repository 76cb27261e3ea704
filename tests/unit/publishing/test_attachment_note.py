"""附件说明 (GB/T 9704-2012 §7.3.4) as the typesetter prints it, whatever was typed: the label once (never
「附件：附件：」), one attachment without a number, several numbered and aligned after the colon."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from oa_core.publishing.grid import CHAR_PITCH, TEXT_LEFT
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.pdf_reading import lines, read, spans
from tests.unit.publishing.samples import NOTICE, laid_out, needs_fonts


def _note_lines(note: str) -> list[str]:
    result = laid_out(replace(NOTICE, attachment_note=note))
    texts = ["".join(ch.text for ch in t.chars) for t in sorted(result.texts, key=lambda t: (t.page, t.y))]
    start = next(index for index, text in enumerate(texts) if text.startswith("附件"))
    return texts[start : start + note.count("\n") + 1]


@needs_fonts
def test_a_typed_label_is_not_printed_twice_and_one_attachment_is_not_numbered(font_dir: Path) -> None:
    data = render_pdf(replace(NOTICE, attachment_note="附件：附件：1．2026年冬季安全生产检查表"), font_dir)
    printed = [line for page in read(data).pages for _, line in lines(page) if "检查表" in line]
    assert printed == ["附件：2026年冬季安全生产检查表"]
    label = next(s for page in read(data).pages for s in spans(page) if s.text.startswith("附件："))
    assert label.x == pytest.approx(TEXT_LEFT + 2 * CHAR_PITCH, abs=0.05), "左空二字"


def test_labels_typed_on_any_line_are_dropped_and_several_attachments_are_numbered() -> None:
    assert _note_lines("附件: 检查表\n附件：整改台账") == ["附件：1．检查表", "2．整改台账"]
    assert _note_lines("1. 检查表") == ["附件：检查表"]
    assert _note_lines("1．检查表\n2．整改台账") == ["附件：1．检查表", "2．整改台账"]


def test_a_note_that_is_only_a_label_prints_nothing() -> None:
    result = laid_out(replace(NOTICE, attachment_note="附件："))
    assert not [t for t in result.texts if "".join(ch.text for ch in t.chars).startswith("附件")]
