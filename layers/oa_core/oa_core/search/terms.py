"""检索词: the terms of a text for the full-text index, and of a query.

Text is segmented by jieba in its search mode (every word, and the dictionary words inside a long
word: 安全检查 gives 安全, 检查 and 安全检查), so a query of one word finds a document where that word is
part of a longer one. A query asks for its finest words only (安全检查 → 安全 AND 检查), which the
search mode of the document always holds whatever its context made of the longer word. 发文字号 and 档号
are normalised (full/half width, the brackets around the year) and kept whole as one term besides.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from functools import cache
from typing import Any

FIELD_WEIGHTS = {
    "title": 5.0,
    "number": 8.0,
    "archive_code": 8.0,
    "received_number": 8.0,
    "recipients": 2.0,
    "sender": 2.0,
    "body": 1.0,
    "attachment": 1.0,
    "handling": 1.0,
}
"""How much a term counts by where it is: a word of the 标题 outweighs one of the 正文. 收文 add 来文单位
(sender), 收文编号 (received_number) and 拟办意见, 批示 and 办理结果 (handling)."""

FIELD_CODES = {
    "title": "t",
    "number": "n",
    "archive_code": "c",
    "received_number": "k",
    "recipients": "r",
    "sender": "s",
    "body": "b",
    "attachment": "a",
    "handling": "h",
}
WHOLE_FIELDS = ("number", "archive_code", "received_number")
"""Fields also kept whole as one normalised term (发文字号 and 来文字号, 档号, 收文编号)."""

MAX_QUERY_TERMS = 8
WHOLE = "#"
"""Prefix of a whole 发文字号 or 档号 as one term (it cannot collide with a word: # is punctuation)."""

STOPWORDS = frozenset(
    "的了和与及或在是等对为将把被之其于以由从向并且也就都而有这那个各中上下号年月日即如请已要可不我你他本"
)
_BRACKETS = str.maketrans({"[": "〔", "]": "〕", "(": "〔", ")": "〕", "【": "〔", "】": "〕", "〖": "〔", "〗": "〕"})
_NUMBER = re.compile(r"(\S*?)\s*〔\s*(\d{4})\s*〕\s*(\d+)\s*号?")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")


def normalise(text: str) -> str:
    """Full-width letters and digits to half width (NFKC: （２０２６） → (2026)), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def normalise_number(number: str) -> str:
    """发文字号 in one spelling: 示例办发[2026]7号, (2026), （２０２６）, 〔2026〕 → 示例办发〔2026〕7号."""
    text = normalise(number).translate(_BRACKETS).replace(" ", "")
    match = _NUMBER.fullmatch(text)
    if not match:
        return text
    issuer, year, seq = match.groups()
    return f"{issuer}〔{year}〕{int(seq)}号"


def whole_term(value: str) -> str:
    return WHOLE + normalise_number(value)


@cache
def _tokenizer() -> Any:
    """jieba's tokenizer, its dictionary loaded on first use (about a second: only a search or an index
    update pays it, never a function that does neither)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _keep(word: str) -> bool:
    if word in STOPWORDS or not _WORD.search(word):
        return False
    # A lone digit or letter is in nearly every document: it would only lengthen posting lists.
    return bool(_CJK.search(word)) or len(word) >= 2


def words(text: str) -> list[str]:
    """The index words of a text (search mode, normalised, stopwords and punctuation left out)."""
    text = normalise(text)
    return [w.strip() for w in _tokenizer().cut_for_search(text) if _keep(w.strip())]


def field_terms(fields: dict[str, str]) -> dict[str, Counter[str]]:
    """Term → frequency, per field; 发文字号 and 档号 are also one whole term each."""
    out: dict[str, Counter[str]] = {}
    for field, text in fields.items():
        if not text:
            continue
        counts = Counter(words(text))
        if field in WHOLE_FIELDS:
            counts[whole_term(text)] += 1
        out[field] = counts
    return out


def _finest(part: str) -> list[str]:
    """The words of one query part that no shorter words of it cover (安全检查 → 安全, 检查)."""
    spans = [(w, s, e) for w, s, e in _tokenizer().tokenize(part, mode="search") if _keep(w.strip())]
    kept = []
    for word, start, end in spans:
        inner = [(s, e) for w, s, e in spans if start <= s and e <= end and (e - s) < (end - start)]
        covered: set[int] = set()
        for s, e in inner:
            covered.update(range(s, e))
        if not covered.issuperset(range(start, end)):
            kept.append(word.strip())
    return kept


def query_terms(query: str) -> list[str]:
    """The terms a document must all hold to match the query (at most MAX_QUERY_TERMS)."""
    text = normalise(query).strip()
    if not text:
        return []
    number = normalise_number(text)
    if _NUMBER.fullmatch(number) or re.fullmatch(r"[0-9a-z]+(?:[-·.][0-9a-z]+){2,}", text):
        return [WHOLE + number]
    terms: list[str] = []
    for part in text.split():
        for word in _finest(part):
            if word not in terms:
                terms.append(word)
    return terms[:MAX_QUERY_TERMS]
