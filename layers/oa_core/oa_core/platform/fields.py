"""What a field at the edge accepts: 单行文本 (one line, no control characters), 多行文本 (line feeds
only), and ISO 8601 times a calendar can hold.

Every text a person types reaches emails (Subject headers), invitations (.ics lines), PDFs and logs. A
carriage return, a line feed, U+2028/U+2029 or any other control or format character (Unicode
categories Cc, Cf, Cs, Zl, Zp: NUL, ESC, zero-width and bidi marks, lone surrogates) in a one-line
field is refused here, at the edge, with a message saying what the field takes, so nothing accepted
can fail later. A multi-line field takes line feeds (CRLF and a lone CR, as browsers send a textarea,
become LF) and refuses the rest. Leading and trailing whitespace of a one-line field is dropped.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Control, format, surrogate, line- and paragraph-separator characters."""

EARLIEST_YEAR, LATEST_YEAR = 1970, 2999
"""The years a time at the edge may name: any real booking or query, far from the calendar's ends."""


def refused_character(text: str, *, allow_newline: bool) -> tuple[int, str] | None:
    """The first character a field may not hold (1-based position, U+XXXX), or None."""
    for position, char in enumerate(text, start=1):
        if allow_newline and char == "\n":
            continue
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return position, f"U+{ord(char):04X}"
    return None


def _one_line(value: str) -> str:
    found = refused_character(value, allow_newline=False)
    if found:
        raise PydanticCustomError(
            "single_line",
            "只能是一行文字，不能包含换行、制表符或其他控制字符（第 {position} 个字符是 {char}）",
            {"position": found[0], "char": found[1]},
        )
    return value


def _lines(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    found = refused_character(value, allow_newline=True)
    if found:
        raise PydanticCustomError(
            "multi_line",
            "可以换行，但不能包含制表符或其他控制字符（第 {position} 个字符是 {char}）",
            {"position": found[0], "char": found[1]},
        )
    return value


SINGLE_LINE = AfterValidator(_one_line)
MULTI_LINE = AfterValidator(_lines)


def single_line(min_length: int, max_length: int, what: str = "") -> Any:
    """The OpenAPI description of a one-line field of ``min_length``–``max_length`` characters."""
    size = f"{min_length}–{max_length}" if min_length else f"最多 {max_length}"
    return Field(
        description=f"{what}单行文本，{size} 个字符，首尾空白去掉；"
        "不能含换行（CR、LF、U+2028/2029）、制表符或其他控制字符。"
        f" One line of {size} characters; no line breaks, tabs or other control/format characters."
    )


def multi_line(min_length: int, max_length: int, what: str = "") -> Any:
    """The OpenAPI description of a multi-line field."""
    size = f"{min_length}–{max_length}" if min_length else f"最多 {max_length}"
    return Field(
        description=f"{what}多行文本，{size} 个字符；可以换行（LF，CRLF 视为 LF），不能含制表符或其他控制字符。"
        f" Text of {size} characters; line feeds allowed, no tabs or other control/format characters."
    )


def time_problem(text: str) -> str | None:
    """Why ``text`` is no ISO 8601 time the system can book or query, or None when it is one."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return f"“{text[:40]}”不是有效时间，请按 2026-12-02 09:00 的格式填写"
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        return f"时间“{text[:40]}”超出可用范围（{EARLIEST_YEAR}–{LATEST_YEAR} 年）"
    try:
        # Every zone the system converts to (UTC, Asia/Shanghai, ±14 h) must hold it.
        (moment.replace(tzinfo=moment.tzinfo or UTC) + timedelta(days=2)).astimezone(UTC)
        (moment.replace(tzinfo=moment.tzinfo or UTC) - timedelta(days=2)).astimezone(UTC)
    except OverflowError:
        return f"时间“{text[:40]}”超出可用范围（{EARLIEST_YEAR}–{LATEST_YEAR} 年）"
    return None


def _iso_time(value: str) -> str:
    problem = time_problem(value)
    if problem:
        raise PydanticCustomError("iso_time", problem)
    return value


ISO_TIME = AfterValidator(_iso_time)

TimeText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=40),
    ISO_TIME,  # says what to type for any text that is no time, short ones included
    Field(
        description="ISO 8601 时间，如 2026-12-03T09:00+08:00（不带时区即 Asia/Shanghai），"
        f"{EARLIEST_YEAR}–{LATEST_YEAR} 年。ISO 8601 time; without an offset it is Asia/Shanghai.",
        json_schema_extra={"format": "date-time"},
    ),
]
