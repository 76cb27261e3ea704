"""Reading the typeset PDFs back with pypdf: text spans with font, size and position in mm from the page's
top-left corner, lines by baseline, colours and resources of a page."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, cast

import pytest
from pypdf import PageObject, PdfReader

from oa_core.publishing.grid import TEXT_TOP
from tests.unit.publishing.samples import MM_PER_PT

A4_HEIGHT_PT = 841.89


@dataclass(frozen=True)
class Span:
    """One text-showing operation: its text, start, baseline, size, font and (tracking included) right end."""

    text: str
    x: float
    y: float
    size: float
    font: str
    right: float
    rotated: bool


def _font_widths(font: Any) -> dict[str, float]:
    """Unicode character -> advance in em, from the CID font's /W and the ToUnicode CMap (codes are CIDs)."""
    descendant = font["/DescendantFonts"][0].get_object()
    widths: dict[int, float] = {}
    array = list(descendant.get("/W", []))
    index = 0
    while index < len(array):
        first, following = int(array[index]), array[index + 1]
        if isinstance(following, list):
            widths.update({first + k: float(w) for k, w in enumerate(following)})
            index += 2
        else:
            widths.update(dict.fromkeys(range(first, int(following) + 1), float(array[index + 2])))
            index += 3
    cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    result = {}
    for code, text in re.findall(r"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", cmap):
        result[bytes.fromhex(text).decode("utf-16-be")] = widths.get(int(code, 16), 1000.0) / 1000
    return result


def spans(page: PageObject) -> list[Span]:
    found: list[Span] = []
    tracking = [0.0]
    widths: dict[str, dict[str, float]] = {}

    def operand(operator: bytes, args: list[Any], cm: list[float], tm: list[float]) -> None:
        if operator == b"Tc":
            tracking[0] = float(args[0])

    def text(value: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        value = value.strip()
        if not value or font is None:
            return
        a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str(font["/BaseFont"])
        if name not in widths:
            widths[name] = _font_widths(font)
        scale = (a * a + b * b) ** 0.5
        advance = sum(widths[name].get(ch, 1.0) * size + tracking[0] for ch in value) * scale
        found.append(
            Span(
                value,
                x * MM_PER_PT,
                (A4_HEIGHT_PT - y) * MM_PER_PT,
                size * scale,
                name.split("+")[-1],
                (x + advance) * MM_PER_PT,
                abs(b) > 1e-6,
            )
        )

    page.extract_text(visitor_text=text, visitor_operand_before=operand)
    return found


def lines(page: PageObject) -> list[tuple[float, str]]:
    """Upright text grouped by baseline, left to right: (baseline, text)."""
    rows: dict[float, list[Span]] = {}
    for span in spans(page):
        if not span.rotated:
            rows.setdefault(round(span.y, 1), []).append(span)
    return [(y, "".join(s.text for s in sorted(rows[y], key=lambda s: s.x))) for y in sorted(rows)]


def body_spans(page: PageObject) -> list[Span]:
    """3号 text on the grid: below the title on page 1 (no header, title, 版记 or page number)."""
    found = spans(page)
    title = [s.y for s in found if s.size == pytest.approx(22)]
    below = min(title) if title else TEXT_TOP
    return [s for s in found if s.size == pytest.approx(16) and not s.rotated and s.y > below]


def full_width(text: str) -> int:
    return sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")


RED = (230, 0, 18)


def colours(content: str) -> set[tuple[str, tuple[int, int, int]]]:
    """The RGB fill (rg) and stroke (RG) colours a content stream sets, in 0-255."""
    found = re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (rg|RG)\b", content)
    return {(op, (round(float(r) * 255), round(float(g) * 255), round(float(b) * 255))) for r, g, b, op in found}


def content(page: PageObject) -> str:
    stream = page.get_contents()
    assert stream is not None
    return stream.get_data().decode("latin-1")


def resources(page: PageObject, kind: str) -> list[Any]:
    return [value.get_object() for value in cast(Any, page["/Resources"])[kind].values()]


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))
