"""Line breaking on measured characters: 避头尾, unsplittable runs and balanced 标题 lines.

Owns where a line may break: a line never starts with closing punctuation (，。、；：？！）》” …) nor ends with
opening punctuation (（《“ …); the characters are carried over to the next line (推出), so such a line is one or
two cells short. Runs of half-width characters (numbers, Latin words) and the two halves of —— and …… stay
together. 标题 lines (§7.3.1: 词意完整, 排列对称, 长短适宜, 梯形或菱形) break only between words, as jieba
segments the title (MIT, the segmenter the full-text index uses; its dictionary read a word at a time from the fonts
layer, `words`), never inside a 年份 (2026年), and inside a 书名号 《…》 only when the title would
otherwise need one more line; among those
breaks the lines are balanced, preferring breaks before 关于 and 《 and after ，、, in a 梯形 (upper lines not
longer than lower ones) or a 菱形 (the longest line inside), never an inverted trapezoid or an hourglass.
Knows widths only (`Char`), not the page.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

from oa_core.publishing import words
from oa_core.publishing.grid import Char

# 避头尾: characters that must not start a line, and characters that must not end one.
NO_LINE_START = frozenset("，。、；：？！）］｝》〉」』】〕〗〙”’％‰・·,.;:?!)]}%")
NO_LINE_END = frozenset("（［｛《〈「『【〔〖〘“‘([{")
PAIRED = frozenset("—…―⸺")  # —— and …… are never split
# §7.3.1 标题 lines: a break elsewhere than before 关于 or 《 or after ，、 costs as much as lines differing by
# about four characters (the cost of a line is its squared distance, in characters, from the mean length).
TITLE_PLAIN_BREAK_COST = 9.0
# A 标题 whose lines are not a 梯形 or 菱形 costs as much as lines differing by about five characters.
TITLE_SHAPE_COST = 25.0
TITLE_MAX_LINES = 5
# A break inside 《…》: only where keeping it whole would cost a line (its cost outweighs any balance).
TITLE_BOOK_BREAK_COST = 400.0
_YEAR = re.compile(r"\d{4}年")
_BOOK_TITLE = re.compile(r"《[^《》]*》")


def can_break(before: str, after: str) -> bool:
    """Whether a line may end with `before` and the next one start with `after` (避头尾, unsplittable runs)."""
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    if before == after and before in PAIRED:
        return False
    return not (_half_width_word(before) and _half_width_word(after))


def _half_width_word(ch: str) -> bool:
    return ch.isascii() and not ch.isspace()


def wrap(
    chars: Sequence[Char], first_width: float, rest_width: float, keep: frozenset[int] = frozenset()
) -> list[list[Char]]:
    """Greedy line breaking on measured characters, then moved back until `can_break` allows the break; `keep`:
    positions (the index a new line would start with) avoided as long as the line keeps half its characters."""
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
            end = _kept_break(chars, start, end, keep) or _allowed_break(chars, start, end)
        lines.append(list(chars[start:end]))
        start = end
        available = rest_width
    return lines


def _kept_break(chars: Sequence[Char], start: int, end: int, keep: frozenset[int]) -> int:
    """The last allowed break outside `keep` in the line's second half, 0 when there is none."""
    if not keep:
        return 0
    for position in range(end, start + max((end - start + 1) // 2, 1) - 1, -1):
        if position not in keep and can_break(chars[position - 1].text, chars[position].text):
            return position
    return 0


def _allowed_break(chars: Sequence[Char], start: int, end: int) -> int:
    position = end
    while position > start + 1 and not can_break(chars[position - 1].text, chars[position].text):
        position -= 1
    if can_break(chars[position - 1].text, chars[position].text):
        return position
    return end  # no allowed break on this line: break where it is full


def balance_title(chars: Sequence[Char], max_width: float) -> list[list[Char]]:
    """标题 lines (§7.3.1): as few as fit, between words, balanced and shaped as a 梯形 or 菱形; by characters
    only when a single word is wider than a line."""
    total = sum(ch.width for ch in chars)
    if total <= max_width + 1e-6 or len(chars) < 2:
        return [list(chars)]
    text = "".join(ch.text for ch in chars)
    inside_book = {i for m in _BOOK_TITLE.finditer(text) for i in range(m.start() + 1, m.end())}
    candidates = [b for b in title_breaks(text) if can_break(chars[b - 1].text, chars[b].text)]
    prefix = [0.0]
    for ch in chars:
        prefix.append(prefix[-1] + ch.width)
    unit = chars[0].width or 1.0
    for lines in range(math.ceil(total / max_width - 1e-9), TITLE_MAX_LINES + 1):
        target = total / lines
        best: tuple[float, tuple[int, ...]] | None = None
        for inner in itertools.combinations(candidates, lines - 1):
            cuts = (0, *inner, len(chars))
            widths = [prefix[b] - prefix[a] for a, b in itertools.pairwise(cuts)]
            if max(widths) > max_width + 1e-6:
                continue
            cost = sum(((w - target) / unit) ** 2 for w in widths) + _shape_cost(widths, unit)
            cost += sum(_title_break_cost(chars, b) + TITLE_BOOK_BREAK_COST * (b in inside_book) for b in inner)
            if best is None or cost < best[0]:
                best = (cost, cuts)
        if best is not None:
            return [list(chars[a:b]) for a, b in itertools.pairwise(best[1])]
    return _balance_by_characters(chars, max_width)


def title_breaks(text: str) -> list[int]:
    """Where a 标题 may break: between jieba's words, never inside a 年份 (positions, each the index of the
    character a new line would start with)."""
    positions: set[int] = set()
    position = 0
    for word in words.segment(text):
        position += len(word)
        positions.add(position)
    positions.discard(len(text))
    for match in _YEAR.finditer(text):
        positions -= set(range(match.start() + 1, match.end()))
    return sorted(positions)


def _shape_cost(widths: Sequence[float], unit: float) -> float:
    """梯形 (each line at least as long as the one above) or 菱形 (growing to the longest line, then shrinking,
    the first line not the longest): 0; an inverted trapezoid or an hourglass costs TITLE_SHAPE_COST."""
    tolerance = unit / 2
    peak = max(range(len(widths)), key=lambda index: (widths[index], index))
    rising = all(b >= a - tolerance for a, b in itertools.pairwise(widths[: peak + 1]))
    falling = all(b <= a + tolerance for a, b in itertools.pairwise(widths[peak:]))
    inverted = peak == 0 and widths[0] > widths[-1] + tolerance
    return 0.0 if rising and falling and not inverted else TITLE_SHAPE_COST


def _balance_by_characters(chars: Sequence[Char], max_width: float) -> list[list[Char]]:
    """标题 lines by characters (a word wider than the line): as few as fit, balanced, at natural breaks."""
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
