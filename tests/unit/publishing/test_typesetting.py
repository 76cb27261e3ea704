"""公文排版 end to end: the GB/T 9704-2012 PDF read back with pypdf, every element where the standard puts it
(positions in mm from the page's top-left corner)."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

import pytest

from oa_core.publishing.fonts import DASH_MIDDLE
from oa_core.publishing.grid import (
    CHAR_PITCH,
    LINE_PITCH,
    LINE_WIDTH,
    TEXT_BOTTOM,
    TEXT_LEFT,
    TEXT_RIGHT,
    TEXT_TOP,
)
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.pdf_reading import body_spans, full_width, lines, read, spans
from tests.unit.publishing.samples import MM_PER_PT, NOTICE, REQUEST, needs_fonts


def test_missing_fonts_raise_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"缺少公文排版字体 \(typesetting fonts missing\)") as raised:
        render_pdf(NOTICE, tmp_path / "no-such-dir")
    assert "NotoSerifCJKsc-Regular.otf" in str(raised.value)


@needs_fonts
def test_body_text_keeps_to_the_type_area(notice_pdf: bytes) -> None:
    reader = read(notice_pdf)
    body = body_spans(reader.pages[0])
    paragraph_starts = [s for s in body if s.text.startswith(("为切实", "坚持"))]
    assert paragraph_starts and all(
        s.x == pytest.approx(TEXT_LEFT + 2 * CHAR_PITCH, abs=0.05) for s in paragraph_starts
    )
    wrapped = [s for s in body if s.text.startswith(("制各类", "生产责任"))]
    assert wrapped and all(s.x == pytest.approx(TEXT_LEFT, abs=0.05) for s in wrapped), "回行顶格"
    first = min(s.y for s in body)
    assert first - 16 * 0.88 * MM_PER_PT > TEXT_TOP and first < TEXT_BOTTOM
    for page in reader.pages:
        for span in spans(page):
            assert span.right <= TEXT_RIGHT + 0.05, f"{span.text} beyond the right edge"
            assert span.x >= TEXT_LEFT - 0.05, f"{span.text} in the left margin"
            if span.text.startswith("—"):
                continue  # 页码 are the only text below the 版心
            assert TEXT_TOP < span.y < TEXT_BOTTOM, f"{span.text} outside the 版心"


@needs_fonts
def test_header_elements_are_extracted_exactly_and_placed_per_the_standard(notice_pdf: bytes) -> None:
    page = read(notice_pdf).pages[0]
    found = {s.text: s for s in spans(page)}
    assert found["000123"].x == pytest.approx(TEXT_LEFT) and found["特急"].x == pytest.approx(TEXT_LEFT)
    assert found["特急"].font == "NotoSansCJKSC", "紧急程度 in 黑体"
    mark = found["示例市人民政府办公室文件"]
    assert mark.y - mark.size * 0.88 * MM_PER_PT == pytest.approx(TEXT_TOP + 35, abs=0.05), "35 mm below the 版心 top"
    assert (mark.x + mark.right) / 2 == pytest.approx(TEXT_LEFT + 78, abs=0.1) and mark.right <= TEXT_RIGHT
    number = found["示例办发〔2026〕7号"]
    assert (number.x + number.right) / 2 == pytest.approx(TEXT_LEFT + LINE_WIDTH / 2, abs=0.3), "centred"
    title = sorted((s for s in spans(page) if s.size == pytest.approx(22)), key=lambda s: s.y)
    assert "".join(s.text for s in title) == NOTICE.title and len(title) == 2
    assert all((s.x + s.right) / 2 == pytest.approx(TEXT_LEFT + 78, abs=0.05) for s in title), "centred lines"
    recipients = next(line for _, line in lines(page) if line.startswith("各区县人民政府"))
    assert recipients == "各区县人民政府、市政府各部门、各直属机构：", "主送 ends with a full-width colon"


@needs_fonts
def test_headings_use_their_faces(notice_pdf: bytes) -> None:
    found = [(s.text, s.font) for page in read(notice_pdf).pages for s in spans(page)]
    assert ("一、总体要求", "NotoSansCJKSC") in found, "一级 in 黑体"
    assert ("（一）加强组织领导。", "LXGWWenKai") in found, "二级 in 楷体"
    assert any(text.startswith("1．明确责任分工") and font == "NotoSerifCJKSC" for text, font in found)


@needs_fonts
def test_attachments_align_after_the_colon_and_the_record_fills_the_foot_of_the_even_last_page(
    notice_pdf: bytes,
) -> None:
    reader = read(notice_pdf)
    assert len(reader.pages) % 2 == 0, "the last page is even"
    everything = [line for page in reader.pages for _, line in lines(page)]
    assert "附件：1．2026年冬季安全生产检查表" in everything
    attachment = [s for page in reader.pages for s in spans(page) if s.text.startswith(("附件", "2．安全"))]
    assert attachment[1].x == pytest.approx(attachment[0].x + 3 * CHAR_PITCH, abs=0.05), "aligned after the colon"
    assert "2026年11月25日" in everything and "示例市人民政府办公室" in everything
    last = lines(reader.pages[-1])
    record = [line for _, line in last]
    assert record[-2] == "— 2 —" or record[-1] == "— 2 —"
    assert "抄送：市委办公室，市人大常委会办公室，市政协办公室，市纪委" in record and "监委。" in record
    assert any(line.startswith("示例市人民政府办公室") and line.endswith("2026年11月25日印发") for line in record)
    printed = next(s for s in spans(reader.pages[-1]) if s.text.endswith("印发"))
    assert printed.right == pytest.approx(TEXT_RIGHT - 14 * MM_PER_PT, abs=0.05), "印发日期右空一字"
    assert printed.y > TEXT_BOTTOM - LINE_PITCH, "the last element on the last line of the 版心"
    cc_lines = [s for s in spans(reader.pages[-1]) if s.size == 14 and s.y < printed.y]
    assert cc_lines[0].x == pytest.approx(TEXT_LEFT + 14 * MM_PER_PT, abs=0.05), "抄送左空一字"
    assert cc_lines[1].x == pytest.approx(cc_lines[0].x + 3 * 14 * MM_PER_PT, abs=0.05), "回行 after the colon"


@needs_fonts
def test_page_numbers_sit_right_on_odd_and_left_on_even_pages(notice_pdf: bytes) -> None:
    reader = read(notice_pdf)
    numbers = {}
    for index, page in enumerate(reader.pages, start=1):
        numbers[index] = next(s for s in spans(page) if s.text.startswith("—"))
    assert numbers[1].text == "— 1 —" and numbers[2].text == "— 2 —"
    assert numbers[1].right == pytest.approx(TEXT_RIGHT - 14 * MM_PER_PT, abs=0.05), "odd: 右空一字"
    assert numbers[2].x == pytest.approx(TEXT_LEFT + 14 * MM_PER_PT, abs=0.05), "even: 左空一字"
    dash_middle = numbers[1].y - DASH_MIDDLE * 14 * MM_PER_PT
    assert dash_middle == pytest.approx(TEXT_BOTTOM + 7, abs=0.05), "一字线 7 mm below the 版心"


@needs_fonts
def test_a_request_puts_the_number_left_and_the_signer_on_its_line(request_pdf: bytes) -> None:
    page = read(request_pdf).pages[0]
    found = {s.text: s for s in spans(page)}
    number, label, name = found["示例办〔2026〕12号"], found["签发人："], found["张三"]
    assert number.x == pytest.approx(TEXT_LEFT + CHAR_PITCH, abs=0.05), "发文字号居左空一字"
    assert number.y == pytest.approx(label.y) == pytest.approx(name.y), "签发人 on the number's line"
    assert name.right == pytest.approx(TEXT_LEFT + LINE_WIDTH - CHAR_PITCH, abs=0.05), "居右空一字"
    assert label.font == "NotoSerifCJKSC" and name.font == "LXGWWenKai", "the name in 楷体"
    mark = found["示例市人民政府办公室文件"]
    assert mark.y - mark.size * 0.88 * MM_PER_PT == pytest.approx(TEXT_TOP + 35, abs=0.05), "上行文 too: 35 mm"


@needs_fonts
def test_a_long_body_keeps_to_the_grid_over_several_pages(long_pdf: bytes) -> None:
    reader = read(long_pdf)
    assert len(reader.pages) >= 4 and len(reader.pages) % 2 == 0
    for number, page in enumerate(reader.pages, start=1):
        body = body_spans(page)
        rows = sorted({round(s.y, 1) for s in body})
        assert len(rows) <= 22, f"page {number}: at most 22 lines"
        offsets = [(y - TEXT_TOP) / LINE_PITCH for y in rows]
        assert all(abs(o - round(o) - (offsets[0] - round(offsets[0]))) < 0.01 for o in offsets), "on the grid"
        for y in rows:
            line = "".join(s.text for s in sorted((s for s in body if round(s.y, 1) == y), key=lambda s: s.x))
            assert full_width(line) <= 28, f"page {number}: {line} exceeds 28 characters"
            assert not line.startswith(("，", "。", "、", "；", "：", "）", "”")), line
    if not reader.pages[-2].extract_text().strip():
        last_two = [line for page in reader.pages[-2:] for _, line in lines(page)]
        assert not [line for line in last_two if line.startswith("—")], "no number on the blank and 版记 pages"


@needs_fonts
def test_the_date_in_the_pdf_has_no_zero_padding(font_dir: Path) -> None:
    data = render_pdf(replace(REQUEST, sign_date=datetime.date(2026, 1, 5)), font_dir)
    everything = [line for page in read(data).pages for _, line in lines(page)]
    assert "2026年1月5日" in everything and any(line.endswith("2026年1月5日印发") for line in everything)
