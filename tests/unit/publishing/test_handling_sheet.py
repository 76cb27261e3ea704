"""收文处理笺 as a PDF, read back by pypdf and by poppler's pdftotext (readers we did not write)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from oa_core.publishing.handling_sheet import Entry, HandlingSheet, clean, render_sheet
from tests.unit.publishing.samples import needs_fonts

pytestmark = needs_fonts

SHEET = HandlingSheet(
    org_name="示例市教育局",
    sender="示例市人民政府办公室",
    sender_number="示政办〔2026〕12号",
    number="收〔2026〕3号",
    received_on="2026-12-01",
    urgency="加急",
    copies="2",
    deadline="2026-12-20",
    title="关于报送2026年度教育统计数据的通知",
    proposals=(Entry("拟请政策法规科主办，综合科协办。", "王芳　2026-12-01 10:00"),),
    instructions=(Entry("同意。请按时办理。", "张建国　2026-12-02 09:00"),),
    handling=(
        Entry("主办　政策法规科（刘洋）：已按要求报送统计数据。", "2026-12-03 10:00"),
        Entry("协办　综合科（徐慧）：已提供综合科意见。", "2026-12-03 09:00"),
    ),
    readings=(Entry("李明　已阅 2026-12-02 11:00　同意。"),),
    conclusion=(Entry("已于12月1日报送统计数据。", "陈静（文书审核）　2026-12-04 15:00"),),
)
ORDER = [
    "示例市教育局收文处理笺",
    "来文单位",
    "示例市人民政府办公室",
    "来文字号",
    "示政办〔2026〕12号",
    "收文编号",
    "收文日期",
    "2026-12-01",
    "紧急程度",
    "加急",
    "份数",
    "办理时限",
    "2026-12-20",
    "标题",
    "关于报送2026年度教育统计数据的通知",
    "拟办意见",
    "拟请政策法规科主办，综合科协办。",
    "王芳",
    "领导批示",
    "同意。请按时办理。",
    "张建国",
    "承办情况",
    "政策法规科（刘洋）：已按要求报送统计数据。",
    "综合科（徐慧）：已提供综合科意见。",
    "传阅情况",
    "李明已阅",
    "办结",
    "已于12月1日报送统计数据。",
    "备注",
]


def _pages(pdf: bytes) -> list[str]:
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _in_order(text: str, parts: list[str]) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not found after position {at} in {text!r}"
        at = found + len(part)


def test_the_sheet_is_one_a4_page_whose_text_reads_in_the_order_of_the_form(font_dir: Path) -> None:
    pdf = render_sheet(SHEET, font_dir)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    _in_order(_pages(pdf)[0], ORDER)
    assert reader.metadata is not None and reader.metadata.title == "示例市教育局收文处理笺"


def test_the_same_sheet_gives_the_same_bytes(font_dir: Path) -> None:
    assert render_sheet(SHEET, font_dir) == render_sheet(SHEET, font_dir)


def test_a_long_instruction_wraps_and_goes_on_to_page_two_under_the_header_row_again(font_dir: Path) -> None:
    long = "同意。请政策法规科牵头，会同综合科认真研究，按时报送。" * 60
    pdf = render_sheet(replace(SHEET, instructions=(Entry(long, "张建国　2026-12-02 09:00"),)), font_dir)
    pages = _pages(pdf)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert text.startswith("示例市教育局收文处理笺收文编号：收〔2026〕3号"), text[:60]
        assert f"第{number}页共{len(pages)}页" in text
    assert "领导批示（续）" in pages[1]
    go_on = "".join(re.sub(r"^.*?第\d+页共\d+页(领导批示（续）)?", "", page) for page in pages)
    assert go_on.count("同意。请政策法规科牵头") == 60, "a line broken over the pages reads on under the header"
    _in_order("".join(pages[1:]), ["张建国", "承办情况", "传阅情况", "办结", "备注"])


def test_user_text_with_markup_characters_is_drawn_literally(font_dir: Path) -> None:
    tricky = "<b>加粗</b> &amp; **星号** ${x} 𠀾"
    pdf = render_sheet(replace(SHEET, title=tricky, remarks="a<b&c>d\t退\x00回"), font_dir)
    text = _pages(pdf)[0]
    assert "<b>加粗</b>&amp;**星号**${x}" in text
    assert "a<b&c>d退回" in text


def test_clean_keeps_line_breaks_and_drops_control_characters() -> None:
    assert clean("一\r\n二\r三\t四\x07\u200b五") == "一\n二\n三 四五"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_poppler_reads_the_same_text_in_the_same_order(font_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(render_sheet(replace(SHEET, remarks="<script>&"), font_dir))
    out = subprocess.run(
        [str(shutil.which("pdftotext")), "-raw", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    text = "".join(out.split())
    _in_order(text, [*ORDER, "<script>&"])
