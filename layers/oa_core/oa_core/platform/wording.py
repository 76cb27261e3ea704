"""What people read: Chinese only. Messages are written 「中文 (english hint)」 so a log or a developer
still sees the hint; ``for_people`` is the central rule that leaves only the Chinese for the reader."""

from __future__ import annotations

import re

HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_ASIDE = re.compile(r"\s*[(（]([^()（）]*)[)）]")
"""A bracketed aside; it is an English hint when it holds no Chinese and a lower-case word (so the
acronyms people know, ``(PDF)``, ``(SM2)``, ``(GB/T 9704)``, stay)."""
ENGLISH_WORD = re.compile(r"[a-z]{2,}")


def _drop_hint(match: re.Match[str]) -> str:
    inside = match.group(1)
    return "" if not HAN.search(inside) and ENGLISH_WORD.search(inside) else match.group(0)


def for_people(message: str) -> str:
    """``message`` without its English hints; a message with no Chinese at all is kept whole (better an
    English message than none)."""
    shown = LATIN_ASIDE.sub(_drop_hint, message).strip()
    return shown if HAN.search(shown) else message
