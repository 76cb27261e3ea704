"""Page breaks swept over every way a document closes (GB/T 9704-2012 §7.3.4–§7.3.6, issue 15): 正文 of 1 to 60
lines × no, one, two or five 附件 × 文件, 信函, 命令, 纪要, 联合行文 of two and of three units, 不加盖印章 × with and
without 抄送, measured in the layout (no fonts); two of the hard cases rendered and read back with pypdf."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from oa_core.publishing.closing import closing_block, tight_block
from oa_core.publishing.document import OfficialDocument, chinese_date
from oa_core.publishing.fonts import EM_ASCENT
from oa_core.publishing.grid import (
    CHAR_PITCH,
    LINE_PITCH,
    LINES_PER_PAGE,
    MM_PER_PT,
    SEAL_DIAMETER,
    TEXT_LEFT,
    TEXT_TOP,
    Layout,
    Measure,
    TextItem,
    row_top,
)
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.format_samples import JOINT, LETTER, MINUTES, ORDER, UNSEALED
from tests.unit.publishing.pdf_reading import read, spans
from tests.unit.publishing.samples import NOTICE, fake_advance, laid_out, needs_fonts

LINE = "各单位要认真组织实施切实抓好落实"  # one grid line of 正文
NOTES = {
    "无附件": "",
    "一个附件": "检查表",
    "两个附件": "检查表\n台账",
    "五个附件": "检查表\n台账\n汇总表\n联系表\n名单",
}
JOINT3 = replace(
    JOINT,
    co_issuers=("示例市财政局", "示例市人力资源和社会保障局"),
    remarks="联系人：王明，电话：0000-12345678",
)
FORMATS = {
    "文件": NOTICE,
    "信函": LETTER,
    "命令": ORDER,
    "纪要": MINUTES,
    "联合行文两个单位": JOINT,
    "联合行文三个单位": JOINT3,
    "不加盖印章": UNSEALED,
}
CC = ["市委办公室", "市人大常委会办公室"]


@dataclass(frozen=True)
class Measured:
    """What the assertions look at in one layout."""

    body: list[TextItem]  # the 正文 lines
    block: list[TextItem]  # 署名, 成文日期, 签名章 and 附注 lines
    block_page: int  # where the closing block starts (-1: a 纪要 has none)
    block_top: float  # its first line's top on that page (mm)
    flow_rows: dict[int, list[int]]  # page -> grid lines holding text other than the block (版头 and flow)


def _row(text: TextItem) -> int:
    return round((text.y - TEXT_TOP) / LINE_PITCH - 0.5)


def _text(item: TextItem) -> str:
    return "".join(ch.text for ch in item.chars)


def _measure(doc: OfficialDocument, result: Layout) -> Measured:
    remarks = "（" + doc.remarks.strip().strip("（）()") + "）" if doc.remarks.strip() else ""
    names = {doc.signature, *doc.co_issuers, chinese_date(doc.sign_date), doc.signer_name, doc.signer_title}
    names.discard("")
    block: list[TextItem] = []
    body: list[TextItem] = []
    flow: dict[int, list[int]] = {}
    for item in result.texts:
        text = _text(item)
        if item.size == 14:  # 版记 and page numbers
            continue
        if text in names or (remarks and len(text) > 1 and text in remarks):
            block.append(item)
            continue
        if text == LINE:
            body.append(item)
        flow.setdefault(item.page, []).append(_row(item))
    if doc.layout_format == "纪要":
        return Measured(body, block, -1, 0.0, flow)
    tops = [(t.page, t.y - EM_ASCENT * t.size * MM_PER_PT) for t in block]
    tops += [(s.page, s.cy - SEAL_DIAMETER / 2) for s in result.seals]
    page, top = min(tops)
    return Measured(body, block, page, top, flow)


def _smallest_block(doc: OfficialDocument) -> int:
    """The fewest lines the whole closing block takes (tightened, when it can be)."""
    measure = Measure(fake_advance)
    tight = tight_block(doc, measure)
    return min(closing_block(doc, measure).height, tight.height if tight else LINES_PER_PAGE)


def _check(doc: OfficialDocument, lines: int, what: str) -> None:
    result = laid_out(doc)
    m = _measure(doc, result)
    assert len(m.body) == lines, f"{what}: every line of 正文 is placed"
    assert min(t.page for t in m.body) == 0, f"{what}: the 正文 starts under the 标题 on page 1"
    if m.block_page < 0:
        return
    page = m.block_page
    above = [t for t in m.body if t.page == page and t.y < m.block_top + LINE_PITCH]
    for earlier in range(page - 1):
        assert max(m.flow_rows[earlier]) == LINES_PER_PAGE - 1, f"{what}: page {earlier + 1} is full"
    if page == 0:
        return
    note_rows = 1 + len(doc.attachment_note.split("\n")) if doc.attachment_note else 0
    # two lines, one of a two-line 正文, fewer when they, the 附件说明 and the block would not fit one page
    wanted = max(0, min(2, lines - 1, LINES_PER_PAGE - _smallest_block(doc) - note_rows))
    note_above = [row for row in m.flow_rows.get(page, []) if row * LINE_PITCH + TEXT_TOP < m.block_top]
    if lines <= 2 and doc.attachment_note and note_above and not above:
        wanted = 0  # a block too tall to take a line of a short 正文 along stands under the 附件说明
    assert len(above) >= wanted, f"{what}: {wanted} lines of 正文 go with the block to page {page + 1}"
    assert page in m.flow_rows, f"{what}: page {page + 1} holds text above the block (never 此页无正文)"
    empty = LINES_PER_PAGE - 1 - max(m.flow_rows[page - 1])
    if empty:
        assert len(above) == wanted, f"{what}: only {wanted} lines of 正文 leave page {page}"
        carried = max(row for row in m.flow_rows[page] if row * LINE_PITCH + TEXT_TOP < m.block_top) + 1
        assert empty <= carried + _smallest_block(doc) - 1, f"{what}: page {page} is left {empty} lines short"


def _boxes_meet(item: TextItem, cx: float, cy: float) -> bool:
    em = item.size * MM_PER_PT
    top = item.y - EM_ASCENT * em
    right = item.x + sum(ch.width for ch in item.chars)
    radius = SEAL_DIAMETER / 2
    return item.x < cx + radius and right > cx - radius and top < cy + radius and top + em > cy - radius


def _check_seals(doc: OfficialDocument, what: str) -> None:
    result = laid_out(doc)
    remarks = "（" + doc.remarks.strip().strip("（）()") + "）" if doc.remarks.strip() else ""
    for seal in result.seals:
        for item in result.texts:
            text = _text(item)
            covered = item.size == 14 or (remarks and len(text) > 1 and text in remarks)
            if item.page == seal.page and covered:
                assert not _boxes_meet(item, seal.cx, seal.cy), f"{what}: the seal covers 「{text}」"


@pytest.mark.parametrize("with_cc", [False, True], ids=["无抄送", "有抄送"])
@pytest.mark.parametrize("form", list(FORMATS))
def test_only_the_block_goes_over_with_two_lines_of_body_and_the_seal_covers_no_note(form: str, with_cc: bool) -> None:
    """For every length and 附件说明: the 正文 starts on page 1 and fills every page before the block's; a block
    on a later page has two lines of 正文 above it (one when the 正文 has two, the 附件说明 when it has one), and
    when it was carried exactly those, the page before short only by them and a block that did not fit; the seal
    covers no 附注, 抄送 or 版记."""
    base = replace(FORMATS[form], cc=CC if with_cc else [], copy_no="", urgency="")
    for note_name, note in NOTES.items():
        for lines in range(1, 61):
            doc = replace(base, body="\n".join([LINE] * lines), attachment_note=note)
            what = f"{form} {note_name} {'有' if with_cc else '无'}抄送 {lines}行"
            _check(doc, lines, what)
            _check_seals(doc, what)


def test_a_three_unit_joint_block_stays_under_a_one_line_body_and_continues_on_page_two() -> None:
    result = laid_out(replace(JOINT3, body=LINE, cc=[]))
    assert [s.page for s in result.seals] == [0, 1, 1], "the first 署名 and its seal under the 正文, the rest after"
    assert {t.page for t in result.texts if _text(t) == LINE} == {0}


def test_a_letters_remarks_too_long_for_the_room_left_of_the_seal_go_whole_on_the_first_line_below_it() -> None:
    result = laid_out(LETTER)
    (seal,) = result.seals
    date = next(t for t in result.texts if _text(t) == chinese_date(LETTER.sign_date))
    remarks = [t for t in result.texts if _text(t).startswith("（联系人")]
    assert [_text(t) for t in remarks] == ["（联系人：王明，电话：0000-12345678）"], "one line, the number unbroken"
    (first,) = remarks
    assert first.page == date.page and _row(first) > _row(date) + 1
    assert row_top(_row(first)) >= seal.cy + SEAL_DIAMETER / 2 > row_top(_row(first) - 1), "the first line below"
    assert first.x == pytest.approx(TEXT_LEFT + 2 * CHAR_PITCH), "居左空二字"


def test_a_short_remark_stays_left_of_the_seal_on_the_line_below_the_date() -> None:
    result = laid_out(replace(LETTER, remarks="此件公开发布"))
    (seal,) = result.seals
    date = next(t for t in result.texts if _text(t) == chinese_date(LETTER.sign_date))
    first = next(t for t in result.texts if _text(t) == "（此件公开发布）")
    assert _row(first) == _row(date) + 1, "§7.3.6: the 附注 on the line below the 成文日期"
    assert first.x + sum(ch.width for ch in first.chars) < seal.cx - SEAL_DIAMETER / 2, "left of the seal"


@needs_fonts
def test_rendered_two_attachments_go_with_two_lines_and_a_three_unit_block_follows_the_body(font_dir: Path) -> None:
    notice = replace(NOTICE, body="\n".join([LINE] * 5), attachment_note="检查表\n台账", cc=[], copy_no="", urgency="")
    joint = replace(JOINT3, body=LINE, cc=[], sign_date=datetime.date(2026, 12, 2))
    for doc, date_page in ((notice, 1), (joint, 1)):
        reader = read(render_pdf(doc, font_dir))
        found = [(index, s) for index, page in enumerate(reader.pages) for s in spans(page)]
        body = [(index, s.y) for index, s in found if s.text == LINE]
        date = [(index, s.y) for index, s in found if s.text == chinese_date(doc.sign_date)]
        assert body[0][0] == 0, "the 正文 starts on page 1"
        assert date[0][0] == date_page
        if doc is notice:
            assert [y for index, y in body if index == 1] and len([1 for index, _y in body if index == 1]) == 2
            assert any(s.text.startswith("附件") for index, s in found if index == 1), "the 附件说明 goes along"
        else:
            assert [index for index, _y in body] == [0], "the one line stays on page 1"
            first = [index for index, s in found if s.text == JOINT3.signature]
            assert first[0] == 0, "the first 署名 under it on page 1"
