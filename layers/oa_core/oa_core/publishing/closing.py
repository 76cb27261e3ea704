"""The closing block after the text: 发文机关署名, 成文日期, 印章 or 签名章, and 附注 (GB/T 9704-2012 §7.3.5, §7.3.6).

Owns where these go relative to the block's first grid line (the first line after the 正文 or 附件说明), for each
way a document is closed; `pagination` decides on which page and grid line the block starts, and places it:

* 加盖印章 (§7.3.5.1), one 发文机关: two empty lines, 署名 and 成文日期 on consecutive lines, the date 右空四字,
  the 署名 centred on it; the seal's centre 4 mm above the boundary between the two lines. A tightened variant
  (one empty line, the seal 1.5 mm above the boundary) lets the block stay on the page of the last text line.
* 联合行文 with seals (§7.3.5.1): the 署名 in order, two a line (the 主办机关 first), each seal centred on its
  署名 and 2 mm from its neighbour (不相交, 相距不超过 3 mm); the last seal presses the last 署名 and the 成文日期
  (with an odd count the last 署名 stands alone, in the right column, over the date). When two 署名 do not fit
  side by side under seals 2 mm apart (a name wider than about seven characters), one a line, all centred on the
  date; the lines are four grid lines apart before the last and five between others, so no two seals meet.
* 不加盖印章 (§7.3.5.2): one empty line, each 署名 on its own line 右空二字 (the longest; the others start where it
  starts), the date on the next line, its first character two characters right of the 署名's first character
  (or, when it is longer, 右空二字 with the 署名 moved left to keep the two characters).
* 签名章 (§7.3.5.3, the 命令 format): two empty lines, the 签名章 右空四字 with the 签发人职务 左空二字 before it
  on the same line, one empty line, the date 右空四字. There is no image of a signature in the system, so the
  签名章 is the signer's name in 楷体, red, in a red frame (`Block.frames`).
* 纪要 (§10.3) carry no 署名, seal or date here (the date is in the 版头): an empty block.

附注 (§7.3.6 「居左空二字加圆括号编排在成文日期下一行」; the standard says nothing of its turn lines, so they are
顶格 as the 正文's, §7.3.3). The seal presses the 成文日期 (§7.3.5.1) and reaches down into that line, so the
附注 stays there only when it fits left of the seal (1 mm from its edge) whole, or when that room holds at least
20 characters; otherwise it starts on the first line below the seal, 居左空二字. Its lines break outside a phone
number and outside a bracketed run inside it, when the line keeps half its characters.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from oa_core.publishing.document import OfficialDocument, chinese_date
from oa_core.publishing.fonts import KAI, SERIF
from oa_core.publishing.grid import (
    CHAR_PITCH,
    LINE_PITCH,
    LINE_WIDTH,
    MM_PER_PT,
    SEAL_DIAMETER,
    TITLE_SIZE,
    Measure,
    Row,
)
from oa_core.publishing.linebreaking import wrap

SEAL_LIFT = 4.0  # the seal's centre above the 署名/成文日期 boundary (its geometry is not fixed by the standard)
TIGHT_SEAL_LIFT = 1.5  # the same in the tightened block (§7.3.5.4 调整行距)
SEAL_SPACING = 2.0  # mm between two seals side by side in 联合行文 (不相交, 相距不超过 3 mm)
DATE_RIGHT_BLANK = 4  # §7.3.5.1 成文日期右空四字
UNSEALED_RIGHT_BLANK = 2  # §7.3.5.2 署名右空二字
REMARKS_SEAL_GAP = 1.0  # mm between the 附注's first line and the seal's left edge
REMARKS_WRAP_ROOM = 20  # characters left of the seal a 附注 may wrap in; with less it goes below the seal whole
_KEPT_RUNS = re.compile(r"[（(][^（）()]*[）)]|[0-9０-９][0-9０-９\-－ ]*[0-9０-９]")
"""What a 附注's line avoids breaking inside: a bracketed run, a phone number."""
STAMP_SIZE = TITLE_SIZE  # the 签名章's name, 2号 楷体
STAMP_PAD = 1.5  # mm between the name and its frame, left and right
STAMP_PAD_V = 0.9  # the same above and below (the frame stays inside its grid line)


@dataclass(frozen=True)
class SealPlace:
    """A seal in a block: its centre, x from the 版心 left, y below the top of the block's first line."""

    cx: float
    dy: float
    text: str


@dataclass(frozen=True)
class Block:
    """The closing block: text by the offset of its grid line from the block's first line (a line may hold
    two), how many lines it takes (the seals' lower part included), its seals and its 签名章 frames ((offset of
    the line, x, width), red); `splits` are the ways it may end one page and go on at the top of the next
    (upper part, lower part), the first the most the upper part keeps (联合行文 with several 署名 lines only)."""

    rows: tuple[tuple[int, Row], ...] = ()
    height: int = 0
    seals: tuple[SealPlace, ...] = ()
    frames: tuple[tuple[int, float, float], ...] = ()
    splits: tuple[tuple[Block, Block], ...] = ()


def closing_block(doc: OfficialDocument, measure: Measure) -> Block:
    """The document's closing block."""
    form = doc.layout_format
    if form == "纪要":
        block = Block()
    elif form == "命令":
        block = _stamp_block(doc, measure)
    elif not doc.sealed:
        block = _unsealed_block(doc, measure)
    elif doc.co_issuers:
        block = _joint_block(doc, measure)
    else:
        block = _sealed_block(doc, measure, tight=False)
    return _with_remarks(doc, measure, block)


def tight_block(doc: OfficialDocument, measure: Measure) -> Block | None:
    """The tightened variant of the closing block (one 发文机关 with its seal only), None for the others."""
    if doc.layout_format in ("纪要", "命令") or not doc.sealed or doc.co_issuers:
        return None
    return _with_remarks(doc, measure, _sealed_block(doc, measure, tight=True))


def signatures(doc: OfficialDocument) -> tuple[str, ...]:
    """发文机关署名 in order, the 主办机关 first."""
    return (doc.signature, *doc.co_issuers)


def _date(doc: OfficialDocument, measure: Measure) -> tuple[tuple[Row, ...], float]:
    chars = tuple(measure.chars(chinese_date(doc.sign_date), SERIF))
    return (Row(chars),), sum(ch.width for ch in chars)


def _sealed_block(doc: OfficialDocument, measure: Measure, tight: bool) -> Block:
    gap = 1 if tight else 2
    (date,), date_width = _date(doc, measure)
    date_x = LINE_WIDTH - DATE_RIGHT_BLANK * CHAR_PITCH - date_width
    centre = date_x + date_width / 2
    signature = tuple(measure.chars(doc.signature, SERIF))
    width = sum(ch.width for ch in signature)
    x = min(max(centre - width / 2, 0.0), LINE_WIDTH - width)
    rows = ((gap, Row(signature, x)), (gap + 1, Row(date.chars, date_x)))
    seal = SealPlace(
        centre, (gap + 1) * LINE_PITCH - (TIGHT_SEAL_LIFT if tight else SEAL_LIFT), doc.seal_text or doc.signature
    )
    return Block(rows, gap + 3, (seal,))


def _joint_block(doc: OfficialDocument, measure: Measure) -> Block:
    (date,), date_width = _date(doc, measure)
    date_x = LINE_WIDTH - DATE_RIGHT_BLANK * CHAR_PITCH - date_width
    right = date_x + date_width / 2
    left = right - SEAL_DIAMETER - SEAL_SPACING
    names = signatures(doc)
    widest = max(measure.width(name, SERIF) for name in names)
    per_line = 2 if widest <= SEAL_DIAMETER + SEAL_SPACING - CHAR_PITCH else 1
    pairs = [names[i : i + per_line] for i in range(0, len(names), per_line)]
    rows: list[tuple[int, Row]] = []
    seals: list[SealPlace] = []
    lines: list[int] = []
    line = 2
    for index, pair in enumerate(pairs):
        last = index == len(pairs) - 1
        lines.append(line)
        columns = (left, right) if len(pair) == 2 else (right,)
        for name, centre in zip(pair, columns, strict=True):
            chars = tuple(measure.chars(name, SERIF))
            width = sum(ch.width for ch in chars)
            rows.append((line, Row(chars, min(max(centre - width / 2, 0.0), LINE_WIDTH - width))))
            cy = (line + 1) * LINE_PITCH - SEAL_LIFT if last else (line + 0.5) * LINE_PITCH
            seals.append(SealPlace(centre, cy, doc.seal_text or name if name == doc.signature else name))
        if last:
            rows.append((line + 1, Row(date.chars, date_x)))
        else:
            line += 4 if index + 1 == len(pairs) - 1 else 5
    block = Block(tuple(rows), line + 3, tuple(seals))
    return replace(block, splits=tuple(_joint_splits(block, lines)))


def _joint_splits(block: Block, lines: list[int]) -> list[tuple[Block, Block]]:
    """The joint block broken before each 署名 line but the first: the lines above it end the page (the upper
    seals' lower halves included), the rest starts the next page as the block starts (两行 above its first line).
    Breaking before the second line also has a tightened upper part (one empty line, the seal lifted as in the
    tightened single block), so a page with four free lines still keeps the first 署名 under its 正文."""
    splits: list[tuple[Block, Block]] = []
    for index in range(len(lines) - 1, 0, -1):
        at = lines[index]
        shift = lines[0] - at
        lower = Block(
            tuple((offset + shift, row) for offset, row in block.rows if offset >= at),
            block.height + shift,
            tuple(replace(seal, dy=seal.dy + shift * LINE_PITCH) for seal in block.seals if seal.dy >= at * LINE_PITCH),
        )
        upper_rows = tuple((offset, row) for offset, row in block.rows if offset < at)
        upper_seals = tuple(seal for seal in block.seals if seal.dy < at * LINE_PITCH)
        upper = Block(upper_rows, _seal_bottom_line(upper_seals), upper_seals)
        splits.append((upper, lower))
        if index == 1:
            up = -1
            tight_rows = tuple((offset + up, row) for offset, row in upper_rows)
            tight_seals = tuple(
                replace(seal, dy=(lines[0] + up + 1) * LINE_PITCH - TIGHT_SEAL_LIFT) for seal in upper_seals
            )
            splits.append((Block(tight_rows, _seal_bottom_line(tight_seals), tight_seals), lower))
    return splits


def _seal_bottom_line(seals: tuple[SealPlace, ...]) -> int:
    """How many grid lines from the block's top the seals reach down into."""
    return math.ceil(max(seal.dy for seal in seals) / LINE_PITCH + SEAL_DIAMETER / 2 / LINE_PITCH - 1e-6)


def _unsealed_block(doc: OfficialDocument, measure: Measure) -> Block:
    (date,), date_width = _date(doc, measure)
    names = [tuple(measure.chars(name, SERIF)) for name in signatures(doc)]
    longest = max(sum(ch.width for ch in name) for name in names)
    right = LINE_WIDTH - UNSEALED_RIGHT_BLANK * CHAR_PITCH
    x = right - longest
    if x + 2 * CHAR_PITCH + date_width > right:
        x = right - date_width - 2 * CHAR_PITCH
    rows = [(1 + index, Row(name, x)) for index, name in enumerate(names)]
    rows.append((1 + len(names), Row(date.chars, x + 2 * CHAR_PITCH)))
    return Block(tuple(rows), 2 + len(names))


def _stamp_block(doc: OfficialDocument, measure: Measure) -> Block:
    """§7.3.5.3: 签发人职务 and 签名章 on the third line, the date two lines below."""
    (date,), date_width = _date(doc, measure)
    right = LINE_WIDTH - DATE_RIGHT_BLANK * CHAR_PITCH
    name = tuple(measure.chars(doc.signer_name or doc.signature, KAI, STAMP_SIZE, 0))
    name_width = sum(ch.width for ch in name)
    frame_x = right - name_width - 2 * STAMP_PAD
    rows = [(2, Row(name, frame_x + STAMP_PAD, STAMP_SIZE, 0, red=True)), (4, Row(date.chars, right - date_width))]
    if doc.signer_title:
        title = tuple(measure.chars(doc.signer_title, SERIF))
        rows.append((2, Row(title, frame_x - 2 * CHAR_PITCH - sum(ch.width for ch in title))))
    return Block(tuple(rows), 5, frames=((2, frame_x, name_width + 2 * STAMP_PAD),))


def _with_remarks(doc: OfficialDocument, measure: Measure, block: Block) -> Block:
    """附注 on the line after the 成文日期 (in a split block, in its lower part)."""
    if not doc.remarks.strip():
        return block
    splits = tuple((upper, _with_remarks(doc, measure, lower)) for upper, lower in block.splits)
    after = max(offset for offset, _row in block.rows) + 1
    inner = doc.remarks.strip().strip("（）()")
    chars = measure.chars("（" + inner + "）", SERIF)
    first = _remarks_room(block, after)
    whole = sum(ch.width for ch in chars)
    if whole > first + 1e-6 and first < REMARKS_WRAP_ROOM * CHAR_PITCH:  # cramped beside the seal: below it
        after = _seal_bottom_line(block.seals)
        first = LINE_WIDTH - 2 * CHAR_PITCH
    keep = frozenset(i + 1 for m in _KEPT_RUNS.finditer(inner) for i in range(m.start() + 1, m.end()))
    lines = wrap(chars, first, LINE_WIDTH, keep)
    rows = block.rows + tuple(
        (after + index, Row(tuple(line), 2 * CHAR_PITCH if index == 0 else 0.0)) for index, line in enumerate(lines)
    )
    return Block(rows, max(block.height, after + len(lines)), block.seals, block.frames, splits)


def _remarks_room(block: Block, line: int) -> float:
    """How wide the 附注's first line (居左空二字, on grid line `line` of the block) may be: up to a seal that
    reaches down into that line, less REMARKS_SEAL_GAP, so the seal presses the 成文日期 but covers no 附注."""
    room = LINE_WIDTH - 2 * CHAR_PITCH
    for seal in block.seals:
        if seal.dy + SEAL_DIAMETER / 2 > line * LINE_PITCH:
            room = min(room, seal.cx - SEAL_DIAMETER / 2 - REMARKS_SEAL_GAP - 2 * CHAR_PITCH)
    return room


def stamp_frame_box(row_top: float, x: float, width: float) -> tuple[float, float, float, float]:
    """The 签名章's frame on a grid line whose top is `row_top`: (left, top, width, height), mm."""
    em = STAMP_SIZE * MM_PER_PT
    top = row_top + (LINE_PITCH - em) / 2 - STAMP_PAD_V
    return x, top, width, em + 2 * STAMP_PAD_V
