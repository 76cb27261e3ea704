"""公文排版: the GB/T 9704-2012 PDF, read back with pypdf (positions in mm from the page's top-left corner)."""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PageObject, PdfReader

from oa_core.publishing.document import OfficialDocument, chinese_date
from oa_core.publishing.fonts import DASH_MIDDLE, EM_ASCENT, FONT_FILES
from oa_core.publishing.grid import (
    BODY_SIZE,
    CHAR_PITCH,
    LINE_PITCH,
    LINE_WIDTH,
    LINES_PER_PAGE,
    SEAL_DIAMETER,
    TEXT_BOTTOM,
    TEXT_LEFT,
    TEXT_RIGHT,
    TEXT_TOP,
    Char,
    Layout,
    TextItem,
    baseline,
)
from oa_core.publishing.layout import heading_level, layout
from oa_core.publishing.linebreaking import balance_title, wrap
from oa_core.publishing.typesetting import render_pdf

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "pdf"
MM_PER_PT = 25.4 / 72
A4_HEIGHT_PT = 841.89

needs_fonts = pytest.mark.skipif(
    not all((FONT_DIR / name).is_file() for name in FONT_FILES.values()),
    reason=f"Noto CJK collections not installed in {FONT_DIR} (Debian: fonts-noto-cjk, fonts-noto-cjk-extra)",
)

BODY = (
    "为切实做好2026年冬季安全生产工作，有效防范和坚决遏制各类生产安全事故发生，保障人民群众生命财产安全，"
    "经市人民政府同意，现将有关事项通知如下。\n"
    "\n"
    "一、总体要求\n"
    "坚持人民至上、生命至上，统筹发展和安全，压紧压实安全生产责任，全面排查整治各类风险隐患。\n"
    "（一）加强组织领导。各单位主要负责人要切实履行安全生产第一责任人职责，亲自部署、亲自检查。\n"
    "1．明确责任分工。按照“管行业必须管安全、管业务必须管安全、管生产经营必须管安全”的要求落实责任。\n"
    "（1）建立工作台账，实行销号管理。\n"
    "二、工作措施\n"
    "各区县人民政府、市政府各部门要在12月31日前完成自查自纠工作，并将工作情况报送市应急管理局。"
)
NOTICE = OfficialDocument(
    issuer_name="示例市人民政府办公室",
    doc_type="通知",
    number="示例办发〔2026〕7号",
    title="示例市人民政府办公室关于做好2026年冬季安全生产工作的通知",
    main_recipients=["各区县人民政府", "市政府各部门", "各直属机构"],
    body=BODY,
    sign_date=datetime.date(2026, 11, 25),
    signature="示例市人民政府办公室",
    attachment_note="2026年冬季安全生产检查表\n安全隐患排查整改台账",
    cc=["市委办公室", "市人大常委会办公室", "市政协办公室", "市纪委监委"],
    copy_no="000123",
    urgency="特急",
    seal_code="3F9A2C7D1E0B4A65",
)
REQUEST = replace(
    NOTICE,
    doc_type="请示",
    number="示例办〔2026〕12号",
    title="示例市人民政府办公室关于调整冬季供暖时间的请示",
    main_recipients=["示例省人民政府"],
    body="为应对今冬持续低温天气，保障群众温暖过冬，拟将我市供暖开始时间提前至11月1日。\n妥否，请批示。",
    signer_name="张三",
    attachment_note="",
    cc=[],
    copy_no="",
    urgency="",
)


def _long_body() -> str:
    """60 paragraphs, with headings, numbers and many distinct characters (well over 255 glyphs)."""
    pool = "".join(chr(0x4E00 + 97 * i % 20000) for i in range(400))
    paragraphs = []
    for index in range(60):
        start = index * 7 % 350
        text = f"{pool[start : start + 40]}，第{index + 1}项工作于2026年完成。{pool[start + 40 : start + 70]}。"
        if index % 10 == 0:
            paragraphs.append(f"{'一二三四五六'[index // 10]}、第{index // 10 + 1}部分")
        paragraphs.append(text)
    return "\n".join(paragraphs)


LONG = replace(NOTICE, body=_long_body(), attachment_note="", urgency="", copy_no="")


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


@pytest.fixture(scope="module")
def notice_pdf() -> bytes:
    data = render_pdf(NOTICE, FONT_DIR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "tongzhi-sample.pdf").write_bytes(data)
    return data


@pytest.fixture(scope="module")
def request_pdf() -> bytes:
    data = render_pdf(REQUEST, FONT_DIR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "qingshi-sample.pdf").write_bytes(data)
    return data


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    data = render_pdf(LONG, FONT_DIR)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "long-sample.pdf").write_bytes(data)
    return data


# --- pure layout: no fonts needed ---------------------------------------------------------------


def fake_advance(face: str, ch: str) -> float:
    """Full-width characters one em, others half an em: the shape of the Noto CJK metrics."""
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5


def measured(text: str) -> list[Char]:
    return [Char(ch, "serif", fake_advance("serif", ch) * CHAR_PITCH) for ch in text]


def texts(lines_: list[list[Char]]) -> list[str]:
    return ["".join(ch.text for ch in line) for line in lines_]


def test_the_date_is_written_with_arabic_numerals_and_no_zero_padding() -> None:
    assert chinese_date(datetime.date(2026, 11, 25)) == "2026年11月25日"
    assert chinese_date(datetime.date(2026, 1, 5)) == "2026年1月5日"


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


def test_heading_levels_follow_the_numbering_style() -> None:
    assert [heading_level(p) for p in ("一、总体要求", "（二）工作措施", "3．时间", "（4）分工")] == [
        1,
        2,
        3,
        4,
    ]
    assert heading_level("各单位要高度重视。") == 0


def _layout(doc: OfficialDocument) -> Layout:
    return layout(doc, fake_advance)


def _paragraphs(count: int) -> str:
    """`count` one-line paragraphs."""
    return "\n".join("各单位要认真组织实施切实抓好落实" for _ in range(count))


def _numbered_pages(result: Layout) -> set[int]:
    return {t.page + 1 for t in result.texts if "".join(ch.text for ch in t.chars).startswith("— ")}


def _pages_with_body_size_text(result: Layout) -> set[int]:
    return {t.page for t in result.texts if t.size == BODY_SIZE}


def test_the_record_page_is_even_and_a_blank_page_before_it_carries_no_number() -> None:
    cases: dict[str, Layout] = {}
    for count in range(1, 45):
        result = _layout(replace(NOTICE, body=_paragraphs(count), attachment_note=""))
        last = result.page_count - 1
        assert result.page_count % 2 == 0, f"{count} paragraphs: the 版记 page is even"
        assert {r.page for r in result.rules if not r.red} == {last}, "版记 rules on the last page only"
        text_pages = _pages_with_body_size_text(result)
        if last in text_pages:
            cases.setdefault("版记 under the text", result)
        elif last - 1 in text_pages:
            cases.setdefault("版记 alone on the even page", result)
        else:
            assert not [t for t in result.texts if t.page == last - 1], "the inserted page is blank"
            cases.setdefault("blank page inserted", result)
    assert set(cases) == {"blank page inserted", "版记 alone on the even page", "版记 under the text"}
    blank = cases["blank page inserted"]
    assert _numbered_pages(blank) == set(range(1, blank.page_count - 1)), "no number on the blank and 版记 pages"
    alone = cases["版记 alone on the even page"]
    assert _numbered_pages(alone) == set(range(1, alone.page_count + 1))


def test_the_signature_block_never_stands_alone_and_its_seal_stays_in_the_type_area() -> None:
    carried = 0
    for count in range(1, 45):
        result = _layout(replace(NOTICE, body=_paragraphs(count), attachment_note="", cc=[]))
        (seal,) = result.seals
        em = BODY_SIZE * MM_PER_PT
        above = [t.y for t in result.texts if t.page == seal.page and t.size == BODY_SIZE and t.y < seal.cy]
        assert above, f"{count}: the seal never stands on a page without text (此页无正文)"
        before = [t.y for t in result.texts if t.page == seal.page - 1 and t.size == BODY_SIZE]
        if seal.page > 0 and max(before) < baseline(LINES_PER_PAGE - 1) - 0.01:
            carried += 1
            assert len(above) >= 2, f"{count}: the last two text lines go with the 署名"
        seal_top = seal.cy - SEAL_DIAMETER / 2
        assert seal_top >= TEXT_TOP and seal.cy + SEAL_DIAMETER / 2 <= TEXT_BOTTOM, "inside the 版心"
        text_bottom = max(above) + (1 - EM_ASCENT) * em
        assert text_bottom < seal_top < text_bottom + LINE_PITCH, "印章顶端上距正文一行之内, not over it"
    assert carried, "some lengths carry text lines over with the block"


def test_the_seal_is_centred_on_the_date_with_signature_and_date_a_little_below_its_centre() -> None:
    result = _layout(NOTICE)
    (seal,) = result.seals

    def placed(text: str) -> TextItem:
        return next(t for t in result.texts if "".join(ch.text for ch in t.chars) == text and t.size == 16)

    date, signature = placed("2026年11月25日"), placed(NOTICE.signature)
    assert date.page == signature.page == seal.page and date.y - signature.y == pytest.approx(LINE_PITCH)
    date_width = sum(ch.width for ch in date.chars)
    assert date.x + date_width == pytest.approx(TEXT_LEFT + LINE_WIDTH - 4 * CHAR_PITCH), "右空四字"
    assert seal.cx == pytest.approx(date.x + date_width / 2)
    assert signature.x + sum(ch.width for ch in signature.chars) / 2 == pytest.approx(seal.cx), "署名 centred on date"
    midpoint = (signature.y + date.y) / 2 - 0.38 * 16 * MM_PER_PT
    assert 0 < midpoint - seal.cy < 8, "居印章中心偏下"


def test_an_unknown_urgency_is_refused() -> None:
    with pytest.raises(ValueError, match="紧急程度只能是"):
        _layout(replace(NOTICE, urgency="火急"))


# --- the rendered PDF ---------------------------------------------------------------------------


def test_missing_fonts_raise_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"缺少公文排版字体 \(typesetting fonts missing\)") as raised:
        render_pdf(NOTICE, tmp_path / "no-such-dir")
    assert "NotoSerifCJK-Regular.ttc" in str(raised.value)


@needs_fonts
def test_the_page_is_a4(notice_pdf: bytes) -> None:
    for page in read(notice_pdf).pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)


@needs_fonts
def test_body_text_keeps_to_the_type_area(notice_pdf: bytes) -> None:
    reader = read(notice_pdf)
    body = body_spans(reader.pages[0])
    paragraph_starts = [s for s in body if s.text.startswith(("为切实", "坚持"))]
    assert paragraph_starts and all(
        s.x == pytest.approx(TEXT_LEFT + 2 * CHAR_PITCH, abs=0.05) for s in paragraph_starts
    )
    wrapped = [s for s in body if s.text.startswith(("制各类", "生产责任"))]
    assert wrapped and all(s.x == pytest.approx(TEXT_LEFT, abs=0.05) for s in wrapped), "回行顶格"
    first = min(s.y for s in body)
    assert first - 16 * 0.88 * MM_PER_PT > TEXT_TOP and first < TEXT_BOTTOM
    for page in reader.pages:
        for span in spans(page):
            assert span.right <= TEXT_RIGHT + 0.05, f"{span.text} beyond the right edge"
            assert span.x >= TEXT_LEFT - 0.05, f"{span.text} in the left margin"
            if span.text.startswith("—"):
                continue  # 页码 are the only text below the 版心
            assert TEXT_TOP < span.y < TEXT_BOTTOM, f"{span.text} outside the 版心"


@needs_fonts
def test_header_elements_are_extracted_exactly_and_placed_per_the_standard(notice_pdf: bytes) -> None:
    page = read(notice_pdf).pages[0]
    found = {s.text: s for s in spans(page)}
    assert found["000123"].x == pytest.approx(TEXT_LEFT) and found["特急"].x == pytest.approx(TEXT_LEFT)
    assert found["特急"].font == "NotoSansCJKSC", "紧急程度 in 黑体"
    mark = found["示例市人民政府办公室文件"]
    assert mark.y - mark.size * 0.88 * MM_PER_PT == pytest.approx(TEXT_TOP + 35, abs=0.05), "35 mm below the 版心 top"
    assert (mark.x + mark.right) / 2 == pytest.approx(TEXT_LEFT + 78, abs=0.1) and mark.right <= TEXT_RIGHT
    number = found["示例办发〔2026〕7号"]
    assert (number.x + number.right) / 2 == pytest.approx(TEXT_LEFT + LINE_WIDTH / 2, abs=0.3), "centred"
    title = sorted((s for s in spans(page) if s.size == pytest.approx(22)), key=lambda s: s.y)
    assert "".join(s.text for s in title) == NOTICE.title and len(title) == 2
    assert all((s.x + s.right) / 2 == pytest.approx(TEXT_LEFT + 78, abs=0.05) for s in title), "centred lines"
    recipients = next(line for _, line in lines(page) if line.startswith("各区县人民政府"))
    assert recipients == "各区县人民政府、市政府各部门、各直属机构：", "主送 ends with a full-width colon"


@needs_fonts
def test_headings_use_their_faces(notice_pdf: bytes) -> None:
    found = [(s.text, s.font) for page in read(notice_pdf).pages for s in spans(page)]
    assert ("一、总体要求", "NotoSansCJKSC") in found, "一级 in 黑体"
    assert ("（一）加强组织领导。", "NotoSerifCJKSCBold") in found, "二级 in 楷体 (bold serif stand-in)"
    assert any(text.startswith("1．明确责任分工") and font == "NotoSerifCJKSC" for text, font in found)


@needs_fonts
def test_signature_date_attachments_and_record(notice_pdf: bytes) -> None:
    reader = read(notice_pdf)
    assert len(reader.pages) % 2 == 0, "the last page is even"
    everything = [line for page in reader.pages for _, line in lines(page)]
    assert "附件：1．2026年冬季安全生产检查表" in everything
    attachment = [s for page in reader.pages for s in spans(page) if s.text.startswith(("附件", "2．安全"))]
    assert attachment[1].x == pytest.approx(attachment[0].x + 3 * CHAR_PITCH, abs=0.05), "aligned after the colon"
    assert "2026年11月25日" in everything and "示例市人民政府办公室" in everything
    last = lines(reader.pages[-1])
    record = [line for _, line in last]
    assert record[-2] == "— 2 —" or record[-1] == "— 2 —"
    assert "抄送：市委办公室，市人大常委会办公室，市政协办公室，市纪委" in record and "监委。" in record
    assert any(line.startswith("示例市人民政府办公室") and line.endswith("2026年11月25日印发") for line in record)
    printed = next(s for s in spans(reader.pages[-1]) if s.text.endswith("印发"))
    assert printed.right == pytest.approx(TEXT_RIGHT - 14 * MM_PER_PT, abs=0.05), "印发日期右空一字"
    assert printed.y > TEXT_BOTTOM - LINE_PITCH, "the last element on the last line of the 版心"
    cc_lines = [s for s in spans(reader.pages[-1]) if s.size == 14 and s.y < printed.y]
    assert cc_lines[0].x == pytest.approx(TEXT_LEFT + 14 * MM_PER_PT, abs=0.05), "抄送左空一字"
    assert cc_lines[1].x == pytest.approx(cc_lines[0].x + 3 * 14 * MM_PER_PT, abs=0.05), "回行 after the colon"


@needs_fonts
def test_page_numbers_sit_right_on_odd_and_left_on_even_pages(notice_pdf: bytes) -> None:
    reader = read(notice_pdf)
    numbers = {}
    for index, page in enumerate(reader.pages, start=1):
        numbers[index] = next(s for s in spans(page) if s.text.startswith("—"))
    assert numbers[1].text == "— 1 —" and numbers[2].text == "— 2 —"
    assert numbers[1].right == pytest.approx(TEXT_RIGHT - 14 * MM_PER_PT, abs=0.05), "odd: 右空一字"
    assert numbers[2].x == pytest.approx(TEXT_LEFT + 14 * MM_PER_PT, abs=0.05), "even: 左空一字"
    dash_middle = numbers[1].y - DASH_MIDDLE * 14 * MM_PER_PT
    assert dash_middle == pytest.approx(TEXT_BOTTOM + 7, abs=0.05), "一字线 7 mm below the 版心"


@needs_fonts
def test_a_request_puts_the_number_left_and_the_signer_on_its_line_under_a_lower_mark(request_pdf: bytes) -> None:
    page = read(request_pdf).pages[0]
    found = {s.text: s for s in spans(page)}
    number, label, name = found["示例办〔2026〕12号"], found["签发人："], found["张三"]
    assert number.x == pytest.approx(TEXT_LEFT + CHAR_PITCH, abs=0.05), "发文字号居左空一字"
    assert number.y == pytest.approx(label.y) == pytest.approx(name.y), "签发人 on the number's line"
    assert name.right == pytest.approx(TEXT_LEFT + LINE_WIDTH - CHAR_PITCH, abs=0.05), "居右空一字"
    assert label.font == "NotoSerifCJKSC" and name.font == "NotoSerifCJKSCBold"
    mark = found["示例市人民政府办公室文件"]
    assert mark.y - mark.size * 0.88 * MM_PER_PT == pytest.approx(TEXT_TOP + 80, abs=0.05), "上行文: 80 mm"


@needs_fonts
def test_a_long_body_keeps_to_the_grid_over_several_pages(long_pdf: bytes) -> None:
    reader = read(long_pdf)
    assert len(reader.pages) >= 4 and len(reader.pages) % 2 == 0
    for number, page in enumerate(reader.pages, start=1):
        body = body_spans(page)
        rows = sorted({round(s.y, 1) for s in body})
        assert len(rows) <= 22, f"page {number}: at most 22 lines"
        offsets = [(y - TEXT_TOP) / LINE_PITCH for y in rows]
        assert all(abs(o - round(o) - (offsets[0] - round(offsets[0]))) < 0.01 for o in offsets), "on the grid"
        for y in rows:
            line = "".join(s.text for s in sorted((s for s in body if round(s.y, 1) == y), key=lambda s: s.x))
            assert full_width(line) <= 28, f"page {number}: {line} exceeds 28 characters"
            assert not line.startswith(("，", "。", "、", "；", "：", "）", "”")), line
    if not reader.pages[-2].extract_text().strip():
        last_two = [line for page in reader.pages[-2:] for _, line in lines(page)]
        assert not [line for line in last_two if line.startswith("—")], "no number on the blank and 版记 pages"


@needs_fonts
def test_text_extracts_exactly_even_with_hundreds_of_distinct_characters(long_pdf: bytes) -> None:
    reader = read(long_pdf)
    text = "".join(re.sub(r"—\s*\d+\s*—|\s", "", page.extract_text()) for page in reader.pages)
    distinct = {ch for ch in LONG.body if not ch.isspace()}
    assert len(distinct) > 300
    for paragraph in LONG.body.split("\n"):
        assert paragraph in text


@needs_fonts
def test_fonts_are_embedded_as_subsets_and_the_file_is_small(notice_pdf: bytes) -> None:
    reader = read(notice_pdf)
    assert len(reader.pages) == 2 and len(notice_pdf) < 200_000
    fonts = {}
    for page in reader.pages:
        for font in resources(page, "/Font"):
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = descriptor
    assert {name.split("+")[1] for name in fonts} == {"NotoSerifCJKSC", "NotoSerifCJKSCBold", "NotoSansCJKSC"}
    for name, descriptor in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+\S+", name), f"{name} is a subset"
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, f"{name} is embedded"


@needs_fonts
def test_issuer_mark_separator_and_seal_are_red_and_the_seal_is_translucent(notice_pdf: bytes) -> None:
    reader = read(notice_pdf)
    first = content(reader.pages[0])
    assert ("rg", RED) in colours(first), "red fill: the 发文机关标志"
    assert ("RG", RED) in colours(first), "red stroke: the separator"
    seal_page = reader.pages[1]
    assert ("RG", RED) in colours(content(seal_page)), "the seal's ring"
    assert any(
        float(s.get("/ca", 1)) == pytest.approx(0.85)
        and float(s.get("/CA", 1)) == pytest.approx(0.85)
        and s.get("/BM") == "/Multiply"
        for s in resources(seal_page, "/ExtGState")
    ), "the seal is translucent and multiplied over the text"
    seal = [s for s in spans(seal_page) if s.font == "NotoSerifCJKSCBold" and s.size not in (16, 22)]
    assert "".join(s.text for s in seal) == NOTICE.signature and all(s.rotated for s in seal), "along the arc"


@needs_fonts
def test_metadata_names_the_document(notice_pdf: bytes) -> None:
    meta = read(notice_pdf).metadata
    assert meta is not None
    assert (meta.title, meta.author, meta.subject, meta.creator) == (
        NOTICE.title,
        NOTICE.issuer_name,
        NOTICE.number,
        "oa-system",
    )
    assert meta.creation_date is not None and meta.creation_date.date() == NOTICE.sign_date


@needs_fonts
def test_the_same_document_gives_the_same_bytes(notice_pdf: bytes) -> None:
    assert render_pdf(NOTICE, FONT_DIR) == notice_pdf


@needs_fonts
def test_the_date_in_the_pdf_has_no_zero_padding() -> None:
    data = render_pdf(replace(REQUEST, sign_date=datetime.date(2026, 1, 5)), FONT_DIR)
    everything = [line for page in read(data).pages for _, line in lines(page)]
    assert "2026年1月5日" in everything and any(line.endswith("2026年1月5日印发") for line in everything)
