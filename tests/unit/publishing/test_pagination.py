"""The page plan without fonts: the 署名 block and seal, the 版记 on an even page, page numbers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from oa_core.publishing.fonts import EM_ASCENT
from oa_core.publishing.grid import (
    BODY_SIZE,
    CHAR_PITCH,
    LINE_PITCH,
    LINE_WIDTH,
    LINES_PER_PAGE,
    SEAL_DIAMETER,
    TEXT_BOTTOM,
    TEXT_LEFT,
    TEXT_TOP,
    Layout,
    TextItem,
    baseline,
)
from tests.unit.publishing.samples import MM_PER_PT, NOTICE, laid_out, paragraphs


def _text(item: TextItem) -> str:
    return "".join(ch.text for ch in item.chars)


def _numbered_pages(result: Layout) -> set[int]:
    return {t.page + 1 for t in result.texts if "".join(ch.text for ch in t.chars).startswith("— ")}


def _pages_with_body_size_text(result: Layout) -> set[int]:
    return {t.page for t in result.texts if t.size == BODY_SIZE}


def test_the_record_page_is_even_and_a_blank_page_before_it_carries_no_number() -> None:
    cases: dict[str, Layout] = {}
    for count in range(1, 45):
        result = laid_out(replace(NOTICE, body=paragraphs(count), attachment_note=""))
        last = result.page_count - 1
        assert result.page_count % 2 == 0, f"{count} paragraphs: the 版记 page is even"
        assert {r.page for r in result.rules if not r.red} == {last}, "版记 rules on the last page only"
        text_pages = _pages_with_body_size_text(result)
        if last in text_pages:
            cases.setdefault("版记 under the text", result)
        elif last - 1 in text_pages:
            cases.setdefault("版记 alone on the even page", result)
        else:
            assert not [t for t in result.texts if t.page == last - 1], "the inserted page is blank"
            cases.setdefault("blank page inserted", result)
    assert set(cases) == {"blank page inserted", "版记 alone on the even page", "版记 under the text"}
    blank = cases["blank page inserted"]
    assert _numbered_pages(blank) == set(range(1, blank.page_count - 1)), "no number on the blank and 版记 pages"
    alone = cases["版记 alone on the even page"]
    assert _numbered_pages(alone) == set(range(1, alone.page_count + 1))


def test_the_signature_block_never_stands_alone_and_its_seal_stays_in_the_type_area() -> None:
    carried = 0
    for count in range(1, 45):
        result = laid_out(replace(NOTICE, body=paragraphs(count), attachment_note="", cc=[]))
        (seal,) = result.seals
        em = BODY_SIZE * MM_PER_PT
        block = {NOTICE.signature, "2026年11月25日"}
        above = [
            t.y
            for t in result.texts
            if t.page == seal.page and t.size == BODY_SIZE and t.y < seal.cy and _text(t) not in block
        ]
        assert above, f"{count}: the seal never stands on a page without text (此页无正文)"
        before = [t.y for t in result.texts if t.page == seal.page - 1 and t.size == BODY_SIZE]
        if seal.page > 0 and max(before) < baseline(LINES_PER_PAGE - 1) - 0.01:
            carried += 1
            assert len(above) >= 2, f"{count}: the last two text lines go with the 署名"
        seal_top = seal.cy - SEAL_DIAMETER / 2
        assert seal_top >= TEXT_TOP and seal.cy + SEAL_DIAMETER / 2 <= TEXT_BOTTOM, "inside the 版心"
        text_bottom = max(above) + (1 - EM_ASCENT) * em
        assert text_bottom < seal_top < text_bottom + LINE_PITCH, "印章顶端上距正文一行之内, not over it"
    assert carried, "some lengths carry text lines over with the block"


def test_the_seal_is_centred_on_the_date_with_signature_and_date_a_little_below_its_centre() -> None:
    result = laid_out(NOTICE)
    (seal,) = result.seals

    def placed(text: str) -> TextItem:
        return next(t for t in result.texts if "".join(ch.text for ch in t.chars) == text and t.size == 16)

    date, signature = placed("2026年11月25日"), placed(NOTICE.signature)
    assert date.page == signature.page == seal.page and date.y - signature.y == pytest.approx(LINE_PITCH)
    date_width = sum(ch.width for ch in date.chars)
    assert date.x + date_width == pytest.approx(TEXT_LEFT + LINE_WIDTH - 4 * CHAR_PITCH), "右空四字"
    assert seal.cx == pytest.approx(date.x + date_width / 2)
    assert signature.x + sum(ch.width for ch in signature.chars) / 2 == pytest.approx(seal.cx), "署名 centred on date"
    midpoint = (signature.y + date.y) / 2 - 0.38 * 16 * MM_PER_PT
    assert 0 < midpoint - seal.cy < 8, "居印章中心偏下"
