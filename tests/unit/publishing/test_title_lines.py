"""标题 lines (GB/T 9704-2012 §7.3.1: 词意完整, 排列对称, 梯形或菱形): breaks between words only, 年份 and
书名号 kept whole, no inverted trapezoid; swept over real titles without fonts, and measured in the PDF."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from oa_core.publishing.grid import TEXT_LEFT, TEXT_WIDTH, Char
from oa_core.publishing.linebreaking import balance_title
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.pdf_reading import read, spans
from tests.unit.publishing.samples import MM_PER_PT, NOTICE, fake_advance, needs_fonts, texts

TITLES = (
    "示例市人民政府办公室关于做好2026年冬季安全生产工作的通知",
    "示例市应急管理局关于开展2026年度安全生产专项整治三年行动集中攻坚的通知",
    "示例市人民政府关于建立健全生态产品价值实现机制的实施意见",
    "示例市教育局关于进一步建立健全校园安全风险防控体系的通知",
    "示例市人民政府办公室关于开展全市安全生产大检查的通知",
    "示例县人民政府关于开展农村人居环境整治提升行动的报告",
    "示例市人民政府办公室关于进一步加强和规范全市安全生产领域行政执法监督检查工作有关事项的请示",
    "示例市市场监督管理局关于开展食品安全示范城市创建工作的函",
    "示例市住房和城乡建设局关于建立健全城镇燃气安全隐患排查整治长效机制的通知",
    "示例市人民政府办公室关于印发《示例市安全生产考核办法》的通知",
)
WORDS = ("安全", "开展", "建立健全", "2026年")


def _lines(title: str) -> list[str]:
    chars = [Char(ch, "serif-bold", fake_advance("", ch) * 22 * MM_PER_PT) for ch in title]
    return texts(balance_title(chars, TEXT_WIDTH))


@pytest.mark.parametrize("title", TITLES)
def test_a_title_never_splits_a_word_a_year_or_a_book_title(title: str) -> None:
    lines = _lines(title)
    assert "".join(lines) == title and len(lines) > 1
    for first, second in itertools.pairwise(lines):
        joint = first[-4:] + "|" + second[:4]
        for word in WORDS:
            for cut in range(1, len(word)):
                assert word[:cut] + "|" + word[cut:] not in joint, f"{word} split: {lines}"
    book = next((line for line in lines if "《" in line), None)
    assert book is None or "》" in book, f"书名号 kept on one line: {lines}"


@pytest.mark.parametrize("title", TITLES)
def test_a_title_is_a_trapezoid_or_a_diamond_never_inverted(title: str) -> None:
    widths = [sum(fake_advance("", ch) for ch in line) for line in _lines(title)]
    peak = widths.index(max(widths))
    assert peak > 0 or widths[0] <= widths[-1] + 0.5, f"inverted trapezoid: {_lines(title)}"
    assert all(b >= a - 0.5 for a, b in itertools.pairwise(widths[: peak + 1])), _lines(title)
    assert all(b <= a + 0.5 for a, b in itertools.pairwise(widths[peak:])), _lines(title)


@needs_fonts
def test_the_printed_title_breaks_between_words_on_centred_lines(font_dir: Path) -> None:
    title = "示例市住房和城乡建设局关于建立健全城镇燃气安全隐患排查整治长效机制的通知"
    page = read(render_pdf(replace(NOTICE, title=title), font_dir)).pages[0]
    lines = [s for s in sorted(spans(page), key=lambda s: s.y) if s.size == pytest.approx(22)]
    assert "".join(s.text for s in lines) == title
    assert [s.text for s in lines] == _lines(title), "the PDF's lines are the ones balanced"
    assert all(not s.text.endswith(("建立", "安")) for s in lines)
    assert all((s.x + s.right) / 2 == pytest.approx(TEXT_LEFT + TEXT_WIDTH / 2, abs=0.05) for s in lines)
