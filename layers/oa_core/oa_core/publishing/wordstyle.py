"""The python-docx calls the Word file is written with (`wordfile`, `wordheader`): faces, paragraphs on the grid,
runs, borders, tab stops and the PAGE field, and the widths Word gives the text.

Faces are named as Word and WPS know them (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体; 页码 in 宋体); a machine
without one substitutes its own. `FACES` maps the typesetter's faces (`fonts`) to them, so a row the PDF's layout
places (`closing`) is written in the face the PDF draws it in. `word_advance` is the width Word sets a character
in on the document grid: a full-width character one cell, a half-width one (digits, Latin) half a cell; with it
`grid.Measure` places the closing block's rows where Word will set them.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from oa_core.publishing.fonts import KAI, SANS, SERIF, SERIF_BOLD

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
FACES = {SERIF: FANGSONG, SERIF_BOLD: XIAOBIAOSONG, SANS: HEITI, KAI: KAITI}
RED = (0xE6, 0x00, 0x12)
RED_HEX = "E60012"
BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
NOTE_PT = 14.0  # 4号
LINE_PT = 28.95  # 225 mm / 22 lines
TEXT_WIDTH_PT = 156 / 25.4 * 72
TRACKING_TWIPS = -5
"""Character spacing (w:spacing, twentieths of a point) that fits 28 characters of 3号 in the 156 mm line:
-0.25 pt (the PDF tightens by 0.21 pt; Word takes whole twentieths, and -4 would leave 27)."""


def word_advance(_face: str, ch: str) -> float:
    """A character's width in em as Word sets it: full-width (East Asian wide or fullwidth) 1, others 1/2."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5


def ems(text: str) -> float:
    return sum(word_advance("", ch) for ch in text)


def set_fonts(target: Any, face: str) -> None:
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


class Writer:
    """Paragraphs and runs appended to a python-docx container (the body, a header or a footer)."""

    def __init__(self, container: Any) -> None:
        self.container = container

    def paragraph(
        self, text: str = "", face: str = FANGSONG, size: float = BODY_PT, *, align: str = "", indent: float = 0.0
    ) -> Any:
        """A paragraph on the grid; `indent`: its first line's, in characters of `size`."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        paragraph = self.container.add_paragraph()
        if align:
            paragraph.alignment = {
                "center": WD_ALIGN_PARAGRAPH.CENTER,
                "right": WD_ALIGN_PARAGRAPH.RIGHT,
                "distribute": WD_ALIGN_PARAGRAPH.DISTRIBUTE,
            }[align]
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(indent * size)
        if size != BODY_PT:
            off_grid(paragraph)
        if text:
            self.run(paragraph, text, face, size)
        return paragraph

    def run(self, paragraph: Any, text: str, face: str = FANGSONG, size: float = BODY_PT, colour: Any = None) -> Any:
        from docx.shared import Pt, RGBColor

        run = paragraph.add_run(text)
        set_fonts(run, face)
        run.font.size = Pt(size)
        if colour:
            run.font.color.rgb = RGBColor(*colour)
        return run

    def line_height(self, paragraph: Any, points: float) -> None:
        from docx.enum.text import WD_LINE_SPACING
        from docx.shared import Pt

        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        paragraph.paragraph_format.line_spacing = Pt(points)


_AFTER_SNAP = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def off_grid(paragraph: Any) -> None:
    """w:snapToGrid off: text not in 3号 keeps its own width and height (on the grid Word would give a 2号
    character two cells)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    if properties.find(qn("w:snapToGrid")) is None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        properties.insert_element_before(snap, *_AFTER_SNAP)


def tab(paragraph: Any, points: float, alignment: str = "left") -> None:
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Pt

    kind = {"left": WD_TAB_ALIGNMENT.LEFT, "right": WD_TAB_ALIGNMENT.RIGHT, "center": WD_TAB_ALIGNMENT.CENTER}
    paragraph.paragraph_format.tab_stops.add_tab_stop(Pt(points), kind[alignment])


def page_field(run: Any) -> None:
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


def border(paragraph: Any, side: str, colour: str, size: int, space: int = 4) -> None:
    """A paragraph border: `size` in eighths of a point, `space` (its distance from the text) in points."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = paragraph._p.get_or_add_pPr()
    borders = properties.find(qn("w:pBdr"))
    if borders is None:  # in the schema's place (Word refuses a pPr out of order): after numPr, before tabs
        borders = OxmlElement("w:pBdr")
        properties.insert_element_before(borders, *_AFTER_BORDERS)
    edge = OxmlElement(f"w:{side}")
    for name, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", colour)):
        edge.set(qn(name), value)
    borders.append(edge)


def run_border(run: Any, colour: str, size: int) -> None:
    """A frame round a run (w:bdr): the 命令's 签名章."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = run._r.get_or_add_rPr()
    edge = OxmlElement("w:bdr")
    for name, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "0"), ("w:color", colour)):
        edge.set(qn(name), value)
    properties.append(edge)


def no_auto_space(document: Any) -> None:
    """w:autoSpaceDE and w:autoSpaceDN off in the paragraph defaults and in every paragraph and table style: Word
    and LibreOffice add no space between Chinese and digits or Latin (「2026年12月2日」, 「〔2026〕2号」, as in
    the PDF)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    paragraph_defaults = defaults.find(qn("w:pPrDefault"))
    if paragraph_defaults is None:
        paragraph_defaults = OxmlElement("w:pPrDefault")
        defaults.append(paragraph_defaults)
    if paragraph_defaults.find(qn("w:pPr")) is None:
        paragraph_defaults.append(OxmlElement("w:pPr"))
    targets = [paragraph_defaults.find(qn("w:pPr"))]
    targets += [
        style.get_or_add_pPr()
        for style in styles.findall(qn("w:style"))
        if style.get(qn("w:type")) in ("paragraph", "table")
    ]
    for properties in targets:
        for name in ("autoSpaceDE", "autoSpaceDN"):
            for old in properties.findall(qn(f"w:{name}")):
                properties.remove(old)
            switch = OxmlElement(f"w:{name}")
            switch.set(qn("w:val"), "0")
            after = _AFTER_BORDERS[_AFTER_BORDERS.index(f"w:{name}") + 1 :]
            properties.insert_element_before(switch, *after)


def line_frame(paragraph: Any, width: float, top: float) -> None:
    """The paragraph in a frame `width` pt wide at the 版心's left, its top `top` pt below the page's top edge
    (w:framePr anchored to the page vertically: LibreOffice's margin holds the footer, Word's does not)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    frame = OxmlElement("w:framePr")
    for name, value in (
        ("w:w", str(round(width * 20))),
        ("w:wrap", "notBeside"),
        ("w:hAnchor", "margin"),
        ("w:vAnchor", "page"),
        ("w:xAlign", "left"),
        ("w:y", str(round(top * 20))),
    ):
        frame.set(qn(name), value)
    properties = paragraph._p.get_or_add_pPr()
    properties.insert_element_before(
        frame, "w:widowControl", "w:numPr", "w:suppressLineNumbers", "w:pBdr", *_AFTER_BORDERS
    )
