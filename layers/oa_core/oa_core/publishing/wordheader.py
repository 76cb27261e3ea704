"""版头 of each format in the Word file, as `header` places it in the PDF (GB/T 9704-2012 §7.2 and §10).

* 文件格式: 份号 and 紧急程度 top left; the mark (发文机关 + 「文件」) 35 mm below the 版心 top (for 上行文 too);
  the 发文字号 空二行 below it, centred, or with 签发人 (上行文) 居左空一字 on the last 签发人 line, the names two
  a line in 楷体 right-aligned one character in; the red separator (a bottom border) 4 mm below it.
* 信函格式: in the first page's own header, the mark (the 主办机关 alone) 30 mm below the page's top edge and the
  red double line under it (上粗下细: two bottom borders, 170 mm, centred on the page); 份号 顶格 left and the
  发文字号 顶格 right on the first line, 紧急程度 under them. The first page's own footer holds the lower double
  line (上细下粗) and no page number.
* 命令（令）格式: the mark (发文机关全称 + 「令」) 20 mm below the 版心 top, the 令号 空二行 below, centred, the
  正文 空二行 below it: no separator, no 标题.
* 纪要格式: the mark (the 标题, 「……纪要」) 35 mm below the 版心 top; 空二行 below, the 发文字号 居左空一字 and the
  成文日期 居右空一字 on one line, then the separator.

联合行文: the mark is a borderless table, one row a 发文机关 (the 主办机关 first), each name spread across the
widest one's width (distributed alignment), 「文件」 (「令」) in a merged cell on their right, centred vertically.
The mark is red 小标宋 at most 1.6 × 2号, shrunk so it fits the 版心 (Word's widths: `wordstyle.word_advance`).
"""

from __future__ import annotations

import re
from typing import Any

from oa_core.publishing.document import OfficialDocument, chinese_date
from oa_core.publishing.header import is_upward
from oa_core.publishing.wordstyle import (
    BODY_PT,
    HEITI,
    KAITI,
    LINE_PT,
    RED,
    RED_HEX,
    TEXT_WIDTH_PT,
    TITLE_PT,
    XIAOBIAOSONG,
    Writer,
    border,
    ems,
    off_grid,
    tab,
)

MM = 72 / 25.4  # points per mm
MARK_OFFSET = 35.0  # mm below the 版心 top (文件, 纪要)
ORDER_MARK_OFFSET = 20.0  # 命令
LETTER_MARK_TOP = 30.0  # 信函: below the page's top edge
MARK_MAX_PT = TITLE_PT * 1.6
CELL_PADDING = 14.0  # pt: a table cell's default margins (5.4 pt each side) and a little more
SEPARATOR_SPACE = 11  # pt between the 发文字号 and the separator: 4 mm
SEPARATOR_SIZE = 12  # eighths of a point: 1.5 pt, about 0.5 mm
LETTER_THICK, LETTER_THIN = 24, 8  # eighths of a point: 3 pt (1 mm) and 1 pt (0.35 mm)
LETTER_LEFT, LETTER_RIGHT = -8.0, -6.0  # mm: the 170 mm line centred on the page (版心 28 mm from the left)


def write_header(writer: Writer, doc: OfficialDocument, section: Any) -> None:
    form = doc.layout_format
    if form == "信函":
        _letter(writer, doc, section)
        return
    above = _top_left(writer, doc)
    if form == "命令":
        _mark(writer, doc.issuers, "令", ORDER_MARK_OFFSET * MM - above * LINE_PT)
        writer.paragraph()
        writer.paragraph()
        writer.paragraph(doc.number, align="center")
        writer.paragraph()
        writer.paragraph()
        return
    if form == "纪要":
        title = doc.title if doc.title.endswith("纪要") else doc.title + "纪要"
        _mark(writer, (title,), "", MARK_OFFSET * MM - above * LINE_PT)
        writer.paragraph()
        line = writer.paragraph(doc.number)
        line.paragraph_format.left_indent = _pt(BODY_PT)
        line.paragraph_format.right_indent = _pt(BODY_PT)
        tab(line, TEXT_WIDTH_PT - 2 * BODY_PT, "right")
        writer.run(line, "\t" + chinese_date(doc.sign_date))
        _separator(line)
        return
    _mark(writer, doc.issuers, "文件", MARK_OFFSET * MM - above * LINE_PT)
    writer.paragraph()
    if doc.signer_name or is_upward(doc.doc_type):
        line = _signers(writer, doc)
    else:
        line = writer.paragraph(doc.number, align="center")
    _separator(line)


def _pt(points: float) -> Any:
    from docx.shared import Pt

    return Pt(points)


def _separator(paragraph: Any) -> None:
    """§7.2.6: the red separator 4 mm below the 发文字号, across the 版心."""
    border(paragraph, "bottom", RED_HEX, SEPARATOR_SIZE, SEPARATOR_SPACE)


def _top_left(writer: Writer, doc: OfficialDocument) -> int:
    """份号 (6 digits) and 紧急程度 顶格 on the left; how many lines they take."""
    lines = 0
    if doc.copy_no:
        writer.paragraph(doc.copy_no.zfill(6) if doc.copy_no.isdigit() else doc.copy_no)
        lines += 1
    if doc.urgency:
        writer.paragraph(doc.urgency, HEITI)
        lines += 1
    return lines


def mark_size(names: tuple[str, ...], suffix: str) -> float:
    """The mark's size in pt: 1.6 × 2号 at most (three names or more: 3.2 × 2号 divided among them, never below
    2号), shrunk to fit the 版心's width."""
    total = max(ems(name) for name in names) + ems(suffix) + (0.3 if suffix and len(names) > 1 else 0.0)
    largest = max(MARK_MAX_PT * 2 / len(names), TITLE_PT) if len(names) > 2 else MARK_MAX_PT
    return min(largest, 0.98 * TEXT_WIDTH_PT / (total or 1.0))  # 2 % spare: Word must not wrap it


def _mark(writer: Writer, names: tuple[str, ...], suffix: str, space_before: float) -> None:
    """The red 发文机关标志, its top `space_before` pt below what precedes it."""
    size = mark_size(names, suffix)
    if len(names) == 1:
        mark = writer.paragraph(align="center")
        off_grid(mark)
        writer.line_height(mark, size * 1.25)
        mark.paragraph_format.space_before = _pt(max(space_before, 0.0))
        writer.run(mark, names[0] + suffix, XIAOBIAOSONG, size, RED)
        return
    spacer = writer.paragraph()
    writer.line_height(spacer, max(space_before, 1.0))
    _joint_mark(writer, names, suffix, size)


def _joint_mark(writer: Writer, names: tuple[str, ...], suffix: str, size: float) -> None:
    """联合行文: a table, one row a name spread to the widest name's width, 「文件」 merged on the right."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.shared import Pt

    names_width = max(ems(name) for name in names) * size
    suffix_width = (ems(suffix) + 0.3) * size if suffix else 0.0
    table = writer.container.add_table(rows=len(names), cols=2 if suffix else 1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    table.columns[0].width = Pt(names_width + CELL_PADDING)
    if suffix:
        table.columns[1].width = Pt(suffix_width + CELL_PADDING)
    for row, name in zip(table.rows, names, strict=True):
        cell = row.cells[0]
        cell.width = Pt(names_width + CELL_PADDING)
        paragraph = cell.paragraphs[0]
        paragraph.alignment = 4  # WD_ALIGN_PARAGRAPH.DISTRIBUTE: spread to the cell's width
        off_grid(paragraph)
        Writer(cell).line_height(paragraph, size * 1.2)
        Writer(cell).run(paragraph, name, XIAOBIAOSONG, size, RED)
    if suffix:
        merged = table.cell(0, 1).merge(table.cell(len(names) - 1, 1))
        merged.width = Pt(suffix_width + CELL_PADDING)
        merged.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        paragraph = merged.paragraphs[0]
        paragraph.alignment = 2  # right
        off_grid(paragraph)
        Writer(merged).line_height(paragraph, size * 1.2)
        Writer(merged).run(paragraph, suffix, XIAOBIAOSONG, size, RED)


def _signers(writer: Writer, doc: OfficialDocument) -> Any:
    """§7.2.5: 「签发人：」 and the names two a line in 楷体, right-aligned one character in; the 发文字号 居左空一字
    on the last line. Returns that line."""
    names = [name for name in re.split(r"[、，,\s]+", doc.signer_name) if name]
    lines = ["　".join(names[i : i + 2]) for i in range(0, len(names), 2)] or [""]
    names_at = TEXT_WIDTH_PT - BODY_PT - max(ems(line) for line in lines) * BODY_PT
    paragraph = None
    for index, names_line in enumerate(lines):
        paragraph = writer.paragraph()
        paragraph.paragraph_format.left_indent = _pt(BODY_PT)
        last = index == len(lines) - 1
        if last:
            writer.run(paragraph, doc.number)
        if index == 0:
            tab(paragraph, names_at - 4 * BODY_PT)
            writer.run(paragraph, "\t签发人：")
        else:
            tab(paragraph, names_at)
            writer.run(paragraph, "\t")
        writer.run(paragraph, names_line, KAITI)
    return paragraph


def _letter(writer: Writer, doc: OfficialDocument, section: Any) -> None:
    """§10.1 信函格式: the mark and upper double line in the first page's header, the lower one in its footer."""
    from docx.shared import Mm

    section.different_first_page_header_footer = True
    section.header_distance = Mm(LETTER_MARK_TOP)
    top = Writer(section.first_page_header)
    mark = section.first_page_header.paragraphs[0]
    mark.alignment = 1  # centre
    off_grid(mark)
    size = mark_size((doc.issuer_name,), "")
    top.line_height(mark, size * 1.1)
    top.run(mark, doc.issuer_name, XIAOBIAOSONG, size, RED)
    _letter_line(mark, LETTER_THICK, space=8)
    _letter_line(top.paragraph(), LETTER_THIN, height=2.0)
    bottom = Writer(section.first_page_footer)
    upper = section.first_page_footer.paragraphs[0]
    _letter_line(upper, LETTER_THIN, height=2.0)
    _letter_line(bottom.paragraph(), LETTER_THICK, height=1.0)
    first = writer.paragraph(doc.copy_no.zfill(6) if doc.copy_no.isdigit() else doc.copy_no)
    if doc.number:
        tab(first, TEXT_WIDTH_PT, "right")
        writer.run(first, "\t" + doc.number)
    if doc.urgency:
        writer.paragraph(doc.urgency, HEITI)


def _letter_line(paragraph: Any, size: int, *, space: int = 0, height: float = 0.0) -> None:
    """One red line of a double line: the paragraph's bottom border, 170 mm centred on the page; an empty
    paragraph carrying it is `height` pt high, so the two lines of a pair sit about 0.8 mm apart."""
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.right_indent = _pt(LETTER_LEFT * MM), _pt(LETTER_RIGHT * MM)
    if height:
        off_grid(paragraph)
        Writer(None).line_height(paragraph, height)
    border(paragraph, "bottom", RED_HEX, size, space)
