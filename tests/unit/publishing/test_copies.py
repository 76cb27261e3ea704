"""打印份数: one PDF of N copies, each with its 份号 — 6 Arabic digits, 顶格 at the left edge of the 版心 on its
first line (GB/T 9704 §7.2.1) — measured with pypdf's text positions; the sealed original (no copy_no) has none."""

from __future__ import annotations

import io
import re
import time
from dataclasses import replace
from pathlib import Path

from pypdf import PdfReader

from oa_core.outgoing.copies import copy_number
from oa_core.outgoing.copies_render import copies_pdf
from oa_core.publishing.grid import TEXT_LEFT, baseline
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.pdf_reading import spans
from tests.unit.publishing.samples import NOTICE, needs_fonts

pytestmark = needs_fonts
ORIGINAL = replace(NOTICE, copy_no="")
"""The 通知 sample as the sealed original is typeset: no 份号."""


def test_the_copy_number_is_six_arabic_digits_zero_padded() -> None:
    assert copy_number(1) == "000001" and copy_number(123456) == "123456" and copy_number(42) == "000042"


def test_each_copy_of_a_run_starts_with_its_own_number_on_the_first_line_of_the_text_area_at_its_left_edge(
    font_dir: Path,
) -> None:
    per_copy = len(PdfReader(io.BytesIO(render_pdf(ORIGINAL, font_dir))).pages)
    started = time.perf_counter()
    reader = PdfReader(io.BytesIO(copies_pdf(ORIGINAL, font_dir, (), 7, 9)))
    seconds = time.perf_counter() - started
    assert len(reader.pages) == 3 * per_copy, "three whole copies, one after another"
    for index, expected in enumerate(("000007", "000008", "000009")):
        page = reader.pages[index * per_copy]
        numbers = [s for s in spans(page) if re.fullmatch(r"\d{6}", s.text)]
        assert [s.text for s in numbers] == [expected], f"copy {index + 1} carries 份号 {expected} once"
        span = numbers[0]
        assert abs(span.x - TEXT_LEFT) < 0.3, f"顶格: at the 版心's left edge, {span.x:.2f} mm"
        assert abs(span.y - baseline(0)) < 0.3, f"on the first grid line of the 版心, {span.y:.2f} mm"
        assert abs(span.size - 16) < 0.01, "三号 like the 正文 (16 pt)"
        later = [s.text for p in reader.pages[index * per_copy + 1 : (index + 1) * per_copy] for s in spans(p)]
        assert expected not in later, "only on the copy's first page"
    assert seconds < 3 * 3.0, f"three copies rendered in {seconds:.2f} s with the cached faces"


def test_the_original_typeset_without_a_copy_number_shows_none(font_dir: Path) -> None:
    page = PdfReader(io.BytesIO(render_pdf(ORIGINAL, font_dir))).pages[0]
    assert not [s.text for s in spans(page) if re.fullmatch(r"\d{6}", s.text)]
