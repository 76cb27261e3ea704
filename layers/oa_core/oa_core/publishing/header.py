"""版头 of each format (GB/T 9704-2012 §7.2 and §10): the 发文机关标志 and what sits around it on page 1.

Owns, for the four formats (`OfficialDocument.layout_format`):

* 文件格式 (§7.2): 份号 and 紧急程度 top left; the mark (发文机关 + 「文件」) 35 mm below the 版心 top; the
  发文字号 空二行 below it, centred (上行文: left, on the last 签发人 line); the red separator 4 mm below it.
* 信函格式 (§10.1): the mark (the 主办机关 alone, without 「文件」) 30 mm below the page's top edge; red double
  lines 170 mm long, centred on the page, 4 mm below the mark (上粗下细) and 20 mm above the bottom edge (上细下粗);
  份号 and 紧急程度 顶格 on the left, the 发文字号 顶格 on the right of the first of their lines, 空一行 below
  the mark; the 标题 空二行 below the last of them.
* 命令（令）格式 (§10.2): the mark (发文机关全称 + 「令」) 20 mm below the 版心 top; the 令号 空二行 below it,
  centred; the 正文 空二行 below the 令号 (no separator, no 标题 on the page).
* 纪要格式 (§10.3, 「可以根据实际制定」): the mark (the 标题, 「……纪要」) 35 mm below the 版心 top; on the line
  空二行 below it the 发文字号 居左空一字 and the 成文日期 居右空一字 (a 纪要 has no 署名 to date it); the separator.

联合行文 (§7.2.4): the 发文机关 one a line, the 主办机关 first, spread to the same width, with 「文件」 (「令」)
on their right, centred on them vertically. The mark is red 小标宋, at most 1.6 × 2号 (with three names or more,
3.2 × 2号 divided among them, never below 2号), shrunk to fit the 版心.
"""

from __future__ import annotations

import math
import re

from oa_core.publishing.document import OfficialDocument, chinese_date
from oa_core.publishing.fonts import EM_ASCENT, KAI, SANS, SERIF, SERIF_BOLD
from oa_core.publishing.grid import (
    BODY_SIZE,
    BODY_TRACKING,
    CHAR_PITCH,
    LINE_PITCH,
    LINE_WIDTH,
    MM_PER_PT,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXT_LEFT,
    TEXT_TOP,
    TEXT_WIDTH,
    TITLE_SIZE,
    Layout,
    Measure,
    RuleItem,
    TextItem,
    baseline,
)

ISSUER_MARK_OFFSET = 35.0  # §7.2.4, §10.3: below the 版心 top (not 80 mm for 上行文: that was the 1999 rule)
ORDER_MARK_OFFSET = 20.0  # §10.2
LETTER_MARK_TOP = 30.0  # §10.1: below the page's top edge
ISSUER_MARK_MAX_SIZE = TITLE_SIZE * 1.6
JOINT_LEADING = 1.2  # 联合行文: the names' line pitch, in em of the mark
SUFFIX_GAP = 0.3  # between the names and 「文件」, in em
UPWARD_DOC_TYPES = frozenset({"请示", "报告"})
SEPARATOR_GAP = 4.0  # §7.2.6: below the 发文字号
SEPARATOR_THICKNESS = 0.5
# §10.1 信函 double lines: 170 mm, centred; thickness and spacing are not fixed by the standard.
LETTER_LINE_LENGTH = 170.0
LETTER_LINE_GAP = 4.0  # below the mark
LETTER_BOTTOM_LINE = 20.0  # above the page's bottom edge (the lower edge of the double line)
LETTER_THICK = 1.0
LETTER_THIN = 0.35
LETTER_SPACING = 0.8  # between the two lines of a double line
EPS = 1e-9


def is_upward(doc_type: str) -> bool:
    """上行文: 请示 and 报告 carry 签发人 (§7.2.5)."""
    return doc_type in UPWARD_DOC_TYPES


def place_header(doc: OfficialDocument, measure: Measure, result: Layout) -> int:
    """The 版头 on page 1; returns the grid line the flow (标题, or the 正文 of a 命令 or 纪要) starts on."""
    form = doc.layout_format
    if form == "信函":
        return _letter(doc, measure, result)
    _top_left(doc, measure, result, 0)
    if form == "命令":
        bottom = _mark(doc.issuers, "令", TEXT_TOP + ORDER_MARK_OFFSET, measure, result)
        number_top = bottom + 2 * LINE_PITCH
        chars = tuple(measure.chars(doc.number, SERIF))
        x = TEXT_LEFT + (LINE_WIDTH - sum(ch.width for ch in chars)) / 2
        result.texts.append(TextItem(0, x, _line_baseline(number_top), chars, BODY_SIZE, BODY_TRACKING))
        return _row_at(number_top + 3 * LINE_PITCH)
    if form == "纪要":
        mark = doc.title if doc.title.endswith("纪要") else doc.title + "纪要"
        bottom = _mark((mark,), "", TEXT_TOP + ISSUER_MARK_OFFSET, measure, result)
        number_y = _line_baseline(bottom + 2 * LINE_PITCH)
        chars = tuple(measure.chars(doc.number, SERIF))
        result.texts.append(TextItem(0, TEXT_LEFT + CHAR_PITCH, number_y, chars, BODY_SIZE, BODY_TRACKING))
        date = tuple(measure.chars(chinese_date(doc.sign_date), SERIF))
        x = TEXT_LEFT + LINE_WIDTH - CHAR_PITCH - sum(ch.width for ch in date)
        result.texts.append(TextItem(0, x, number_y, date, BODY_SIZE, BODY_TRACKING))
        return _separator(number_y, result)
    bottom = _mark(doc.issuers, "文件", TEXT_TOP + ISSUER_MARK_OFFSET, measure, result)
    # §7.2.5 发文字号: 空二行 below the mark; with 签发人, on the last of their lines.
    number_y = _line_baseline(bottom + 2 * LINE_PITCH)
    number_chars = tuple(measure.chars(doc.number, SERIF))
    if doc.signer_name or is_upward(doc.doc_type):  # 上行文 by 文种 or by the 主送机关's relation (printing)
        number_y = _place_signers(doc.signer_name, number_y, measure, result)
        x = TEXT_LEFT + CHAR_PITCH
    else:
        x = TEXT_LEFT + (LINE_WIDTH - sum(ch.width for ch in number_chars)) / 2
    result.texts.append(TextItem(0, x, number_y, number_chars, BODY_SIZE, BODY_TRACKING))
    return _separator(number_y, result)


def _line_baseline(top: float) -> float:
    """The baseline of 3号 text on a line of the grid's pitch whose top is `top`."""
    em = BODY_SIZE * MM_PER_PT
    return top + (LINE_PITCH - em) / 2 + EM_ASCENT * em


def _row_at(y: float) -> int:
    """The first grid line whose top is at or below `y`."""
    return math.ceil((y - TEXT_TOP) / LINE_PITCH - EPS)


def _separator(number_y: float, result: Layout) -> int:
    """§7.2.6 the red separator 4 mm below the 发文字号; the 标题 空二行 below it (§7.3.1)."""
    separator = number_y + (1 - EM_ASCENT) * BODY_SIZE * MM_PER_PT + SEPARATOR_GAP
    result.rules.append(RuleItem(0, separator, SEPARATOR_THICKNESS, True))
    return _row_at(separator) + 2


def _top_left(doc: OfficialDocument, measure: Measure, result: Layout, row: int) -> int:
    """§7.2.1 份号 (6 digits) and §7.2.3 紧急程度, 顶格 on the left from grid line `row`; the next free line."""
    if doc.copy_no:
        copy_no = doc.copy_no.zfill(6) if doc.copy_no.isdigit() else doc.copy_no
        chars = tuple(measure.chars(copy_no, SERIF))
        result.texts.append(TextItem(0, TEXT_LEFT, baseline(row), chars, BODY_SIZE, BODY_TRACKING))
        row += 1
    if doc.urgency:
        chars = tuple(measure.chars(doc.urgency, SANS))
        result.texts.append(TextItem(0, TEXT_LEFT, baseline(row), chars, BODY_SIZE, BODY_TRACKING))
        row += 1
    return row


def _mark(names: tuple[str, ...], suffix: str, top: float, measure: Measure, result: Layout) -> float:
    """The red mark with its top edge at `top`, centred; returns its bottom edge."""
    widths = [sum(measure.advance(SERIF_BOLD, ch) for ch in name) for name in names]
    suffix_em = sum(measure.advance(SERIF_BOLD, ch) for ch in suffix)
    gap = SUFFIX_GAP if suffix and len(names) > 1 else 0.0
    total = max(widths) + gap + suffix_em
    largest = max(ISSUER_MARK_MAX_SIZE * 2 / len(names), TITLE_SIZE) if len(names) > 2 else ISSUER_MARK_MAX_SIZE
    size = min(largest, TEXT_WIDTH / ((total or 1.0) * MM_PER_PT))
    em = size * MM_PER_PT
    left = TEXT_LEFT + (TEXT_WIDTH - total * em) / 2
    if len(names) == 1:
        chars = tuple(measure.chars(names[0] + suffix, SERIF_BOLD, size, 0))
        result.texts.append(TextItem(0, left, top + EM_ASCENT * em, chars, size, 0, True))
        return top + em
    names_width = max(widths) * em
    for index, name in enumerate(names):
        y = top + index * JOINT_LEADING * em + EM_ASCENT * em
        name_chars = measure.chars(name, SERIF_BOLD, size, 0)
        spare = names_width - sum(ch.width for ch in name_chars)
        step = spare / (len(name_chars) - 1) if len(name_chars) > 1 else 0.0
        x = left + (spare / 2 if len(name_chars) == 1 else 0.0)
        for ch in name_chars:  # spread to the widest name's width: one item a character
            result.texts.append(TextItem(0, x, y, (ch,), size, 0, True))
            x += ch.width + step
    height = ((len(names) - 1) * JOINT_LEADING + 1) * em
    if suffix:
        chars = tuple(measure.chars(suffix, SERIF_BOLD, size, 0))
        y = top + (height - em) / 2 + EM_ASCENT * em
        result.texts.append(TextItem(0, left + names_width + SUFFIX_GAP * em, y, chars, size, 0, True))
    return top + height


def _letter(doc: OfficialDocument, measure: Measure, result: Layout) -> int:
    """§10.1 信函格式's 版头; returns the grid line of the 标题."""
    bottom = _mark((doc.issuer_name,), "", LETTER_MARK_TOP, measure, result)
    x = (PAGE_WIDTH - LETTER_LINE_LENGTH) / 2
    upper = bottom + LETTER_LINE_GAP + LETTER_THICK / 2
    lower = upper + LETTER_THICK / 2 + LETTER_SPACING + LETTER_THIN / 2
    base = PAGE_HEIGHT - LETTER_BOTTOM_LINE - LETTER_THICK / 2
    top_thin = base - LETTER_THICK / 2 - LETTER_SPACING - LETTER_THIN / 2
    for y, thickness in ((upper, LETTER_THICK), (lower, LETTER_THIN), (top_thin, LETTER_THIN), (base, LETTER_THICK)):
        result.rules.append(RuleItem(0, y, thickness, True, x, LETTER_LINE_LENGTH))
    first = _row_at(bottom + LINE_PITCH)
    after = _top_left(doc, measure, result, first)
    if doc.number:
        chars = tuple(measure.chars(doc.number, SERIF))
        number_x = TEXT_LEFT + LINE_WIDTH - sum(ch.width for ch in chars)
        result.texts.append(TextItem(0, number_x, baseline(first), chars, BODY_SIZE, BODY_TRACKING))
    return max(after, first + 1) + 2


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
