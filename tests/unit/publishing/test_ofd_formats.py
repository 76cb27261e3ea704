"""Every format sample's OFD read back by easyofd, a reader we did not write: its pages look like the PDF's, and
each seal glyph, placed as GB/T 33190 places it, lands on the PDF's red.

easyofd draws no paths inside an annotation and ignores a CTM, so its page images cannot show whether the seal
is right. The seal check therefore uses easyofd's parse (the reader's own reading of the Stamp annotations: the
appearance's Boundary, each TextObject's Boundary, CTM, TextCode X/Y and Size) and applies the standard's rule
itself: a graphic unit's CTM maps its own space, whose origin is its Boundary's top-left corner, into its
parent's. Each glyph's em box centre found so must lie inside the seal's ring and on the PDF page's red ink.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from oa_core.publishing import ofd
from oa_core.publishing.fonts import EM_ASCENT
from oa_core.publishing.grid import SEAL_DIAMETER
from oa_core.publishing.typesetting import render
from tests.unit.publishing.format_samples import FORMAT_SAMPLES
from tests.unit.publishing.pixels import count, red_mask
from tests.unit.publishing.samples import NOTICE, needs_fonts
from tests.unit.publishing.test_ofd import READER_FACE, sealed

pytestmark = needs_fonts
SAMPLES = {"tongzhi": NOTICE, **FORMAT_SAMPLES}
PIXEL_TOLERANCE = 4.0
"""Mean absolute grey difference (0–255) between a page as easyofd draws it and the PDF's, both at 40 dpi and
blurred by 2 px (test_ofd's measure)."""
PX_PER_MM = 10.0
RED_SHARE = 0.15
"""The least share of red pixels in the square of half a glyph's size round a seal glyph's centre on the PDF's
page (the 宋体 bold glyphs are dense there)."""


@pytest.fixture(scope="module", params=sorted(SAMPLES))
def sample(request: pytest.FixtureRequest, font_dir: Path) -> Iterator[dict[str, Any]]:
    """One sample: the PDF, the sealed OFD and easyofd's parse of it and the PDF it draws from it."""
    if not READER_FACE.is_file():
        pytest.skip(f"{READER_FACE} missing (Debian: fonts-lxgw-wenkai), easyofd has no CJK face to draw with")
    easyofd = pytest.importorskip("easyofd.ofd")
    from loguru import logger
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    logger.remove()
    pdfmetrics.registerFont(TTFont("宋体", str(READER_FACE)))
    rendered = render(SAMPLES[request.param], font_dir)
    data = sealed(rendered.ofd)
    stamps = sum(len(re.findall(rb'Type="Stamp"', body)) for name, body in rendered.ofd.items() if "Annots/" in name)
    reader = easyofd.OFD()
    # easyofd fails (an assert) on a signature without a StampAnnot, which GB/T 33190 §18 allows (0..n): a
    # document with no seal (命令, 纪要, 不加盖印章) is given to it unsigned
    reader.read(data if stamps else ofd.package(rendered.ofd), fmt="binary")
    yield {
        "name": request.param,
        "pdf": rendered.pdf,
        "stamps": stamps,
        "parsed": reader.data[0],
        "drawn": reader.to_pdf(),
    }


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


def test_the_pages_easyofd_draws_look_like_the_pdfs_pages(sample: dict[str, Any]) -> None:
    ours, theirs = _grey(sample["pdf"]), _grey(sample["drawn"])
    assert len(theirs) == len(ours) == len(PdfReader(io.BytesIO(sample["pdf"])).pages)
    differences = [round(_difference(a, b), 2) for a, b in zip(ours, theirs, strict=True)]
    assert max(differences) < PIXEL_TOLERANCE, (sample["name"], differences)


def _numbers(text: str) -> list[float]:
    return [float(v) for v in text.split()]


def glyph_centres(parsed: dict[str, Any]) -> list[tuple[int, str, tuple[float, float], tuple[float, float]]]:
    """(page index, character, centre on the page in mm, the seal's centre) of every glyph of every Stamp
    annotation easyofd parsed, its CTM applied in its own space (origin at its Boundary's top-left corner)."""
    found = []
    for page, annots in parsed["annotation_info"].items():
        for annot in annots.values():
            if annot["AnnoType"]["type"] != "Stamp":
                continue
            ax, ay, aw, ah = _numbers(annot["Appearance"]["Boundary"])
            objects = annot["TextObject"]
            for obj in objects if isinstance(objects, list) else [objects]:
                bx, by, bw, _bh = _numbers(obj["@Boundary"])
                size = float(obj["@Size"])
                code = obj["ofd:TextCode"]
                text = code["#text"]
                # one CJK glyph's em box: one em wide from X, from EM_ASCENT above the baseline Y; a run of
                # several (the code line), across its Boundary's width
                x = float(code.get("@X", 0)) + size / 2 if len(text) == 1 else bw / 2
                y = float(code.get("@Y", 0)) - (EM_ASCENT - 0.5) * size
                a, b, c, d, e, f = _numbers(obj.get("@CTM") or "1 0 0 1 0 0")
                centre = (ax + bx + a * x + c * y + e, ay + by + b * x + d * y + f)
                found.append((int(page), text, centre, (ax + aw / 2, ay + ah / 2)))
    return found


def test_each_seal_glyph_placed_by_the_standards_rule_lands_on_the_pdfs_red(sample: dict[str, Any]) -> None:
    import pypdfium2

    glyphs = glyph_centres(sample["parsed"])
    assert bool(glyphs) == (sample["stamps"] > 0), (sample["name"], sample["stamps"], len(glyphs))
    assert sample["stamps"] == (
        0 if sample["name"] in ("mingling", "jiyao", "bujiagai") else 2 if sample["name"] == "lianhe" else 1
    )
    document = pypdfium2.PdfDocument(sample["pdf"])
    try:
        images = {
            page: document[page].render(scale=PX_PER_MM * 25.4 / 72).to_pil().convert("RGB") for page, *_ in glyphs
        }
    finally:
        document.close()
    for page, text, (x, y), (cx, cy) in glyphs:
        where = f"{sample['name']} page {page + 1} 「{text}」 at ({x:.1f}, {y:.1f}) mm"
        if len(text) > 1:  # the code line under the star: small, on the seal's axis
            assert abs(x - cx) < 1.0 and 0 < y - cy < SEAL_DIAMETER / 2, where
            continue
        assert math.hypot(x - cx, y - cy) < SEAL_DIAMETER / 2, f"{where}: off the seal centred ({cx:.1f}, {cy:.1f})"
        half = 0.25 * SEAL_DIAMETER / 6  # a quarter of a seal glyph's size (about 6 mm) either side
        box = tuple(round(v * PX_PER_MM) for v in (x - half, y - half, x + half, y + half))
        mask = red_mask(images[page].crop(box))
        share = count(mask) / (mask.width * mask.height)
        assert share >= RED_SHARE, f"{where}: {share:.2f} of the PDF's pixels there are red"
