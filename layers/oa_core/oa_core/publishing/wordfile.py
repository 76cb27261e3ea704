"""The issued document as a Word file (.docx), for units that print from Word: GB/T 9704-2012 as far as Word's
paragraphs express it.

`render_docx(doc)` writes the `OfficialDocument` the PDF is typeset from (python-docx, imported lazily): A4 with
the 版心 margins (上 37 mm, 下 35 mm, 左 28 mm, 右 26 mm), 3号 (16 pt) 仿宋 on an exact 28.95 pt line pitch with a
document grid of 22 lines × 28 characters, 发文机关标志 in red 小标宋, 发文字号 (with 签发人 for 上行文), the red
separator, 标题 in 2号 小标宋, 主送机关, 正文 with its 结构层次 (一、 in 黑体, （一） in 楷体), 附件说明, 发文机关署名
and 成文日期 (右空四字), 版记 (抄送, 印发机关 and 印发日期) and page numbers 「— 1 —」 in 4号 宋体, odd right,
even left.

The fonts are named as Word and WPS know them (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体); a machine without one
substitutes its own. The file carries no seal: the sealed original is the PDF.
"""

from __future__ import annotations

import io
import re
from typing import Any

from oa_core.publishing.document import OfficialDocument, chinese_date

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
RED = (0xE6, 0x00, 0x12)
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
NOTE_PT = 14.0  # 4号
LINE_PT = 28.95  # 225 mm / 22 lines
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
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(21)
    _grid(section)
    _normal_style(document)
    writer = _Writer(document)
    writer.header(doc)
    writer.main(doc)
    writer.closing(doc)
    writer.page_numbers(section)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _grid(section: Any) -> None:
    """w:docGrid: 22 lines of 28 characters (linePitch in twentieths of a point)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "linesAndChars")
    grid.set(qn("w:linePitch"), str(round(LINE_PT * 20)))
    grid.set(qn("w:charSpace"), "0")
    sect.append(grid)


def _fonts(target: Any, face: str) -> None:
    """A run's or a style's font, East Asian included (python-docx's font.name sets only the Latin ones)."""
    from docx.oxml.ns import qn

    target.font.name = face
    properties = target.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = properties.makeelement(qn("w:rFonts"), {})
        properties.insert(0, fonts)
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), face)


def _normal_style(document: Any) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    normal = document.styles["Normal"]
    _fonts(normal, FANGSONG)
    normal.font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)


class _Writer:
    def __init__(self, document: Any) -> None:
        self.document = document

    def paragraph(
        self, text: str = "", face: str = FANGSONG, size: float = BODY_PT, *, align: str = "", indent: float = 0.0
    ) -> Any:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        paragraph = self.document.add_paragraph()
        if align:
            paragraph.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(indent * size)
        if text:
            self.run(paragraph, text, face, size)
        return paragraph

    def run(self, paragraph: Any, text: str, face: str = FANGSONG, size: float = BODY_PT, colour: Any = None) -> Any:
        from docx.shared import Pt, RGBColor

        run = paragraph.add_run(text)
        _fonts(run, face)
        run.font.size = Pt(size)
        if colour:
            run.font.color.rgb = RGBColor(*colour)
        return run

    def header(self, doc: OfficialDocument) -> None:
        """版头: 紧急程度, 发文机关标志 (red), 发文字号 (and 签发人 for 上行文), the red separator."""
        from docx.shared import Pt

        if doc.copy_no:
            self.paragraph(doc.copy_no, HEITI)
        if doc.urgency:
            self.paragraph(doc.urgency, HEITI)
        upward = bool(doc.signer_name)
        for _ in range(3 if upward else 1):
            self.paragraph()
        mark = self.paragraph(align="center")
        mark.paragraph_format.line_spacing = Pt(60)
        self.run(mark, f"{doc.issuer_name}文件", XIAOBIAOSONG, 42.0, RED)
        self.paragraph()
        if upward:
            line = self.paragraph(indent=1.0)
            self.run(line, doc.number)
            self.run(line, "\t签发人：")
            self.run(line, doc.signer_name, KAITI)
            line.paragraph_format.tab_stops.add_tab_stop(Pt(BODY_PT * 20))
        else:
            line = self.paragraph(doc.number, align="center")
        _bottom_border(line, "C00000", 12)

    def main(self, doc: OfficialDocument) -> None:
        """标题 (空二行 below the separator), 主送机关, 正文, 附件说明."""
        self.paragraph()
        for line in doc.title.split("\n"):
            self.paragraph(line, XIAOBIAOSONG, TITLE_PT, align="center")
        self.paragraph()
        if doc.main_recipients:
            self.paragraph("、".join(doc.main_recipients) + "：")
        for text in (line.strip() for line in doc.body.split("\n")):
            if text:
                self.body_paragraph(text)
        items = [item.strip() for item in doc.attachment_note.split("\n") if item.strip()]
        if items:
            self.paragraph()
            numbered = len(items) > 1 and not any(re.match(r"\d+[.．]", item) for item in items)
            for index, item in enumerate(items, start=1):
                text = f"{index}．{item}" if numbered else item
                self.attachment_line(("附件：" if index == 1 else "") + text, first=index == 1)

    def body_paragraph(self, text: str) -> None:
        face = next((face for pattern, face in _HEADINGS if pattern.match(text)), FANGSONG)
        paragraph = self.paragraph(indent=2.0)
        stop = text.find("。")
        heading_end = stop + 1 if 0 <= stop < len(text) - 1 else len(text)
        self.run(paragraph, text[:heading_end], face)
        if heading_end < len(text):
            self.run(paragraph, text[heading_end:])

    def attachment_line(self, text: str, *, first: bool) -> None:
        """§7.3.4: 左空二字 「附件：」, further lines aligned after the colon."""
        from docx.shared import Pt

        paragraph = self.paragraph(text)
        fmt = paragraph.paragraph_format
        fmt.left_indent = Pt(BODY_PT * 5)
        fmt.first_line_indent = Pt(-BODY_PT * 3) if first else Pt(0)

    def closing(self, doc: OfficialDocument) -> None:
        """发文机关署名 centred over 成文日期, 成文日期 右空四字; then 版记."""
        from docx.shared import Pt

        date = chinese_date(doc.sign_date)
        self.paragraph()
        self.paragraph()
        signature = self.paragraph(doc.signature, align="right")
        offset = max(len(date) - len(doc.signature), 0) / 2
        signature.paragraph_format.right_indent = Pt(BODY_PT * (4 + offset))
        dated = self.paragraph(date, align="right")
        dated.paragraph_format.right_indent = Pt(BODY_PT * 4)
        self.paragraph()
        if doc.cc:
            cc = self.paragraph(f"抄送：{'，'.join(doc.cc)}。", size=NOTE_PT)
            cc.paragraph_format.left_indent = Pt(NOTE_PT)
            _top_border(cc)
        printed = self.paragraph(size=NOTE_PT)
        printed.paragraph_format.left_indent = Pt(NOTE_PT)
        printed.paragraph_format.tab_stops.add_tab_stop(Pt(BODY_PT * 27.5), alignment=2)  # right
        self.run(printed, doc.printer or doc.signature, size=NOTE_PT)
        self.run(printed, f"\t{chinese_date(doc.print_date or doc.sign_date)}印发", size=NOTE_PT)
        _top_border(printed)
        _bottom_border(printed, "000000", 8)

    def page_numbers(self, section: Any) -> None:
        """「— 1 —」 in 4号 宋体, odd pages right and even pages left, one character in."""
        from docx.shared import Pt

        self.document.settings.odd_and_even_pages_header_footer = True
        for footer, align in ((section.footer, "right"), (section.even_page_footer, "left")):
            paragraph = footer.paragraphs[0]
            if align == "right":
                from docx.enum.text import WD_ALIGN_PARAGRAPH

                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                paragraph.paragraph_format.right_indent = Pt(NOTE_PT)
            else:
                paragraph.paragraph_format.left_indent = Pt(NOTE_PT)
            self.run(paragraph, "— ", SONGTI, NOTE_PT)
            _page_field(self.run(paragraph, "", SONGTI, NOTE_PT))
            self.run(paragraph, " —", SONGTI, NOTE_PT)


def _page_field(run: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", ""), ("instr", " PAGE "), ("separate", ""), ("text", "1"), ("end", "")):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


_AFTER_BORDERS = tuple(
    f"w:{name}"
    for name in [
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ]
)
"""What follows w:pBdr in a w:pPr (ECMA-376 CT_PPr)."""


def _border(paragraph: Any, side: str, colour: str, size: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    borders = properties.find(qn("w:pBdr"))
    if borders is None:  # in the schema's place (Word refuses a pPr out of order): after numPr, before tabs
        borders = OxmlElement("w:pBdr")
        properties.insert_element_before(borders, *_AFTER_BORDERS)
    edge = OxmlElement(f"w:{side}")
    for name, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "4"), ("w:color", colour)):
        edge.set(qn(name), value)
    borders.append(edge)


def _bottom_border(paragraph: Any, colour: str, size: int) -> None:
    _border(paragraph, "bottom", colour, size)


def _top_border(paragraph: Any) -> None:
    _border(paragraph, "top", "000000", 8)
