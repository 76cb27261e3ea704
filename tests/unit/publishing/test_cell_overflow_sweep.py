"""No glyph crosses a rule: the 收文处理笺's cells and the 公文's 版心, for many random texts of CJK, ASCII and
punctuation and for the phrases the system itself writes (已延期，原 …：, 退回（不属于本单位职责）：, file names).

Two ways: the layout's own geometry over the real faces' advances (hundreds of sheets, fast), and rendered PDFs
read back by PyMuPDF (a reader we did not write), each glyph's box against the vertical rules drawn at its height.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pymupdf
import pytest

from oa_core.publishing import drawing
from oa_core.publishing.fonts import Advance, font_paths
from oa_core.publishing.grid import TEXT_LEFT, TEXT_RIGHT, Layout, RuleItem, TextItem
from oa_core.publishing.handling_sheet import LEFT, PAD_X, WIDTH, Entry, HandlingSheet, layout_sheet, render_sheet
from oa_core.publishing.layout import layout
from oa_core.publishing.linebreaking import NO_LINE_END, NO_LINE_START
from tests.unit.publishing.samples import NOTICE, needs_fonts

pytestmark = needs_fonts

EPSILON = 1e-6
MM_PER_PT = 25.4 / 72
CJK = "".join(chr(0x4E00 + 211 * i % 0x51A6) for i in range(600)) + "（已延期，原）退回不属于本单位职责"
"""600 characters spread over the CJK Unified Ideographs block, and the phrases' own."""
ASCII = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@#%&+=<>*$"
PUNCTUATION = "".join(sorted(NO_LINE_START | NO_LINE_END)) + "—…〔〕·"
PHRASES = (
    "主办　综合科（徐慧）　办理时限 2026-12-31（已延期，原 2026-12-20）：主办已办完，报告附后　附件：办理情况报告.pdf",
    "协办　财务科（陈静）：退回（不属于本单位职责）：不属于本科职责",
    "协办　政策法规科（刘洋）　办理时限 2027-01-15（已延期，原 2026-12-31）：已按要求报送统计数据。",
    "附件：2026年度教育统计数据汇总表-最终版_v3.xlsx　示例市教育局关于报送统计数据的函.docx",
    "赵磊　已阅 2026-12-02 22:30　阅示：已阅。<b>注意</b> &amp; **加粗**",
    "退回（不属于本单位职责）：" * 4,
    "https://oa.example.gov.cn/attachments/2026/12/02/very-long-file-name-without-any-break-point.pdf",
)


def random_text(rng: random.Random, length: int) -> str:
    """CJK, ASCII runs, spaces and 避头尾 punctuation, mixed the way typed opinions and file names mix them."""
    out: list[str] = []
    while len(out) < length:
        pick = rng.random()
        if pick < 0.55:
            out.append(rng.choice(CJK))
        elif pick < 0.75:
            out.extend(rng.choice(ASCII) for _ in range(rng.randint(1, 14)))
        elif pick < 0.93:
            out.extend(rng.choice(PUNCTUATION) for _ in range(rng.randint(1, 3)))
        else:
            out.append(rng.choice(" 　"))
    return "".join(out)


def random_sheet(rng: random.Random) -> HandlingSheet:
    def short() -> str:
        return rng.choice((random_text(rng, rng.randint(1, 40)), rng.choice(PHRASES)))

    def entries() -> tuple[Entry, ...]:
        return tuple(
            Entry(rng.choice((random_text(rng, rng.randint(1, 120)), rng.choice(PHRASES))), random_text(rng, 30))
            for _ in range(rng.randint(0, 3))
        )

    return HandlingSheet(
        org_name=random_text(rng, rng.randint(2, 30)),
        sender=short(),
        sender_number=short(),
        number=short(),
        received_on=short(),
        urgency=short(),
        copies=short(),
        deadline=short(),
        title=random_text(rng, rng.randint(1, 90)),
        proposals=entries(),
        instructions=entries(),
        handling=entries(),
        readings=entries(),
        conclusion=entries(),
        remarks=random_text(rng, rng.randint(0, 60)),
        made_on=datetime.date(2026, 12, 2),
    )


PHRASE_SHEET = HandlingSheet(
    org_name="示例市教育局",
    sender="示例市人民政府办公室（退回（不属于本单位职责）：）",
    sender_number="示政办〔2026〕12号（已延期，原 2026-12-20）：",
    number="收〔2026〕3号",
    received_on="2026-12-01",
    urgency="加急",
    copies="2",
    deadline="2026-12-31（已延期，原 2026-12-20）",
    title="关于报送2026年度教育统计数据的通知",
    handling=tuple(Entry(p, "2026-12-02 22:30") for p in PHRASES),
    instructions=tuple(Entry(p[:n], "张建国　2026-12-02 09:00") for p in PHRASES for n in range(38, 48, 3)),
    made_on=datetime.date(2026, 12, 2),
)


@pytest.fixture(scope="module")
def advance(font_dir: Path) -> Advance:
    return drawing.font_advance(drawing.new_pdf(font_paths(font_dir)))


def _cell(rules: list[RuleItem], page: int, y: float, x: float) -> tuple[float, float]:
    """The two vertical rules around x at height y on the page."""
    at = [r.x for r in rules if r.page == page and r.vertical and r.y <= y <= r.y + r.length]
    left = [each for each in at if each <= x + EPSILON]
    right = [each for each in at if each > x + EPSILON]
    assert left and right, f"text at ({x:.2f}, {y:.2f}) on page {page + 1} is outside the form"
    return max(left), min(right)


def _sheet_overflows(placed: Layout) -> list[str]:
    found = []
    for item in placed.texts:
        left, right = _cell(placed.rules, item.page, item.y, item.x)
        end = item.x + sum(ch.width for ch in item.chars)
        if item.x < left + PAD_X - EPSILON or end > right - PAD_X + EPSILON:
            text = "".join(ch.text for ch in item.chars)
            found.append(f"{text!r}: {item.x:.2f}–{end:.2f} mm in the cell {left:.2f}–{right:.2f} mm")
    return found


def test_every_line_of_the_phrases_the_system_writes_stays_inside_its_cell(advance: Advance) -> None:
    assert _sheet_overflows(layout_sheet(PHRASE_SHEET, advance)) == []


def test_every_line_of_random_cjk_ascii_and_punctuation_stays_inside_its_cell_at_every_width(
    advance: Advance,
) -> None:
    rng = random.Random(20261202)  # noqa: S311 (a seeded sweep, not a secret)
    for number in range(300):
        sheet = random_sheet(rng)
        overflows = _sheet_overflows(layout_sheet(sheet, advance))
        assert overflows == [], f"sheet {number}: {overflows[:3]}"


def test_wrapping_keeps_every_character_but_the_spaces_a_break_falls_on(advance: Advance) -> None:
    rng = random.Random(7)  # noqa: S311 (a seeded sweep, not a secret)
    for _ in range(100):
        text = random_text(rng, rng.randint(1, 200)).replace(" ", "").replace("　", "")
        placed = layout_sheet(replace(PHRASE_SHEET, instructions=(), handling=(), remarks=text), advance)
        drawn = "".join("".join(ch.text for ch in item.chars) for item in placed.texts)
        assert text in drawn.replace("（续）", "")


def _glyphs(page: Any) -> list[tuple[str, tuple[float, float, float, float]]]:
    raw = page.get_text("rawdict")
    return [
        (char["c"], tuple(v * MM_PER_PT for v in char["bbox"]))
        for block in raw["blocks"]
        for line in block.get("lines", [])
        for span in line["spans"]
        for char in span["chars"]
        if char["c"].strip()
    ]


def _vertical_rules(page: Any) -> list[tuple[float, float, float]]:
    """(x, top, bottom) of every vertical line drawn on the page, in mm."""
    return [
        (item[1].x * MM_PER_PT, min(item[1].y, item[2].y) * MM_PER_PT, max(item[1].y, item[2].y) * MM_PER_PT)
        for drawn in page.get_drawings()
        for item in drawn["items"]
        if item[0] == "l" and abs(item[1].x - item[2].x) < 0.01
    ]


def _crossings(pdf: bytes, left: float, right: float) -> list[str]:
    """Glyph boxes (PyMuPDF's) that a vertical rule runs through, or that reach past left/right."""
    found = []
    for number, page in enumerate(pymupdf.open(stream=pdf, filetype="pdf"), start=1):
        rules = _vertical_rules(page)
        for ch, (x0, y0, x1, y1) in _glyphs(page):
            middle = (y0 + y1) / 2
            crossed = [x for x, top, bottom in rules if top < middle < bottom and x0 + 0.01 < x < x1 - 0.01]
            if crossed or x0 < left - 0.01 or x1 > right + 0.01:
                found.append(f"page {number}: {ch!r} at {x0:.2f}–{x1:.2f} mm, rules {crossed}")
    return found


def test_in_the_rendered_sheet_no_rule_runs_through_a_glyph(font_dir: Path) -> None:
    assert _crossings(render_sheet(PHRASE_SHEET, font_dir), LEFT, LEFT + WIDTH) == []
    rng = random.Random(99)  # noqa: S311 (a seeded sweep, not a secret)
    for number in range(6):
        crossings = _crossings(render_sheet(random_sheet(rng), font_dir), LEFT, LEFT + WIDTH)
        assert crossings == [], f"random sheet {number}: {crossings[:3]}"


def _body_items(placed: Layout) -> list[TextItem]:
    return [item for item in placed.texts if item.size == 16 and item.tracking != 0]


def test_the_document_body_never_runs_past_the_type_area_for_random_text(advance: Advance) -> None:
    rng = random.Random(3)  # noqa: S311 (a seeded sweep, not a secret)
    for number in range(40):
        body = "\n".join(
            rng.choice((random_text(rng, rng.randint(1, 150)), *PHRASES)) for _ in range(rng.randint(1, 6))
        )
        placed = layout(replace(NOTICE, body=body, title=random_text(rng, rng.randint(4, 60))), advance)
        for item in _body_items(placed):
            end = item.x + sum(ch.width for ch in item.chars)
            text = "".join(ch.text for ch in item.chars)
            assert item.x >= TEXT_LEFT - EPSILON and end <= TEXT_RIGHT + EPSILON, f"document {number}: {text!r}"
