"""Page breaks (GB/T 9704-2012 §7.3.5): the 正文 fills pages, the 署名 block is tightened before it is carried
over, and only it goes to the next page, with two lines of 正文 (measured in the PDF, and swept without fonts)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from oa_core.publishing.grid import LINE_PITCH, LINES_PER_PAGE, TEXT_TOP, TextItem
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.pdf_reading import body_spans, read, spans
from tests.unit.publishing.samples import NOTICE, REQUEST, laid_out, needs_fonts

LONG_TITLE = "示例市人民政府办公室关于进一步加强和规范全市安全生产领域行政执法监督检查工作有关事项的请示"


@needs_fonts
def test_a_long_title_does_not_push_a_short_body_to_the_next_page(font_dir: Path) -> None:
    doc = replace(REQUEST, title=LONG_TITLE, main_recipients=["示例省人民政府", "示例省应急管理厅"])
    reader = read(render_pdf(doc, font_dir))
    page_one = "".join(s.text for s in spans(reader.pages[0]))
    assert "为应对今冬" in page_one and "妥否，请批示。" in page_one, "the 正文 stays under the title"
    date = [index for index, page in enumerate(reader.pages) for s in spans(page) if s.text == "2026年11月25日"]
    assert date == [0], "the 署名 block fits, tightened, on page 1"


def _rows(result_texts: list[TextItem], page: int) -> list[int]:
    return sorted({round((t.y - TEXT_TOP) / LINE_PITCH - 0.5) for t in result_texts if t.page == page and t.size == 16})


def test_the_body_fills_pages_and_only_the_signature_block_with_two_lines_goes_over() -> None:
    """A 函 of 1 to 60 one-line paragraphs: every page before the last text page is filled (at most the two carried
    lines and the block's own rows short); a carried block has two lines of 正文 above it, never 此页无正文."""
    carried = 0
    for count in range(1, 61):
        doc = replace(NOTICE, doc_type="函", body="\n".join(["各单位要认真组织实施切实抓好落实"] * count))
        result = laid_out(replace(doc, attachment_note="", cc=[], copy_no="", urgency=""))
        (seal,) = result.seals
        for page in range(seal.page):
            last_row = max(_rows(result.texts, page))
            if page < seal.page - 1:
                assert last_row == LINES_PER_PAGE - 1, f"{count}: page {page + 1} is full"
            else:
                assert last_row >= LINES_PER_PAGE - 1 - 5, f"{count}: page {page + 1} breaks only for the block"
        body_rows_on_seal_page = [
            t for t in result.texts if t.page == seal.page and t.size == 16 and t.y < seal.cy - 10
        ]
        assert body_rows_on_seal_page, f"{count}: never 此页无正文"
        if seal.page > 0 and max(_rows(result.texts, seal.page - 1)) < LINES_PER_PAGE - 1:
            carried += 1
            assert len(body_rows_on_seal_page) >= 2, f"{count}: two lines of 正文 go with the block"
    assert carried, "some lengths carry the block over"


@needs_fonts
def test_a_letter_fills_its_first_page_before_breaking(font_dir: Path) -> None:
    body = "\n".join(["各单位要认真组织实施，切实抓好落实，确保各项工作取得实效。"] * 9)
    reader = read(render_pdf(replace(NOTICE, doc_type="函", body=body, attachment_note=""), font_dir))
    rows = sorted({round(s.y, 1) for s in body_spans(reader.pages[0])})
    assert len(reader.pages) >= 2
    assert (rows[-1] - TEXT_TOP) / LINE_PITCH > LINES_PER_PAGE - 1, "the 正文 runs to the last line of page 1"
