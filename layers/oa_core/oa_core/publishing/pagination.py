"""The page plan: which grid lines go on which page, the 署名 block with the seal, the 版记 and page numbers.

Owns the decisions after the flow (the grid lines below the separator) is laid out:

* 署名 and 成文日期 with the seal: two empty grid lines after the text, then 署名 and 成文日期 on consecutive lines;
  the seal's centre is 4 mm above the boundary between those two lines (so both sit a little below its centre),
  its top lies within the first empty line (上距正文一行之内) and its bottom within the grid line after the date.
  The 正文 fills every page; when these five lines do not fit after it, the block is tightened as §7.3.5.4 allows
  (one empty line, the seal 1.5 mm above the boundary: its top still just below the text); when the four lines do
  not fit either, only the block moves to the next page, with exactly the last two lines of 正文 and the whole
  附件说明 after them (which is never parted from the block, nor counted as 正文), so the seal never stands on a
  page without 正文 (no 此页无正文); the same when the page filled naturally and the next holds one line. A short
  正文 (one or two lines) stays on page 1 under the 标题: a 联合行文 block then splits after a 署名 line
  (`Block.splits`); see `_paginate` for the last resorts.
* 版记 takes the last grid lines of the last page, which is always even: if the text ends on an odd page, the
  版记 goes on the following even page alone; if it ends on an even page without room for the 版记, an empty odd
  page is inserted. As §7.5 says, that empty page and the 版记 page after it carry no page number; every other
  page does.
"""

from __future__ import annotations

from oa_core.publishing.closing import Block, closing_block, stamp_frame_box, tight_block
from oa_core.publishing.document import OfficialDocument, chinese_date
from oa_core.publishing.fonts import DASH_MIDDLE, SANS, SERIF
from oa_core.publishing.grid import (
    BODY_ROW,
    BODY_SIZE,
    BODY_TRACKING,
    LINES_PER_PAGE,
    MM_PER_PT,
    NOTE_CHAR,
    NOTE_SIZE,
    TEXT_BOTTOM,
    TEXT_LEFT,
    TEXT_RIGHT,
    TEXT_TOP,
    TEXT_WIDTH,
    FrameItem,
    Layout,
    Measure,
    Row,
    RuleItem,
    SealItem,
    TextItem,
    baseline,
    row_top,
)
from oa_core.publishing.linebreaking import wrap

CARRIED_LINES = 2  # lines of 正文 that go with the block to the next page
# §7.4.1 版记分隔线: thick 0.35 mm (first and last), thin 0.25 mm (between).
RECORD_THICK = 0.35
RECORD_THIN = 0.25
STAMP_FRAME = 0.6  # the 签名章's red frame
# §7.5 页码: 4号 digits between 一字线, the dash 7 mm below the 版心.
PAGE_NUMBER_GAP = 7.0


def place_pages(doc: OfficialDocument, measure: Measure, flow: list[Row], first_row: int, result: Layout) -> None:
    """The flow from `first_row` of page 1 on, the closing block after it, the 版记 on an even page, page numbers."""
    pages, pieces = _paginate(flow, first_row, closing_block(doc, measure), tight_block(doc, measure))
    for page, rows in enumerate(pages):
        for index, row in rows.items():
            _place_row(page, index, row, result)
    for page, start, piece in pieces:
        _place_block(doc, piece, page, start, result)
    block_page, block_row, block = pieces[-1]
    record = record_rows(doc, measure)
    last_content = block_page + 1  # 1-based
    fits = block_row + block.height <= LINES_PER_PAGE - len(record)
    if doc.appendices:
        last_content = _place_appendices(doc, measure, last_content, result)
        fits = False
    unnumbered: set[int] = {1} if doc.layout_format == "信函" else set()
    if not record:
        record_page = last_content
    elif fits:
        record_page = last_content if last_content % 2 == 0 else last_content + 1
    elif last_content % 2 == 1:
        record_page = last_content + 1
    else:
        record_page = last_content + 2
        unnumbered |= {last_content + 1, last_content + 2}
    result.page_count = record_page
    result.closing_page = block_page + 1
    if record:
        result.record_page = record_page
        _place_record(doc, measure, record, record_page - 1, result)
    for number in range(1, record_page + 1):
        if number not in unnumbered:
            _place_page_number(number, measure, result)


def _place_row(page: int, index: int, row: Row, result: Layout) -> None:
    if row.chars:
        y = baseline(index, row.size)
        result.texts.append(TextItem(page, TEXT_LEFT + row.x, y, row.chars, row.size, row.tracking, row.red))


Pages = list[dict[int, Row]]  # each page's grid lines by index
Pieces = list[tuple[int, int, Block]]  # (page, first grid line, block or part of it)


def _paginate(flow: list[Row], first_row: int, block: Block, tight: Block | None) -> tuple[Pages, Pieces]:
    """Grid lines onto pages, filling each; then the closing block after the last of them, in this order of
    preference: where the text ends (or tightened), when that page holds two lines of 正文 or all of it; with the
    last two lines of 正文 and all that follows them (附件说明) on a new page, when a line of 正文 stays behind;
    split over two pages after the 正文 (a 联合行文 of several 署名 lines); with the last line of a two-line 正文;
    with the 附件说明 alone (a one-line 正文); with the only line of 正文 (a 主送 list longer than the page)."""
    body = [index for index, item in enumerate(flow) if item.kind == BODY_ROW]
    pages, where, row = _fill(flow, first_row, None)
    last = len(pages) - 1
    settled = sum(1 for i in body if where[i] == last) >= CARRIED_LINES or all(where[i] == last for i in body)
    fitting = _fitting(row, block, tight)
    if settled and fitting is not None:
        return pages, [(last, row, fitting)]
    if len(body) > CARRIED_LINES:
        plan = _carried(flow, first_row, body[-CARRIED_LINES], block, tight)
        if plan is not None:
            return plan
    split = next(((upper, lower) for upper, lower in block.splits if row + upper.height <= LINES_PER_PAGE), None)
    if settled and split is not None:
        return [*pages, {}], [(last, row, split[0]), (last + 1, 0, split[1])]
    trailing = body[-1] + 1 if body else len(flow)
    starts = [body[-1]] if len(body) > 1 else []  # one line of a two-line 正文 (page 1 keeps the other)
    starts += [trailing, body[-1]] if body else []  # the 附件说明 alone; the last resort: the only line
    for start in starts:
        if start < len(flow):
            plan = _carried(flow, first_row, start, block, tight)
            if plan is not None:
                return plan
    # A short 正文 with a long 附件说明 and a tall block: under the 附件说明 where it ends (§7.3.5.1 lets the seal
    # stand 上距附件说明一行之内), whole or split; nothing fits at all: the block on a page of its own.
    if fitting is not None:
        return pages, [(last, row, fitting)]
    if split is not None:
        return [*pages, {}], [(last, row, split[0]), (last + 1, 0, split[1])]
    return [*pages, {}], [(last + 1, 0, block)]


def _fitting(row: int, block: Block, tight: Block | None) -> Block | None:
    """The block, or its tightened variant, if it fits from grid line `row` on."""
    for candidate in (block, tight):
        if candidate is not None and row + candidate.height <= LINES_PER_PAGE:
            return candidate
    return None


def _carried(
    flow: list[Row], first_row: int, start: int, block: Block, tight: Block | None
) -> tuple[Pages, Pieces] | None:
    """The flow with a new page from item `start` on and the block after it, when it fits there."""
    pages, _where, row = _fill(flow, first_row, start)
    fitting = _fitting(row, block, tight)
    return None if fitting is None else (pages, [(len(pages) - 1, row, fitting)])


def _fill(flow: list[Row], first_row: int, break_before: int | None) -> tuple[list[dict[int, Row]], list[int], int]:
    """Grid lines onto pages, a new page when one is full (an empty line never starts a page) and before item
    `break_before`: the pages, each item's page (-1 for a dropped empty line) and the next free grid line."""
    pages: list[dict[int, Row]] = [{}]
    where: list[int] = []
    row = first_row
    for index, item in enumerate(flow):
        if row >= LINES_PER_PAGE or (index == break_before and row > 0):
            pages.append({})
            row = 0
        if not item.chars and row == 0:
            where.append(-1)
            continue
        pages[-1][row] = item
        where.append(len(pages) - 1)
        row += 1
    return pages, where, row


def _place_appendices(doc: OfficialDocument, measure: Measure, after: int, result: Layout) -> int:
    """§8 附件 pages after page `after` (1-based): the label and one frame per page; returns the last page (1-based)."""
    page = after  # 0-based index of the page after `after`
    for index, appendix in enumerate(doc.appendices):
        if appendix.page_count < 1:
            raise ValueError(f"{appendix.label}没有页面 (an appended PDF has no pages)")
        label = tuple(measure.chars(appendix.label, SANS))
        result.texts.append(TextItem(page, TEXT_LEFT, baseline(0), label, BODY_SIZE, BODY_TRACKING))
        for source in range(appendix.page_count):
            top = row_top(1) if source == 0 else TEXT_TOP
            result.frames.append(FrameItem(page, index, source, TEXT_LEFT, top, TEXT_WIDTH, TEXT_BOTTOM - top))
            page += 1
    return page


def _place_block(doc: OfficialDocument, block: Block, page: int, start: int, result: Layout) -> None:
    """The closing block from grid line `start` of `page`: its text, seals and 签名章 frames."""
    for offset, row in block.rows:
        _place_row(page, start + offset, row, result)
    top = row_top(start)
    for seal in block.seals:
        result.seals.append(SealItem(page, TEXT_LEFT + seal.cx, top + seal.dy, seal.text, doc.seal_code))
    for offset, x, width in block.frames:
        left, frame_top, frame_width, height = stamp_frame_box(row_top(start + offset), TEXT_LEFT + x, width)
        result.rules.extend(
            (
                RuleItem(page, frame_top, STAMP_FRAME, True, left, frame_width),
                RuleItem(page, frame_top + height, STAMP_FRAME, True, left, frame_width),
                RuleItem(page, frame_top, STAMP_FRAME, True, left, height, vertical=True),
                RuleItem(page, frame_top, STAMP_FRAME, True, left + frame_width, height, vertical=True),
            )
        )


def record_rows(doc: OfficialDocument, measure: Measure) -> list[Row]:
    """版记 (§7.4) lines: 抄送 (wrapped after the colon) and 印发机关/印发日期, in 4号."""
    rows: list[Row] = []
    if doc.cc:
        chars = measure.chars("抄送：" + "，".join(doc.cc) + "。", SERIF, NOTE_SIZE, 0)
        label_width = measure.width("抄送：", SERIF, NOTE_SIZE, 0)
        width = TEXT_WIDTH - 2 * NOTE_CHAR
        for index, line in enumerate(wrap(chars, width, width - label_width)):
            rows.append(Row(tuple(line), NOTE_CHAR + (label_width if index else 0.0), NOTE_SIZE, 0))
    if doc.layout_format == "信函":  # §10.1: no 印发机关 and 印发日期
        return rows
    printer = tuple(measure.chars(doc.printer or doc.signature, SERIF, NOTE_SIZE, 0))
    rows.append(Row(printer, NOTE_CHAR, NOTE_SIZE, 0))
    if len(rows) > LINES_PER_PAGE - 1:
        raise ValueError("抄送机关过多，版记超过一页 (too many 抄送 recipients: the 版记 exceeds a page)")
    return rows


def _place_record(doc: OfficialDocument, measure: Measure, rows: list[Row], page: int, result: Layout) -> None:
    first = LINES_PER_PAGE - len(rows)
    for offset, row in enumerate(rows):
        index = first + offset
        result.texts.append(TextItem(page, TEXT_LEFT + row.x, baseline(index, NOTE_SIZE), row.chars, NOTE_SIZE, 0))
    if doc.layout_format == "信函":  # §10.1: no 印发 line and no rules but the last
        result.rules.append(RuleItem(page, TEXT_BOTTOM - RECORD_THICK / 2, RECORD_THICK))
        return
    printed = chinese_date(doc.print_date or doc.sign_date) + "印发"
    printed_chars = tuple(measure.chars(printed, SERIF, NOTE_SIZE, 0))
    x = TEXT_RIGHT - NOTE_CHAR - sum(ch.width for ch in printed_chars)
    result.texts.append(TextItem(page, x, baseline(LINES_PER_PAGE - 1, NOTE_SIZE), printed_chars, NOTE_SIZE, 0))
    result.rules.append(RuleItem(page, row_top(first) + RECORD_THICK / 2, RECORD_THICK))
    if len(rows) > 1:
        result.rules.append(RuleItem(page, row_top(LINES_PER_PAGE - 1), RECORD_THIN))
    result.rules.append(RuleItem(page, TEXT_BOTTOM - RECORD_THICK / 2, RECORD_THICK))


def _place_page_number(number: int, measure: Measure, result: Layout) -> None:
    """§7.5 页码: "— N —", odd pages right and even pages left, one character in from the 版心 edge."""
    chars = tuple(measure.chars(f"— {number} —", SERIF, NOTE_SIZE, 0))
    width = sum(ch.width for ch in chars)
    x = TEXT_RIGHT - NOTE_CHAR - width if number % 2 else TEXT_LEFT + NOTE_CHAR
    y = TEXT_BOTTOM + PAGE_NUMBER_GAP + DASH_MIDDLE * NOTE_SIZE * MM_PER_PT
    result.texts.append(TextItem(number - 1, x, y, chars, NOTE_SIZE, 0))
