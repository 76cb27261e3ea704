"""附件 appended to the issued PDF (GB/T 9704-2012 §8): each on pages of its own after the 正文, 「附件N」 in
3号黑体 on its first line, its pages fitted into the 版心, page numbers continuing, the 版记 on the even last page;
read back with pypdf and with poppler (pdftotext, pdfinfo), readers we did not write."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pypdf import PageObject

from oa_core.publishing.appending import AppendixUnreadable
from oa_core.publishing.document import Appendix
from oa_core.publishing.grid import LINE_PITCH, TEXT_BOTTOM, TEXT_LEFT, TEXT_TOP, TEXT_WIDTH
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.pdf_reading import read
from tests.unit.publishing.samples import NOTICE, laid_out, needs_fonts

ATTACHED = replace(NOTICE, attachment_note="1．检查表\n2．测算表\n3．整改台账")
"""Three 附件 listed; the first and third are PDFs (appended as 附件1 and 附件3), the second a workbook."""
MM = 25.4 / 72
needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="poppler-utils not installed (Debian: poppler-utils; make pdf-deps)",
)


def attachment_pdf(words: list[str], landscape: bool = False) -> bytes:
    """A PDF of one page per word, each word at the very top-left corner of its page and a box around the page."""
    from fpdf import FPDF

    document = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    document.set_auto_page_break(False)
    for word in words:
        document.add_page()
        document.set_font("Helvetica", size=14)
        document.text(2, 8, word)
        document.rect(1, 1, document.w - 2, document.h - 2)
    return bytes(document.output())


def render_appended(font_dir: Path) -> bytes:
    files = [("附件1", attachment_pdf(["ALPHAONE", "ALPHATWO"])), ("附件3", attachment_pdf(["BRAVO"], landscape=True))]
    return render_pdf(ATTACHED, font_dir, files)


@pytest.fixture(scope="module")
def appended(font_dir: Path) -> bytes:
    return render_appended(font_dir)


def test_the_layout_puts_each_attachment_on_pages_of_its_own_and_the_record_on_an_even_page_after_them() -> None:
    placed = laid_out(replace(ATTACHED, appendices=(Appendix("附件1", 2), Appendix("附件3", 1))))
    signature_page = placed.seals[0].page
    assert [(f.page, f.appendix, f.source_page) for f in placed.frames] == [
        (signature_page + 1, 0, 0),
        (signature_page + 2, 0, 1),
        (signature_page + 3, 1, 0),
    ]
    first, second = placed.frames[0], placed.frames[1]
    assert (first.x, first.width) == (TEXT_LEFT, TEXT_WIDTH)
    assert first.y == pytest.approx(TEXT_TOP + LINE_PITCH), "below the label's line on an attachment's first page"
    assert (second.y, second.y + second.height) == (TEXT_TOP, TEXT_BOTTOM), "the whole 版心 on its other pages"
    labels = [(t.page, "".join(c.text for c in t.chars), t.x) for t in placed.texts if t.chars[0].face == "sans"]
    assert (signature_page + 1, "附件1", TEXT_LEFT) in labels and (signature_page + 3, "附件3", TEXT_LEFT) in labels
    assert placed.page_count % 2 == 0 and placed.page_count > signature_page + 4
    record = [t for t in placed.texts if "".join(c.text for c in t.chars).endswith("印发")]
    assert record[0].page == placed.page_count - 1, "版记 on the last page, after the last 附件"


@needs_fonts
@needs_poppler
def test_the_issued_pdf_carries_the_attachment_pages_labelled_and_numbered_on(
    appended: bytes, font_dir: Path, tmp_path: Path
) -> None:
    data = appended
    body_pages = laid_out(ATTACHED).seals[0].page + 1
    assert data == render_appended(font_dir), "the same input gives the same bytes"
    last_attachment = body_pages + 3
    record_pages = 1 if last_attachment % 2 else 2
    reader = read(data)
    assert len(reader.pages) == body_pages + 3 + record_pages
    path = tmp_path / "issued.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(rf"^Pages:\s+{len(reader.pages)}$", info, re.MULTILINE), info

    def poppler(page: int) -> str:
        args = ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"]
        return "".join(subprocess.run(args, capture_output=True, text=True, check=True).stdout.split())

    assert "附件1" in poppler(body_pages + 1) and "ALPHAONE" in poppler(body_pages + 1)
    assert "ALPHATWO" in poppler(body_pages + 2) and "附件" not in poppler(body_pages + 2)
    assert "附件3" in poppler(body_pages + 3) and "BRAVO" in poppler(body_pages + 3)
    for page in range(body_pages + 1, last_attachment + 1):
        assert f"—{page}—" in poppler(page), f"page {page} numbered on"
    last = poppler(len(reader.pages))
    assert "抄送：" in last and "印发" in last and "ALPHA" not in last and "BRAVO" not in last

    texts = placed_text(reader.pages[body_pages])
    label = next(t for t in texts if t[0] == "附件1")
    assert label[4] == pytest.approx(16) and "Sans" in label[3], "3号黑体"
    assert label[1] == pytest.approx(TEXT_LEFT, abs=0.05) and label[2] < TEXT_TOP + LINE_PITCH, "版心左上角第一行"
    number = next(t for t in texts if t[0].startswith("—"))
    assert number[4] == pytest.approx(14) and "Serif" in number[3], "4号 宋体 as the 正文's"
    assert (number[1] > TEXT_LEFT + TEXT_WIDTH / 2) == ((body_pages + 1) % 2 == 1), "odd right, even left"


@needs_fonts
def test_an_attachment_page_is_fitted_inside_the_type_area_below_its_label(appended: bytes) -> None:
    reader = read(appended)
    body_pages = laid_out(ATTACHED).seals[0].page + 1
    for index, word, top in ((body_pages, "ALPHAONE", TEXT_TOP + LINE_PITCH), (body_pages + 1, "ALPHATWO", TEXT_TOP)):
        found = [t for t in placed_text(reader.pages[index]) if t[0] == word]
        assert found, f"{word} on page {index + 1}"
        _text, x, y, _font, size = found[0]
        assert TEXT_LEFT <= x < TEXT_LEFT + 5 and top < y < top + 8, f"{word} at the frame's top-left: {x:.1f}, {y:.1f}"
        assert size < 14, "shrunk to the 版心, not enlarged"
    bravo = next(t for t in placed_text(reader.pages[body_pages + 2]) if t[0] == "BRAVO")
    assert bravo[4] < 14 * TEXT_WIDTH / 297 + 0.1, "a landscape page is fitted by its width"


def placed_text(page: PageObject) -> list[tuple[str, float, float, str, float]]:
    """(text, x, baseline y in mm from the top-left, font name, size in pt) of each text run of a page."""
    found: list[tuple[str, float, float, str, float]] = []
    height = float(page.mediabox.height)

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            m = _concat(cm, tm)
            scale = (m[2] ** 2 + m[3] ** 2) ** 0.5
            name = str((font or {}).get("/BaseFont", ""))
            found.append((text.strip(), m[4] * MM, (height - m[5]) * MM, name, size * scale))

    page.extract_text(visitor_text=visit)
    return found


def _concat(cm: list[float], tm: list[float]) -> list[float]:
    """tm × cm: where text is on the page."""
    a, b, c, d, e, f = tm
    a2, b2, c2, d2, e2, f2 = cm
    x, y = e * a2 + f * c2 + e2, e * b2 + f * d2 + f2
    return [a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2, x, y]


@needs_fonts
def test_a_pdf_that_cannot_be_read_fails_the_rendering_naming_the_attachment(font_dir: Path) -> None:
    with pytest.raises(AppendixUnreadable, match="附件2"):
        render_pdf(ATTACHED, font_dir, [("附件1", attachment_pdf(["A"])), ("附件2", b"%PDF-1.7\nbroken")])
