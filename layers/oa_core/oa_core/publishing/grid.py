"""The GB/T 9704-2012 page and what a layout places on it.

Owns the page geometry (A4, the 版心 156 mm × 225 mm, 22 lines of 28 characters in 3号), the measured
character (`Char`, made by `Measure` from an `Advance` function) and the placed items a `Layout` is made of:
text on a baseline, rules, the seal and the frames appended 附件 pages are fitted into, in mm from the page's
top-left corner. A full-width character takes one cell of 156/28 mm (the glyphs are 16 pt wide and the character
spacing is tightened by -0.21 pt), a half-width one its own width (less the same spacing).
Pure geometry: no fonts, no PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from oa_core.publishing.fonts import EM_ASCENT, FALLBACK_FACES, Advance

MM_PER_PT = 25.4 / 72

# §5.2.1 幅面: A4.
PAGE_WIDTH = 210.0
PAGE_HEIGHT = 297.0
# §5.2.2 版面: 天头 37 mm, 订口 28 mm, 版心 156 mm × 225 mm (so 26 mm right and 35 mm bottom).
TEXT_TOP = 37.0
TEXT_LEFT = 28.0
TEXT_WIDTH = 156.0
TEXT_HEIGHT = 225.0
TEXT_RIGHT = TEXT_LEFT + TEXT_WIDTH
TEXT_BOTTOM = TEXT_TOP + TEXT_HEIGHT
# §5.2.3 字体和字号 / §5.2.4 行数和字数: 3号 仿宋, 22 lines of 28 characters.
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH = TEXT_HEIGHT / LINES_PER_PAGE
BODY_SIZE = 16.0  # 3号, pt
TITLE_SIZE = 22.0  # 2号 (§7.3.1 标题)
NOTE_SIZE = 14.0  # 4号 (§7.4 版记, §7.5 页码)
# Character spacing (PDF Tc, in pt with the two decimals fpdf2 writes) that makes a 16 pt full-width glyph take
# exactly 156/28 mm; CHAR_PITCH is the resulting cell (155.97 mm for 28 cells).
BODY_TRACKING = round(TEXT_WIDTH / CHARS_PER_LINE / MM_PER_PT - BODY_SIZE, 2)
CHAR_PITCH = (BODY_SIZE + BODY_TRACKING) * MM_PER_PT
LINE_WIDTH = CHARS_PER_LINE * CHAR_PITCH
NOTE_CHAR = NOTE_SIZE * MM_PER_PT  # one 4号 character
# §7.3.5.1 印章 (its size is not fixed by the standard): the diameter of the seal drawn over 署名 and 成文日期.
SEAL_DIAMETER = 42.0


class Char(NamedTuple):
    """One laid-out character: its face and the width it takes on the line, in mm."""

    text: str
    face: str
    width: float


BODY_ROW = "body"
NOTE_ROW = "note"
LIST_ROW = "list"


@dataclass(frozen=True)
class Row:
    """One grid line of the flow below the separator; x is measured from the 版心 left edge."""

    chars: tuple[Char, ...] = ()
    x: float = 0.0
    size: float = BODY_SIZE
    tracking: float = BODY_TRACKING
    kind: str = ""  # BODY_ROW (正文), NOTE_ROW (附件说明 and the empty line before it), LIST_ROW (纪要's lists)
    red: bool = False


class TextItem(NamedTuple):
    """Text on one line of a page (0-based), in one size and tracking, possibly in several faces."""

    page: int
    x: float  # mm from the page's left edge
    y: float  # baseline, mm from the page's top edge
    chars: tuple[Char, ...]
    size: float  # pt
    tracking: float  # pt
    red: bool = False


class RuleItem(NamedTuple):
    """A straight rule, across the 版心 unless told: from (x, y) rightwards (or downwards when `vertical`) for
    `length` mm; y (x when vertical) is the middle of the stroke."""

    page: int
    y: float
    thickness: float
    red: bool = False
    x: float = TEXT_LEFT
    length: float = TEXT_WIDTH
    vertical: bool = False

    @property
    def end(self) -> tuple[float, float]:
        """The rule's other end point."""
        return (self.x, self.y + self.length) if self.vertical else (self.x + self.length, self.y)


class SealItem(NamedTuple):
    """The seal: its centre (mm from the page's top-left corner), arc text and code."""

    page: int
    cx: float
    cy: float
    text: str
    code: str


class FrameItem(NamedTuple):
    """Where one page of an appended 附件 goes: the box (mm from the page's top-left corner) its page is fitted
    into, on `page`; `appendix` and `source_page` say which PDF and which of its pages (0-based)."""

    page: int
    appendix: int
    source_page: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Layout:
    """Everything placed: what `render_pdf` draws, and what the layout tests look at without fonts."""

    page_count: int
    texts: list[TextItem] = field(default_factory=list)
    rules: list[RuleItem] = field(default_factory=list)
    seals: list[SealItem] = field(default_factory=list)
    frames: list[FrameItem] = field(default_factory=list)
    closing_page: int = 0
    """The page (1-based) the closing block ends on (before any 附件 pages)."""
    record_page: int = 0
    """The page (1-based) the 版记 is on, 0 without one."""


class Measure:
    """Turns text into measured characters with one advance function; a character the face lacks (advance 0) is
    set in the face's fallback (the 楷体's in 仿宋)."""

    def __init__(self, advance: Advance) -> None:
        self.advance = advance

    def chars(self, text: str, face: str, size: float = BODY_SIZE, tracking: float = BODY_TRACKING) -> list[Char]:
        return [self._char(ch, face, size, tracking) for ch in text]

    def _char(self, ch: str, face: str, size: float, tracking: float) -> Char:
        width = self.advance(face, ch)
        if not width and face in FALLBACK_FACES:
            face = FALLBACK_FACES[face]
            width = self.advance(face, ch)
        return Char(ch, face, (width * size + tracking) * MM_PER_PT)

    def width(self, text: str, face: str, size: float = BODY_SIZE, tracking: float = BODY_TRACKING) -> float:
        return sum(ch.width for ch in self.chars(text, face, size, tracking))


def baseline(row: int, size: float = BODY_SIZE) -> float:
    """The baseline of a grid line's text, the em box centred in the line (mm from the page top)."""
    em = size * MM_PER_PT
    return TEXT_TOP + row * LINE_PITCH + (LINE_PITCH - em) / 2 + EM_ASCENT * em


def row_top(row: int) -> float:
    return TEXT_TOP + row * LINE_PITCH
