"""摘要: the passage of a hit that holds the query's words, those words in <mark>, all else HTML-escaped."""

from __future__ import annotations

import html
import re
import unicodedata

from oa_core.search import terms

WINDOW = 60
"""Characters of context shown before the first hit (the passage runs to about three times that)."""


def _fold(text: str) -> str:
    """Normalised for matching with the index, character for character (NFKC per character keeps the
    offsets: a character whose NFKC form is longer or shorter is matched as itself)."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char).lower()
        out.append(folded if len(folded) == 1 else char.lower())
    return "".join(out)


def _spans(text: str, words: list[str]) -> list[tuple[int, int]]:
    folded = _fold(text)
    spans = []
    for word in words:
        if word.startswith(terms.WHOLE):
            word = word[len(terms.WHOLE) :]
            candidate = terms.normalise_number(text)
            if candidate == word or _fold(text).strip() == word:
                spans.append((0, len(text)))
            continue
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(word), folded))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def mark(text: str, words: list[str]) -> str:
    """The whole text, escaped, its hits marked."""
    return _render(text, _spans(text, words), 0, len(text))


def passage(text: str, words: list[str], width: int = WINDOW) -> str | None:
    """About 3×width characters around the first hit, escaped and marked; None when nothing matches."""
    spans = _spans(text, words)
    if not spans:
        return None
    first = spans[0][0]
    start = max(0, first - width)
    end = min(len(text), first + 2 * width)
    shown = [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]
    body = _render(text, shown, start, end)
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")


def _render(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, at = [], start
    for s, e in spans:
        out.append(html.escape(text[at:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        at = e
    out.append(html.escape(text[at:end]))
    return "".join(out).replace("\n", " ")
