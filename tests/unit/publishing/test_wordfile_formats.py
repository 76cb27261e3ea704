"""The .docx of each format (信函, 命令, 纪要, 联合行文, 不加盖印章 with 附注, a 上行文 文件): python-docx reads the
elements back in their faces and order, and LibreOffice (when installed) prints each to PDF, where PDFium
measures where the mark, the lines, the 署名 and the date landed (mm from the page's top-left corner)."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any

import docx
import pytest

from oa_core.publishing.wordfile import render_docx
from tests.unit.publishing.format_samples import JOINT, LETTER, MINUTES, ORDER, UNSEALED
from tests.unit.publishing.samples import REQUEST

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCS = {"letter": LETTER, "order": ORDER, "minutes": MINUTES, "joint": JOINT, "unsealed": UNSEALED, "request": REQUEST}
MM = 25.4 / 72
CELL = 156 / 28  # mm, one character of 3号 on the line
TOLERANCE = 4.0  # mm: LibreOffice's own line placement (the fonts it substitutes for 仿宋_GB2312 and 小标宋)


def paragraphs(name: str) -> list[Any]:
    return list(docx.Document(io.BytesIO(render_docx(DOCS[name]))).paragraphs)


def texts(name: str) -> list[str]:
    return [p.text for p in paragraphs(name)]


def east_asian(run: Any) -> str:
    return str(run._r.rPr.find(f"{W}rFonts").get(f"{W}eastAsia"))


def red(run: Any) -> bool:
    return run.font.color.rgb is not None and str(run.font.color.rgb) == "E60012"


def test_a_letter_has_its_mark_and_double_lines_in_the_first_pages_own_header_and_no_page_number_there() -> None:
    document = docx.Document(io.BytesIO(render_docx(LETTER)))
    section = document.sections[0]
    assert section.different_first_page_header_footer and round(section.header_distance.mm) == 30  # type: ignore[union-attr]
    header = section.first_page_header.paragraphs
    assert header[0].text == LETTER.issuer_name and red(header[0].runs[0])  # no 「文件」
    sizes = [int(p._p.pPr.find(f"{W}pBdr").find(f"{W}bottom").get(f"{W}sz")) for p in header[:2]]
    assert sizes[0] > sizes[1], "上粗下细"
    footer = section.first_page_footer.paragraphs
    footer_sizes = [int(p._p.pPr.find(f"{W}pBdr").find(f"{W}bottom").get(f"{W}sz")) for p in footer[:2]]
    assert footer_sizes[0] < footer_sizes[1], "上细下粗"
    assert all("PAGE" not in p._p.xml for p in footer) and "PAGE" in section.footer.paragraphs[0]._p.xml
    body = [p.text for p in document.paragraphs]
    assert body[0] == f"{LETTER.copy_no}\t{LETTER.number}"  # 份号 left, 发文字号 right, one line
    assert not any("印发" in text for text in body), "a 信函's 版记 has no 印发 line"
    assert "（联系人：王明，电话：0000-12345678）" in body  # 附注


def test_an_order_has_the_order_mark_its_number_and_the_signers_title_and_stamp_instead_of_a_signature() -> None:
    found = paragraphs("order")
    by_text = {p.text: p for p in found}
    assert red(by_text["示例市人民政府令"].runs[0])
    assert by_text[ORDER.number].alignment == 1  # centred
    assert ORDER.title not in by_text and ORDER.signature not in by_text
    stamp = next(p for p in found if "李明" in p.text)
    assert stamp.text == "市长\t李明"
    name = stamp.runs[-1]
    assert red(name) and east_asian(name) == "楷体_GB2312" and name._r.rPr.find(f"{W}bdr") is not None
    order = [p.text for p in found]
    stamp_at, date_at = order.index("市长\t李明"), order.index("2026年11月25日")
    assert order.index(ORDER.number) < order.index(ORDER.body) < stamp_at < date_at


def test_minutes_have_the_minutes_mark_the_number_and_date_line_and_black_labels_but_no_signature() -> None:
    found = paragraphs("minutes")
    order = [p.text for p in found]
    assert order[0] == MINUTES.title and red(found[0].runs[0])
    assert f"{MINUTES.number}\t2026年11月25日" in order
    labels = {p.runs[0].text: p for p in found if p.runs and p.runs[0].text in ("出席", "请假", "列席")}
    assert list(labels) == ["出席", "请假", "列席"] and all(east_asian(p.runs[0]) == "黑体" for p in labels.values())
    assert labels["请假"].text == "请假：市公安局周涛"
    assert MINUTES.signature not in order, "a 纪要 has no 署名"


def test_joint_documents_name_every_issuer_in_the_mark_and_put_two_signatures_on_a_line() -> None:
    document = docx.Document(io.BytesIO(render_docx(JOINT)))
    (mark,) = document.tables
    assert [row.cells[0].text for row in mark.rows] == list(JOINT.issuers)
    assert mark.rows[0].cells[1].text == "文件" and mark.rows[1].cells[1].text == "文件"  # one merged cell
    assert mark.rows[0].cells[0].paragraphs[0].alignment == 4  # distributed: the names spread to one width
    assert "示例市教育局\t示例市财政局" in [p.text for p in document.paragraphs]


def test_an_unsealed_document_puts_the_signature_two_characters_in_and_the_remark_in_brackets() -> None:
    found = paragraphs("unsealed")
    by_text = {p.text: p for p in found}
    cell = 156 / 25.4 * 72 / 28
    signature = by_text[UNSEALED.signature].paragraph_format.left_indent.pt
    assert signature + 10 * cell == pytest.approx(26 * cell, abs=0.5)  # 右空二字
    assert by_text["2026年11月25日"].paragraph_format.left_indent.pt == pytest.approx(signature + 2 * cell, abs=0.1)
    remark = by_text["（此件公开发布）"]
    assert remark.paragraph_format.first_line_indent.pt == pytest.approx(32)  # 居左空二字


def test_an_upward_document_has_its_mark_where_every_document_has_it_and_the_signer_on_the_number_line() -> None:
    found = texts("request")
    assert f"{REQUEST.number}\t签发人：{REQUEST.signer_name}" in found
    mark = next(p for p in paragraphs("request") if p.text.endswith("文件"))
    assert round(mark.paragraph_format.space_before.mm) == 35  # not the 1999 standard's 80 mm


# ------------------------------------------------------------------------ LibreOffice's PDFs


@dataclass(frozen=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (Debian: libreoffice-writer; it is optional)")
    folder = tmp_path_factory.mktemp("docx")
    for name, doc in DOCS.items():
        (folder / f"{name}.docx").write_bytes(render_docx(doc))
    command = ["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*command, "--outdir", str(folder), *(str(folder / f"{name}.docx") for name in DOCS)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return {name: (folder / f"{name}.pdf").read_bytes() for name in DOCS}


def find(pdf: bytes, text: str, page: int = 0, occurrence: int = 1) -> Box:
    """Where `text` is on the page (its n-th occurrence), mm from the top-left corner."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        height = document[page].get_height()
        textpage = document[page].get_textpage()
        searcher = textpage.search(text)
        for _ in range(occurrence):
            found = searcher.get_next()
        assert found, f"{text!r} not on page {page + 1}: {textpage.get_text_range()!r}"
        boxes = [textpage.get_charbox(i) for i in range(found[0], found[0] + found[1])]
        left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
        right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
        return Box(left * MM, (height - top) * MM, right * MM, (height - bottom) * MM)
    finally:
        document.close()


def page_text(pdf: bytes, page: int) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return str(document[page].get_textpage().get_text_range())
    finally:
        document.close()


def red_lines(pdf: bytes) -> list[tuple[float, float]]:
    """Page 1's red horizontal lines as (y, length) in mm: rows of red pixels at 100 dpi, one entry a run."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=100 / 72).to_pil().convert("RGB")
    finally:
        document.close()
    px = 25.4 / 100
    lines: list[tuple[float, float]] = []
    for y in range(image.height):
        row = [image.getpixel((x, y)) for x in range(0, image.width, 2)]
        reds = [x for x, (r, g, b) in enumerate(row) if r > 170 and g < 90 and b < 90]
        rule = len(reds) * 2 * px > 100  # a rule, not the mark's glyphs
        if rule and (not lines or y * px - lines[-1][0] > 1.5):
            lines.append((y * px, (reds[-1] - reds[0]) * 2 * px))
    return lines


def test_libreoffice_prints_the_letters_mark_30_mm_down_its_170_mm_double_lines_and_no_first_page_number(
    printed: dict[str, bytes],
) -> None:
    pdf = printed["letter"]
    assert find(pdf, "示例市人民政府办公室").top == pytest.approx(30, abs=TOLERANCE)
    lines = red_lines(pdf)
    assert len(lines) == 4 and all(length == pytest.approx(170, abs=3) for _y, length in lines), lines
    (upper, upper_thin), (lower_thin, lower) = lines[:2], lines[2:]
    assert upper[0] < 60 and upper_thin[0] - upper[0] < 3 and lower[0] - lower_thin[0] < 3, "two double lines"
    assert lower[0] == pytest.approx(297 - 20, abs=TOLERANCE)
    assert find(pdf, "号").right == pytest.approx(28 + 156, abs=2.0)  # 发文字号 顶格 on the right
    assert "— 1 —" not in page_text(pdf, 0)


def test_libreoffice_prints_each_mark_where_its_format_puts_it(printed: dict[str, bytes]) -> None:
    assert find(printed["order"], "示例市人民政府令").top == pytest.approx(37 + 20, abs=TOLERANCE)
    assert find(printed["minutes"], "纪要").top == pytest.approx(37 + 35, abs=TOLERANCE)
    assert find(printed["request"], "文件").top == pytest.approx(37 + 35, abs=TOLERANCE)
    number, date = find(printed["minutes"], "示例办纪"), find(printed["minutes"], "年11月25日")
    assert number.top == pytest.approx(date.top, abs=1) and number.left == pytest.approx(28 + CELL, abs=2)


def test_libreoffice_prints_the_order_stamp_after_the_text_and_the_minutes_lists_in_order(
    printed: dict[str, bytes],
) -> None:
    order = printed["order"]
    body, stamp, title = find(order, "现予公布"), find(order, "李明"), find(order, "市长")
    assert body.top < stamp.top and title.top == pytest.approx(stamp.top, abs=2) and title.right < stamp.left
    minutes = printed["minutes"]
    tops = [find(minutes, label + "：").top for label in ("出席", "请假", "列席")]
    assert tops == sorted(tops) and find(minutes, "出席").left == pytest.approx(28 + 2 * CELL, abs=2)


def test_libreoffice_prints_the_joint_mark_stacked_and_both_signatures_on_one_line(printed: dict[str, bytes]) -> None:
    pdf = printed["joint"]
    first, second, suffix = find(pdf, "示例市教育局"), find(pdf, "示例市财政局"), find(pdf, "文件")
    assert second.top > first.top + 5 and suffix.left > max(first.right, second.right)
    assert first.top < suffix.top < second.bottom
    text = page_text(pdf, 0)
    signatures = text[text.index("帮扶工作。") :]
    assert "示例市教育局" in signatures and "示例市财政局" in signatures


def test_libreoffice_prints_the_unsealed_signature_two_characters_from_the_right_and_the_remark_two_in(
    printed: dict[str, bytes],
) -> None:
    pdf = printed["unsealed"]
    text = page_text(pdf, 0)
    assert "（此件公开发布）" in text.replace(" ", "")
    remark = find(pdf, "（此件公开发布）")
    # 居左空二字: a full-width bracket's ink is in the right half of its cell
    assert 28 + 2 * CELL - 1 <= remark.left <= 28 + 3 * CELL
    date = find(pdf, "年11月25日")
    signature = find(pdf, "示例市人民政府办公室", occurrence=3)  # after the mark and the 标题
    assert signature.right == pytest.approx(28 + 156 - 2 * CELL, abs=2)  # 右空二字
    year = find(pdf, "2026", occurrence=2)  # the 成文日期's (the first is in the 发文字号)
    assert year.top == pytest.approx(date.top, abs=1) and signature.top < date.top < remark.top
    assert year.left == pytest.approx(signature.left + 2 * CELL, abs=2)  # two characters right of the 署名
