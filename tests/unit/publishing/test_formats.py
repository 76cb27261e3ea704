"""The formats GB/T 9704-2012 defines beside the 文件格式, measured in their PDFs (pypdf's text positions and the
rules of the content stream, mm from the page's top-left): 信函 (§10.1), 命令 (§10.2), 纪要 (§10.3), 附注 (§7.3.6),
联合行文 (§7.2.4, §7.3.5.1) and 不加盖印章 (§7.3.5.2). `OA_WRITE_SAMPLES=1` rewrites docs/samples from them."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from oa_core.publishing.drawing import font_advance, new_pdf
from oa_core.publishing.fonts import font_paths
from oa_core.publishing.grid import CHAR_PITCH, LINE_PITCH, LINE_WIDTH, SEAL_DIAMETER, TEXT_BOTTOM, TEXT_LEFT, TEXT_TOP
from oa_core.publishing.layout import layout
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.format_samples import FORMAT_SAMPLES, JOINT, LETTER, MINUTES, ORDER, UNSEALED
from tests.unit.publishing.pdf_reading import Span, content, read, spans
from tests.unit.publishing.samples import MM_PER_PT, laid_out, needs_fonts

ROOT = Path(__file__).resolve().parents[3]
RIGHT = TEXT_LEFT + LINE_WIDTH  # the 版心's right edge as the grid fills it
A4_HEIGHT_PT = 841.89


def _top(span: Span) -> float:
    return span.y - 0.88 * span.size * MM_PER_PT


def _middle(span: Span) -> float:
    """The middle of the span's em box: the middle of its grid line."""
    return _top(span) + span.size * MM_PER_PT / 2


def _rules(data: bytes, page: int) -> list[tuple[float, float, float, float, float]]:
    """(x0, y0, x1, y1, thickness) of every stroked line of a page, mm from the top-left."""
    found, width = [], 0.0
    for token in re.finditer(r"([\d.]+) w|([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", content(read(data).pages[page])):
        if token.group(1):
            width = float(token.group(1)) * MM_PER_PT
            continue
        x0, y0, x1, y1 = (float(token.group(k)) for k in range(2, 6))
        found.append(
            (x0 * MM_PER_PT, (A4_HEIGHT_PT - y0) * MM_PER_PT, x1 * MM_PER_PT, (A4_HEIGHT_PT - y1) * MM_PER_PT, width)
        )
    return found


@pytest.fixture(scope="module")
def rendered(font_dir: Path) -> dict[str, bytes]:
    pdfs = {stem: render_pdf(doc, font_dir) for stem, doc in FORMAT_SAMPLES.items()}
    if os.environ.get("OA_WRITE_SAMPLES"):  # docs/samples are tracked: written only when asked
        for stem, data in pdfs.items():
            target = ROOT / "docs" / "samples" / f"{stem}.pdf"
            target.write_bytes(data)
            subprocess.run(
                ["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(target), str(target.with_suffix(""))],
                check=True,
            )
    return pdfs


def _find(data: bytes, text: str, page: int = 0) -> Span:
    return next(s for s in spans(read(data).pages[page]) if s.text == text)


@needs_fonts
def test_a_letter_has_its_mark_30_mm_from_the_top_red_double_lines_170_mm_and_the_number_top_right(
    rendered: dict[str, bytes],
) -> None:
    data = rendered["xinhan"]
    mark = _find(data, LETTER.issuer_name)
    assert _top(mark) == pytest.approx(30.0, abs=0.05), "发文机关标志上边缘至上页边 30 mm"
    assert not any(s.text.endswith("文件") for s in spans(read(data).pages[0])), "no 「文件」 in a letter's mark"
    lines = sorted((r for r in _rules(data, 0) if r[2] - r[0] > 160), key=lambda r: r[1])
    assert len(lines) == 4, "a double line under the mark and one near the bottom edge"
    for x0, _y0, x1, _y1, _w in lines:
        assert x0 == pytest.approx(20.0, abs=0.05), "170 mm, centred"
        assert x1 == pytest.approx(190.0, abs=0.05), "170 mm, centred"
    mark_bottom = _top(mark) + mark.size * MM_PER_PT
    (upper, upper_w), (lower, lower_w) = ((r[1], r[4]) for r in lines[:2])
    assert upper - upper_w / 2 == pytest.approx(mark_bottom + 4.0, abs=0.05), "4 mm below the mark"
    assert upper_w > lower_w, "上粗下细"
    (_top_thin, thin_w), (base, base_w) = ((r[1], r[4]) for r in lines[2:])
    assert thin_w < base_w, "上细下粗"
    assert base + base_w / 2 == pytest.approx(297.0 - 20.0, abs=0.05), "20 mm above the bottom edge"
    number, copy_no = _find(data, LETTER.number), _find(data, "000007")
    assert number.right == pytest.approx(RIGHT, abs=0.05), "发文字号顶格居版心右边缘"
    assert copy_no.x == pytest.approx(TEXT_LEFT, abs=0.05) and copy_no.y == pytest.approx(number.y), (
        "份号 on its line, left"
    )
    assert _top(number) - mark_bottom >= LINE_PITCH - 0.05, "空一行 below the mark"
    assert _top(number) > lower, "under the double line"
    title = min((s for s in spans(read(data).pages[0]) if s.size == pytest.approx(22)), key=lambda s: s.y)
    assert _middle(title) - _middle(number) == pytest.approx(3 * LINE_PITCH, abs=0.05), "标题空二行 below the number"


@needs_fonts
def test_a_letter_has_no_page_number_on_page_one_and_a_record_without_printer_date_or_rules_but_the_last(
    rendered: dict[str, bytes],
) -> None:
    data = rendered["xinhan"]
    reader = read(data)
    assert not [s for s in spans(reader.pages[0]) if "—" in s.text], "首页不显示页码"
    assert [s for s in spans(reader.pages[1]) if s.text.startswith("—")], "later pages are numbered"
    record = [s.text for s in spans(reader.pages[-1])]
    assert any(t.startswith("抄送") for t in record) and not any("印发" in t for t in record), "no 印发机关/印发日期"
    rules = _rules(data, len(reader.pages) - 1)
    assert len(rules) == 1 and rules[0][1] == pytest.approx(TEXT_BOTTOM - 0.35 / 2, abs=0.05), "only the last rule"


@needs_fonts
def test_an_order_has_the_full_name_and_order_mark_its_number_centred_and_a_signature_stamp_not_a_seal(
    rendered: dict[str, bytes],
) -> None:
    data = rendered["mingling"]
    found = spans(read(data).pages[0])
    mark = _find(data, "示例市人民政府令")
    assert _top(mark) == pytest.approx(TEXT_TOP + 20.0, abs=0.05), "令 mark 20 mm below the 版心 top"
    number = _find(data, "第12号")
    assert (number.x + number.right) / 2 == pytest.approx(TEXT_LEFT + LINE_WIDTH / 2, abs=0.05), "令号居中"
    mark_bottom = _top(mark) + mark.size * MM_PER_PT
    assert _top(number) == pytest.approx(mark_bottom + 2 * LINE_PITCH + (LINE_PITCH - 16 * MM_PER_PT) / 2, abs=0.05)
    body = min((s for s in found if s.text.startswith("《")), key=lambda s: s.y)
    assert body.y - number.y >= 3 * LINE_PITCH - 0.05, "正文空二行 below the 令号"
    assert not any(ORDER.title == s.text for s in found), "no 标题 on the page"
    name, title = _find(data, "李明"), _find(data, "市长")
    assert name.font == "LXGWWenKai", "the 签名章 name in 楷体"
    frame = [r for r in _rules(data, 0) if r[4] < 1]
    xs = sorted({round(v, 2) for r in frame for v in (r[0], r[2])})
    assert xs[0] < name.x < name.right < xs[-1] and xs[-1] == pytest.approx(RIGHT - 4 * CHAR_PITCH, abs=0.05)
    assert title.right == pytest.approx(xs[0] - 2 * CHAR_PITCH, abs=0.05), "签发人职务 左空二字 before the stamp"
    date = _find(data, "2026年11月25日")
    assert _middle(date) - _middle(name) == pytest.approx(2 * LINE_PITCH, abs=0.05), "成文日期 空一行 below the 签名章"
    assert date.right == pytest.approx(RIGHT - 4 * CHAR_PITCH, abs=0.05), "右空四字"
    assert laid_out(ORDER).seals == [], "no seal"


@needs_fonts
def test_minutes_have_their_mark_and_the_attendance_lists_with_heiti_labels_and_no_seal(
    rendered: dict[str, bytes],
) -> None:
    data = rendered["jiyao"]
    found = spans(read(data).pages[0])
    mark = _find(data, MINUTES.title)
    assert _top(mark) == pytest.approx(TEXT_TOP + 35.0, abs=0.05) and mark.font == "NotoSerifCJKSCBold"
    labels = {s.text: s for s in found if s.text in ("出席", "请假", "列席")}
    assert set(labels) == {"出席", "请假", "列席"}
    assert all(s.font == "NotoSansCJKSC" for s in labels.values()), "labels in 黑体"
    assert all(s.x == pytest.approx(TEXT_LEFT + 2 * CHAR_PITCH, abs=0.05) for s in labels.values()), "左空二字"
    first_names = next(s for s in found if s.y == labels["出席"].y and s.text.startswith("："))
    wrapped = next(s for s in found if labels["出席"].y < s.y < labels["请假"].y)
    assert wrapped.x == pytest.approx(first_names.x + 16 * MM_PER_PT - 0.21 * MM_PER_PT, abs=0.1), (
        "回行与冒号后首字对齐"
    )
    last_body = max(
        s.y for s in found if s.y < labels["出席"].y - 1 and s.size == pytest.approx(16) and s.y > mark.y + 30
    )
    assert labels["出席"].y - last_body == pytest.approx(2 * LINE_PITCH, abs=0.05), "空一行 below the 正文"
    assert laid_out(MINUTES).seals == [], "纪要不加盖印章"


@needs_fonts
def test_an_unsealed_document_signs_two_characters_in_with_the_date_two_characters_right_and_the_note_below(
    rendered: dict[str, bytes],
) -> None:
    data = rendered["bujiagai"]
    signature, date = _find(data, UNSEALED.signature), _find(data, "2026年11月25日")
    assert signature.right == pytest.approx(RIGHT - 2 * CHAR_PITCH, abs=0.05), "署名右空二字"
    assert date.x == pytest.approx(signature.x + 2 * CHAR_PITCH, abs=0.05), "日期首字比署名首字右移二字"
    assert date.y - signature.y == pytest.approx(LINE_PITCH, abs=0.05)
    body = max(s.y for s in spans(read(data).pages[0]) if s.size == pytest.approx(16) and s.y < signature.y - 1)
    assert signature.y - body == pytest.approx(2 * LINE_PITCH, abs=0.05), "空一行 below the 正文"
    note = _find(data, "（此件公开发布）")
    assert note.x == pytest.approx(TEXT_LEFT + 2 * CHAR_PITCH, abs=0.05), "附注居左空二字"
    assert note.y - date.y == pytest.approx(LINE_PITCH, abs=0.05), "附注 on the line after the 成文日期"
    assert laid_out(UNSEALED).seals == []


@needs_fonts
def test_a_joint_document_stacks_the_issuers_in_the_mark_and_puts_one_seal_on_each_signature(
    rendered: dict[str, bytes], font_dir: Path
) -> None:
    data = rendered["lianhe"]
    found = spans(read(data).pages[0])
    red_chars = [s for s in found if s.size > 22]
    rows = sorted({round(s.y, 1) for s in red_chars if s.text != "文件"})
    assert len(rows) == 2, "two 发文机关, one a line, 主办机关 first"
    first = "".join(s.text for s in sorted((s for s in red_chars if round(s.y, 1) == rows[0]), key=lambda s: s.x))
    assert first == JOINT.issuer_name
    suffix = next(s for s in found if s.text == "文件")
    lefts = [min(s.x for s in red_chars if round(s.y, 1) == row) for row in rows]
    rights = [max(s.right for s in red_chars if round(s.y, 1) == row and s.text != "文件") for row in rows]
    assert lefts[0] == pytest.approx(lefts[1], abs=0.05) and rights[0] == pytest.approx(rights[1], abs=0.05)
    assert suffix.x > rights[0] and suffix.y == pytest.approx((rows[0] + rows[1]) / 2, abs=0.1), "文件 centred beside"
    seals = layout(JOINT, font_advance(new_pdf(font_paths(font_dir)))).seals
    assert [s.text for s in seals] == [JOINT.seal_text, *JOINT.co_issuers]
    for seal, name in zip(seals, (JOINT.signature, *JOINT.co_issuers), strict=True):
        span = _find(data, name)
        assert seal.cx == pytest.approx((span.x + span.right) / 2 + 0.21 * MM_PER_PT / 2, abs=0.3), (
            f"{name} under its seal"
        )
    gap = seals[1].cx - seals[0].cx - SEAL_DIAMETER
    assert 0 < gap <= 3, "两个印章之间不相交，相距不超过 3 mm"


def test_three_joint_issuers_give_three_seals_of_which_none_meet_and_the_last_presses_the_date() -> None:
    doc = replace(JOINT, co_issuers=("示例市财政局", "示例市民政局"))
    placed = laid_out(doc)
    seals = placed.seals
    assert len(seals) == 3
    for index, one in enumerate(seals):
        for other in seals[index + 1 :]:
            assert ((one.cx - other.cx) ** 2 + (one.cy - other.cy) ** 2) ** 0.5 >= SEAL_DIAMETER - 1e-6
    date = next(t for t in placed.texts if "".join(c.text for c in t.chars) == "2026年12月2日")
    assert abs(seals[-1].cy - date.y) < SEAL_DIAMETER / 2, "the last seal over the 成文日期"
