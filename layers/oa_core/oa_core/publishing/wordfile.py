"""The issued document as a Word file (.docx), for units that print from Word: GB/T 9704-2012 as far as Word's
paragraphs express it, in the document's format as the PDF (信函, 命令, 纪要 or 文件格式).

`render_docx(doc)` writes the `OfficialDocument` the PDF is typeset from (python-docx, imported lazily): A4 with
the 版心 margins (上 37 mm, 下 35 mm, 左 28 mm, 右 26 mm), 3号 (16 pt) 仿宋 on an exact 28.95 pt line pitch with a
document grid of 22 lines × 28 characters; the 版头 of the format (`wordheader`); 标题 in 2号 小标宋 (not in a
命令 or 纪要, whose mark says it), 主送机关, 正文 with its 结构层次 (一、 in 黑体, （一） in 楷体), 附件说明 (a typed
「附件：」 not doubled, one 附件 not numbered, as the PDF), a 纪要's 出席/请假/列席 (黑体 labels); the closing block
as `closing` places it for the PDF: 署名 and 成文日期 (one 发文机关; 联合行文 two 署名 a line; 不加盖印章; a 命令's
签发人职务 and 签名章 — the name in red 楷体 in a red frame; none in a 纪要), then 附注 (居左空二字, 圆括号); 版记
(抄送, 印发机关 and 印发日期; a 信函's without 印发 and its rules) and page numbers 「— 1 —」 in 4号 宋体, odd right,
even left (a 信函's first page none).

Where Word would decide otherwise than the PDF, the PDF's own plan decides (`layout` with Word's widths): the
标题's lines and the 版记's lines, page and grid lines (`_record`). The file carries no seal: the sealed original
is the PDF. Faces and widths: `wordstyle`.
"""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

from oa_core.publishing.closing import closing_block
from oa_core.publishing.document import OfficialDocument, chinese_date
from oa_core.publishing.grid import LINES_PER_PAGE, Layout, Measure
from oa_core.publishing.layout import FIRST_NUMBER, NOTE_LABEL, NUMBERED_ITEM, layout, title_lines
from oa_core.publishing.pagination import record_rows
from oa_core.publishing.wordheader import MM, write_header
from oa_core.publishing.wordstyle import (
    BODY_PT,
    FACES,
    FANGSONG,
    HEITI,
    KAITI,
    LINE_PT,
    NOTE_PT,
    RED,
    RED_HEX,
    SONGTI,
    TEXT_WIDTH_PT,
    TITLE_PT,
    TRACKING_TWIPS,
    XIAOBIAOSONG,
    Writer,
    border,
    line_frame,
    no_auto_space,
    off_grid,
    page_field,
    run_border,
    set_fonts,
    tab,
    word_advance,
)

TOP_MARGIN_MM = 37

_HEADINGS = (
    (re.compile(r"[一二三四五六七八九十百零〇]+、"), HEITI),
    (re.compile(r"[（(][一二三四五六七八九十百零〇]+[）)]"), KAITI),
)


def render_docx(doc: OfficialDocument) -> bytes:
    import docx
    from docx.shared import Mm

    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(TOP_MARGIN_MM), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(21)
    _grid(section)
    _normal_style(document)
    no_auto_space(document)
    writer = Writer(document)
    measure = Measure(word_advance)
    write_header(writer, doc, section)
    _main(writer, doc, measure)
    _closing(writer, doc)
    _page_numbers(document, section)
    _record(document, writer, doc, layout(doc, word_advance))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _grid(section: Any) -> None:
    """w:docGrid: 22 lines (linePitch in twentieths of a point); the 28 characters a line come from Normal's
    character spacing, not from a character grid (LibreOffice sets a character grid's cells by its own rule and
    puts fewer characters on a line)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
    sect.append(grid)


_AFTER_RUN_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
)
"""What follows w:spacing in a w:rPr (ECMA-376 CT_RPr)."""


def _normal_style(document: Any) -> None:
    """Normal: 3号 仿宋 on the exact line pitch; the document defaults 3号 and 仿宋 too (LibreOffice sizes the
    character grid by the defaults, not by Normal), Chinese as the language."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for name in ("w:sz", "w:szCs"):
        defaults.find(qn(name)).set(qn("w:val"), str(round(BODY_PT * 2)))
    fonts = defaults.find(qn("w:rFonts"))
    for theme in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme"):
        fonts.attrib.pop(qn(theme), None)
    for attribute in ("w:ascii", "w:eastAsia", "w:hAnsi"):
        fonts.set(qn(attribute), FANGSONG)
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "zh-CN")

    normal = document.styles["Normal"]
    set_fonts(normal, FANGSONG)
    normal.font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(TRACKING_TWIPS))
    normal.element.get_or_add_rPr().insert_element_before(spacing, *_AFTER_RUN_SPACING)


def _main(writer: Writer, doc: OfficialDocument, measure: Measure) -> None:
    """标题 (空二行 below the separator; 文件 and 信函 only: one paragraph, its lines the PDF's, each ended by a
    line break), 主送机关, 正文, 附件说明, 出席/请假/列席."""
    if doc.layout_format in ("文件", "信函"):
        writer.paragraph()
        writer.paragraph()
        title = writer.paragraph(align="center", size=TITLE_PT)
        writer.line_height(title, LINE_PT)
        lines = title_lines(doc, measure)
        for index, line in enumerate(lines):
            run = writer.run(title, "".join(ch.text for ch in line), XIAOBIAOSONG, TITLE_PT)
            if index < len(lines) - 1:
                run.add_break()
        writer.paragraph()
    if doc.main_recipients:
        writer.paragraph("、".join(doc.main_recipients) + "：")
    for text in (line.strip() for line in doc.body.split("\n")):
        if text:
            _body_paragraph(writer, text)
    items = [NOTE_LABEL.sub("", item).strip() for item in doc.attachment_note.split("\n")]
    items = [item for item in items if item]
    if len(items) == 1:
        items = [FIRST_NUMBER.sub("", items[0])]
    if items:
        writer.paragraph()
        numbered = len(items) > 1 and not any(NUMBERED_ITEM.match(item) for item in items)
        for index, item in enumerate(items, start=1):
            text = f"{index}．{item}" if numbered else item
            _attachment_line(writer, ("附件：" if index == 1 else "") + text, first=index == 1)
    if doc.layout_format == "纪要":
        _attendance(writer, doc)


def _body_paragraph(writer: Writer, text: str) -> None:
    face = next((face for pattern, face in _HEADINGS if pattern.match(text)), FANGSONG)
    paragraph = writer.paragraph(indent=2.0)
    stop = text.find("。")
    heading_end = stop + 1 if 0 <= stop < len(text) - 1 else len(text)
    writer.run(paragraph, text[:heading_end], face)
    if heading_end < len(text):
        writer.run(paragraph, text[heading_end:])


def _attachment_line(writer: Writer, text: str, *, first: bool) -> None:
    """§7.3.4: 左空二字 「附件：」, further lines aligned after the colon."""
    from docx.shared import Pt

    paragraph = writer.paragraph(text)
    fmt = paragraph.paragraph_format
    fmt.left_indent = Pt(BODY_PT * 5)
    fmt.first_line_indent = Pt(-BODY_PT * 3) if first else Pt(0)


def _attendance(writer: Writer, doc: OfficialDocument) -> None:
    """§10.3 出席, 请假, 列席: 空一行 below the text, 左空二字, the label in 黑体 and a full-width colon, the names
    in 仿宋 with wrapped lines aligned after the colon."""
    from docx.shared import Pt

    lists = [
        (label, names) for label, names in (("出席", doc.attendees), ("请假", doc.on_leave), ("列席", doc.observers))
    ]
    lists = [(label, names) for label, names in lists if names]
    if lists:
        writer.paragraph()
    for label, names in lists:
        paragraph = writer.paragraph()
        paragraph.paragraph_format.left_indent = Pt(BODY_PT * 5)
        paragraph.paragraph_format.first_line_indent = Pt(-BODY_PT * 3)
        writer.run(paragraph, label, HEITI)
        writer.run(paragraph, "：" + "、".join(names))


def _closing(writer: Writer, doc: OfficialDocument) -> None:
    """The closing block where `closing` puts it in the PDF (each row at its x, measured with Word's widths), then
    附注 居左空二字 in 圆括号."""
    from docx.shared import Pt

    block = closing_block(dataclasses.replace(doc, remarks=""), Measure(word_advance))
    by_line: dict[int, list[Any]] = {}
    for offset, row in block.rows:
        by_line.setdefault(offset, []).append(row)
    last = max(by_line, default=-1)
    for line in range(last + 1):
        rows = sorted(by_line.get(line, []), key=lambda row: row.x)
        paragraph = writer.paragraph()
        for index, row in enumerate(rows):
            x = row.x * MM
            if index == 0:
                paragraph.paragraph_format.left_indent = Pt(x)
            else:
                tab(paragraph, x)
                writer.run(paragraph, "\t")
            text = "".join(ch.text for ch in row.chars)
            face = FACES[row.chars[0].face] if row.chars else FANGSONG
            run = writer.run(paragraph, text, face, row.size, RED if row.red else None)
            if row.red:  # the 签名章: its frame
                run_border(run, RED_HEX, 12)
                off_grid(paragraph)
                writer.line_height(paragraph, LINE_PT)
    if doc.remarks.strip():
        writer.paragraph("（" + doc.remarks.strip().strip("（）()") + "）", indent=2.0)


def _record(document: Any, writer: Writer, doc: OfficialDocument, plan: Layout) -> None:
    """版记 (§7.4): 抄送 and 印发机关/印发日期 in 4号 between rules; a 信函's (§10.1) 抄送 only, over its last rule.

    On the last grid lines of the last page, which is even, as the PDF's page plan (`plan`, laid out with Word's
    widths) has them: each line the PDF's (`pagination.record_rows`) in a frame (w:framePr) on its grid line, the last
    one the 版心's last; on the closing block's page when the PDF puts it there, else after a
    section break to the next even page (Word and LibreOffice leave an odd page empty if need be); that page and
    the empty one carry no page number when the PDF inserts the empty page (§7.5). One frame a line: LibreOffice
    drops a frame of several paragraphs that have borders."""
    from docx.enum.section import WD_SECTION_START
    from docx.shared import Pt

    if not plan.record_page:
        return
    if plan.record_page > plan.closing_page:
        section = document.add_section(WD_SECTION_START.EVEN_PAGE)
        section.different_first_page_header_footer = False  # a 信函's mark is on page 1 only
        if plan.record_page > plan.closing_page + 1:
            section.footer.is_linked_to_previous = False
            section.even_page_footer.is_linked_to_previous = False
    letter = doc.layout_format == "信函"
    rows = record_rows(doc, Measure(word_advance))
    for index, row in enumerate(rows):
        last = index == len(rows) - 1
        paragraph = writer.paragraph(size=NOTE_PT)
        writer.line_height(paragraph, LINE_PT)
        grid_line = LINES_PER_PAGE - len(rows) + index
        line_frame(paragraph, TEXT_WIDTH_PT, TOP_MARGIN_MM * MM + grid_line * LINE_PT)
        paragraph.paragraph_format.left_indent = Pt(row.x * MM)
        writer.run(paragraph, "".join(ch.text for ch in row.chars), size=NOTE_PT)
        if index == 0 and not letter:
            border(paragraph, "top", "000000", 8, 0)
        if last and not letter:
            if len(rows) > 1:
                border(paragraph, "top", "000000", 6, 0)
            tab(paragraph, TEXT_WIDTH_PT - NOTE_PT - row.x * MM, "right")
            writer.run(paragraph, f"\t{chinese_date(doc.print_date or doc.sign_date)}印发", size=NOTE_PT)
        if last:
            border(paragraph, "bottom", "000000", 8, 0)
    anchor = writer.paragraph(size=1.0)  # what the frames are anchored before: 1 pt, never a page of its own
    writer.line_height(anchor, 1.0)


def _page_numbers(document: Any, section: Any) -> None:
    """「— 1 —」 in 4号 宋体, odd pages right and even pages left, one character in (not on a 信函's first page,
    whose own footer holds the lower double line)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
        writer = Writer(footer)
        paragraph = footer.paragraphs[0]
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            paragraph.paragraph_format.right_indent = Pt(NOTE_PT)
        else:
            paragraph.paragraph_format.left_indent = Pt(NOTE_PT)
        writer.run(paragraph, "— ", SONGTI, NOTE_PT)
        page_field(writer.run(paragraph, "", SONGTI, NOTE_PT))
        writer.run(paragraph, " —", SONGTI, NOTE_PT)
