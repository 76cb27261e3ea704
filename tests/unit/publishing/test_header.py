"""GB/T 9704-2012 版头 measured in the PDF (pypdf's text positions, mm from the page's top-left): the
发文机关标志 35 mm below the 版心 top for every 文件格式 document, 签发人 lines going down from 空二行 below the
mark with the 发文字号 on the last, the names in 楷体."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from oa_core.publishing.grid import CHAR_PITCH, LINE_PITCH, LINE_WIDTH, TEXT_LEFT, TEXT_TOP
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.pdf_reading import read, spans
from tests.unit.publishing.samples import MM_PER_PT, REQUEST, needs_fonts

EM_TOP = 0.88  # the em box's top above the baseline, in em (Noto CJK and LXGW WenKai)


def _top(span_y: float, size: float) -> float:
    return span_y - EM_TOP * size * MM_PER_PT


@needs_fonts
@pytest.mark.parametrize("doc_type", ["通知", "请示", "报告"])
def test_the_mark_of_every_file_format_document_sits_35_mm_below_the_type_area_top(
    font_dir: Path, doc_type: str
) -> None:
    data = render_pdf(replace(REQUEST, doc_type=doc_type), font_dir)
    mark = next(s for s in spans(read(data).pages[0]) if s.text.endswith("文件"))
    assert _top(mark.y, mark.size) == pytest.approx(TEXT_TOP + 35, abs=0.05), f"{doc_type}: 35 mm, not 80 mm"


@needs_fonts
def test_several_signers_go_down_from_two_lines_below_the_mark_and_the_number_sits_on_the_last(
    font_dir: Path,
) -> None:
    data = render_pdf(replace(REQUEST, signer_name="张三、李四、王五"), font_dir)
    found = {s.text: s for s in spans(read(data).pages[0])}
    mark, label = found["示例市人民政府办公室文件"], found["签发人："]
    first, second, number = found["张三　李四"], found["王五"], found["示例办〔2026〕12号"]
    mark_bottom = _top(mark.y, mark.size) + mark.size * MM_PER_PT
    first_line_top = mark_bottom + 2 * LINE_PITCH
    assert _top(first.y, 16) == pytest.approx(first_line_top + (LINE_PITCH - 16 * MM_PER_PT) / 2, abs=0.05), "空二行"
    assert label.y == pytest.approx(first.y), "签发人： on the first line"
    assert second.y - first.y == pytest.approx(LINE_PITCH, abs=0.05), "further lines go down"
    assert number.y == pytest.approx(second.y), "发文字号 on the last 签发人 line"
    assert number.x == pytest.approx(TEXT_LEFT + CHAR_PITCH, abs=0.05), "发文字号居左空一字"
    assert first.right == pytest.approx(TEXT_LEFT + LINE_WIDTH - CHAR_PITCH, abs=0.05), "签发人居右空一字"
    assert first.font == second.font == "LXGWWenKai", "names in 楷体"
    assert label.font == "NotoSerifCJKSC", "the label in 仿宋"
    separator_below = [s for s in spans(read(data).pages[0]) if s.size == 22]
    assert min(s.y for s in separator_below) > number.y + 2 * LINE_PITCH, "the title under the number"


@needs_fonts
def test_an_opinion_to_a_superior_unit_carries_its_signer_as_upward_documents_do(font_dir: Path) -> None:
    """上行文 by the 主送机关's relation (printing sets signer_name for it): an 意见 to a 上级机关 prints 签发人."""
    data = render_pdf(replace(REQUEST, doc_type="意见", signer_name="张三"), font_dir)
    found = {s.text: s for s in spans(read(data).pages[0])}
    assert "签发人：" in found and found["示例办〔2026〕12号"].x == pytest.approx(TEXT_LEFT + CHAR_PITCH, abs=0.05)
    equal = render_pdf(replace(REQUEST, doc_type="意见", signer_name=""), font_dir)
    plain = {s.text for s in spans(read(equal).pages[0])}
    assert "签发人：" not in plain, "an 意见 to an equal or lower unit: no 签发人, the number centred"
