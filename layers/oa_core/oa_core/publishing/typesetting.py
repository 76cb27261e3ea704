"""公文排版: an official document typeset as PDF after GB/T 9704-2012 《党政机关公文格式》.

``render_pdf(doc, font_dir)`` lays the document out on the standard's grid itself (A4, 版心 156 mm × 225 mm,
22 lines of 28 characters in 3号) and draws it with fpdf2, which is imported only when a PDF is rendered (this
module is loaded in Lambda cold starts). Every character is placed by this module, not by fpdf2's paragraph
layout, so the grid is exact: a full-width character takes one cell of 156/28 mm (the glyphs are 16 pt wide and
the character spacing is tightened by -0.21 pt), a half-width one its own width (less the same spacing).

Fonts are the openly licensed Noto CJK collections (SIL OFL), their 简体中文 (SC) faces: Noto Serif for 仿宋
(body), Noto Serif Bold for 小标宋 (发文机关标志, 标题) and as the 楷体 stand-in (二级标题, 签发人 names), Noto Sans
for 黑体 (一级标题, 紧急程度). They are embedded as subsets.

Where the standard leaves a choice, this module decides:

* Line breaking (避头尾): a line never starts with closing punctuation (，。、；：？！）》” …) nor ends with opening
  punctuation (（《“ …); the characters are carried over to the next line (推出), so such a line is one or two
  cells short. Runs of half-width characters (numbers, Latin words) and the two halves of —— and …… stay together.
* Everything below the red separator sits on the 22-line grid: 标题 (2号, one grid line per title line, balanced
  line lengths, preferring breaks before 关于 and 《 and after ，、), 主送机关, 正文, 附件说明, 署名, 成文日期 and the
  版记 lines. The title starts on the third grid line below the separator (空二行).
* 署名 and 成文日期 with the seal: two empty grid lines after the text, then 署名 and 成文日期 on consecutive lines;
  the seal's centre is 4 mm above the boundary between those two lines (so both sit a little below its centre),
  its top lies within the first empty line (上距正文一行之内) and its bottom within the grid line after the date. If
  these five lines do not fit on the page, the last two lines of 正文/附件说明 move to the next page with them, so
  the seal never stands on a page without text (no 此页无正文).
* 版记 takes the last grid lines of the last page, which is always even: if the text ends on an odd page, the
  版记 goes on the following even page alone; if it ends on an even page without room for the 版记, an empty odd
  page is inserted. As §7.5 says, that empty page and the 版记 page after it carry no page number; every other
  page does.
* Red is RGB (230, 0, 18) for the 发文机关标志, the separator and the seal. The seal (42 mm, star 14 mm, the issuing
  organisation's name along the upper arc) is drawn over 署名 and 成文日期 at 85 % opacity, multiplied, so the
  text under it stays legible.

The output is deterministic: the same document gives byte-identical PDFs (creation date = 成文日期, no random
ids, fixed subset tags).

fpdf2 encodes these CID-keyed CFF fonts with an embedded encoding CMap, which pypdf (used by 四性检测 to read
archived PDFs back) cannot decode beyond 255 glyphs; this module makes the character codes equal to the CIDs
and declares the standard Identity-H encoding instead, which every reader understands.
"""

from __future__ import annotations

import datetime
import itertools
import math
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from fpdf import FPDF

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

# §7.2.4 发文机关标志: its top edge 35 mm below the 版心 top, 80 mm for 上行文 (§7.2.5, 请示/报告). The size is not
# fixed; it starts at 1.6 × 2号 and shrinks to fit the 版心 width.
ISSUER_MARK_OFFSET = 35.0
UPWARD_ISSUER_MARK_OFFSET = 80.0
ISSUER_MARK_MAX_SIZE = TITLE_SIZE * 1.6
UPWARD_DOC_TYPES = frozenset({"请示", "报告"})
# §7.3.1 标题 lines: a break elsewhere than before 关于 or 《 or after ，、 costs as much as lines differing by
# about four characters (the cost of a line is its squared distance, in characters, from the mean length).
TITLE_PLAIN_BREAK_COST = 9.0
# §7.2.6 分隔线: 4 mm below the 发文字号, as wide as the 版心 (thickness not fixed).
SEPARATOR_GAP = 4.0
SEPARATOR_THICKNESS = 0.5
# §7.4.1 版记分隔线: thick 0.35 mm (first and last), thin 0.25 mm (between).
RECORD_THICK = 0.35
RECORD_THIN = 0.25
# §7.5 页码: 4号 digits between 一字线, the dash 7 mm below the 版心.
PAGE_NUMBER_GAP = 7.0
# §7.3.5.1 印章 (geometry not fixed by the standard): ring, star and lift of its centre above the date line.
RED = (230, 0, 18)
SEAL_DIAMETER = 42.0
SEAL_RING = 1.2
STAR_DIAMETER = 14.0
SEAL_LIFT = 4.0
SEAL_OPACITY = 0.85
SEAL_TEXT_SPAN = 240.0  # degrees of the upper arc the seal text may cover
SEAL_TEXT_MAX_STEP = 40.0  # degrees between two characters at most
SEAL_TEXT_MAX_SIZE = 7.0  # mm
SEAL_CODE_SIZE = 6.0  # pt
SEAL_CODE_DROP = 15.0  # mm from the centre to the code's baseline: under the star, below the date line
# 署名 block: two empty lines, 署名, 成文日期 and one line for the seal's lower part.
SIGNATURE_ROWS = 5
DATE_RIGHT_BLANK = 4  # §7.3.5.1 成文日期右空四字

# Faces: the family names given to fpdf2.
SERIF = "serif"  # 仿宋 stand-in
SERIF_BOLD = "serif-bold"  # 小标宋, and 楷体 stand-in
SANS = "sans"  # 黑体 stand-in
FONT_FILES: dict[str, str] = {
    SERIF: "NotoSerifCJK-Regular.ttc",
    SERIF_BOLD: "NotoSerifCJK-Bold.ttc",
    SANS: "NotoSansCJK-Regular.ttc",
}
COLLECTION_INDEX = 2  # the SC face; the collections hold JP, KR, SC, TC, HK in this order
LAMBDA_FONT_DIR = "/opt/fonts"
# Noto CJK vertical metrics in em: top of the ideographic em box above the baseline, middle of the 一字线 (U+2014).
EM_ASCENT = 0.88
DASH_MIDDLE = 0.2675

CREATOR = "oa-system"
PRODUCER = "oa-system GB/T 9704 typesetter"
CHINA_TIME = datetime.timezone(datetime.timedelta(hours=8))
URGENCIES = frozenset({"", "加急", "特急", "平急", "特提"})

# 避头尾: characters that must not start a line, and characters that must not end one.
NO_LINE_START = frozenset("，。、；：？！）］｝》〉」』】〕〗〙”’％‰・·,.;:?!)]}%")
NO_LINE_END = frozenset("（［｛《〈「『【〔〖〘“‘([{")
PAIRED = frozenset("—…―⸺")  # —— and …… are never split

HEADING_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[一二三四五六七八九十百零〇]+、"), SANS),  # 一级: 黑体
    (re.compile(r"[（(][一二三四五六七八九十百零〇]+[）)]"), SERIF_BOLD),  # 二级: 楷体
    (re.compile(r"\d+[.．]"), SERIF),  # 三级: 仿宋
    (re.compile(r"[（(]\d+[）)]"), SERIF),  # 四级: 仿宋
)
NUMBERED_ITEM = re.compile(r"\d+[.．]")

Advance = Callable[[str, str], float]
"""The advance width of a character in a face, in em."""


@dataclass(frozen=True)
class OfficialDocument:
    """公文: what the typesetter needs (all text already final)."""

    issuer_name: str  # 发文机关标志 is issuer_name + "文件"
    doc_type: str  # 文种
    number: str  # 发文字号, e.g. "示例办发〔2026〕7号"
    title: str  # 标题
    main_recipients: list[str]  # 主送机关
    body: str  # 正文, paragraphs separated by "\n"; blank lines ignored
    sign_date: datetime.date  # 成文日期
    signature: str  # 发文机关署名
    signer_name: str = ""  # 签发人 (shown for 上行文 请示/报告); several names separated by 、
    attachment_note: str = ""  # 附件说明, one attachment a line
    cc: list[str] = field(default_factory=list)  # 抄送
    printer: str = ""  # 印发机关; the signature if empty
    print_date: datetime.date | None = None  # 印发日期; the sign date if None
    copy_no: str = ""  # 份号
    urgency: str = ""  # 紧急程度
    seal_text: str = ""  # text on the seal's upper arc; the signature if empty
    seal_code: str = ""  # short code printed small under the seal's star


class Char(NamedTuple):
    """One laid-out character: its face and the width it takes on the line, in mm."""

    text: str
    face: str
    width: float


@dataclass(frozen=True)
class Row:
    """One grid line of the flow below the separator; x is measured from the 版心 left edge."""

    chars: tuple[Char, ...] = ()
    x: float = 0.0
    size: float = BODY_SIZE
    tracking: float = BODY_TRACKING
    movable: bool = False  # 正文 and 附件说明 lines, which may go with the 署名 to the next page


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
    """A horizontal rule across the 版心; y is the middle of the stroke."""

    page: int
    y: float
    thickness: float
    red: bool = False


class SealItem(NamedTuple):
    """The seal: its centre (mm from the page's top-left corner), arc text and code."""

    page: int
    cx: float
    cy: float
    text: str
    code: str


@dataclass
class Layout:
    """Everything placed: what `render_pdf` draws, and what the layout tests look at without fonts."""

    page_count: int
    texts: list[TextItem] = field(default_factory=list)
    rules: list[RuleItem] = field(default_factory=list)
    seals: list[SealItem] = field(default_factory=list)


def chinese_date(value: datetime.date) -> str:
    """成文日期 as §7.3.5 writes it: Arabic numerals, full year, no leading zeros (2026年1月5日)."""
    return f"{value.year}年{value.month}月{value.day}日"


def heading_level(paragraph: str) -> int:
    """结构层次序数 (§7.3.3): 1 for 一、, 2 for （一）, 3 for 1．, 4 for （1）, 0 for an ordinary paragraph."""
    for level, (pattern, _face) in enumerate(HEADING_PATTERNS, start=1):
        if pattern.match(paragraph):
            return level
    return 0


def is_upward(doc_type: str) -> bool:
    """上行文: 请示 and 报告 carry 签发人 and a lower 发文机关标志."""
    return doc_type in UPWARD_DOC_TYPES


def can_break(before: str, after: str) -> bool:
    """Whether a line may end with `before` and the next one start with `after` (避头尾, unsplittable runs)."""
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before == after and before in PAIRED:
        return False
    return not (_half_width_word(before) and _half_width_word(after))


def _half_width_word(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def wrap(chars: Sequence[Char], first_width: float, rest_width: float) -> list[list[Char]]:
    """Greedy line breaking on measured characters, then moved back until `can_break` allows the break."""
    lines: list[list[Char]] = []
    start = 0
    available = first_width
    while start < len(chars):
        end = start
        used = 0.0
        while end < len(chars) and used + chars[end].width <= available + 1e-6:
            used += chars[end].width
            end += 1
        end = max(end, start + 1)
        if end < len(chars):
            end = _allowed_break(chars, start, end)
        lines.append(list(chars[start:end]))
        start = end
        available = rest_width
    return lines


def _allowed_break(chars: Sequence[Char], start: int, end: int) -> int:
    position = end
    while position > start + 1 and not can_break(chars[position - 1].text, chars[position].text):
        position -= 1
    if can_break(chars[position - 1].text, chars[position].text):
        return position
    return end  # no allowed break on this line: break where it is full


def balance_title(chars: Sequence[Char], max_width: float) -> list[list[Char]]:
    """标题 lines (§7.3.1): as few as fit, of similar length, at allowed and preferably natural breaks."""
    total = sum(ch.width for ch in chars)
    if total <= max_width + 1e-6 or len(chars) < 2:
        return [list(chars)]
    prefix = [0.0]
    for ch in chars:
        prefix.append(prefix[-1] + ch.width)
    unit = chars[0].width or 1.0
    count = len(chars)
    for lines in range(math.ceil(total / max_width), count + 1):
        target = total / lines
        best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, -1)}
        for k in range(1, lines + 1):
            for end in range(1, count + 1):
                if k == lines and end != count:
                    continue
                options = []
                for begin in range(k - 1, end):
                    previous = best.get((k - 1, begin))
                    width = prefix[end] - prefix[begin]
                    if previous is None or width > max_width + 1e-6:
                        continue
                    cost = previous[0] + ((width - target) / unit) ** 2 + _title_break_cost(chars, end)
                    options.append((cost, begin))
                if options:
                    best[(k, end)] = min(options)
        if (lines, count) in best:
            breaks = [count]
            k, end = lines, count
            while k > 0:
                end = best[(k, end)][1]
                k -= 1
                breaks.append(end)
            breaks.reverse()
            return [list(chars[a:b]) for a, b in itertools.pairwise(breaks)]
    return wrap(chars, max_width, max_width)


def _title_break_cost(chars: Sequence[Char], end: int) -> float:
    if end >= len(chars):
        return 0.0
    before, after = chars[end - 1].text, chars[end].text
    if not can_break(before, after):
        return 1e6
    following = "".join(ch.text for ch in chars[end : end + 2])
    if following == "关于" or after in NO_LINE_END or before in "，、：；":
        return 0.0
    return TITLE_PLAIN_BREAK_COST


class _Measure:
    """Turns text into measured characters with one advance function."""

    def __init__(self, advance: Advance) -> None:
        self.advance = advance

    def chars(self, text: str, face: str, size: float = BODY_SIZE, tracking: float = BODY_TRACKING) -> list[Char]:
        return [Char(ch, face, (self.advance(face, ch) * size + tracking) * MM_PER_PT) for ch in text]

    def width(self, text: str, face: str, size: float = BODY_SIZE, tracking: float = BODY_TRACKING) -> float:
        return sum(ch.width for ch in self.chars(text, face, size, tracking))


def baseline(row: int, size: float = BODY_SIZE) -> float:
    """The baseline of a grid line's text, the em box centred in the line (mm from the page top)."""
    em = size * MM_PER_PT
    return TEXT_TOP + row * LINE_PITCH + (LINE_PITCH - em) / 2 + EM_ASCENT * em


def row_top(row: int) -> float:
    return TEXT_TOP + row * LINE_PITCH


def layout(doc: OfficialDocument, advance: Advance) -> Layout:
    """Places every element of the document: pure geometry, no PDF."""
    if doc.urgency not in URGENCIES:
        raise ValueError(f"紧急程度只能是特急、加急、特提或平急 (unknown urgency): {doc.urgency!r}")
    measure = _Measure(advance)
    result = Layout(page_count=1)
    first_row = _header(doc, measure, result)
    pages = _paginate(_flow(doc, measure), first_row)
    block_page = len(pages) - 1
    block_row = _place_signature(doc, measure, pages, result)
    for page, rows in enumerate(pages):
        for index, row in rows.items():
            if row.chars:
                result.texts.append(
                    TextItem(page, TEXT_LEFT + row.x, baseline(index, row.size), row.chars, row.size, row.tracking)
                )
    record = _record_rows(doc, measure)
    last_content = block_page + 1  # 1-based
    fits = block_row + SIGNATURE_ROWS <= LINES_PER_PAGE - len(record)
    unnumbered: set[int] = set()
    if fits:
        record_page = last_content if last_content % 2 == 0 else last_content + 1
    elif last_content % 2 == 1:
        record_page = last_content + 1
    else:
        record_page = last_content + 2
        unnumbered = {last_content + 1, last_content + 2}
    result.page_count = record_page
    _place_record(doc, measure, record, record_page - 1, result)
    for number in range(1, record_page + 1):
        if number not in unnumbered:
            _place_page_number(number, measure, result)
    return result


def _header(doc: OfficialDocument, measure: _Measure, result: Layout) -> int:
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
    mark_top = TEXT_TOP + (UPWARD_ISSUER_MARK_OFFSET if is_upward(doc.doc_type) else ISSUER_MARK_OFFSET)
    mark_chars = tuple(measure.chars(mark, SERIF_BOLD, size, 0))
    mark_width = sum(ch.width for ch in mark_chars)
    result.texts.append(
        TextItem(0, TEXT_LEFT + (TEXT_WIDTH - mark_width) / 2, mark_top + EM_ASCENT * em, mark_chars, size, 0, True)
    )

    # §7.2.5 发文字号: 空二行 below the mark.
    number_top = mark_top + em + 2 * LINE_PITCH
    number_y = number_top + (LINE_PITCH - BODY_SIZE * MM_PER_PT) / 2 + EM_ASCENT * BODY_SIZE * MM_PER_PT
    number_chars = tuple(measure.chars(doc.number, SERIF))
    number_width = sum(ch.width for ch in number_chars)
    if is_upward(doc.doc_type):
        result.texts.append(TextItem(0, TEXT_LEFT + CHAR_PITCH, number_y, number_chars, BODY_SIZE, BODY_TRACKING))
        _place_signers(doc.signer_name, number_y, measure, result)
    else:
        x = TEXT_LEFT + (LINE_WIDTH - number_width) / 2
        result.texts.append(TextItem(0, x, number_y, number_chars, BODY_SIZE, BODY_TRACKING))

    separator = number_y + (1 - EM_ASCENT) * BODY_SIZE * MM_PER_PT + SEPARATOR_GAP
    result.rules.append(RuleItem(0, separator, SEPARATOR_THICKNESS, True))
    # §7.3.1 标题: 空二行 below the separator, on the grid.
    return math.ceil((separator - TEXT_TOP) / LINE_PITCH - 1e-9) + 2


def _place_signers(signer_name: str, number_y: float, measure: _Measure, result: Layout) -> None:
    """§7.2.5 签发人: right, one character in; two names a line, the last line level with the 发文字号."""
    names = [name for name in re.split(r"[、，,\s]+", signer_name) if name]
    if not names:
        return
    lines = ["　".join(names[i : i + 2]) for i in range(0, len(names), 2)]
    widths = [measure.width(line, SERIF_BOLD) for line in lines]
    names_x = TEXT_LEFT + LINE_WIDTH - CHAR_PITCH - max(widths)
    label = tuple(measure.chars("签发人：", SERIF))
    label_width = sum(ch.width for ch in label)
    first_y = number_y - (len(lines) - 1) * LINE_PITCH
    result.texts.append(TextItem(0, names_x - label_width, first_y, label, BODY_SIZE, BODY_TRACKING))
    for index, line in enumerate(lines):
        chars = tuple(measure.chars(line, SERIF_BOLD))
        result.texts.append(TextItem(0, names_x, first_y + index * LINE_PITCH, chars, BODY_SIZE, BODY_TRACKING))


def _flow(doc: OfficialDocument, measure: _Measure) -> list[Row]:
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
    if doc.attachment_note.strip():
        rows.append(Row())
        rows.extend(_attachment_rows(doc.attachment_note, measure))
    return rows


def _paragraph_rows(paragraph: str, measure: _Measure) -> list[Row]:
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


def _attachment_rows(note: str, measure: _Measure) -> list[Row]:
    """§7.3.4 附件说明: 左空二字 "附件：", further attachments and wrapped lines aligned after the colon/number."""
    items = [line.strip() for line in note.split("\n") if line.strip()]
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


def _paginate(flow: list[Row], first_row: int) -> list[dict[int, Row]]:
    """Grid lines onto pages; then room for the 署名 block, carrying the last two text lines over if needed."""
    pages: list[dict[int, Row]] = [{}]
    row = first_row
    for item in flow:
        if row >= LINES_PER_PAGE:
            pages.append({})
            row = 0
        if not item.chars and row == 0:
            continue
        pages[-1][row] = item
        row += 1
    if row + SIGNATURE_ROWS > LINES_PER_PAGE:
        last = pages[-1]
        movable = sorted(index for index, item in last.items() if item.movable)
        carried: list[Row] = []
        if movable:
            start = movable[-2] if len(movable) >= 2 else movable[-1]
            carried = [last.pop(index) for index in sorted(last) if index >= start]
        pages.append(dict(enumerate(carried)))
    return pages


def _place_signature(doc: OfficialDocument, measure: _Measure, pages: list[dict[int, Row]], result: Layout) -> int:
    """§7.3.5.1 署名, 成文日期 and the seal after the last text line; returns the block's first grid line."""
    page = len(pages) - 1
    start = max(pages[page], default=-1) + 1
    signature_row, date_row = start + 2, start + 3
    date = tuple(measure.chars(chinese_date(doc.sign_date), SERIF))
    date_width = sum(ch.width for ch in date)
    date_x = LINE_WIDTH - DATE_RIGHT_BLANK * CHAR_PITCH - date_width
    centre = date_x + date_width / 2
    signature = tuple(measure.chars(doc.signature, SERIF))
    signature_width = sum(ch.width for ch in signature)
    signature_x = min(max(centre - signature_width / 2, 0.0), LINE_WIDTH - signature_width)
    pages[page][signature_row] = Row(signature, signature_x)
    pages[page][date_row] = Row(date, date_x)
    cy = row_top(date_row) - SEAL_LIFT
    result.seals.append(SealItem(page, TEXT_LEFT + centre, cy, doc.seal_text or doc.signature, doc.seal_code))
    return start


def _record_rows(doc: OfficialDocument, measure: _Measure) -> list[Row]:
    """版记 (§7.4) lines: 抄送 (wrapped after the colon) and 印发机关/印发日期, in 4号."""
    rows: list[Row] = []
    if doc.cc:
        chars = measure.chars("抄送：" + "，".join(doc.cc) + "。", SERIF, NOTE_SIZE, 0)
        label_width = measure.width("抄送：", SERIF, NOTE_SIZE, 0)
        width = TEXT_WIDTH - 2 * NOTE_CHAR
        for index, line in enumerate(wrap(chars, width, width - label_width)):
            rows.append(Row(tuple(line), NOTE_CHAR + (label_width if index else 0.0), NOTE_SIZE, 0))
    printer = tuple(measure.chars(doc.printer or doc.signature, SERIF, NOTE_SIZE, 0))
    rows.append(Row(printer, NOTE_CHAR, NOTE_SIZE, 0))
    if len(rows) > LINES_PER_PAGE - 1:
        raise ValueError("抄送机关过多，版记超过一页 (too many 抄送 recipients: the 版记 exceeds a page)")
    return rows


def _place_record(doc: OfficialDocument, measure: _Measure, rows: list[Row], page: int, result: Layout) -> None:
    first = LINES_PER_PAGE - len(rows)
    for offset, row in enumerate(rows):
        index = first + offset
        result.texts.append(TextItem(page, TEXT_LEFT + row.x, baseline(index, NOTE_SIZE), row.chars, NOTE_SIZE, 0))
    printed = chinese_date(doc.print_date or doc.sign_date) + "印发"
    printed_chars = tuple(measure.chars(printed, SERIF, NOTE_SIZE, 0))
    x = TEXT_RIGHT - NOTE_CHAR - sum(ch.width for ch in printed_chars)
    result.texts.append(TextItem(page, x, baseline(LINES_PER_PAGE - 1, NOTE_SIZE), printed_chars, NOTE_SIZE, 0))
    result.rules.append(RuleItem(page, row_top(first) + RECORD_THICK / 2, RECORD_THICK))
    if len(rows) > 1:
        result.rules.append(RuleItem(page, row_top(LINES_PER_PAGE - 1), RECORD_THIN))
    result.rules.append(RuleItem(page, TEXT_BOTTOM - RECORD_THICK / 2, RECORD_THICK))


def _place_page_number(number: int, measure: _Measure, result: Layout) -> None:
    """§7.5 页码: "— N —", odd pages right and even pages left, one character in from the 版心 edge."""
    chars = tuple(measure.chars(f"— {number} —", SERIF, NOTE_SIZE, 0))
    width = sum(ch.width for ch in chars)
    x = TEXT_RIGHT - NOTE_CHAR - width if number % 2 else TEXT_LEFT + NOTE_CHAR
    y = TEXT_BOTTOM + PAGE_NUMBER_GAP + DASH_MIDDLE * NOTE_SIZE * MM_PER_PT
    result.texts.append(TextItem(number - 1, x, y, chars, NOTE_SIZE, 0))


def seal_text_positions(text: str, cx: float, cy: float) -> tuple[float, list[tuple[str, float, float, float]]]:
    """The seal text along the upper arc: glyph size (mm) and (character, x, y, clockwise angle) of each centre."""
    count = len(text)
    if count == 0:
        return 0.0, []
    step = min(SEAL_TEXT_MAX_STEP, SEAL_TEXT_SPAN / (count - 1)) if count > 1 else 0.0
    inner = SEAL_DIAMETER / 2 - SEAL_RING - 0.8
    size = SEAL_TEXT_MAX_SIZE
    for _ in range(2):
        radius = inner - size / 2
        if count > 1:
            size = min(SEAL_TEXT_MAX_SIZE, 0.85 * radius * math.radians(step))
    radius = inner - size / 2
    positions = []
    for index, ch in enumerate(text):
        angle = (index - (count - 1) / 2) * step
        theta = math.radians(angle)
        positions.append((ch, cx + radius * math.sin(theta), cy - radius * math.cos(theta), angle))
    return size, positions


def star_points(cx: float, cy: float, radius: float) -> list[tuple[float, float]]:
    """A five-pointed star, one point up (page coordinates, y down)."""
    inner = radius * math.sin(math.radians(18)) / math.sin(math.radians(54))
    points = []
    for k in range(10):
        r = radius if k % 2 == 0 else inner
        angle = math.radians(-90 + 36 * k)
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points


def font_paths(font_dir: str | os.PathLike[str]) -> dict[str, Path]:
    """The three font collections; FileNotFoundError naming every missing one."""
    base = Path(font_dir)
    paths = {face: base / name for face, name in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"缺少公文排版字体 (typesetting fonts missing): {', '.join(missing)}")
    return paths


def render_pdf(doc: OfficialDocument, font_dir: str | os.PathLike[str]) -> bytes:
    """The document as a GB/T 9704-2012 PDF; the same input gives the same bytes."""
    paths = font_paths(font_dir)
    from fpdf import FPDF

    subset_map, producer = _fpdf_extensions()
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    for face, path in paths.items():
        pdf.add_font(face, "", str(path), collection_font_number=COLLECTION_INDEX)
        font = pdf.fonts[face]
        if getattr(font, "is_cff", False) and getattr(font, "is_cid_keyed", False):
            font.subset = subset_map(font)  # type: ignore[union-attr]

    def advance(face: str, ch: str) -> float:
        return float(pdf.fonts[face].cw[ord(ch)]) / 1000  # type: ignore[index]

    placed = layout(doc, advance)
    pdf.set_title(doc.title)
    pdf.set_author(doc.issuer_name)
    pdf.set_subject(doc.number)
    pdf.set_creator(CREATOR)
    pdf.set_producer(PRODUCER)
    pdf.set_lang("zh-CN")
    pdf.set_creation_date(datetime.datetime.combine(doc.sign_date, datetime.time(), tzinfo=CHINA_TIME))
    for page in range(placed.page_count):
        pdf.add_page()
        _draw_page(pdf, placed, page, advance)
    return bytes(pdf.output(output_producer_class=producer))


def _draw_page(pdf: FPDF, placed: Layout, page: int, advance: Advance) -> None:
    for text in placed.texts:
        if text.page == page:
            _draw_text(pdf, text)
    for rule in placed.rules:
        if rule.page == page:
            pdf.set_draw_color(*(RED if rule.red else (0, 0, 0)))
            pdf.set_line_width(rule.thickness)
            pdf.line(TEXT_LEFT, rule.y, TEXT_RIGHT, rule.y)
    for seal in placed.seals:
        if seal.page == page:
            _draw_seal(pdf, seal, advance)


def _draw_text(pdf: FPDF, item: TextItem) -> None:
    pdf.set_text_color(*(RED if item.red else (0, 0, 0)))
    pdf.set_char_spacing(item.tracking)
    x = item.x
    for face, run in _runs(item.chars):
        pdf.set_font(face, size=item.size)
        pdf.text(x, item.y, "".join(ch.text for ch in run))
        x += sum(ch.width for ch in run)


def _runs(chars: Sequence[Char]) -> Iterator[tuple[str, list[Char]]]:
    run: list[Char] = []
    for ch in chars:
        if run and ch.face != run[0].face:
            yield run[0].face, run
            run = []
        run.append(ch)
    if run:
        yield run[0].face, run


def _draw_seal(pdf: FPDF, seal: SealItem, advance: Advance) -> None:
    with pdf.local_context(fill_opacity=SEAL_OPACITY, stroke_opacity=SEAL_OPACITY, blend_mode="Multiply"):
        pdf.set_draw_color(*RED)
        pdf.set_fill_color(*RED)
        pdf.set_text_color(*RED)
        pdf.set_char_spacing(0)
        pdf.set_line_width(SEAL_RING)
        pdf.circle(seal.cx, seal.cy, SEAL_DIAMETER / 2 - SEAL_RING / 2, style="D")
        pdf.polygon(star_points(seal.cx, seal.cy, STAR_DIAMETER / 2), style="F")
        size, positions = seal_text_positions(seal.text, seal.cx, seal.cy)
        pdf.set_font(SERIF_BOLD, size=size / MM_PER_PT)
        for ch, x, y, angle in positions:
            width = advance(SERIF_BOLD, ch) * size
            with pdf.rotation(-angle, x, y):
                pdf.text(x - width / 2, y + (EM_ASCENT - 0.5) * size, ch)
        if seal.code:
            pdf.set_font(SANS, size=SEAL_CODE_SIZE)
            width = sum(advance(SANS, ch) for ch in seal.code) * SEAL_CODE_SIZE * MM_PER_PT
            pdf.text(seal.cx - width / 2, seal.cy + SEAL_CODE_DROP, seal.code)


@cache
def _fpdf_extensions() -> tuple[Callable[[Any], Any], Any]:
    """fpdf2 subclasses (defined on first use, as fpdf2 is imported lazily).

    CidSubsetMap gives every glyph of a CID-keyed CFF font the code equal to its CID, and IdentityOutputProducer
    then declares /Identity-H instead of writing fpdf2's embedded encoding CMap: the same glyphs, but readable by
    text extractors (pypdf reads an embedded encoding CMap as single bytes and garbles codes above 255).
    """
    from fpdf.fonts import SubsetMap
    from fpdf.output import OutputProducer, PDFFont
    from fpdf.syntax import Name

    def cid(glyph: Any) -> int:
        name = str(glyph.glyph_name or "")
        return int(name[3:]) if name.startswith("cid") and name[3:].isdigit() else int(glyph.glyph_id)

    class CidSubsetMap(SubsetMap):
        def __init__(self, font: Any) -> None:
            super().__init__(font)
            self._char_id_per_glyph = {glyph: cid(glyph) for glyph in self._char_id_per_glyph if glyph is not None}

        def pick_glyph(self, glyph: Any) -> int | None:
            if glyph is None:
                return None
            code = self._char_id_per_glyph.get(glyph)
            if code is None:
                code = self._char_id_per_glyph[glyph] = cid(glyph)
            return code

    class IdentityOutputProducer(OutputProducer):
        def _add_pdf_obj(self, pdf_obj: Any, trace_label: str | None = None) -> int:
            if str(getattr(pdf_obj, "type", "")).lstrip("/") == "CMap":
                return 0  # the encoding CMap: replaced by /Identity-H below
            return super()._add_pdf_obj(pdf_obj, trace_label)

        def _add_fonts(self, *args: Any, **kwargs: Any) -> Any:
            fonts = super()._add_fonts(*args, **kwargs)
            for font in fonts.values():
                if isinstance(font, PDFFont) and font.encoding is not None and not isinstance(font.encoding, str):
                    font.encoding = Name("Identity-H")
            return fonts

    return CidSubsetMap, IdentityOutputProducer
