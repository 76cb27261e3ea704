"""Line breaking: 避头尾, unsplittable runs and balanced 标题 lines (made-up widths, no fonts)."""

from __future__ import annotations

from oa_core.publishing.grid import LINE_WIDTH, Char
from oa_core.publishing.linebreaking import balance_title, wrap
from tests.unit.publishing.samples import MM_PER_PT, fake_advance, measured, texts


def test_a_line_never_starts_with_closing_punctuation_the_previous_character_goes_with_it() -> None:
    text = "一" * 28 + "，二三"
    wrapped = texts(wrap(measured(text), LINE_WIDTH, LINE_WIDTH))
    assert wrapped == ["一" * 27, "一，二三"], "the 28th character is carried over with the comma"
    closing = "甲" * 27 + "乙。”丙"
    assert texts(wrap(measured(closing), LINE_WIDTH, LINE_WIDTH)) == ["甲" * 27, "乙。”丙"]


def test_a_line_never_ends_with_opening_punctuation() -> None:
    text = "一" * 27 + "《条例》"
    wrapped = texts(wrap(measured(text), LINE_WIDTH, LINE_WIDTH))
    assert wrapped == ["一" * 27, "《条例》"]


def test_numbers_and_paired_dashes_are_not_split_across_lines() -> None:
    text = "一" * 27 + "2026年" + "二" * 3
    wrapped = texts(wrap(measured(text), LINE_WIDTH, LINE_WIDTH))
    assert wrapped == ["一" * 27, "2026年二二二"], "2026 is one unit (20 would have fitted)"
    dashes = texts(wrap(measured("一" * 27 + "——二"), LINE_WIDTH, LINE_WIDTH))
    assert dashes == ["一" * 27, "——二"], "—— is never split (it may start a line)"


def test_a_long_title_is_balanced_over_lines_that_fit_the_type_area() -> None:
    title = "示例市人民政府办公室关于印发《示例市冬季安全生产大检查工作方案》的通知"
    chars = [Char(ch, "serif-bold", fake_advance("", ch) * 22 * MM_PER_PT) for ch in title]
    title_lines = balance_title(chars, 156.0)
    widths = [sum(ch.width for ch in line) for line in title_lines]
    assert len(title_lines) == 2 and max(widths) <= 156.0
    assert abs(widths[0] - widths[1]) < 4 * 22 * MM_PER_PT, "lines of similar length"
    assert not texts(title_lines)[0].endswith("《") and not texts(title_lines)[1].startswith("》")


def test_a_title_breaks_before_guanyu_when_the_lines_stay_balanced() -> None:
    title = "示例市人民政府办公室关于调整冬季供暖时间的请示"
    chars = [Char(ch, "serif-bold", 22 * MM_PER_PT) for ch in title]
    assert texts(balance_title(chars, 156.0)) == ["示例市人民政府办公室", "关于调整冬季供暖时间的请示"]


def test_a_line_breaks_before_a_bracketed_run_or_a_phone_number_it_is_told_to_keep_when_half_the_line_stays() -> None:
    text = "请联系办公室（王明）或拨打0000 1234"
    chars = [Char(ch, "serif", 1.0) for ch in text]
    keep = frozenset(range(7, 10)) | frozenset(range(14, 22))  # inside （王明） and the number
    assert ["".join(c.text for c in line) for line in wrap(chars, 8, 20, keep)] == [
        "请联系办公室",
        "（王明）或拨打0000 1234",
    ]
    assert ["".join(c.text for c in line) for line in wrap(chars, 17, 20, keep)] == [
        "请联系办公室（王明）或拨打",
        "0000 1234",
    ]
    unkept = wrap(chars, 17, 20)
    assert "".join(c.text for c in unkept[0]) == "请联系办公室（王明）或拨打0000", (
        "without `keep` it breaks at the space"
    )
