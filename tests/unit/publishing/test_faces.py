"""The faces are parsed once a process and their subsets reused: a second render parses and subsets nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from oa_core.publishing import faces
from oa_core.publishing.fonts import SERIF, font_paths
from oa_core.publishing.typesetting import render_pdf
from tests.unit.publishing.samples import NOTICE, needs_fonts

pytestmark = needs_fonts


def test_a_second_render_parses_no_font_and_subsets_nothing_again(font_dir: Path) -> None:
    first = render_pdf(NOTICE, font_dir)
    parsed, subsets = faces._prototype.cache_info(), faces._subset.cache_info()
    again = render_pdf(NOTICE, font_dir)
    assert again == first
    assert faces._prototype.cache_info().misses == parsed.misses, "a face was parsed again"
    assert faces._subset.cache_info().misses == subsets.misses, "a face was subset again for the same text"


def test_a_document_with_other_text_gets_its_own_subset_and_the_same_parsed_faces(font_dir: Path) -> None:
    render_pdf(NOTICE, font_dir)
    parsed, subsets = faces._prototype.cache_info(), faces._subset.cache_info()
    render_pdf(replace(NOTICE, body="冬季供暖工作安排如下。"), font_dir)
    assert faces._prototype.cache_info().misses == parsed.misses
    assert faces._subset.cache_info().misses > subsets.misses


def test_a_subset_holds_the_text_its_glyphs_were_asked_for_and_keeps_the_cids(font_dir: Path) -> None:
    path = font_paths(font_dir)[SERIF]
    names = faces.glyph_names(path, "关于做好冬季安全生产工作的通知")
    font = faces.open_font(faces.subset(path, names))
    cmap = font.getBestCmap()
    assert {chr(code) for code in cmap} >= set("关于做好冬季安全生产工作的通知")
    assert set(font.getGlyphOrder()) == names
    assert faces.prototype(path).cmap[ord("通")] == cmap[ord("通")], "the CID (glyph name) is not kept"


def test_a_document_with_characters_the_first_did_not_use_still_gets_every_glyph(font_dir: Path) -> None:
    import io

    from pypdf import PdfReader

    render_pdf(NOTICE, font_dir)  # the faces' first subsets consume the fonts the prototypes were parsed from
    body = "乡镇侄儿傧相凊冽第三部分"
    data = render_pdf(replace(NOTICE, body=body), font_dir)
    text = "".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())
    assert body in text
