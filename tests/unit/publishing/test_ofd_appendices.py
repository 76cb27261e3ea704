"""附件 pages in the OFD: the PDF 附件 the PDF merges after the 正文 are pages of the OFD too, each with its
「附件N」 label as text and the 附件 page as an image in the box the PDF merges it into; read back by easyofd and
compared with the PDF page by page (PDFium draws both), the seal covering the images."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from oa_core.publishing import appending, ofd, ofdseal
from oa_core.publishing.typesetting import Rendered, render
from tests.unit.publishing.samples import needs_fonts
from tests.unit.publishing.test_appended_attachments import ATTACHED
from tests.unit.publishing.test_ofd import READER_FACE, sealed

pytestmark = needs_fonts
PIXEL_TOLERANCE = 4.0
"""Mean absolute grey difference (0–255) allowed between a page as easyofd draws it and the PDF's page, both
blurred (the reader draws text in another face). Measured on the 附件 pages: 1.2–1.7; one 附件 page against the
next: 25–32."""


def inked_pdf(words: list[str], landscape: bool = False) -> bytes:
    """One page per word: the word top left, a frame round the page and a grey block, on the n-th page in the
    n-th quarter of the page (so the pages' images tell them apart)."""
    from fpdf import FPDF

    document = FPDF(orientation="L" if landscape else "P", unit="mm", format="A4")
    document.set_auto_page_break(False)
    for index, word in enumerate(words):
        document.add_page()
        document.set_font("Helvetica", size=14)
        document.text(2, 8, word)
        document.rect(1, 1, document.w - 2, document.h - 2)
        document.set_fill_color(90, 90, 90)
        half_w, half_h = document.w / 2, document.h / 2
        document.rect(10 + (index % 2) * half_w, 15 + (index // 2 % 2) * half_h, half_w - 20, half_h - 25, style="F")
    return bytes(document.output())


@pytest.fixture(scope="module")
def appended_files() -> list[tuple[str, bytes]]:
    """附件1 of two portrait pages and 附件3 of one landscape page (附件2 is a workbook, not appended)."""
    return [("附件1", inked_pdf(["ALPHAONE", "ALPHATWO"])), ("附件3", inked_pdf(["BRAVO"], landscape=True))]


@pytest.fixture(scope="module")
def rendered(font_dir: Path, appended_files: list[tuple[str, bytes]]) -> Rendered:
    return render(ATTACHED, font_dir, appended_files)


@pytest.fixture(scope="module")
def read_back(rendered: Rendered) -> Iterator[tuple[dict[str, Any], bytes]]:
    """easyofd's parse of the sealed OFD and the PDF it draws from it."""
    if not READER_FACE.is_file():
        pytest.skip(f"{READER_FACE} missing (Debian: fonts-lxgw-wenkai), easyofd has no CJK face to draw with")
    easyofd = pytest.importorskip("easyofd.ofd")
    from loguru import logger
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    logger.remove()
    pdfmetrics.registerFont(TTFont("宋体", str(READER_FACE)))
    reader = easyofd.OFD()
    reader.read(sealed(rendered.ofd), fmt="binary")
    yield reader.data[0], reader.to_pdf()


def _texts(parsed: dict[str, Any]) -> list[str]:
    return ["".join(item["text"] for item in page["text_list"]) for _n, page in sorted(parsed["page_info"].items())]


def test_easyofd_finds_as_many_pages_as_the_pdf_and_each_label_on_its_attachments_first_page(
    read_back: tuple[dict[str, Any], bytes], rendered: Rendered
) -> None:
    parsed, _pdf = read_back
    pdf_pages = [page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages]
    ofd_pages = _texts(parsed)
    assert len(ofd_pages) == len(pdf_pages) == 6
    for word, label in (("ALPHAONE", "附件1"), ("BRAVO", "附件3")):
        page = next(n for n, text in enumerate(pdf_pages) if word in text)
        assert ofd_pages[page].startswith(label), (label, page, ofd_pages[page])
    assert [n for n, text in enumerate(ofd_pages) if re.match(r"附件\d", text)] == [2, 4]
    # page numbers continue through the 附件 pages, and the 版记 is last, as in the PDF
    for number in range(3, 6):
        assert f"— {number} —" in ofd_pages[number - 1]
    assert ofd_pages[-1].startswith("抄送：") and "印发" in ofd_pages[-1] and "印发" in pdf_pages[-1]


def test_each_attachment_page_is_one_image_in_the_box_the_pdf_merges_it_into(
    read_back: tuple[dict[str, Any], bytes], rendered: Rendered, appended_files: list[tuple[str, bytes]]
) -> None:
    parsed, _pdf = read_back
    images = {n: page["img_list"] for n, page in parsed["page_info"].items() if page["img_list"]}
    assert sorted(images) == [2, 3, 4]
    portrait = appending.fit(appending.FrameItem(0, 0, 0, 28, 47.227, 156, 214.773), 595.28, 841.89)
    assert images[2][0]["pos"] == pytest.approx(list(portrait), abs=0.01)  # centred, shrunk to the frame's height
    assert images[4][0]["pos"][2] == pytest.approx(156.0, abs=0.01)  # landscape: the 版心's width
    media = parsed["images"]
    assert {image["ResourceID"] for page in images.values() for image in page} == set(media)
    assert all(item["suffix"] == "png" for item in media.values())


def _grey(pdf: bytes) -> list[Any]:
    import pypdfium2
    from PIL import ImageFilter

    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            image = page.render(scale=40 / 72 * 595.28 / page.get_width(), grayscale=True).to_pil().convert("L")
            pages.append(image.resize((331, 468)).filter(ImageFilter.GaussianBlur(2.0)))
        return pages
    finally:
        document.close()


def _difference(first: Any, second: Any) -> float:
    from PIL import ImageChops, ImageStat

    return float(ImageStat.Stat(ImageChops.difference(first, second)).mean[0])


def test_the_attachment_pages_easyofd_draws_look_like_the_pdfs(
    read_back: tuple[dict[str, Any], bytes], rendered: Rendered
) -> None:
    ours, theirs = _grey(rendered.pdf), _grey(read_back[1])
    assert len(ours) == len(theirs)
    differences = [_difference(ours[n], theirs[n]) for n in (2, 3, 4)]
    assert max(differences) < PIXEL_TOLERANCE, differences
    # the measure tells the 附件 pages apart: each against the next differs far more
    assert min(_difference(ours[n], theirs[n + 1]) for n in (2, 3)) > 2 * max(differences)


def test_the_seal_covers_the_images_and_the_same_document_gives_the_same_ofd(
    rendered: Rendered, font_dir: Path, appended_files: list[tuple[str, bytes]]
) -> None:
    signed = sealed(rendered.ofd)
    problem, block = ofdseal.verify_ofd_offline(signed)
    assert problem is None and block["number"] == ATTACHED.number
    files = ofd.unpack(signed)
    image = next(name for name in files if re.fullmatch(r"Doc_0/Res/image_\d+\.png", name))
    assert f'FileRef="/{image}"' in files[ofdseal.SIGNATURE].decode()
    changed = bytearray(files[image])
    changed[len(changed) // 2] ^= 0x01
    files[image] = bytes(changed)
    problem, _block = ofdseal.verify_ofd_offline(ofd.package(files))
    assert problem is not None and "changed" in problem
    assert ofd.package(render(ATTACHED, font_dir, appended_files).ofd) == ofd.package(rendered.ofd)


def test_a_document_without_attachments_has_no_document_resources(font_dir: Path) -> None:
    files = render(ATTACHED, font_dir).ofd
    assert "Doc_0/DocumentRes.xml" not in files and "DocumentRes" not in files["Doc_0/Document.xml"].decode()
