"""Line breaking on measured characters: 避头尾, unsplittable runs and balanced 标题 lines.

Owns where a line may break: a line never starts with closing punctuation (，。、；：？！）》” …) nor ends with
opening punctuation (（《“ …); the characters are carried over to the next line (推出), so such a line is one or
two cells short. Runs of half-width characters (numbers, Latin words) and the two halves of —— and …… stay
together. 标题 lines (§7.3.1) are balanced in length, preferring breaks before 关于 and 《 and after ，、.
Knows widths only (`Char`), not the page.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from oa_core.publishing.grid import Char

# 避头尾: characters that must not start a line, and characters that must not end one.
NO_LINE_START = frozenset("，。、；：？！）］｝》〉」』】〕〗〙”’％‰・·,.;:?!)]}%")
NO_LINE_END = frozenset("（［｛《〈「『【〔〖〘“‘([{")
PAIRED = frozenset("—…―⸺")  # —— and …… are never split
# §7.3.1 标题 lines: a break elsewhere than before 关于 or 《 or after ，、 costs as much as lines differing by
# about four characters (the cost of a line is its squared distance, in characters, from the mean length).
TITLE_PLAIN_BREAK_COST = 9.0


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
