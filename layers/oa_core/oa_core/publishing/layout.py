"""公文排版 without a PDF: the document laid out on the GB/T 9704-2012 grid, as pure geometry.

`layout(doc, advance)` places every element and returns a `Layout` (what `drawing` turns into a PDF, and what
the layout tests look at with made-up widths, no fonts): the 版头 of the document's format (`header`), then the
flow below it, where everything sits on the 22-line grid: 标题 (2号, one grid line per title line, balanced line
lengths), 主送机关, 正文 with its 结构层次 headings, 附件说明, a 纪要's 出席/请假/列席 lists, then the page plan
(`pagination`: the closing block of `closing`, 版记, page numbers).
"""

from __future__ import annotations

import re

from oa_core.publishing.document import URGENCIES, OfficialDocument
from oa_core.publishing.fonts import KAI, SANS, SERIF, SERIF_BOLD, Advance
from oa_core.publishing.grid import (
    BODY_ROW,
    CHAR_PITCH,
    LINE_WIDTH,
    LIST_ROW,
    NOTE_ROW,
    TEXT_WIDTH,
    TITLE_SIZE,
    Char,
    Layout,
    Measure,
    Row,
)
from oa_core.publishing.header import place_header
from oa_core.publishing.linebreaking import balance_title, wrap
from oa_core.publishing.pagination import place_pages

HEADING_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[一二三四五六七八九十百零〇]+、"), SANS),  # 一级: 黑体
    (re.compile(r"[（(][一二三四五六七八九十百零〇]+[）)]"), KAI),  # 二级: 楷体
    (re.compile(r"\d+[.．]"), SERIF),  # 三级: 仿宋
    (re.compile(r"[（(]\d+[）)]"), SERIF),  # 四级: 仿宋
)
NUMBERED_ITEM = re.compile(r"\d+[.．]")
# 附件说明 as typed: the label the typesetter prints itself (「附件：附件：」 never), a lone attachment's number.
NOTE_LABEL = re.compile(r"^(?:\s*附\s*件\s*[：:]\s*)+")
FIRST_NUMBER = re.compile(r"^1\s*(?:[．、]|\.(?!\d))\s*")


def heading_level(paragraph: str) -> int:
    """结构层次序数 (§7.3.3): 1 for 一、, 2 for （一）, 3 for 1．, 4 for （1）, 0 for an ordinary paragraph."""
    for level, (pattern, _face) in enumerate(HEADING_PATTERNS, start=1):
        if pattern.match(paragraph):
            return level
    return 0


def layout(doc: OfficialDocument, advance: Advance) -> Layout:
    """Places every element of the document: pure geometry, no PDF."""
    if doc.urgency not in URGENCIES:
        raise ValueError(f"紧急程度只能是特急、加急、特提或平急 (unknown urgency): {doc.urgency!r}")
    measure = Measure(advance)
    result = Layout(page_count=1)
    first_row = place_header(doc, measure, result)
    place_pages(doc, measure, _flow(doc, measure), first_row, result)
    return result


def _flow(doc: OfficialDocument, measure: Measure) -> list[Row]:
    """标题 (not in a 命令 or 纪要: their mark says it), 主送机关, 正文, 附件说明 and a 纪要's 出席/请假/列席 lists as
    grid lines, in order."""
    rows: list[Row] = []
    if doc.layout_format in ("文件", "信函"):
        for line in title_lines(doc, measure):
            width = sum(ch.width for ch in line)
            rows.append(Row(tuple(line), (TEXT_WIDTH - width) / 2, TITLE_SIZE, 0))
        rows.append(Row())
    if doc.main_recipients:
        recipients = measure.chars("、".join(doc.main_recipients) + "：", SERIF)
        rows.extend(Row(tuple(line)) for line in wrap(recipients, LINE_WIDTH, LINE_WIDTH))
    for paragraph in (line.strip() for line in doc.body.split("\n")):
        if paragraph:
            rows.extend(_paragraph_rows(paragraph, measure))
    attachment = _attachment_rows(doc.attachment_note, measure)
    if attachment:
        rows.append(Row(kind=NOTE_ROW))
        rows.extend(attachment)
    if doc.layout_format == "纪要":
        rows.extend(_attendance_rows(doc, measure))
    return rows


def title_lines(doc: OfficialDocument, measure: Measure) -> list[list[Char]]:
    """The 标题's lines (§7.3.1, `balance_title`), in 2号 小标宋; the Word file breaks its 标题 at the same places."""
    return balance_title(measure.chars(doc.title, SERIF_BOLD, TITLE_SIZE, 0), TEXT_WIDTH)


def _attendance_rows(doc: OfficialDocument, measure: Measure) -> list[Row]:
    """§10.3 出席, 请假 and 列席: 空一行 below the text, 左空二字, the label in 黑体 and a full-width colon, the units
    and names in 仿宋, wrapped lines aligned with the first character after the colon."""
    rows: list[Row] = []
    for label, names in (("出席", doc.attendees), ("请假", doc.on_leave), ("列席", doc.observers)):
        if not names:
            continue
        if not rows:
            rows.append(Row())
        head = measure.chars(label, SANS) + measure.chars("：", SERIF)
        head_width = sum(ch.width for ch in head)
        chars = measure.chars("、".join(names), SERIF)
        x = 2 * CHAR_PITCH
        for index, line in enumerate(wrap(chars, LINE_WIDTH - x - head_width, LINE_WIDTH - x - head_width)):
            rows.append(Row(tuple(head + line), x, kind=LIST_ROW) if index == 0 else Row(tuple(line), x + head_width))
    return rows


def _paragraph_rows(paragraph: str, measure: Measure) -> list[Row]:
    """§7.3.3 正文: 左空二字, wrapped lines flush left; a heading's own sentence in its level's face."""
    face = SERIF
    for pattern, heading_face in HEADING_PATTERNS:
        if pattern.match(paragraph):
            face = heading_face
            break
    stop = paragraph.find("。")
    heading_end = stop + 1 if 0 <= stop < len(paragraph) - 1 else len(paragraph)
    chars = measure.chars(paragraph[:heading_end], face) + measure.chars(paragraph[heading_end:], SERIF)
    indent = 2 * CHAR_PITCH
    lines = wrap(chars, LINE_WIDTH - indent, LINE_WIDTH)
    return [Row(tuple(line), indent if i == 0 else 0.0, kind=BODY_ROW) for i, line in enumerate(lines)]


def _attachment_rows(note: str, measure: Measure) -> list[Row]:
    """§7.3.4 附件说明: 左空二字 "附件：", further attachments and wrapped lines aligned after the colon/number;
    a label already typed is dropped, and one attachment is not numbered."""
    items = [NOTE_LABEL.sub("", line).strip() for line in note.split("\n")]
    items = [item for item in items if item]
    if len(items) == 1:
        items = [FIRST_NUMBER.sub("", items[0])]
    if len(items) > 1 and not any(NUMBERED_ITEM.match(item) for item in items):
        items = [f"{index}．{item}" for index, item in enumerate(items, start=1)]
    label = measure.chars("附件：", SERIF)
    label_x = 2 * CHAR_PITCH
    item_x = label_x + sum(ch.width for ch in label)
    rows: list[Row] = []
    for index, item in enumerate(items):
        numbered = NUMBERED_ITEM.match(item)
        number_width = measure.width(item[: numbered.end()], SERIF) if numbered else 0.0
        lines = wrap(measure.chars(item, SERIF), LINE_WIDTH - item_x, LINE_WIDTH - item_x - number_width)
        for line_index, line in enumerate(lines):
            if line_index == 0 and index == 0:
                rows.append(Row(tuple(label + line), label_x, kind=NOTE_ROW))
            else:
                x = item_x if line_index == 0 else item_x + number_width
                rows.append(Row(tuple(line), x, kind=NOTE_ROW))
    return rows
