"""How the PDF is drawn, read back with pypdf: page size, embedded subset fonts, text encoding, colours and the
translucent seal, metadata, identical bytes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.pdf_reading import RED, colours, content, read, resources, spans
from tests.unit.publishing.samples import LONG, NOTICE, needs_fonts


@needs_fonts
def test_the_page_is_a4(notice_pdf: bytes) -> None:
    for page in read(notice_pdf).pages:
        assert float(page.mediabox.width) == pytest.approx(595.28, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(841.89, abs=0.5)


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
    faces = {"NotoSerifCJKSC", "NotoSerifCJKSCBold", "NotoSansCJKSC", "LXGWWenKai"}
    assert {name.split("+")[1] for name in fonts} == faces
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
def test_the_same_document_gives_the_same_bytes(notice_pdf: bytes, font_dir: Path) -> None:
    assert render_pdf(NOTICE, font_dir) == notice_pdf
