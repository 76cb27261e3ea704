"""收文处理笺 as a PDF: the standard form a leader would otherwise write 批示 on, drawn on A4.

A ruled table: the header row 「<机关>收文处理笺」 (小标宋, with the 收文编号 and the page number under it), then
来文单位 | 来文字号, 收文编号 | 收文日期, 紧急程度 | 份数, 办理时限, 标题, 拟办意见, 领导批示, 承办情况, 传阅情况,
办结 and 备注. An opinion row holds each entry's text and, right-aligned under it, who wrote it and when. Long
text wraps inside its cell; a row taller than what is left of the page goes on over the next page (the
label marked 「（续）」) and every page starts with the header row again.

Every user text is placed character by character as text (fpdf2's ``text``, never its markdown or HTML
paths), so ``<b>``, ``&amp;`` or ``**`` print as typed. The faces are the typesetter's (`fonts`), parsed once
a process and embedded as cached subsets (`faces`, through `drawing`), so the form costs what a 公文 does.
The layout (`layout_sheet`) is pure geometry over an `Advance`; `render_sheet` draws it. The same sheet
gives the same bytes.
"""

from __future__ import annotations

import datetime
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from oa_core.publishing import drawing, linebreaking
from oa_core.publishing.fonts import EM_ASCENT, KAI, SANS, SERIF, SERIF_BOLD, Advance, font_paths
from oa_core.publishing.grid import MM_PER_PT, PAGE_HEIGHT, Char, Layout, RuleItem, TextItem

LEFT = 20.0
WIDTH = 170.0
TOP = 18.0
BOTTOM = PAGE_HEIGHT - 18.0
LABEL_WIDTH = 28.0
PAD_X = 2.5
PAD_Y = 1.8
BODY_PT = 12.0  # 小四
SIGN_PT = 10.5  # 五号: who and when under an opinion
LABEL_PT = 12.0
TITLE_PT = 20.0
SUBTITLE_PT = 10.5
LINE = 6.4  # mm per body line
HEADER_HEIGHT = 22.0
RULE = 0.3
FRAME = 0.6
FACE_ORDER = (SERIF, SANS, KAI)
MISSING = "□"
"""Drawn for a character no face has (the reader sees something stood there)."""


@dataclass(frozen=True)
class Entry:
    """One opinion in a row: its text and, under it, who wrote it and when ("王芳　2026-12-01 10:00")."""

    text: str
    signed: str = ""


@dataclass(frozen=True)
class HandlingSheet:
    """The 收文处理笺's contents, as people read them (names, not ids; dates as they are to print)."""

    org_name: str
    sender: str
    sender_number: str
    number: str
    received_on: str
    urgency: str
    copies: str
    deadline: str
    title: str
    proposals: Sequence[Entry] = ()
    instructions: Sequence[Entry] = ()
    handling: Sequence[Entry] = ()
    readings: Sequence[Entry] = ()
    conclusion: Sequence[Entry] = ()
    remarks: str = ""
    made_on: datetime.date = field(default_factory=lambda: datetime.date(2026, 1, 1))
    """The PDF's creation date (the sheet's drawing date: the same sheet gives the same bytes)."""

    @property
    def heading(self) -> str:
        return f"{self.org_name}收文处理笺"


@dataclass(frozen=True)
class _Line:
    chars: tuple[Char, ...]
    size: float
    align: str = "left"  # left, right, centre


@dataclass(frozen=True)
class _Row:
    label: str
    cells: tuple[tuple[float, tuple[_Line, ...]], ...]
    """(width, lines) of each cell after the label; a pair row has label/value twice."""
    min_lines: int = 1
    splittable: bool = False


def clean(text: str) -> str:
    """User text as it is drawn: line breaks kept, tabs as spaces, other control characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


class _Measure:
    def __init__(self, advance: Advance) -> None:
        self.advance = advance

    def char(self, ch: str, face: str, size: float) -> Char:
        for each in (face, *FACE_ORDER):
            width = self.advance(each, ch)
            if width:
                return Char(ch, each, width * size * MM_PER_PT)
        if ch == " ":
            return Char(ch, face, 0.3 * size * MM_PER_PT)
        return Char(MISSING, SERIF, (self.advance(SERIF, MISSING) or 1.0) * size * MM_PER_PT)

    def wrap(self, text: str, face: str, size: float, width: float, align: str = "left") -> list[_Line]:
        """Each paragraph over lines no wider than `width` (避头尾 by pushing characters on, `linebreaking`); a
        space a break falls on is dropped from the start of the next line."""
        lines: list[_Line] = []
        for paragraph in clean(text).split("\n"):
            chars = [self.char(ch, face, size) for ch in paragraph]
            broken = linebreaking.wrap(chars, width, width) or [[]]
            for index, line in enumerate(broken):
                while index and line and line[0].text == " ":
                    line = line[1:]
                lines.append(_Line(tuple(line), size, align))
        return lines


def _rows(sheet: HandlingSheet, measure: _Measure) -> list[_Row]:
    value_width = WIDTH - LABEL_WIDTH
    half = (WIDTH - 2 * LABEL_WIDTH) / 2

    def text(value: str, width: float) -> tuple[_Line, ...]:
        return tuple(measure.wrap(value, SERIF, BODY_PT, width - 2 * PAD_X))

    def pair(a: str, va: str, b: str, vb: str) -> _Row:
        return _Row(a, ((half, text(va, half)), (LABEL_WIDTH, _label_lines(measure, b)), (half, text(vb, half))))

    def entries(label: str, found: Sequence[Entry], min_lines: int) -> _Row:
        lines: list[_Line] = []
        for entry in found:
            lines += measure.wrap(entry.text, SERIF, BODY_PT, value_width - 2 * PAD_X)
            if entry.signed:
                lines += measure.wrap(entry.signed, KAI, SIGN_PT, value_width - 2 * PAD_X, align="right")
        return _Row(label, ((value_width, tuple(lines)),), min_lines=min_lines, splittable=True)

    return [
        pair("来文单位", sheet.sender, "来文字号", sheet.sender_number or "（无）"),
        pair("收文编号", sheet.number, "收文日期", sheet.received_on),
        pair("紧急程度", sheet.urgency or "普通", "份数", sheet.copies),
        _Row("办理时限", ((value_width, text(sheet.deadline or "（无）", value_width)),)),
        _Row("标题", ((value_width, text(sheet.title, value_width)),), splittable=True),
        entries("拟办意见", sheet.proposals, 4),
        entries("领导批示", sheet.instructions, 5),
        entries("承办情况", sheet.handling, 3),
        entries("传阅情况", sheet.readings, 2),
        entries("办结", sheet.conclusion, 2),
        _Row("备注", ((value_width, text(sheet.remarks, value_width)),), min_lines=2, splittable=True),
    ]


def _label_lines(measure: _Measure, label: str) -> tuple[_Line, ...]:
    return tuple(measure.wrap(label, SANS, LABEL_PT, LABEL_WIDTH - 2 * PAD_X, align="centre"))


def _height(lines: int) -> float:
    return 2 * PAD_Y + lines * LINE


def layout_sheet(sheet: HandlingSheet, advance: Advance) -> Layout:
    """The form placed on as many A4 pages as it needs: texts in reading order, then the rules."""
    measure = _Measure(advance)
    placed: list[tuple[int, float, _Row, int]] = []  # page, top, row (its lines for this page), line count
    page, y = 0, TOP + HEADER_HEIGHT
    for row in _rows(sheet, measure):
        label = row.label
        cells = [list(lines) for _width, lines in row.cells]
        while True:
            label_lines = _label_lines(measure, label)
            need = max(row.min_lines, len(label_lines), *(len(c) for c in cells))
            room = int((BOTTOM - y - 2 * PAD_Y) // LINE)
            if need <= room:
                part = _Row(label, tuple((w, tuple(c)) for (w, _l), c in zip(row.cells, cells, strict=True)))
                placed.append((page, y, part, need))
                y += _height(need)
                break
            fresh = y == TOP + HEADER_HEIGHT  # a row taller than a whole page is split wherever it is
            if room >= 2 and (row.splittable or fresh) and max(len(c) for c in cells) > room:
                head = [c[:room] for c in cells]
                part = _Row(label, tuple((w, tuple(c)) for (w, _l), c in zip(row.cells, head, strict=True)))
                placed.append((page, y, part, room))
                cells = [c[room:] for c in cells]
                label = f"{row.label}\n（续）"
            page, y = page + 1, TOP + HEADER_HEIGHT
    pages = page + 1
    result = Layout(page_count=pages)
    for each in range(pages):
        _header(result, measure, sheet, each, pages)
        for on_page, top, part, count in placed:
            if on_page == each:
                _place_row(result, measure, on_page, top, part, count)
    return result


def _header(out: Layout, measure: _Measure, sheet: HandlingSheet, page: int, pages: int) -> None:
    title = [measure.char(ch, SERIF_BOLD, TITLE_PT) for ch in clean(sheet.heading).replace("\n", " ")]
    scale = min(1.0, (WIDTH - 2 * PAD_X) / max(1.0, sum(c.width for c in title)))
    size = TITLE_PT * scale
    title = [Char(c.text, c.face, c.width * scale) for c in title]
    em = size * MM_PER_PT
    out.texts.append(
        TextItem(
            page, LEFT + (WIDTH - sum(c.width for c in title)) / 2, TOP + 4 + EM_ASCENT * em, tuple(title), size, 0
        )
    )
    note = f"收文编号：{sheet.number or '（未登记）'}　　第 {page + 1} 页　共 {pages} 页"
    line = measure.wrap(note, SANS, SUBTITLE_PT, WIDTH - 2 * PAD_X)[0]
    em = SUBTITLE_PT * MM_PER_PT
    x = LEFT + WIDTH - PAD_X - sum(c.width for c in line.chars)
    out.texts.append(TextItem(page, x, TOP + HEADER_HEIGHT - 3 - (1 - EM_ASCENT) * em, line.chars, SUBTITLE_PT, 0))
    _frame(out, page, TOP, HEADER_HEIGHT, [])


def _place_row(out: Layout, measure: _Measure, page: int, top: float, row: _Row, count: int) -> None:
    height = _height(count)
    x = LEFT
    boundaries = []
    columns = [(LABEL_WIDTH, _label_lines(measure, row.label)), *row.cells]
    for width, lines in columns:
        first = top + PAD_Y + (height - 2 * PAD_Y - len(lines) * LINE) / 2 if width == LABEL_WIDTH else top + PAD_Y
        for index, line in enumerate(lines):
            _place_line(out, page, x, width, first + index * LINE, line)
        x += width
        boundaries.append(x)
    _frame(out, page, top, height, boundaries[:-1])


def _place_line(out: Layout, page: int, x: float, width: float, top: float, line: _Line) -> None:
    if not line.chars:
        return
    used = sum(c.width for c in line.chars)
    if line.align == "right":
        start = x + width - PAD_X - used
    elif line.align == "centre":
        start = x + (width - used) / 2
    else:
        start = x + PAD_X
    em = line.size * MM_PER_PT
    baseline = top + (LINE - em) / 2 + EM_ASCENT * em
    out.texts.append(TextItem(page, start, baseline, line.chars, line.size, 0))


def _frame(out: Layout, page: int, top: float, height: float, inner: list[float]) -> None:
    out.rules.append(RuleItem(page, top, RULE, x=LEFT, length=WIDTH))
    out.rules.append(RuleItem(page, top + height, RULE, x=LEFT, length=WIDTH))
    for x, thickness in ((LEFT, FRAME), (LEFT + WIDTH, FRAME), *((each, RULE) for each in inner)):
        out.rules.append(RuleItem(page, top, thickness, x=x, length=height, vertical=True))


def render_sheet(sheet: HandlingSheet, font_dir: str | os.PathLike[str]) -> bytes:
    """The 收文处理笺 as PDF bytes, in the typesetter's faces (`fonts`, `faces`)."""
    pdf = drawing.new_pdf(font_paths(font_dir))
    advance = drawing.font_advance(pdf)
    placed = layout_sheet(sheet, advance)
    pdf.set_title(clean(sheet.heading))
    pdf.set_author(clean(sheet.org_name))
    pdf.set_subject(clean(sheet.number))
    pdf.set_creator(drawing.CREATOR)
    pdf.set_producer(drawing.PRODUCER)
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(datetime.datetime.combine(sheet.made_on, datetime.time(), tzinfo=drawing.CHINA_TIME))
    for page in range(placed.page_count):
        pdf.add_page()
        drawing.draw_page(pdf, placed, page, advance)
    return drawing.output(pdf)
