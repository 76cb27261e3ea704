"""公文排版 without a PDF: the document laid out on the GB/T 9704-2012 grid, as pure geometry.

`layout(doc, advance)` places every element and returns a `Layout` (what `drawing` turns into a PDF, and what
the layout tests look at with made-up widths, no fonts). Owns the 版头 (份号, 紧急程度, the 发文机关标志 and its
size, the 发文字号 and 签发人, the red separator) and the flow below the separator: everything there sits on the
22-line grid: 标题 (2号, one grid line per title line, balanced line lengths), 主送机关, 正文 with its 结构层次
headings, 附件说明, then the page plan (`pagination`: 署名, 成文日期, seal, 版记, page numbers). The title starts on
the third grid line below the separator (空二行).
"""

from __future__ import annotations

import math
import re

from oa_core.publishing.document import URGENCIES, OfficialDocument
from oa_core.publishing.fonts import EM_ASCENT, KAI, SANS, SERIF, SERIF_BOLD, Advance
from oa_core.publishing.grid import (
    BODY_SIZE,
    BODY_TRACKING,
    CHAR_PITCH,
    LINE_PITCH,
    LINE_WIDTH,
    MM_PER_PT,
    TEXT_LEFT,
    TEXT_TOP,
    TEXT_WIDTH,
    TITLE_SIZE,
    Layout,
    Measure,
    Row,
    RuleItem,
    TextItem,
    baseline,
)
from oa_core.publishing.linebreaking import balance_title, wrap
from oa_core.publishing.pagination import place_pages

# §7.2.4 发文机关标志: its top edge 35 mm below the 版心 top, for every 文件格式 document (the 1999 standard's
# 80 mm for 上行文 was dropped in 2012). Its size is not fixed: 1.6 × 2号 at most, shrunk to fit the 版心 width.
ISSUER_MARK_OFFSET = 35.0
ISSUER_MARK_MAX_SIZE = TITLE_SIZE * 1.6
UPWARD_DOC_TYPES = frozenset({"请示", "报告"})
# §7.2.6 分隔线: 4 mm below the 发文字号, as wide as the 版心 (thickness not fixed).
SEPARATOR_GAP = 4.0
SEPARATOR_THICKNESS = 0.5

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


def is_upward(doc_type: str) -> bool:
    """上行文: 请示 and 报告 carry 签发人 (§7.2.5)."""
    return doc_type in UPWARD_DOC_TYPES


def layout(doc: OfficialDocument, advance: Advance) -> Layout:
    """Places every element of the document: pure geometry, no PDF."""
    if doc.urgency not in URGENCIES:
        raise ValueError(f"紧急程度只能是特急、加急、特提或平急 (unknown urgency): {doc.urgency!r}")
    measure = Measure(advance)
    result = Layout(page_count=1)
    first_row = _header(doc, measure, result)
    place_pages(doc, measure, _flow(doc, measure), first_row, result)
    return result


def _header(doc: OfficialDocument, measure: Measure, result: Layout) -> int:
    """版头 (§7.2) on page 1; returns the grid line the title starts on."""
    row = 0
    if doc.copy_no:
        copy_no = doc.copy_no.zfill(6) if doc.copy_no.isdigit() else doc.copy_no
        result.texts.append(
            TextItem(0, TEXT_LEFT, baseline(row), tuple(measure.chars(copy_no, SERIF)), BODY_SIZE, BODY_TRACKING)
        )
        row += 1
    if doc.urgency:
        chars = tuple(measure.chars(doc.urgency, SANS))
        result.texts.append(TextItem(0, TEXT_LEFT, baseline(row), chars, BODY_SIZE, BODY_TRACKING))

    mark = doc.issuer_name + "文件"
    em_width = sum(measure.advance(SERIF_BOLD, ch) for ch in mark) or 1.0
    size = min(ISSUER_MARK_MAX_SIZE, TEXT_WIDTH / (em_width * MM_PER_PT))
    em = size * MM_PER_PT
    mark_top = TEXT_TOP + ISSUER_MARK_OFFSET
    mark_chars = tuple(measure.chars(mark, SERIF_BOLD, size, 0))
    mark_width = sum(ch.width for ch in mark_chars)
    result.texts.append(
        TextItem(0, TEXT_LEFT + (TEXT_WIDTH - mark_width) / 2, mark_top + EM_ASCENT * em, mark_chars, size, 0, True)
    )

    # §7.2.5 发文字号: 空二行 below the mark; with 签发人, on the last of their lines.
    number_top = mark_top + em + 2 * LINE_PITCH
    number_y = number_top + (LINE_PITCH - BODY_SIZE * MM_PER_PT) / 2 + EM_ASCENT * BODY_SIZE * MM_PER_PT
    number_chars = tuple(measure.chars(doc.number, SERIF))
    number_width = sum(ch.width for ch in number_chars)
    if doc.signer_name or is_upward(doc.doc_type):  # 上行文 by 文种 or by the 主送机关's relation (printing)
        number_y = _place_signers(doc.signer_name, number_y, measure, result)
        result.texts.append(TextItem(0, TEXT_LEFT + CHAR_PITCH, number_y, number_chars, BODY_SIZE, BODY_TRACKING))
    else:
        x = TEXT_LEFT + (LINE_WIDTH - number_width) / 2
        result.texts.append(TextItem(0, x, number_y, number_chars, BODY_SIZE, BODY_TRACKING))

    separator = number_y + (1 - EM_ASCENT) * BODY_SIZE * MM_PER_PT + SEPARATOR_GAP
    result.rules.append(RuleItem(0, separator, SEPARATOR_THICKNESS, True))
    # §7.3.1 标题: 空二行 below the separator, on the grid.
    return math.ceil((separator - TEXT_TOP) / LINE_PITCH - 1e-9) + 2


def _place_signers(signer_name: str, first_y: float, measure: Measure, result: Layout) -> float:
    """§7.2.5 签发人: the first line at `first_y` (空二行 below the mark), further lines below it, right-aligned
    one character in, two names a line in 楷体 after 「签发人：」 in 仿宋; returns the last line's baseline, where
    the 发文字号 goes."""
    names = [name for name in re.split(r"[、，,\s]+", signer_name) if name]
    if not names:
        return first_y
    lines = ["　".join(names[i : i + 2]) for i in range(0, len(names), 2)]
    widths = [measure.width(line, KAI) for line in lines]
    names_x = TEXT_LEFT + LINE_WIDTH - CHAR_PITCH - max(widths)
    label = tuple(measure.chars("签发人：", SERIF))
    label_width = sum(ch.width for ch in label)
    result.texts.append(TextItem(0, names_x - label_width, first_y, label, BODY_SIZE, BODY_TRACKING))
    for index, line in enumerate(lines):
        chars = tuple(measure.chars(line, KAI))
        result.texts.append(TextItem(0, names_x, first_y + index * LINE_PITCH, chars, BODY_SIZE, BODY_TRACKING))
    return first_y + (len(lines) - 1) * LINE_PITCH


def _flow(doc: OfficialDocument, measure: Measure) -> list[Row]:
    """标题, 主送机关, 正文 and 附件说明 as grid lines, in order."""
    rows: list[Row] = []
    title = measure.chars(doc.title, SERIF_BOLD, TITLE_SIZE, 0)
    for line in balance_title(title, TEXT_WIDTH):
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
        rows.append(Row())
        rows.extend(attachment)
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
    return [Row(tuple(line), indent if i == 0 else 0.0, movable=True) for i, line in enumerate(lines)]


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
                rows.append(Row(tuple(label + line), label_x, movable=True))
            else:
                x = item_x if line_index == 0 else item_x + number_width
                rows.append(Row(tuple(line), x, movable=True))
    return rows
